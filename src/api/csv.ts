/** Leases as CSV (RFC 4180: CRLF lines, fields quoted when they need it), header row first. */
import type { LeaseView } from './types.js'

export const LEASE_CSV_COLUMNS: readonly (keyof LeaseView)[] = [
  'ip', 'state', 'mac', 'clientId', 'hostname', 'starts', 'ends', 'cltt', 'tstp', 'tsfp', 'atsfp', 'pool',
]

export function csvField(value: string | null): string {
  if (value === null) return ''
  return /[",\r\n]/.test(value) || /^[=+\-@]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

export function leasesCsv(leases: readonly LeaseView[]): string {
  const lines = [LEASE_CSV_COLUMNS.join(',')]
  for (const l of leases) lines.push(LEASE_CSV_COLUMNS.map((c) => csvField(l[c])).join(','))
  return `${lines.join('\r\n')}\r\n`
}
