/**
 * A plain, JSON-ready projection of a compiled config, for `hadhcpd check FILE --json` and
 * for readable test assertions. Addresses are dotted quads, byte strings colon-hex.
 */
import type { Diagnostic } from '../lib/errors.js'
import { toColonHex } from '../lib/hex.js'
import { formatIPv4 } from '../lib/ip.js'
import type { Atom } from '../protocol/dhcp/option-defs.js'
import type { ConfiguredOption, FailoverPeer, Scope, ServerConfig } from './model.js'

export interface OptionSummary {
  readonly code: number
  readonly name: string
  readonly value: readonly unknown[]
  readonly data: string
}

export interface RangeSummary {
  readonly first: string
  readonly last: string
  readonly size: number
  readonly dynamicBootp: boolean
  readonly at: string
}

export interface PoolSummary {
  readonly failoverPeer: string | null
  readonly implicit: boolean
  readonly ranges: readonly RangeSummary[]
  readonly permits: readonly string[]
  readonly addresses: number
}

export interface SubnetSummary {
  readonly network: string
  readonly prefix: number
  readonly netmask: string
  readonly sharedNetwork: string
  readonly parameters: Readonly<Record<string, unknown>>
  readonly options: readonly OptionSummary[]
  readonly pools: readonly PoolSummary[]
  readonly at: string
}

export interface HostSummary {
  readonly name: string
  readonly hardware: string | null
  readonly clientId: string | null
  readonly fixedAddresses: readonly string[]
  readonly at: string
}

export type FailoverPeerSummary = Omit<FailoverPeer, 'loc' | 'hba' | 'mclt' | 'split'> & {
  readonly mclt: number | null
  readonly split: number | null
  readonly hba: string | null
  readonly at: string
}

export interface DiagnosticSummary {
  readonly severity: string
  readonly at: string
  readonly message: string
  readonly hint?: string
}

export interface ConfigSummary {
  readonly files: readonly string[]
  readonly global: { readonly parameters: Readonly<Record<string, unknown>>; readonly options: readonly OptionSummary[] }
  readonly settings: Readonly<Record<string, unknown>>
  readonly failoverPeers: readonly FailoverPeerSummary[]
  readonly sharedNetworks: readonly { readonly name: string; readonly implicit: boolean; readonly subnets: readonly string[] }[]
  readonly subnets: readonly SubnetSummary[]
  readonly hosts: readonly HostSummary[]
  readonly classes: readonly { readonly name: string; readonly kind: string; readonly match: string | null }[]
  readonly customOptions: readonly { readonly code: number; readonly name: string; readonly fields: readonly string[]; readonly array: string }[]
  readonly warnings: readonly DiagnosticSummary[]
}

const at = (loc: { file: string; line: number; col: number }): string => `${loc.file}:${loc.line}:${loc.col}`

function atomToJson(a: Atom): unknown {
  if (Buffer.isBuffer(a)) return toColonHex(a)
  if (typeof a === 'object' && !Array.isArray(a)) return { ...a }
  return a
}

function options(scope: Scope): OptionSummary[] {
  return [...scope.options.values()].map((o: ConfiguredOption) => ({
    code: o.def.code,
    name: o.def.name,
    value: o.value.map(atomToJson),
    data: toColonHex(o.data),
  }))
}

function parameters(scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(scope.params)) {
    if (v === undefined) continue
    out[k] = (k === 'serverIdentifier' || k === 'nextServer') && typeof v === 'number' ? formatIPv4(v) : v
  }
  return out
}

export function summarizeDiagnostic(d: Diagnostic): DiagnosticSummary {
  const base = { severity: d.severity, at: at(d.loc), message: d.message }
  return d.hint === undefined ? base : { ...base, hint: d.hint }
}

/** The JSON-ready summary of a compiled configuration. */
export function summarizeConfig(config: ServerConfig): ConfigSummary {
  const s = config.settings
  return {
    files: [...config.files],
    global: { parameters: parameters(config.global), options: options(config.global) },
    settings: {
      localPort: s.localPort ?? null,
      localAddress: s.localAddress === undefined ? null : formatIPv4(s.localAddress),
      omapiPort: s.omapiPort ?? null,
      leaseFileName: s.leaseFileName ?? null,
      pidFileName: s.pidFileName ?? null,
    },
    failoverPeers: [...config.failoverPeers.values()].map(({ loc, hba, mclt, split, ...rest }) => ({
      ...rest,
      mclt: mclt ?? null,
      split: split ?? null,
      hba: hba ? toColonHex(hba) : null,
      at: at(loc),
    })),
    sharedNetworks: config.sharedNetworks.map((sn) => ({
      name: sn.name,
      implicit: sn.implicit,
      subnets: sn.subnets.map((x) => `${formatIPv4(x.network)}/${x.prefixLength}`),
    })),
    subnets: config.subnets.map((sub) => ({
      network: formatIPv4(sub.network),
      prefix: sub.prefixLength,
      netmask: formatIPv4(sub.mask),
      sharedNetwork: sub.sharedNetwork,
      parameters: parameters(sub.scope),
      options: options(sub.scope),
      pools: sub.pools.map((p) => ({
        failoverPeer: p.failoverPeer ?? null,
        implicit: p.implicit,
        ranges: p.ranges.map((r) => ({
          first: formatIPv4(r.first),
          last: formatIPv4(r.last),
          size: r.size,
          dynamicBootp: r.dynamicBootp,
          at: at(r.loc),
        })),
        permits: p.permits.map((pm) => {
          const subj = pm.subject
          const what = subj.kind === 'members-of' ? `members of "${subj.className}"` : subj.kind === 'after' ? `after ${subj.time}` : subj.kind
          return `${pm.allow ? 'allow' : 'deny'} ${what}`
        }),
        addresses: p.ranges.reduce((n, r) => n + r.size, 0),
      })),
      at: at(sub.loc),
    })),
    hosts: config.hosts.map((h) => ({
      name: h.name,
      hardware: h.hardware ? toColonHex(h.hardware.address) : null,
      clientId: h.clientId ? toColonHex(h.clientId) : null,
      fixedAddresses: [...h.fixedAddresses.map(formatIPv4), ...h.fixedAddressNames],
      at: at(h.loc),
    })),
    classes: config.classes.map((c) => ({ name: c.name, kind: c.kind, match: c.match ?? null })),
    customOptions: config.customOptions.map((d) => ({ code: d.code, name: d.name, fields: [...d.fields], array: d.array })),
    warnings: config.warnings.map(summarizeDiagnostic),
  }
}
