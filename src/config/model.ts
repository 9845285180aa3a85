/**
 * The compiled, frozen configuration: what the config compiler produces and the core consumes.
 *
 * Scopes follow ISC dhcpd: global ⊃ shared-network ⊃ subnet ⊃ pool, and group/host/class
 * scopes hang off wherever they were declared. Each scope holds only what it sets itself;
 * `parent` links let the core resolve the effective value (innermost wins), and
 * `resolveParameter` / `resolveOptions` below do that walk.
 *
 * Addresses are unsigned 32-bit numbers (see lib/ip.ts). Every declaration keeps the source
 * location it came from so later errors and logs can point at it.
 */
import type { Diagnostic, SourceLocation } from '../lib/errors.js'
import type { OptionDef, OptionValue } from '../protocol/dhcp/option-defs.js'

export type ScopeKind = 'global' | 'shared-network' | 'subnet' | 'pool' | 'group' | 'host' | 'class'

export type DdnsUpdateStyle = 'none' | 'ad-hoc' | 'interim' | 'standard'

/** Parameters a scope can set. Absent means "inherit". */
export interface ScopeParameters {
  readonly defaultLeaseTime?: number
  readonly maxLeaseTime?: number
  readonly minLeaseTime?: number
  readonly authoritative?: boolean
  readonly pingCheck?: boolean
  /** Seconds. */
  readonly pingTimeout?: number
  /** Milliseconds; when > 0 it replaces pingTimeout (ISC 4.4 `ping-timeout-ms`). */
  readonly pingTimeoutMs?: number
  /** Seconds after its CLTT before a previous owner's address is pinged again (default 60). */
  readonly pingClttSecs?: number
  readonly serverIdentifier?: number
  readonly nextServer?: number
  readonly filename?: string
  readonly serverName?: string
  readonly getLeaseHostnames?: boolean
  readonly useHostDeclNames?: boolean
  readonly oneLeasePerClient?: boolean
  readonly bootUnknownClients?: boolean
  readonly ddnsUpdateStyle?: DdnsUpdateStyle
  /** Other ddns-* statements, by their dhcpd.conf name (ddns-updates, ddns-domainname…). */
  readonly ddns?: Readonly<Record<string, string | number | boolean>>
  readonly logFacility?: string
  /** Seconds a client must have been trying before we answer (ISC `min-secs`). */
  readonly minSecs?: number
  /** `dhcp-cache-threshold`, percent (ISC default 25; 0 disables lease reuse). */
  readonly dhcpCacheThreshold?: number
  /** `allow|deny|ignore` statements at scope level (bootp, booting, unknown-clients…). */
  readonly access?: Readonly<Record<string, 'allow' | 'deny' | 'ignore'>>
}

export interface ConfiguredOption {
  readonly def: OptionDef
  readonly value: OptionValue
  /** Wire bytes of the value (no code/length), ready for a reply. */
  readonly data: Buffer
  readonly loc: SourceLocation
}

export interface Scope {
  readonly kind: ScopeKind
  readonly loc: SourceLocation
  readonly parent: Scope | undefined
  readonly params: ScopeParameters
  /** Options this scope sets, keyed by option code. */
  readonly options: ReadonlyMap<number, ConfiguredOption>
}

/** An address range inside a pool; `first` ≤ `last`. */
export interface Range {
  readonly first: number
  readonly last: number
  readonly size: number
  readonly dynamicBootp: boolean
  readonly loc: SourceLocation
}

/** What a pool permit list entry admits (ISC `allow|deny …` inside `pool {}`). */
export type PermitSubject =
  | { readonly kind: 'known-clients' }
  | { readonly kind: 'unknown-clients' }
  | { readonly kind: 'all-clients' }
  | { readonly kind: 'dynamic-bootp-clients' }
  | { readonly kind: 'authenticated-clients' }
  | { readonly kind: 'unauthenticated-clients' }
  | { readonly kind: 'members-of'; readonly className: string }
  | { readonly kind: 'after'; readonly time: string }

export interface Permit {
  readonly allow: boolean
  readonly subject: PermitSubject
  readonly loc: SourceLocation
}

export interface Pool {
  readonly loc: SourceLocation
  readonly scope: Scope
  /** Name of the failover relationship serving this pool, if any. */
  readonly failoverPeer: string | undefined
  readonly ranges: readonly Range[]
  readonly permits: readonly Permit[]
  /** True when the pool was made for `range` statements written directly in a subnet. */
  readonly implicit: boolean
}

export interface Subnet {
  readonly loc: SourceLocation
  readonly scope: Scope
  readonly network: number
  readonly mask: number
  readonly prefixLength: number
  /** Name of the shared network this subnet belongs to (implicit ones are named after the subnet). */
  readonly sharedNetwork: string
  readonly pools: readonly Pool[]
}

export interface SharedNetwork {
  readonly name: string
  readonly loc: SourceLocation
  readonly scope: Scope
  /** True when the subnet was declared outside any `shared-network` block. */
  readonly implicit: boolean
  readonly subnets: readonly Subnet[]
}

export interface HardwareAddress {
  /** ARP hardware type (1 = ethernet, 6 = token-ring, 8 = fddi). */
  readonly htype: number
  readonly address: Buffer
}

export interface Host {
  readonly name: string
  readonly loc: SourceLocation
  readonly scope: Scope
  readonly hardware: HardwareAddress | undefined
  /** From `option dhcp-client-identifier …;` inside the host. */
  readonly clientId: Buffer | undefined
  /** `host-identifier option agent.circuit-id …;` and similar. */
  readonly hostIdentifier: { readonly option: string; readonly value: Buffer } | undefined
  /** Fixed addresses given as literals, resolved. */
  readonly fixedAddresses: readonly number[]
  /** Fixed addresses given as DNS names; resolved at run time, as ISC does. */
  readonly fixedAddressNames: readonly string[]
}

export interface FailoverPeer {
  readonly name: string
  readonly loc: SourceLocation
  readonly role: 'primary' | 'secondary'
  readonly address: string
  readonly port: number
  readonly peerAddress: string
  readonly peerPort: number
  /** Seconds. */
  readonly maxResponseDelay: number
  readonly maxUnackedUpdates: number
  /** Seconds; required on the primary. */
  readonly mclt: number | undefined
  /** 0..256; primary only. */
  readonly split: number | undefined
  /** 32-byte hash bucket allocation bitmap; primary only. */
  readonly hba: Buffer | undefined
  /** Seconds; 0 disables load balancing. */
  readonly loadBalanceMaxSeconds: number
  readonly maxLeaseMisbalance: number
  readonly maxLeaseOwnership: number
  readonly minBalance: number
  readonly maxBalance: number
  /** Seconds; 0 disables. */
  readonly autoPartnerDown: number
}

/** `class` / `subclass` declarations, kept for display; matching is not implemented yet. */
export interface ClassDecl {
  readonly name: string
  readonly loc: SourceLocation
  readonly kind: 'class' | 'subclass'
  /** The match expression as source text, when present. */
  readonly match: string | undefined
}

/** Server-wide settings that only make sense at the top level. */
export interface GlobalSettings {
  readonly localPort: number | undefined
  readonly localAddress: number | undefined
  readonly omapiPort: number | undefined
  readonly leaseFileName: string | undefined
  readonly pidFileName: string | undefined
}

export interface ServerConfig {
  /** The main file, then every included file, in the order they were read. */
  readonly files: readonly string[]
  readonly global: Scope
  readonly settings: GlobalSettings
  readonly failoverPeers: ReadonlyMap<string, FailoverPeer>
  readonly sharedNetworks: readonly SharedNetwork[]
  /** All subnets, in declaration order. */
  readonly subnets: readonly Subnet[]
  readonly hosts: readonly Host[]
  readonly classes: readonly ClassDecl[]
  /** Option definitions added with `option NAME code N = TYPE;`. */
  readonly customOptions: readonly OptionDef[]
  /** Warnings found while compiling (errors make compilation fail instead). */
  readonly warnings: readonly Diagnostic[]
}

/** Innermost value of a parameter along the scope chain. */
export function resolveParameter<K extends keyof ScopeParameters>(
  scope: Scope | undefined,
  key: K,
): ScopeParameters[K] | undefined {
  for (let s = scope; s; s = s.parent) {
    const v = s.params[key]
    if (v !== undefined) return v
  }
  return undefined
}

/** Effective options along the scope chain: inner scopes override outer ones, by code. */
export function resolveOptions(scope: Scope | undefined): Map<number, ConfiguredOption> {
  const chain: Scope[] = []
  for (let s = scope; s; s = s.parent) chain.push(s)
  const out = new Map<number, ConfiguredOption>()
  for (let i = chain.length - 1; i >= 0; i--) {
    for (const [code, opt] of chain[i]!.options) out.set(code, opt)
  }
  return out
}
