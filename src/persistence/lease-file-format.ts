/**
 * Writes dhcpd.leases(5) text exactly as ISC dhcpd 4.4 does (server/db.c `write_lease`,
 * `write_failover_state`, `new_lease_file`), so a file moves between ISC dhcpd and hadhcpd
 * in both directions:
 *
 *     lease 10.0.0.5 {
 *       starts 1 2026/11/23 18:00:47;
 *       ends 1 2026/11/23 18:10:47;
 *       cltt 1 2026/11/23 18:00:47;
 *       binding state active;
 *       next binding state free;
 *       rewind binding state free;
 *       hardware ethernet 08:00:27:d9:45:96;
 *       uid "\001\010\000'\331E\226";
 *       set ddns-fwd-name = "pc1.example.com";
 *       client-hostname "pc1";
 *     }
 *
 * Each line is written only when it applies; two-space indentation; a block ends in `}\n`.
 */
import { normalizeLease, type FailoverPeerState, type Lease, type LeaseStatement } from '../core/lease.js'
import { formatIPv4 } from '../lib/ip.js'
import { formatLeaseDate, type DbTimeFormat } from './lease-file-dates.js'
import { colonHex, formatLeaseId, hardwareTypeName, quoteText, type LeaseIdFormat } from './lease-file-strings.js'

export interface LeaseFileFormatOptions {
  /** ISC `db-time-format`; default `default` (UTC dates). */
  readonly dbTimeFormat?: DbTimeFormat
  /** ISC `lease-id-format`; default `octal` (quoted string). */
  readonly leaseIdFormat?: LeaseIdFormat
}

/** The version string written in the header comment. */
export const AUTHOR = 'hadhcpd'

/** One lease block, ending in a newline. */
export function formatLease(input: Lease, options: LeaseFileFormatOptions = {}): string {
  const lease = normalizeLease(input)
  const tf = options.dbTimeFormat ?? 'default'
  let out = `lease ${formatIPv4(lease.address)} {`
  if (lease.starts) out += `\n  starts ${formatLeaseDate(lease.starts, tf)}`
  if (lease.ends) out += `\n  ends ${formatLeaseDate(lease.ends, tf)}`
  if (lease.tstp) out += `\n  tstp ${formatLeaseDate(lease.tstp, tf)}`
  if (lease.tsfp) out += `\n  tsfp ${formatLeaseDate(lease.tsfp, tf)}`
  if (lease.atsfp) out += `\n  atsfp ${formatLeaseDate(lease.atsfp, tf)}`
  if (lease.cltt) out += `\n  cltt ${formatLeaseDate(lease.cltt, tf)}`
  out += `\n  binding state ${lease.bindingState};`
  const next = lease.nextBindingState
  if (next !== undefined && next !== lease.bindingState) out += `\n  next binding state ${next};`
  const rewind = lease.rewindBindingState
  if (rewind !== undefined && rewind !== lease.bindingState) out += `\n  rewind binding state ${rewind};`
  if (lease.reserved) out += '\n  reserved;'
  if (lease.dynamicBootp) out += '\n  dynamic-bootp;'
  const stmts = lease.statements ?? []
  out += statementsOf(stmts, 'billing')
  const hw = lease.hardware
  if (hw !== undefined && hw.address.length > 0) {
    out += `\n  hardware ${hardwareTypeName(hw.htype)} ${colonHex(hw.address)};`
  }
  if (lease.uid !== undefined && lease.uid.length > 0) {
    out += `\n  uid ${formatLeaseId(lease.uid, options.leaseIdFormat ?? 'octal')};`
  }
  out += statementsOf(stmts, 'set')
  out += statementsOf(stmts, 'option')
  if (lease.clientHostname !== undefined) out += `\n  client-hostname ${quoteText(lease.clientHostname)};`
  out += statementsOf(stmts, 'on')
  out += statementsOf(stmts, 'other')
  return out + '\n}\n'
}

function statementsOf(stmts: readonly LeaseStatement[], kind: LeaseStatement['kind']): string {
  let out = ''
  for (const st of stmts) if (st.kind === kind) out += `\n  ${st.text}`
  return out
}

/**
 * A failover state block, as ISC writes it: a blank line first, `at DATE` for each state
 * (or `;` alone when the time is unknown), `mclt` only when known (ISC: on the secondary).
 */
export function formatPeerState(state: FailoverPeerState, options: LeaseFileFormatOptions = {}): string {
  const tf = options.dbTimeFormat ?? 'default'
  const at = (t: number | undefined): string => (t === undefined ? ';' : ` at ${formatLeaseDate(t, tf)}`)
  let out = `\nfailover peer ${quoteText(state.name)} state {`
  out += `\n  my state ${state.myState}${at(state.myStateAt)}`
  out += `\n  partner state ${state.partnerState}${at(state.partnerStateAt)}`
  if (state.mclt !== undefined) out += `\n  mclt ${state.mclt};`
  return out + '\n}\n'
}

/** The header ISC writes at the top of a rewritten file. */
export function formatHeader(author: string = AUTHOR): string {
  return (
    '# The format of this file is documented in the dhcpd.leases(5) manual page.\n' +
    `# This lease file was written by ${author}\n\n` +
    '# authoring-byte-order entry is generated, DO NOT DELETE\n' +
    'authoring-byte-order little-endian;\n\n'
  )
}

/** A verbatim top-level record (host, group, class, server-duid), newline-terminated. */
export function formatVerbatim(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`
}
