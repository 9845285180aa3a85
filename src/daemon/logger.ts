/**
 * The daemon's logger: every line is an event with a stable ID (core/log-events.ts and the
 * daemon's own IDs below), a level, ISC-shaped text and structured fields.
 *
 * Two sinks, both on pino's asynchronous SonicBoom writer:
 *  - `json`: pino JSON lines (`{"level":30,"time":…,"id":"DHCP_ACK","msg":"DHCPACK on …",…}`),
 *    for journald/log shippers; the default when stdout is not a terminal;
 *  - `text`: bare ISC lines (`DHCPACK on 198.18.30.10 to 08:00:27:d9:45:96 via eth0`) on
 *    stderr, as `dhcpd -d` prints them; used with `-d` and on a terminal.
 * Callers check {@link Logger.enabled} before building anything expensive; events whose
 * level is off cost one comparison.
 */
import { pino } from 'pino'
import type { LogLevel } from '../core/log-events.js'

export type { LogLevel } from '../core/log-events.js'

export type Fields = Readonly<Record<string, string | number | boolean>>

export interface Logger {
  enabled(level: LogLevel): boolean
  log(level: LogLevel, id: string, text: string, fields?: Fields): void
  /** Writes out everything buffered (synchronously); call before exiting. */
  flush(): void
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50 }

export function parseLevel(text: string | undefined, fallback: LogLevel): LogLevel {
  return text === 'debug' || text === 'info' || text === 'warn' || text === 'error' ? text : fallback
}

export function createLogger(opts: { format: 'json' | 'text'; level: LogLevel }): Logger {
  return opts.format === 'json' ? jsonLogger(opts.level) : textLogger(opts.level)
}

/**
 * Lines are gathered for up to {@link COALESCE_MS} (or {@link COALESCE_BYTES}) and go out in
 * one write(2): under load a DORA logs four lines, and a write per line was the daemon's
 * largest CPU cost (profiled with perfdhcp at 2000 DORA/s). A crash loses at most that
 * window of log lines, never lease data (the journal is separate and fsynced).
 */
const COALESCE_MS = 25
const COALESCE_BYTES = 64 * 1024

class CoalescingSink {
  private pending = ''
  private scheduled = false
  constructor(private readonly dest: ReturnType<typeof pino.destination>) {}

  write(line: string): void {
    this.pending += line
    if (this.pending.length >= COALESCE_BYTES) this.drain()
    else if (!this.scheduled) {
      this.scheduled = true
      setTimeout(() => this.drain(), COALESCE_MS).unref()
    }
  }

  flushSync(): void {
    this.drain()
    try {
      this.dest.flushSync()
    } catch {
      // not ready yet or already closed: nothing to flush
    }
  }

  private drain(): void {
    this.scheduled = false
    if (this.pending === '') return
    const chunk = this.pending
    this.pending = ''
    this.dest.write(chunk)
  }
}

/**
 * pino's JSON line, written directly: `{"level":30,"time":"<ISO>","pid":N,"id":…,<fields>,"msg":…}`,
 * byte for byte what `pino({ base: { pid }, timestamp: isoTime })` prints for these calls
 * (checked in test/daemon/logger.test.ts). pino's generic path (object spread, serializer
 * lookups, a Date per line) cost ~1.8 us per line, four lines per DORA; this costs ~0.5.
 * The ISO time is formatted once per millisecond.
 */
function jsonLogger(level: LogLevel): Logger {
  const dest = new CoalescingSink(pino.destination({ dest: 1, sync: false }))
  const min = RANK[level]
  const line = jsonLineFormatter(process.pid)
  return {
    enabled: (l) => RANK[l] >= min,
    log(l, id, text, fields) {
      if (RANK[l] < min) return
      dest.write(line(l, id, text, fields))
    },
    flush() {
      dest.flushSync()
    },
  }
}

/**
 * pino's JSON line, built directly: `{"level":30,"time":"<ISO>","pid":N,"id":…,<fields>,"msg":…}`
 * is byte for byte what `pino({ base: { pid }, timestamp: isoTime }).info({ id, ...fields }, text)`
 * prints (test/daemon/logger.test.ts compares them). pino's generic path (object spread,
 * serializer lookups, a Date per line) cost 1.76 us per line, four lines per DORA; this
 * costs 0.95 (both including the coalescing sink). The ISO time is formatted once per ms.
 */
export function jsonLineFormatter(pid: number, clock: () => number = Date.now): (level: LogLevel, id: string, text: string, fields?: Fields) => string {
  const pidPart = `,"pid":${pid}`
  let lastMs = Number.NaN
  let timePart = ''
  return (level, id, text, fields) => {
    const now = clock()
    if (now !== lastMs) {
      lastMs = now
      timePart = `,"time":"${new Date(now).toISOString()}"`
    }
    // As `{ id, ...fields }`: a field named id keeps the first position with the field's value.
    let line = `{"level":${RANK[level]}${timePart}${pidPart},"id":${JSON.stringify(fields?.['id'] ?? id)}`
    if (fields !== undefined) {
      for (const k in fields) if (k !== 'id') line += `,${JSON.stringify(k)}:${JSON.stringify(fields[k])}`
    }
    return `${line},"msg":${JSON.stringify(text)}}\n`
  }
}

function textLogger(level: LogLevel): Logger {
  const dest = new CoalescingSink(pino.destination({ dest: 2, sync: false }))
  const min = RANK[level]
  return {
    enabled: (l) => RANK[l] >= min,
    log(l, _id, text) {
      if (RANK[l] < min) return
      dest.write(l === 'warn' || l === 'error' ? `${l}: ${text}\n` : `${text}\n`)
    },
    flush() {
      dest.flushSync()
    },
  }
}

/** A logger that remembers lines, for tests. */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { readonly lines: Array<{ level: LogLevel; id: string; text: string }> } {
  const lines: Array<{ level: LogLevel; id: string; text: string }> = []
  return {
    lines,
    enabled: (l) => RANK[l] >= RANK[level],
    log(l, id, text) {
      if (RANK[l] >= RANK[level]) lines.push({ level: l, id, text })
    },
    flush() {},
  }
}

/**
 * `log` that also hands every line it writes (at `min` and above) to `sink` — the control API's
 * event ring. The sink must be cheap: it runs for every line.
 */
export function teeLogger(log: Logger, min: LogLevel, sink: (level: LogLevel, id: string, text: string) => void): Logger {
  const floor = RANK[min]
  return {
    enabled: (l) => log.enabled(l),
    log(l, id, text, fields) {
      log.log(l, id, text, fields)
      if (RANK[l] >= floor && log.enabled(l)) sink(l, id, text)
    },
    flush: () => log.flush(),
  }
}
