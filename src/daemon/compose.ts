/**
 * The composition root: builds the configuration, lease database, pipeline, DHCP service and
 * transport, wires them together, and owns the maintenance timers (expiry reclamation,
 * lease-file compaction). Returns a handle for the signal layer (server.ts): reload, stop.
 */
import { existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import type { ServerConfig } from '../config/model.js'
import { Pipeline } from '../core/pipeline.js'
import type { LeaseChange } from '../core/lease.js'
import { chooseInterfaces, readHostInterfaces, type HostInterface } from '../io/interfaces.js'
import type { Transport } from '../io/transport.js'
import { UdpTransport } from '../io/udp.js'
import { nativeForRawSockets, type NativeAddon } from '../io/native.js'
import { PacketTransport } from '../io/packet-transport.js'
import { NativePacketSocket, NativeRawSocket } from '../io/raw-socket.js'
import { IcmpPinger, type Prober } from '../io/pinger.js'
import { AF_INET, IPPROTO_ICMP, SOCK_RAW } from '../protocol/l2/sockaddr.js'
import { formatIPv4 } from '../lib/ip.js'
import { chooseTransport, type TransportRequest } from '../io/transport-choice.js'
import { encodeBpf, dhcpServerFilter, echoReplyFilter } from '../protocol/l2/bpf.js'
import { nodeFileSystem } from '../persistence/node-file-system.js'
import { LeaseDatabase } from '../persistence/lease-database.js'
import { loadConfig } from './config-load.js'
import { CommitBatcher } from './commit-batcher.js'
import { peerLeaseDatabase } from './peer-lease-database.js'
import { DhcpService } from './dhcp-service.js'
import { warmUp } from './warm-up.js'
import type { Logger } from './logger.js'
import { HealthTrackingJournal } from './journal-health.js'
import { relationshipPools } from './failover-bindings.js'
import { loadVrrpConfig } from './vrrp-config-load.js'
import { VrrpService, withoutVips } from './vrrp.js'
import { representativeFailoverState, type HealthPolicy, type ServiceHealth } from '../ha/vrrp/health.js'
import { LinkWatcher } from '../io/link-watch.js'
import { TransportHealth } from './transport-health.js'
import type { KeepalivedConfig } from '../config/keepalived/index.js'
import { FailoverPeerDriver, GRACEFUL_STOP_WAIT_MS, type GracefulStopResult } from './failover-peer.js'
import { failoverHaFilter } from './failover-gate.js'
import { relationshipRanges } from './failover-bindings.js'
import { DaemonControl } from './control.js'
import { loadDashboardAssets } from './dashboard-assets.js'
import { EventRing } from '../api/events.js'
import type { ReloadResult } from '../api/types.js'
import { VERSION } from './version.js'
import { DaemonMetrics } from './metrics.js'
import { failoverPoolPolicy } from '../ha/failover/failover-pool-policy.js'
import { standalonePoolPolicy } from '../core/pool-policy.js'

export interface ServerTunables {
  /** Seconds between expiry reclamation runs (Kea `reclaim-timer-wait-time`, 10). */
  readonly reclaimIntervalSec: number
  /** Leases per reclamation batch (Kea `max-reclaim-leases`, 100). */
  readonly reclaimBatch: number
  /** Batches per run at most; the rest waits for the next run. */
  readonly reclaimMaxBatches: number
  /** Seconds between lease-file rewrites (ISC: hourly). 0 disables. */
  readonly compactIntervalSec: number
  /** Milliseconds to wait for in-flight packets on shutdown. */
  readonly drainTimeoutMs: number
  /** Milliseconds lease commits are gathered before one append + fsync (0: none). */
  readonly commitWindowMs: number
  /** Synthetic DISCOVER/REQUEST exchanges run through a scratch service before serving (JIT warm-up, warm-up.ts); 0: none. */
  readonly warmUpExchanges: number
  /** Graceful failover stop: milliseconds to wait for each peer's PARTNER-DOWN (dhcpd: about 4 s). */
  readonly failoverStopWaitMs: number
}

export const DEFAULT_TUNABLES: ServerTunables = {
  reclaimIntervalSec: 10,
  reclaimBatch: 500,
  reclaimMaxBatches: 20,
  compactIntervalSec: 3600,
  drainTimeoutMs: 5000,
  commitWindowMs: 2,
  warmUpExchanges: 3000,
  failoverStopWaitMs: GRACEFUL_STOP_WAIT_MS,
}

export interface ComposeRequest {
  readonly configFile: string
  readonly leaseFile: string
  readonly interfaces: readonly string[]
  readonly port: number | undefined
  /** `--transport`; default auto. */
  readonly transport?: TransportRequest | undefined
  /** `--vrrp-config`: keepalived.conf whose vrrp_instances this process runs. */
  readonly vrrpConfigFile?: string | undefined
  /** `--vrrp-health`: how each health input moves the VRRP priority (default ha/vrrp/health.ts). */
  readonly vrrpHealth?: HealthPolicy | undefined
  /** The log's recent events (fed by the caller's logger), shown by the control API. */
  readonly events?: EventRing | undefined
  /** When the process started (ms); defaults to now. */
  readonly startedAt?: number | undefined
  /** Called with each configuration that takes effect (start and reload), e.g. for `log-facility`. */
  readonly onConfig?: ((config: ServerConfig) => void) | undefined
}

export interface RunningServer {
  readonly service: DhcpService
  readonly db: LeaseDatabase
  /** The VRRP instances (with `--vrrp-config`). */
  readonly vrrp: VrrpService | undefined
  /** The control API's view of and handle on this server (the HTTP listener is started by the caller). */
  readonly control: DaemonControl
  /** One driver per `failover peer` (state, `partnerDown()`). */
  readonly failoverPeers: readonly FailoverPeerDriver[]
  /** Re-reads the configuration (and keepalived.conf with VRRP); a bad one is logged (and its errors returned) and the running one kept. */
  reload(): ReloadResult
  /** Prometheus text exposition of the daemon's metrics (the control API's `/metrics`). */
  metricsText(): Promise<string>
  /** The Content-Type header for {@link metricsText}. */
  readonly metricsContentType: string
  /** The metrics themselves (registry, observers), for tests and embedding. */
  readonly metrics: DaemonMetrics
  /**
   * The graceful part of a planned stop: every failover relationship in NORMAL moves to SHUTDOWN
   * so its peer takes over (PARTNER-DOWN), then records RECOVER and drops its link (the drivers'
   * `gracefulStop`, in parallel). DHCP keeps running for pools outside failover; call
   * {@link stop} afterwards. Runs once; later calls get the same results.
   */
  handOverFailover(abort?: AbortSignal): Promise<readonly GracefulStopResult[]>
  /** Stops receiving, drains in-flight packets, flushes the journal, closes sockets. */
  stop(): Promise<void>
}

export type ComposeResult = { readonly ok: true; readonly server: RunningServer } | { readonly ok: false; readonly reason: string }

/** Upper bound on the start-up warm-up's wall time (a loaded host must not delay serving long). */
const WARM_UP_MAX_MS = 1500

const sleepImmediate = (): Promise<void> => new Promise((r) => setImmediate(r))

export async function composeServer(req: ComposeRequest, log: Logger, tunables: ServerTunables = DEFAULT_TUNABLES): Promise<ComposeResult> {
  // 1. Configuration.
  const loaded = loadConfig(req.configFile)
  if (!loaded.ok) {
    log.log('error', 'CONFIG_INVALID', `Configuration file errors encountered -- exiting\n${loaded.errors}`)
    return { ok: false, reason: 'configuration errors' }
  }
  if (loaded.warnings !== '') log.log('warn', 'CONFIG_WARNINGS', loaded.warnings)
  let config: ServerConfig = loaded.config
  let configLoadedAt = Date.now()
  req.onConfig?.(config)
  let vrrpConfig: KeepalivedConfig | undefined
  if (req.vrrpConfigFile !== undefined) {
    const v = loadVrrpConfig(req.vrrpConfigFile)
    if (!v.ok) {
      log.log('error', 'VRRP_CONFIG_INVALID', `Configuration file errors encountered in ${req.vrrpConfigFile} -- exiting\n${v.errors}`)
      return { ok: false, reason: 'vrrp configuration errors' }
    }
    if (v.warnings !== '') log.log('warn', 'VRRP_CONFIG_WARNINGS', v.warnings)
    vrrpConfig = v.config
  }

  // 2. Interfaces.
  // VIPs are never this node's own addresses: not a server identifier, not a reply source.
  const hostInterfaces = (): HostInterface[] => withoutVips(readHostInterfaces(), vrrpConfig)
  const host: HostInterface[] = hostInterfaces()
  const choice = chooseInterfaces(host, req.interfaces, config)
  for (const p of choice.problems) log.log('warn', 'INTERFACE_IGNORED', p)
  if (choice.served.length === 0) {
    log.log('error', 'NO_INTERFACES', 'Not configured to listen on any interfaces!')
    return { ok: false, reason: 'no interfaces' }
  }

  // 3. Lease database (dhcpd refuses a missing lease file; we create it and say so).
  const existed = existsSync(req.leaseFile)
  let db: LeaseDatabase
  try {
    db = await LeaseDatabase.open(nodeFileSystem, req.leaseFile, { now: Math.floor(Date.now() / 1000) })
  } catch (err) {
    log.log('error', 'LEASE_FILE_UNUSABLE', `Can't open lease database ${req.leaseFile}: ${err instanceof Error ? err.message : String(err)}`)
    return { ok: false, reason: 'lease file' }
  }
  if (!existed) log.log('info', 'LEASE_FILE_CREATED', `Lease file ${req.leaseFile} did not exist; created it.`)
  for (const d of db.loadDiagnostics.slice(0, 20)) {
    log.log('warn', 'LEASE_FILE_DIAGNOSTIC', `${req.leaseFile}:${d.line}:${d.col}: ${d.message}`)
  }
  log.log('info', 'LEASES_WRITTEN', `Wrote ${db.store.size} leases to leases file.`, { leases: db.store.size })

  // 4. Failover relationships (one driver per `failover peer`), transport, pipeline, service.
  // Every lease write, the engine's and the drivers', goes through one commit window, in order.
  const commitWindow = new CommitBatcher(db, tunables.commitWindowMs)
  const batcher = new HealthTrackingJournal(commitWindow)
  const peerDb = peerLeaseDatabase(db, batcher)
  const peers = [...config.failoverPeers.values()].map((p) =>
    new FailoverPeerDriver(p, peerDb, log, relationshipRanges(config, p.name), { pools: relationshipPools(config, p.name), gracefulStopWaitMs: tunables.failoverStopWaitMs }))
  for (const p of peers) {
    try {
      await p.start()
    } catch (err) {
      for (const q of peers) await q.stop()
      await db.close()
      log.log('error', 'FAILOVER_LISTEN_FAILED', `failover peer ${p.peer.name}: can't listen on ${p.peer.address}:${p.peer.port}: ${err instanceof Error ? err.message : String(err)}`)
      return { ok: false, reason: 'failover listener' }
    }
  }
  const haFilter = peers.length === 0 ? undefined : failoverHaFilter(peers)
  let addon: NativeAddon | undefined
  const decision = chooseTransport(req.transport ?? 'auto', () => {
    const load = nativeForRawSockets()
    if (load.ok) addon = load.addon
    return load.ok ? { ok: true } : { ok: false, reason: load.reason }
  })
  if (decision.kind === 'error') {
    log.log('error', 'TRANSPORT_UNAVAILABLE', decision.why)
    for (const p of peers) await p.stop()
    await db.close()
    return { ok: false, reason: 'transport' }
  }
  log.log('info', 'TRANSPORT', `Using the ${decision.kind === 'packet' ? 'packet (AF_PACKET)' : 'UDP'} transport: ${decision.why}.`, { transport: decision.kind })
  const transport: Transport = decision.kind === 'packet' && addon !== undefined
    ? packetTransport(addon, req.port, choice.served, host, log)
    : new UdpTransport({ port: req.port, served: choice.served, host })
  // Which addresses a failover pool lets us allocate follows each relationship's state (PARTNER-DOWN).
  const byName = new Map(peers.map((p) => [p.peer.name, p]))
  const makePipeline = (c: ServerConfig): Pipeline =>
    new Pipeline(c, db.store, {
      capabilities: { directUnicast: transport.canUnicastToUnconfigured },
      infoEvents: log.enabled('info'),
      ...(haFilter ? { haFilter } : {}),
      ...(peers.length > 0 ? { poolPolicy: failoverPoolPolicy((name) => byName.get(name)?.ownershipView(), standalonePoolPolicy(c.failoverPeers)) } : {}),
    })
  let vrrp: VrrpService | undefined
  const metrics = new DaemonMetrics({
    store: db.store,
    config: () => config,
    failover: () => peers.map((p) => p.snapshot()),
    vrrp: () => vrrp?.snapshot() ?? [],
  })
  db.journal.observer = metrics.journal
  // Lease changes reach the failover peers only once durable (BNDUPD after the journal commit).
  const journal = peers.length === 0 ? batcher : {
    commit: (changes: readonly LeaseChange[]): Promise<void> => batcher.commit(changes).then(() => {
      for (const p of peers) p.leasesCommitted(changes)
    }),
  }
  let pipeline = makePipeline(config)
  for (const p of peers) {
    p.onLeaseChange = (change) => pipeline.engine.noteExternalChange(change)
    p.onPeerAddressesUsable = () => pipeline.engine.rescanFreeAddresses()
  }
  const prober = openPinger(log)
  const service = new DhcpService({ pipeline, journal, transport, logger: log, now: () => Date.now(), prober, observer: metrics.dhcp })
  // VRRP health "no usable transport": served links down, or a receiving socket failing.
  const transportHealth = vrrpConfig === undefined ? undefined : new TransportHealth(choice.served.map((s) => s.name))
  let transportChanged = (): void => {}
  if (tunables.warmUpExchanges > 0) {
    const w = await warmUp({
      makePipeline: (scratch) => new Pipeline(config, scratch, { capabilities: { directUnicast: transport.canUnicastToUnconfigured }, infoEvents: log.enabled('info') }),
      interfaces: choice.served.map((s) => s.receiving),
      logger: log,
      exchanges: tunables.warmUpExchanges,
      maxMs: WARM_UP_MAX_MS,
      now: () => Date.now(),
      clock: () => performance.now(),
    })
    log.log('debug', 'WARM_UP', `JIT warm-up: ${w.exchanges} synthetic exchanges (${w.acks} acknowledged) in ${Math.round(w.ms)} ms, nothing sent or stored`)
  }
  try {
    await transport.start({
      onDatagram: (d) => {
        if (transportHealth?.socketWorked(d.receivedOn.name) === true) transportChanged()
        service.onDatagram(d)
      },
      onDrop: (d) => service.onDrop(d),
      onError: (err, context, failedSocket) => {
        log.log('warn', 'TRANSPORT_ERROR', `${context}: ${err.message}`)
        if (transportHealth !== undefined && failedSocket !== undefined) {
          transportHealth.socketFailed(failedSocket)
          transportChanged()
        }
      },
    })
  } catch (err) {
    await transport.close()
    prober?.close()
    for (const p of peers) await p.stop()
    await db.close()
    log.log('error', 'SOCKET_FAILED', `Can't bind to dhcp address: ${err instanceof Error ? err.message : String(err)}`)
    return { ok: false, reason: 'sockets' }
  }
  for (const line of transport.describe()) {
    log.log('info', 'LISTENING', `Listening on ${line}`)
    log.log('info', 'SENDING', `Sending on   ${line}`)
  }

  // 4b. VRRP: only once the DHCP side listens, so the VIP never lands on a node that cannot answer.
  let failoverHealthTimer: NodeJS.Timeout | undefined
  let linkWatcher: LinkWatcher | undefined
  if (vrrpConfig !== undefined && transportHealth !== undefined) {
    const load = nativeForRawSockets()
    const opened = load.ok
      ? VrrpService.open({ config: vrrpConfig, addon: load.addon, host, log, ...(req.vrrpHealth ? { policy: req.vrrpHealth } : {}) })
      : { ok: false as const, reason: load.reason }
    if (!opened.ok) {
      log.log('error', 'VRRP_UNAVAILABLE', `VRRP cannot run: ${opened.reason}`)
      await transport.close()
      prober?.close()
      for (const p of peers) await p.stop()
      await db.close()
      return { ok: false, reason: 'vrrp' }
    }
    vrrp = opened.service
    const v = vrrp
    // One health picture fed from its sources: the journal (fsync) and the failover relationships.
    let health: ServiceHealth = {
      transportUp: true,
      leaseStoreHealthy: true,
      failoverState: representativeFailoverState(peers.map((p) => p.state)),
    }
    const pushHealth = (patch: Partial<ServiceHealth>): void => {
      health = { ...health, ...patch }
      v.setServiceHealth(health)
    }
    batcher.onChange((healthy) => pushHealth({ leaseStoreHealthy: healthy }))
    let transportLine = ''
    transportChanged = (): void => {
      const problems = transportHealth.problems()
      const line = problems.join('; ')
      if (line !== transportLine) {
        if (line !== '') log.log('warn', 'TRANSPORT_UNUSABLE', `the DHCP service cannot serve: ${line}`)
        else log.log('info', 'TRANSPORT_USABLE', 'the DHCP service can serve on every served interface again')
        transportLine = line
      }
      pushHealth({ transportUp: problems.length === 0 })
    }
    // Link state (IFF_UP + IFF_RUNNING) for track_interface and the transport, polled.
    linkWatcher = new LinkWatcher({
      intervalMs: LINK_POLL_MS,
      onChange: (now) => {
        transportHealth.setLinks(now)
        v.setLinks(now.up)
        transportChanged()
      },
    })
    transportHealth.setLinks(linkWatcher.current)
    v.setLinks(linkWatcher.current.up)
    if (peers.length > 0) {
      failoverHealthTimer = setInterval(
        () => pushHealth({ failoverState: representativeFailoverState(peers.map((p) => p.state)) }),
        1000,
      )
      failoverHealthTimer.unref()
    }
    vrrp.start()
    transportChanged()
    linkWatcher.start()
  }

  // 5. Maintenance: reclamation and compaction, never overlapping themselves.
  let reclaiming: Promise<unknown> | undefined
  const reclaimTimer = setInterval(() => {
    if (reclaiming !== undefined) return
    reclaiming = service
      .reclaim(tunables.reclaimBatch, tunables.reclaimMaxBatches, sleepImmediate)
      .catch((err: unknown) => log.log('error', 'RECLAIM_FAILED', `expiry reclamation failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        reclaiming = undefined
      })
  }, tunables.reclaimIntervalSec * 1000)
  let compacting: Promise<unknown> | undefined
  const compactTimer = tunables.compactIntervalSec > 0
    ? setInterval(() => {
        if (compacting !== undefined) return
        compacting = db
          .compact()
          .then((r) => log.log('info', 'LEASES_WRITTEN', `Wrote ${r.leases} leases to leases file.`, { leases: r.leases }))
          .catch((err: unknown) => log.log('error', 'COMPACTION_FAILED', `lease file rewrite failed: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => {
            compacting = undefined
          })
      }, tunables.compactIntervalSec * 1000)
    : undefined

  let stopping: Promise<void> | undefined
  let handingOver: Promise<readonly GracefulStopResult[]> | undefined
  const transportKind = decision.kind
  const control: DaemonControl = new DaemonControl({
    version: VERSION,
    now: () => Date.now(),
    startedAt: req.startedAt ?? Date.now(),
    configFile: req.configFile,
    leaseFile: req.leaseFile,
    config: () => config,
    configLoadedAt: () => configLoadedAt,
    interfaces: () => choice.served.map((s) => ({ name: s.name, transport: transportKind })),
    store: db.store,
    engine: () => pipeline.engine,
    commit: (changes) => journal.commit(changes),
    peers,
    vrrp,
    events: req.events ?? new EventRing(),
    reload: () => server.reload(),
  })
  control.staticAsset = loadDashboardAssets()
  control.metricsText = () => metrics.metricsText()
  const server: RunningServer = {
    service,
    db,
    vrrp,
    control,
    metrics,
    metricsContentType: metrics.contentType,
    metricsText: () => metrics.metricsText(),
    failoverPeers: peers,
    reload() {
      if (vrrp !== undefined && req.vrrpConfigFile !== undefined) {
        const v = loadVrrpConfig(req.vrrpConfigFile)
        if (!v.ok) {
          log.log('error', 'VRRP_CONFIG_RELOAD_REJECTED', `new ${req.vrrpConfigFile} rejected, keeping the running VRRP configuration:\n${v.errors}`)
        } else {
          if (v.warnings !== '') log.log('warn', 'VRRP_CONFIG_WARNINGS', v.warnings)
          vrrp.reload(v.config)
          vrrpConfig = vrrp.runningConfig
        }
      }
      const next = loadConfig(req.configFile)
      if (!next.ok) {
        log.log('error', 'CONFIG_RELOAD_REJECTED', `new configuration rejected, keeping the running one:\n${next.errors}`)
        return { ok: false, errors: next.list }
      }
      if (next.warnings !== '') log.log('warn', 'CONFIG_WARNINGS', next.warnings)
      config = next.config
      configLoadedAt = Date.now()
      req.onConfig?.(config)
      pipeline = makePipeline(config)
      service.setPipeline(pipeline)
      const again = chooseInterfaces(hostInterfaces(), req.interfaces, config)
      const now = new Set(again.served.map((s) => s.name))
      const before = new Set(choice.served.map((s) => s.name))
      if (now.size !== before.size || [...now].some((n) => !before.has(n))) {
        log.log('warn', 'CONFIG_RELOAD_INTERFACES', 'the set of served interfaces changed; restart hadhcpd to listen on the new set')
      }
      log.log('info', 'CONFIG_RELOADED', `Configuration reloaded from ${req.configFile}.`)
      return { ok: true }
    },
    handOverFailover(abort) {
      handingOver ??= Promise.all(peers.map((p) => p.gracefulStop(tunables.failoverStopWaitMs, abort)))
      return handingOver
    },
    stop() {
      stopping ??= (async () => {
        // Hand the VIP over first (priority 0, VIPs removed): the peer takes over within its skew time.
        if (failoverHealthTimer !== undefined) clearInterval(failoverHealthTimer)
        linkWatcher?.stop()
        await vrrp?.stop()
        clearInterval(reclaimTimer)
        if (compactTimer !== undefined) clearInterval(compactTimer)
        transport.pause()
        const drained = await Promise.race([
          service.drain().then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), tunables.drainTimeoutMs).unref()),
        ])
        if (!drained) log.log('warn', 'DRAIN_TIMEOUT', `${service.inFlight} packets still in flight after ${tunables.drainTimeoutMs} ms; stopping anyway`)
        await reclaiming
        await compacting
        await transport.close()
        prober?.close()
        for (const p of peers) await p.stop()
        commitWindow.flush()
        await db.close()
      })()
      return stopping
    },
  }
  return { ok: true, server }
}

function packetTransport(addon: NativeAddon, port: number | undefined, served: ComposeServedInterfaces, host: readonly HostInterface[], log: Logger): PacketTransport {
  const filter = encodeBpf(dhcpServerFilter(port ?? 67))
  return new PacketTransport({
    port,
    served,
    host,
    openSocket: (ifname) => new NativePacketSocket(addon, ifname, filter),
    udp: new UdpTransport({ port, served, host, relayedOnly: true }),
    trace: log.enabled('debug') ? (text) => log.log('debug', 'DHCP_REPLY_ROUTE', text) : undefined,
    resolve: (ifname) => {
      try {
        return addon.ifinfo(ifname)
      } catch {
        return undefined
      }
    },
    watchIntervalMs: INTERFACE_WATCH_MS,
    notice: (text) => log.log('warn', 'INTERFACE_CHANGED', text),
  })
}

/** How often the links are polled for VRRP (track_interface, transport health): a link change moves the VIP within this plus the skew time. */
const LINK_POLL_MS = 500

/** How often the packet transport checks its interfaces for re-creation (index/MAC change). */
const INTERFACE_WATCH_MS = 5000

type ComposeServedInterfaces = ReturnType<typeof chooseInterfaces>['served']

/** The ICMP prober for ping-check, or undefined (logged) when raw ICMP sockets are unavailable. */
function openPinger(log: Logger): Prober | undefined {
  const load = nativeForRawSockets()
  if (!load.ok) {
    log.log('warn', 'PING_CHECK_UNAVAILABLE', `ping-check is not possible (${load.reason}); addresses are offered without an ICMP echo check`)
    return undefined
  }
  try {
    const socket = new NativeRawSocket(load.addon, AF_INET, SOCK_RAW, IPPROTO_ICMP)
    const id = process.pid & 0xffff
    socket.attachFilter(encodeBpf(echoReplyFilter(id)))
    return new IcmpPinger(socket, {
      id,
      onError: (err, address) => log.log('warn', 'PING_SEND_FAILED', `ping ${formatIPv4(address)}: ${err.message}; offering without the check`),
    })
  } catch (err) {
    log.log('warn', 'PING_CHECK_UNAVAILABLE', `ping-check is not possible (ICMP socket: ${err instanceof Error ? err.message : String(err)}); addresses are offered without an ICMP echo check`)
    return undefined
  }
}
