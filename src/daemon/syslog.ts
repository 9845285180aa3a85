/**
 * Logging to syslog as ISC dhcpd does, and the daemon's choice of log outputs.
 *
 * {@link SyslogSink} turns each log line into one glibc-shaped record (syslog-format.ts) and
 * sends it to /dev/log (io/unix-datagram.ts). The facility is `daemon` until dhcpd.conf's
 * `log-facility` is read (ISC: closelog/openlog with the configured facility), and follows
 * reloads. A record that cannot be sent (syslog daemon gone, its queue full) goes to the
 * fallback (stderr) instead, with one warning per run of failures.
 *
 * {@link createDaemonLogger} fans lines out to syslog and to the console (ISC text on stderr,
 * or JSON lines on stdout for log shippers).
 */
import type { LogLevel } from '../core/log-events.js'
import { createLogger, type Fields, type Logger } from './logger.js'
import { DEFAULT_FACILITY, facilityCode, formatSyslogRecord, messageLines } from './syslog-format.js'

/** Where records go: one datagram each; returns the error instead of throwing. */
export interface SyslogTarget {
  send(record: Buffer): Error | undefined
}

export interface SyslogSinkOptions {
  readonly tag: string
  readonly pid: number
  /** Milliseconds since the epoch (default Date.now). */
  readonly clock?: () => number
  /** Told once per run of failed sends (a notice for stderr). */
  readonly onTrouble?: (err: Error) => void
}

export class SyslogSink {
  private facility = DEFAULT_FACILITY
  private failing = false
  /** Records that could not be sent. */
  failures = 0

  constructor(private readonly target: SyslogTarget, private readonly options: SyslogSinkOptions) {}

  /** `log-facility NAME`; false (facility unchanged) for a name syslog does not know. */
  setFacility(name: string): boolean {
    const code = facilityCode(name)
    if (code === undefined) return false
    this.facility = code
    return true
  }

  get facilityCode(): number {
    return this.facility
  }

  /** Sends every line of `text`; false when any could not be sent. */
  write(level: LogLevel, text: string): boolean {
    const at = new Date((this.options.clock ?? Date.now)())
    let ok = true
    for (const message of messageLines(text)) {
      const err = this.target.send(formatSyslogRecord({ facility: this.facility, level, tag: this.options.tag, pid: this.options.pid, at, message }))
      if (err === undefined) continue
      ok = false
      this.failures++
      if (!this.failing) this.options.onTrouble?.(err)
      this.failing = true
    }
    if (ok) this.failing = false
    return ok
  }
}

export interface DaemonLogger extends Logger {
  /** Applies dhcpd.conf's `log-facility`; false for an unknown name (nothing changes). */
  setFacility(name: string): boolean
}

export interface DaemonLoggerOptions {
  readonly level: LogLevel
  /** Console output: ISC text on stderr, JSON lines on stdout, or none. */
  readonly console: 'text' | 'json' | 'none'
  readonly syslog?: SyslogSink | undefined
  /** Where a line goes when syslog cannot take it (default: ISC text on stderr, made on first use). */
  readonly fallback?: Logger
  /** The console logger (tests inject one; default created from `console`). */
  readonly consoleLogger?: Logger
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50 }

export function createDaemonLogger(o: DaemonLoggerOptions): DaemonLogger {
  const min = RANK[o.level]
  const consoleLog = o.consoleLogger ?? (o.console === 'none' ? undefined : createLogger({ format: o.console, level: o.level }))
  const syslog = o.syslog
  // With text on stderr already, a line syslog could not take is on stderr anyway.
  const needsFallback = o.console !== 'text'
  let fallback = o.fallback
  const fallbackLogger = (): Logger => (fallback ??= createLogger({ format: 'text', level: o.level }))
  return {
    enabled: (l) => RANK[l] >= min,
    log(l: LogLevel, id: string, text: string, fields?: Fields) {
      if (RANK[l] < min) return
      consoleLog?.log(l, id, text, fields)
      if (syslog !== undefined && !syslog.write(l, text) && needsFallback) fallbackLogger().log(l, id, text, fields)
    },
    flush() {
      consoleLog?.flush()
      fallback?.flush()
    },
    setFacility: (name) => syslog?.setFacility(name) ?? facilityCode(name) !== undefined,
  }
}
