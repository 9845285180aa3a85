/**
 * Syslog records as glibc's syslog(3) hands them to /dev/log, so a hadhcpd line is the same
 * bytes ISC dhcpd's would be and rsyslog/syslog-ng filters keep matching (RFC 3164 framing,
 * without the host name, which the local daemon adds):
 *
 *   <PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE
 *
 * PRI = facility × 8 + severity; the time is local, the day space-padded (`Dec  7`), month
 * names in English (the C locale); no trailing newline or NUL on a datagram socket. ISC
 * dhcpd opens the log as `dhcpd` with LOG_PID, at facility daemon until dhcpd.conf's
 * `log-facility` says otherwise. Pure.
 */
import type { LogLevel } from '../core/log-events.js'

/** Facility codes (syslog.h), by the names dhcpd.conf's `log-facility` accepts. */
export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
}

/** ISC's default (DHCP_LOG_FACILITY): daemon. */
export const DEFAULT_FACILITY = SYSLOG_FACILITIES['daemon']!

/** The facility code for a `log-facility` name (case-insensitive), or undefined. */
export function facilityCode(name: string): number | undefined {
  const key = name.toLowerCase()
  return Object.hasOwn(SYSLOG_FACILITIES, key) ? SYSLOG_FACILITIES[key] : undefined
}

/** Severity codes: err 3, warning 4, info 6, debug 7. */
export const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 3, warn: 4, info: 6, debug: 7 }

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

/** `Dec  7 06:30:00`: strftime `%h %e %T` of the local time. */
export function syslogTimestamp(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${MONTHS[at.getMonth()]} ${String(at.getDate()).padStart(2, ' ')} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`
}

export interface SyslogRecord {
  readonly facility: number
  readonly level: LogLevel
  readonly tag: string
  readonly pid: number
  readonly at: Date
  /** One line (callers split multi-line messages: one record per line, as ISC logs them). */
  readonly message: string
}

/** Longest record sent; longer ones are cut (rsyslog's default limit is 8 KiB). */
export const MAX_RECORD_BYTES = 8192

export function formatSyslogRecord(r: SyslogRecord): Buffer {
  const pri = r.facility * 8 + SEVERITY[r.level]
  const bytes = Buffer.from(`<${pri}>${syslogTimestamp(r.at)} ${r.tag}[${r.pid}]: ${r.message}`, 'utf8')
  return bytes.length <= MAX_RECORD_BYTES ? bytes : bytes.subarray(0, MAX_RECORD_BYTES)
}

/** The lines of a message, each a record; empty lines are left out. */
export function messageLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '')
}
