/**
 * The dhcpd.conf syntax tree. The parser checks shapes (a number where a number goes); the
 * semantic pass gives meaning (scopes, ranges inside subnets, failover roles). Every node
 * keeps the location of its first token; nodes that carry a value also keep the value's
 * location so errors can point at the exact word.
 */
import type { SourceLocation } from '../lib/errors.js'
import type { FieldType } from '../protocol/dhcp/option-defs.js'
import type { Token } from './lexer.js'

/** A value with the location it was written at. */
export interface Located<T> {
  readonly value: T
  readonly loc: SourceLocation
}

export type ParameterValue = number | boolean | string

/** `default-lease-time 600;`, `ddns-update-style interim;`, `filename "pxelinux.0";` … */
export interface ParameterStatement {
  readonly type: 'parameter'
  readonly loc: SourceLocation
  readonly name: string
  readonly value: Located<ParameterValue>
}

/** `authoritative;` / `not authoritative;` */
export interface AuthoritativeStatement {
  readonly type: 'authoritative'
  readonly loc: SourceLocation
  readonly value: boolean
}

/** `allow|deny|ignore WORDS…;` — a scope parameter, or a permit inside a pool. */
export interface AccessStatement {
  readonly type: 'access'
  readonly loc: SourceLocation
  readonly verb: 'allow' | 'deny' | 'ignore'
  /** The words after the verb, e.g. `members of "C"` → [members, of, C]. */
  readonly words: readonly Token[]
}

/** `option NAME VALUE…;` — the value tokens are typed later, against the definition in force. */
export interface OptionStatement {
  readonly type: 'option'
  readonly loc: SourceLocation
  readonly name: Located<string>
  readonly valueTokens: readonly Token[]
}

/** A field of a custom option format: a type, or the repeated tail of `array of`. */
export interface OptionFormat {
  readonly fields: readonly FieldType[]
  readonly array: 'none' | 'all' | 'last'
}

/** `option NAME code N = TYPE;` */
export interface OptionDefinitionStatement {
  readonly type: 'option-definition'
  readonly loc: SourceLocation
  readonly name: Located<string>
  readonly code: Located<number>
  readonly format: OptionFormat
}

export type FailoverSettingKey =
  | 'primary'
  | 'secondary'
  | 'address'
  | 'port'
  | 'peer-address'
  | 'peer-port'
  | 'max-response-delay'
  | 'max-unacked-updates'
  | 'mclt'
  | 'split'
  | 'hba'
  | 'load-balance-max-seconds'
  | 'max-lease-misbalance'
  | 'max-lease-ownership'
  | 'min-balance'
  | 'max-balance'
  | 'auto-partner-down'
  /** `peer max-response-delay …` and the like: valid syntax, unused (ISC ignores them too). */
  | 'peer-other'

export interface FailoverSetting {
  readonly key: FailoverSettingKey
  readonly loc: SourceLocation
  /** Numbers for timers/counts, strings for addresses, a Buffer for `hba`, true for roles. */
  readonly value: number | string | Buffer | true
}

/** `failover peer "NAME" { … }` */
export interface FailoverPeerDeclaration {
  readonly type: 'failover-peer'
  readonly loc: SourceLocation
  readonly name: Located<string>
  readonly settings: readonly FailoverSetting[]
}

/** `failover peer "NAME";` inside a pool (or a shared network), or `no failover peer;` */
export interface FailoverPeerReference {
  readonly type: 'failover-peer-ref'
  readonly loc: SourceLocation
  /** undefined for `no failover peer;` */
  readonly name: Located<string> | undefined
}

/** `range [dynamic-bootp] A [B];` */
export interface RangeStatement {
  readonly type: 'range'
  readonly loc: SourceLocation
  readonly dynamicBootp: boolean
  readonly first: Located<number>
  readonly last: Located<number>
}

/** `hardware ethernet 08:00:27:d9:45:96;` */
export interface HardwareStatement {
  readonly type: 'hardware'
  readonly loc: SourceLocation
  readonly htype: number
  readonly hwTypeName: string
  readonly address: Located<Buffer>
}

/** `fixed-address 10.0.0.5, printer.example.com;` */
export interface FixedAddressStatement {
  readonly type: 'fixed-address'
  readonly loc: SourceLocation
  readonly addresses: readonly Located<{ readonly ip: number } | { readonly name: string }>[]
}

/** `host-identifier option agent.circuit-id "…";` */
export interface HostIdentifierStatement {
  readonly type: 'host-identifier'
  readonly loc: SourceLocation
  readonly option: Located<string>
  readonly valueTokens: readonly Token[]
}

/** `match if EXPR;`, `match EXPR;`, `spawn with EXPR;` — kept as source text. */
export interface MatchStatement {
  readonly type: 'match'
  readonly loc: SourceLocation
  readonly text: string
}

/** A bare unknown word followed by `;` (ISC 4.4.3 ignores these; we warn). */
export interface IgnoredWordStatement {
  readonly type: 'ignored-word'
  readonly loc: SourceLocation
  readonly word: string
}

/** An ISC statement we parse but do not implement yet; the semantic pass warns. */
export interface UnimplementedStatement {
  readonly type: 'unimplemented'
  readonly loc: SourceLocation
  readonly keyword: string
}

export interface SubnetDeclaration {
  readonly type: 'subnet'
  readonly loc: SourceLocation
  readonly network: Located<number>
  readonly netmask: Located<number>
  readonly body: readonly Statement[]
}

export interface SharedNetworkDeclaration {
  readonly type: 'shared-network'
  readonly loc: SourceLocation
  readonly name: Located<string>
  readonly body: readonly Statement[]
}

export interface PoolDeclaration {
  readonly type: 'pool'
  readonly loc: SourceLocation
  readonly body: readonly Statement[]
}

export interface GroupDeclaration {
  readonly type: 'group'
  readonly loc: SourceLocation
  readonly name: Located<string> | undefined
  readonly body: readonly Statement[]
}

export interface HostDeclaration {
  readonly type: 'host'
  readonly loc: SourceLocation
  readonly name: Located<string>
  readonly body: readonly Statement[]
}

export interface ClassDeclaration {
  readonly type: 'class'
  readonly loc: SourceLocation
  readonly name: Located<string>
  readonly body: readonly Statement[]
}

/** `subclass "CLASS" DATA;` or with a body. */
export interface SubclassDeclaration {
  readonly type: 'subclass'
  readonly loc: SourceLocation
  readonly className: Located<string>
  readonly data: string
  readonly body: readonly Statement[]
}

export type Declaration =
  | SubnetDeclaration
  | SharedNetworkDeclaration
  | PoolDeclaration
  | GroupDeclaration
  | HostDeclaration
  | ClassDeclaration
  | SubclassDeclaration
  | FailoverPeerDeclaration

export type Statement =
  | Declaration
  | ParameterStatement
  | AuthoritativeStatement
  | AccessStatement
  | OptionStatement
  | OptionDefinitionStatement
  | FailoverPeerReference
  | RangeStatement
  | HardwareStatement
  | FixedAddressStatement
  | HostIdentifierStatement
  | MatchStatement
  | IgnoredWordStatement
  | UnimplementedStatement

/** A parsed configuration: the statements of the main file with includes spliced in. */
export interface ConfigFile {
  /** The main file, then each included file in the order read. */
  readonly files: readonly string[]
  readonly statements: readonly Statement[]
}
