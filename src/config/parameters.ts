/**
 * The simple `KEYWORD VALUE;` statements of dhcpd.conf: what value each takes and where it
 * lands in the model. The parser uses `syntax` to read the value; the semantic pass uses
 * `target` to store it.
 */
import type { GlobalSettings, ScopeParameters } from './model.js'

export type ParameterSyntax =
  /** Unsigned 32-bit integer (seconds, counts). */
  | 'uint32'
  /** UDP port, 0..65535. */
  | 'port'
  /** `true|false|on|off`. */
  | 'boolean'
  /** Dotted quad. */
  | 'ip'
  /** Quoted string. */
  | 'text'
  /** A bare word (`local6`). */
  | 'name'
  /** `none|ad-hoc|interim|standard`. */
  | 'ddns-style'
  /** Any single value: number, boolean word, quoted string, name or address. */
  | 'scalar'

export type ParameterTarget =
  | { readonly scope: Exclude<keyof ScopeParameters, 'ddns' | 'access'> }
  | { readonly ddns: true }
  | { readonly global: keyof GlobalSettings }

export interface ParameterSpec {
  readonly syntax: ParameterSyntax
  readonly target: ParameterTarget
}

const scope = (syntax: ParameterSyntax, key: Exclude<keyof ScopeParameters, 'ddns' | 'access'>): ParameterSpec => ({
  syntax,
  target: { scope: key },
})
const global = (syntax: ParameterSyntax, key: keyof GlobalSettings): ParameterSpec => ({ syntax, target: { global: key } })
const ddns = (syntax: ParameterSyntax): ParameterSpec => ({ syntax, target: { ddns: true } })

export const PARAMETERS: ReadonlyMap<string, ParameterSpec> = new Map<string, ParameterSpec>([
  ['default-lease-time', scope('uint32', 'defaultLeaseTime')],
  ['max-lease-time', scope('uint32', 'maxLeaseTime')],
  ['min-lease-time', scope('uint32', 'minLeaseTime')],
  ['ping-check', scope('boolean', 'pingCheck')],
  ['ping-timeout', scope('uint32', 'pingTimeout')],
  ['ping-timeout-ms', scope('uint32', 'pingTimeoutMs')],
  ['ping-cltt-secs', scope('uint32', 'pingClttSecs')],
  ['server-identifier', scope('ip', 'serverIdentifier')],
  ['next-server', scope('ip', 'nextServer')],
  ['filename', scope('text', 'filename')],
  ['server-name', scope('text', 'serverName')],
  ['get-lease-hostnames', scope('boolean', 'getLeaseHostnames')],
  ['use-host-decl-names', scope('boolean', 'useHostDeclNames')],
  ['one-lease-per-client', scope('boolean', 'oneLeasePerClient')],
  ['boot-unknown-clients', scope('boolean', 'bootUnknownClients')],
  ['ddns-update-style', scope('ddns-style', 'ddnsUpdateStyle')],
  ['log-facility', scope('name', 'logFacility')],
  ['min-secs', scope('uint32', 'minSecs')],
  ['dhcp-cache-threshold', scope('uint32', 'dhcpCacheThreshold')],
  ['local-port', global('port', 'localPort')],
  ['local-address', global('ip', 'localAddress')],
  ['omapi-port', global('port', 'omapiPort')],
  ['lease-file-name', global('text', 'leaseFileName')],
  ['pid-file-name', global('text', 'pidFileName')],
  // The DDNS family, kept by name.
  ['ddns-updates', ddns('boolean')],
  ['ddns-domainname', ddns('text')],
  ['ddns-rev-domainname', ddns('text')],
  ['ddns-hostname', ddns('scalar')],
  ['ddns-ttl', ddns('uint32')],
  ['ddns-local-address4', ddns('ip')],
  ['ddns-dual-stack-mixed-mode', ddns('boolean')],
  ['ddns-guard-id-must-match', ddns('boolean')],
  ['ddns-other-guard-is-dynamic', ddns('boolean')],
  ['update-static-leases', ddns('boolean')],
  ['update-optimization', ddns('boolean')],
  ['update-conflict-detection', ddns('boolean')],
  ['do-forward-updates', ddns('boolean')],
])

/**
 * ISC statements we accept (so real configs load) but do not implement yet. Their value is
 * skipped (up to `;`, or a balanced `{ }` block) and the semantic pass warns.
 */
export const UNIMPLEMENTED_STATEMENTS: ReadonlySet<string> = new Set([
  'always-broadcast',
  'always-reply-rfc1048',
  'stash-agent-options',
  'dynamic-bootp-lease-cutoff',
  'dynamic-bootp-lease-length',
  'abandon-lease-time',
  'adaptive-lease-time-threshold',
  'db-time-format',
  'lease-id-format',
  'infinite-is-reserved',
  'site-option-space',
  'vendor-option-space',
  'use-lease-addr-for-default-route',
  'delayed-ack',
  'max-ack-delay',
  'ping-retries',
  'omapi-key',
  'key',
  'zone',
  'server-duid',
  'local-address6',
  'dhcpv6-lease-file-name',
  'dhcpv6-pid-file-name',
  'limit-addrs-per-ia',
  'preferred-lifetime',
  'echo-client-id',
  'release-on-roam',
  'check-secs-byte-order',
  'on',
  'if',
  'set',
  'unset',
  'execute',
  'log',
  'else',
  'elsif',
])
