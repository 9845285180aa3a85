/**
 * Logging to syslog as ISC dhcpd does, and the daemon's choice of log outputs.
 *
 * {@link SyslogSink} turns each log line into one glibc-shaped record (syslog-format.ts) and
 * sends it to /dev/log (io/unix-datagram.ts). The facility is `daemon` until dhcpd.conf's
 * `log-facility` is read (ISC: closelog/openlog with the configured facility), and follows
 * reloads. While the syslog daemon's queue is full, records wait (in order, bounded) and are
 * retried; one that cannot be delivered (no syslog daemon, overflow) goes to the fallback
 * (stderr) instead, with one warning per run of failures.
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
  /** Told once per run of undeliverable records (a notice for stderr). */
  readonly onTrouble?: (err: Error) => void
  /** Runs `retry` a little later (default: a 2 ms unref'd timer); tests drive it by hand. */
  readonly schedule?: (retry: () => void) => void
  /** Records held while the syslog daemon's queue is full (default 4096). */
  readonly maxQueued?: number
}

interface Pending {
  readonly record: Buffer
  readonly level: LogLevel
  readonly message: string
}

/** The receiver's queue is full for now (Linux's net.unix.max_dgram_qlen is often just 10). */
function isBusy(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'ENOBUFS'
}

/**
 * glibc's syslog() blocks while the syslog daemon's queue is full; we may not block the event
 * loop, so records wait in order in a bounded queue and are retried shortly. A record that
 * cannot be delivered at all (no daemon, queue overflow, shutdown) goes to `onUndelivered`.
 */
export class SyslogSink {
  private facility = DEFAULT_FACILITY
  private failing = false
  private queue: Pending[] = []
  private retryScheduled = false
  /** Records that could not be delivered (they went to `onUndelivered`). */
  failures = 0
  /** Where undeliverable records go (the daemon logger sets stderr). */
  onUndelivered: ((level: LogLevel, message: string) => void) | undefined

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

  /** Records waiting for room in the syslog daemon's queue. */
  get queued(): number {
    return this.queue.length
  }

  /** Sends every line of `text` as one record each (in order, after any still queued). */
  write(level: LogLevel, text: string): void {
    const at = new Date((this.options.clock ?? Date.now)())
    for (const message of messageLines(text)) {
      const p = { record: formatSyslogRecord({ facility: this.facility, level, tag: this.options.tag, pid: this.options.pid, at, message }), level, message }
      if (this.queue.length > 0) this.enqueue(p)
      else if (!this.sendNow(p)) this.enqueue(p)
    }
  }

  /** Sends what is queued now; what still cannot go is handed to `onUndelivered` (shutdown). */
  flush(): void {
    this.drain()
    for (const p of this.queue.splice(0)) this.undeliverable(p, new Error('syslog queue still full at shutdown'))
  }

  /** False when the receiver is busy (the record should wait); true when sent or given up. */
  private sendNow(p: Pending): boolean {
    const err = this.target.send(p.record)
    if (err === undefined) {
      this.failing = false
      return true
    }
    if (isBusy(err)) return false
    this.undeliverable(p, err)
    return true
  }

  private enqueue(p: Pending): void {
    if (this.queue.length >= (this.options.maxQueued ?? 4096)) {
      this.undeliverable(p, new Error('syslog queue full'))
      return
    }
    this.queue.push(p)
    this.scheduleRetry()
  }

  private scheduleRetry(): void {
    if (this.retryScheduled) return
    this.retryScheduled = true
    const retry = (): void => {
      this.retryScheduled = false
      this.drain()
      if (this.queue.length > 0) this.scheduleRetry()
    }
    if (this.options.schedule !== undefined) this.options.schedule(retry)
    else setTimeout(retry, 2).unref()
  }

  private drain(): void {
    while (this.queue.length > 0) {
      if (!this.sendNow(this.queue[0]!)) return
      this.queue.shift()
    }
  }

  private undeliverable(p: Pending, err: Error): void {
    this.failures++
    if (!this.failing) this.options.onTrouble?.(err)
    this.failing = true
    this.onUndelivered?.(p.level, p.message)
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
  if (syslog !== undefined && needsFallback) syslog.onUndelivered = (l, text) => fallbackLogger().log(l, 'SYSLOG_UNDELIVERED', text)
  return {
    enabled: (l) => RANK[l] >= min,
    log(l: LogLevel, id: string, text: string, fields?: Fields) {
      if (RANK[l] < min) return
      consoleLog?.log(l, id, text, fields)
      syslog?.write(l, text)
    },
    flush() {
      syslog?.flush()
      consoleLog?.flush()
      fallback?.flush()
    },
    setFacility: (name) => syslog?.setFacility(name) ?? facilityCode(name) !== undefined,
  }
}
