/**
 * Serve mode: logging, pid file, signals, exit status. Composition is in compose.ts.
 *
 * Signals: SIGTERM/SIGINT stop receiving, drain in-flight packets, flush the journal, remove
 * the pid file and exit 0. SIGHUP re-reads dhcpd.conf; a bad file is rejected with its errors
 * logged and the running configuration keeps serving.
 *
 * Graceful failover stop (failover-protocol.md §3.4): the control API's `POST /api/v1/shutdown`
 * (`hadhcpd ctl shutdown`), and SIGTERM/SIGINT with `--failover-graceful-stop`, first hand every
 * NORMAL failover relationship over (SHUTDOWN: the partner enters PARTNER-DOWN; compose.ts
 * `handOverFailover`), then stop as above. The API answers once the hand-over is done. A second
 * SIGTERM/SIGINT during the hand-over cuts its wait short.
 *
 * Logging (as ISC dhcpd): every line goes to syslog (/dev/log, `--syslog-socket`) with tag
 * `dhcpd` (`--syslog-tag`) at dhcpd.conf's `log-facility` (daemon until the file is read);
 * with `-d`/`-f` also as ISC text on stderr. `--log-format json` writes JSON lines on stdout
 * instead of the text (with or without -f). Without -f, when syslog is unavailable, lines go
 * to stderr after one warning. HADHCPD_LOG_LEVEL=debug|info|warn|error.
 *
 * Tunables (environment): HADHCPD_RECLAIM_INTERVAL seconds (10), HADHCPD_COMPACT_INTERVAL
 * seconds (3600; 0 disables), HADHCPD_COMMIT_WINDOW_MS (2; 0 = no commit window),
 * HADHCPD_WARMUP_EXCHANGES (3000 synthetic exchanges through a scratch service before serving,
 * warm-up.ts; 0 = none).
 *
 * Control API (control-server.ts): started once the service is up, before privileges are
 * dropped; closed first on shutdown. Its event ring is fed by this logger.
 *
 * hadhcpd does not fork: without -f it still runs in the foreground (run it under systemd
 * with Type=simple).
 */
import type { CliRequest } from './args.js'
import { VERSION_TEXT } from './version.js'
import { composeServer, DEFAULT_TUNABLES, type ServerTunables } from './compose.js'
import { parseLevel, teeLogger, type Logger } from './logger.js'
import { EventRing, keepInEventRing } from '../api/events.js'
import { startControlApi } from './control-server.js'
import { createDaemonLogger, SyslogSink, type DaemonLogger } from './syslog.js'
import { UnixDatagramSocket } from '../io/unix-datagram.js'
import { resolveParameter } from '../config/model.js'
import { removePidFile, writePidFile } from './pid-file.js'
import { dropPrivileges } from './privileges.js'
import type { GracefulStopResult } from './failover-peer.js'
import { shutdownMessage } from './control.js'

/** The line ISC dhcpd prints when it serves; the bench harness and tests wait for it. */
export const READY_LINE = 'Server starting service.'

function envSeconds(name: string, fallback: number): number {
  const v = process.env[name]
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  return Number.isFinite(n) && n >= 0 ? n : fallback
}

export function tunablesFromEnv(): ServerTunables {
  return {
    ...DEFAULT_TUNABLES,
    reclaimIntervalSec: Math.max(1, envSeconds('HADHCPD_RECLAIM_INTERVAL', DEFAULT_TUNABLES.reclaimIntervalSec)),
    compactIntervalSec: envSeconds('HADHCPD_COMPACT_INTERVAL', DEFAULT_TUNABLES.compactIntervalSec),
    commitWindowMs: envSeconds('HADHCPD_COMMIT_WINDOW_MS', DEFAULT_TUNABLES.commitWindowMs),
    warmUpExchanges: Math.floor(envSeconds('HADHCPD_WARMUP_EXCHANGES', DEFAULT_TUNABLES.warmUpExchanges)),
    failoverStopWaitMs: envSeconds('HADHCPD_FAILOVER_STOP_WAIT_MS', DEFAULT_TUNABLES.failoverStopWaitMs),
  }
}

export async function runServer(req: CliRequest): Promise<number> {
  const level = parseLevel(process.env['HADHCPD_LOG_LEVEL'], 'info')
  const { log: base, notice } = daemonLogger(req, level)
  // Everything also feeds the control API's ring of recent events.
  const events = new EventRing()
  const log = teeLogger(base, 'info', (l, id, text) => {
    if (keepInEventRing(l, id)) events.push(Date.now(), l, id, text)
  })
  if (notice !== undefined) log.log('warn', 'SYSLOG_UNAVAILABLE', notice)
  try {
    return await serve(req, log, base, events)
  } finally {
    log.flush()
  }
}

/** The log outputs `req` asks for; `notice` when syslog was asked for and cannot be used. */
export function daemonLogger(req: Pick<CliRequest, 'foreground' | 'logFormat' | 'syslogSocket' | 'syslogTag'>, level: ReturnType<typeof parseLevel>): { log: DaemonLogger; notice: string | undefined } {
  let syslog: SyslogSink | undefined
  let notice: string | undefined
  if (req.syslogSocket !== undefined) {
    const opened = UnixDatagramSocket.connectTo(req.syslogSocket)
    if (opened.ok) {
      const socket = opened.socket
      syslog = new SyslogSink({ send: (b) => socket.send(b) }, {
        tag: req.syslogTag,
        pid: process.pid,
        onTrouble: (err) => process.stderr.write(`warn: syslog: cannot send to ${req.syslogSocket}: ${err.message}; lines go to stderr until it works again\n`),
      })
    } else {
      notice = `syslog unavailable (${opened.reason}); logging to stderr`
    }
  }
  const consoleOutput = req.logFormat === 'json' ? 'json' : req.foreground || syslog === undefined ? 'text' : 'none'
  const log = createDaemonLogger({ level, console: consoleOutput, syslog })
  // In the foreground the console shows everything anyway: no warning needed there.
  return { log, notice: req.foreground ? undefined : notice }
}

async function serve(req: CliRequest, log: Logger, base: DaemonLogger, events: EventRing): Promise<number> {
  const startedAt = Date.now()
  if (!req.quiet) {
    log.log('info', 'BANNER', VERSION_TEXT)
    log.log('info', 'CONFIG_FILE', `Config file: ${req.configFile}`)
    log.log('info', 'DATABASE_FILE', `Database file: ${req.leaseFile}`)
    log.log('info', 'PID_FILE', `PID file: ${req.pidFile ?? '(none)'}`)
  }
  if (!req.foreground) log.log('info', 'FOREGROUND', 'hadhcpd does not daemonize; running in the foreground')

  const composed = await composeServer(
    {
      configFile: req.configFile, leaseFile: req.leaseFile, interfaces: req.interfaces, port: req.port, transport: req.transport, vrrpConfigFile: req.vrrpConfigFile,
      vrrpHealth: req.vrrpHealth, events, startedAt,
      onConfig: (config) => {
        const facility = resolveParameter(config.global, 'logFacility') ?? 'daemon'
        if (!base.setFacility(facility)) log.log('warn', 'LOG_FACILITY_UNKNOWN', `log-facility ${facility}: not a syslog facility; keeping the previous one`)
      },
    },
    log,
    tunablesFromEnv(),
  )
  if (!composed.ok) return 1
  const server = composed.server

  if (req.pidFile !== undefined) {
    try {
      writePidFile(req.pidFile)
    } catch (err) {
      log.log('warn', 'PID_FILE_FAILED', `Can't create PID file ${req.pidFile}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  // The control API: after the service is up (its token file and socket are opened as root).
  const control = await startControlApi(req.control, server.control, log)
  if (!control.ok) {
    await server.stop()
    if (req.pidFile !== undefined) removePidFile(req.pidFile)
    return 1
  }

  // -user/-group: every socket is open now; give up root (and with it every capability).
  if (req.user !== undefined || req.group !== undefined) {
    if (server.vrrp !== undefined) {
      log.log('warn', 'VRRP_PRIVILEGES', 'with -user/-group, VIP changes (`ip addr`, CAP_NET_ADMIN) will fail once root is given up; run VRRP as root or with ambient CAP_NET_ADMIN/CAP_NET_RAW instead')
    }
    const dropped = dropPrivileges({ user: req.user, group: req.group })
    if (!dropped.ok) {
      log.log('error', 'PRIVILEGES_DROP_FAILED', `Can't switch to user ${req.user ?? '(unchanged)'} group ${req.group ?? '(default)'}: ${dropped.reason}`)
      await control.server?.close()
      await server.stop()
      if (req.pidFile !== undefined) removePidFile(req.pidFile)
      return 1
    }
    log.log('info', 'PRIVILEGES_DROPPED', `Running as uid ${dropped.uid}, gid ${dropped.gid}${req.user === undefined ? '' : ` (user ${req.user})`}.`, { uid: dropped.uid, gid: dropped.gid })
  }

  // What stops us: a signal (graceful with --failover-graceful-stop) or the API's shutdown.
  let requestStop!: (r: StopRequest) => void
  const stopped = new Promise<StopRequest>((resolve) => {
    requestStop = resolve
  })
  const cutShort = new AbortController()
  let signalled = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      if (handOver !== undefined && !handedOver) {
        // A second signal during the hand-over ends its wait; the stop goes on (RECOVER is recorded).
        log.log('warn', 'SHUTDOWN_HURRIED', `Received ${signal} again: not waiting for the failover partner any longer.`)
        cutShort.abort()
        return
      }
      // Otherwise as before: the signal's default action ends the process at once.
      process.removeListener('SIGTERM', onSignal)
      process.removeListener('SIGINT', onSignal)
      process.kill(process.pid, signal)
      return
    }
    signalled = true
    requestStop({ by: `Received ${signal}`, graceful: req.failoverGracefulStop })
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  let handOver: Promise<readonly GracefulStopResult[]> | undefined
  let handedOver = false
  const handOverOnce = (): Promise<readonly GracefulStopResult[]> => {
    handOver ??= server.handOverFailover(cutShort.signal).then((results) => {
      handedOver = true
      if (results.length > 0) log.log('info', 'FAILOVER_HANDED_OVER', `${shutdownMessage(results)}.`)
      return results
    })
    return handOver
  }
  server.control.onShutdown = async () => {
    log.log('info', 'SHUTDOWN_REQUESTED', 'Shutdown requested over the control API: handing the failover relationships over, then stopping.')
    signalled = true
    const results = await handOverOnce()
    // The answer goes out first (closing the API waits for requests in flight); then the stop.
    setImmediate(() => requestStop({ by: 'Shutdown requested over the control API', graceful: true }))
    return results
  }
  const onHup = (): void => {
    log.log('info', 'SIGHUP', 'Received SIGHUP: reloading configuration.')
    server.reload()
  }
  process.on('SIGHUP', onHup)

  log.log('info', 'SERVER_READY', READY_LINE)
  const stop = await stopped
  process.removeListener('SIGHUP', onHup)
  log.log('info', 'SHUTDOWN', `${stop.by}: shutting down${stop.graceful && server.failoverPeers.length > 0 ? ' (handing the failover relationships over first)' : ''}.`)
  if (stop.graceful) await handOverOnce()
  await control.server?.close()
  await server.stop()
  const c = server.service.counters
  const j = server.db.stats()
  const vrrp = server.vrrp === undefined ? '' : ` ${server.vrrp.summary()}.`
  log.log('info', 'SERVER_STOPPED', `Server stopped: ${c.received} packets received, ${c.replies} replies, ${c.committed} lease changes written in ${j.fsyncs} fsyncs (largest batch ${j.maxBatchRecords}), ${c.malformed} malformed, ${c.overload} dropped under load.${vrrp}`, { ...c, fsyncs: j.fsyncs, maxBatchRecords: j.maxBatchRecords, ...server.vrrp?.counters() })
  if (req.pidFile !== undefined) removePidFile(req.pidFile)
  process.removeListener('SIGTERM', onSignal)
  process.removeListener('SIGINT', onSignal)
  return 0
}

interface StopRequest {
  /** For the log: `Received SIGTERM`, or the API. */
  readonly by: string
  /** Hand the failover relationships over first. */
  readonly graceful: boolean
}
