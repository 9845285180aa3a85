/**
 * The daemon's side of the control API: implements {@link ControlContext} over the running
 * server's parts (configuration, lease store, engine, journal, failover drivers, VRRP). Lease
 * actions go through the engine and the same journal path as DHCP traffic, so they are fsynced
 * and reach the failover peer as BNDUPD like any lease change.
 *
 * `metricsText` is set by the metrics feature; `staticAsset` serves the dashboard (dashboard-assets.ts);
 * `onShutdown` by the signal layer (server.ts), which owns the process's stop.
 */
import { createHash } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import type { ServerConfig } from '../config/model.js'
import { releasedLease, type AllocEngine } from '../core/alloc-engine.js'
import type { LeaseStore } from '../core/lease-store.js'
import { NEVER, type BindingState, type Lease, type LeaseChange } from '../core/lease.js'
import { formatIPv4, parseIPv4, prefixToMask } from '../lib/ip.js'
import { toColonHex } from '../lib/hex.js'
import { parseLeaseStream } from '../persistence/lease-file-parse.js'
import type { EventRing } from '../api/events.js'
import type {
  ActionResult, ControlContext, EventView, FailoverHandOverView, FailoverView, LeaseAction, LeaseFilter, LeaseHistoryEntry, LeaseView, PoolView,
  ReloadResult, SharedConfigView, ShutdownView, StaticAsset, StatusView,
} from '../api/types.js'
import type { FailoverPeerDriver, GracefulStopResult } from './failover-peer.js'
import type { VrrpService } from './vrrp.js'

export interface DaemonControlSources {
  readonly version: string
  /** Milliseconds since the epoch. */
  readonly now: () => number
  readonly startedAt: number
  readonly configFile: string
  readonly leaseFile: string
  config(): ServerConfig
  /** When the running configuration was loaded (ms). */
  configLoadedAt(): number
  interfaces(): readonly { readonly name: string; readonly transport: string }[]
  readonly store: LeaseStore
  /** The current pipeline's engine (a reload builds a new one). */
  engine(): AllocEngine
  /** The daemon's commit path: fsync, then BNDUPD to the failover peers. */
  commit(changes: readonly LeaseChange[]): Promise<void>
  readonly peers: readonly FailoverPeerDriver[]
  readonly vrrp: VrrpService | undefined
  readonly events: EventRing
  reload(): ReloadResult
  /** The lease file as a stream of chunks (for a lease's history). */
  readLeaseFile?(path: string): AsyncIterable<Uint8Array>
}

/** A pool range with what the API says about it. */
interface RangeEntry {
  readonly first: number
  readonly last: number
  readonly pool: PoolView & { counts: Record<BindingState, number> }
}

const iso = (unixSeconds: number | undefined): string | null =>
  unixSeconds === undefined || unixSeconds === NEVER ? null : new Date(unixSeconds * 1000).toISOString()

const isoMs = (ms: number): string => new Date(ms).toISOString()

/** SHA-256 over the configuration files' contents, in include order. */
export function configDigest(files: readonly string[]): string {
  const h = createHash('sha256')
  for (const f of files) {
    try {
      h.update(readFileSync(f))
    } catch {
      h.update(`<unreadable ${f}>`)
    }
  }
  return h.digest('hex')
}

export class DaemonControl implements ControlContext {
  metricsText?: () => string | Promise<string>
  staticAsset?: (path: string) => StaticAsset | undefined
  /**
   * Runs the graceful failover hand-over and resolves with its results; the daemon stops once the
   * answer has gone out. Set by the signal layer (server.ts); unset, shutdown is refused.
   */
  onShutdown?: () => Promise<readonly GracefulStopResult[]>
  private indexFor: ServerConfig | undefined
  private ranges: RangeEntry[] = []
  private digestFor: ServerConfig | undefined
  private digest = ''

  constructor(private readonly s: DaemonControlSources) {}

  // ---- read ----------------------------------------------------------------------------------

  status(): StatusView {
    const config = this.s.config()
    if (this.digestFor !== config) {
      this.digest = configDigest(config.files.length > 0 ? config.files : [this.s.configFile])
      this.digestFor = config
    }
    const now = this.s.now()
    return {
      version: this.s.version,
      startedAt: isoMs(this.s.startedAt),
      uptimeSeconds: Math.floor((now - this.s.startedAt) / 1000),
      config: { file: this.s.configFile, sha256: this.digest, loadedAt: isoMs(this.s.configLoadedAt()) },
      leaseFile: this.s.leaseFile,
      interfaces: this.s.interfaces(),
      failover: this.s.peers.map((p) => failoverView(p)),
      vrrp: this.s.vrrp?.views() ?? [],
    }
  }

  pools(): PoolView[] {
    const ranges = this.index()
    const pools = new Map<string, RangeEntry['pool']>()
    for (const r of ranges) {
      r.pool.counts = emptyCounts()
      pools.set(r.pool.id, r.pool)
    }
    const tracked = new Map<string, number>()
    for (const lease of this.s.store.leases()) {
      const r = findRange(ranges, lease.address)
      if (r === undefined) continue
      const st = lease.bindingState === 'bootp' ? 'active' : lease.bindingState
      r.pool.counts[st]++
      tracked.set(r.pool.id, (tracked.get(r.pool.id) ?? 0) + 1)
    }
    const out: PoolView[] = []
    for (const p of pools.values()) {
      const c = p.counts
      // Addresses never used have no record: they are FREE.
      const free = c.free + (p.total - (tracked.get(p.id) ?? 0))
      const { counts: _counts, ...view } = p
      out.push({
        ...view, free, backup: c.backup, active: c.active, expired: c.expired, released: c.released, abandoned: c.abandoned, reset: c.reset,
        utilisation: p.total === 0 ? 0 : Math.round((c.active / p.total) * 10_000) / 10_000,
      })
    }
    return out
  }

  leases(f: LeaseFilter): LeaseView[] {
    const ip = f.ip === undefined ? undefined : parseIPv4(f.ip)
    if (ip !== undefined) {
      const l = this.s.store.get(ip)
      return l !== undefined && this.matches(l, f) ? [this.view(l)] : []
    }
    const hits: Lease[] = []
    for (const l of this.s.store.leases()) if (this.matches(l, f)) hits.push(l)
    hits.sort((a, b) => (a.address >>> 0) - (b.address >>> 0))
    return hits.map((l) => this.view(l))
  }

  lease(ip: string): LeaseView | undefined {
    const a = parseIPv4(ip)
    const l = a === undefined ? undefined : this.s.store.get(a)
    return l === undefined ? undefined : this.view(l)
  }

  async leaseHistory(ip: string): Promise<LeaseHistoryEntry[]> {
    const address = parseIPv4(ip)
    const out: LeaseHistoryEntry[] = []
    if (address === undefined) return out
    const read = this.s.readLeaseFile ?? ((path: string) => createReadStream(path))
    try {
      await parseLeaseStream(read(this.s.leaseFile), {
        onLease: (l) => {
          if (l.address !== address) return
          out.push({
            at: iso(l.cltt ?? l.starts),
            state: l.bindingState,
            mac: l.hardware === undefined ? null : toColonHex(l.hardware.address),
            clientId: l.uid === undefined ? null : toColonHex(l.uid),
            ends: iso(l.ends),
          })
        },
      })
    } catch {
      // An unreadable file gives no history rather than an error: the lease itself is known.
    }
    return out
  }

  events(since: number): EventView[] {
    return this.s.events.since(since)
  }

  sharedConfig(): SharedConfigView {
    return sharedConfigOf(this.s.config())
  }

  // ---- act -----------------------------------------------------------------------------------

  reload(): ReloadResult {
    return this.s.reload()
  }

  async leaseAction(ip: string, action: LeaseAction): Promise<ActionResult<{ readonly lease: LeaseView }>> {
    const address = parseIPv4(ip)
    if (address === undefined) return { ok: false, status: 400, error: 'bad-request', message: `ip: expected an IPv4 address, got ${ip}` }
    const lease = this.s.store.get(address)
    const range = findRange(this.index(), address)
    const now = Math.floor(this.s.now() / 1000)
    let write: Lease
    switch (action) {
      case 'release': {
        if (lease === undefined) return { ok: false, status: 404, error: 'not-found', message: `no lease for ${ip}` }
        if (lease.bindingState !== 'active' && lease.bindingState !== 'bootp') {
          return { ok: false, status: 409, error: 'conflict', message: `the lease of ${ip} is ${lease.bindingState}, not active: nothing to release` }
        }
        // As a DHCPRELEASE: free outside failover, RELEASED (free once the peer acknowledges it) inside it.
        write = releasedLease(lease, now, range?.pool.failoverPeer != null)
        break
      }
      case 'abandon': {
        if (range === undefined) return { ok: false, status: 409, error: 'conflict', message: `${ip} is not in any pool range` }
        const w = this.s.engine().conflict(address, now)[0]
        if (w === undefined) return { ok: false, status: 409, error: 'conflict', message: `${ip} is not in any pool range` }
        write = w
        break
      }
      case 'free':
        if (range === undefined) return { ok: false, status: 409, error: 'conflict', message: `${ip} is not in any pool range` }
        write = freed(address, lease, now)
        break
    }
    const changes = this.s.engine().commit([write], 'admin')
    await this.s.commit(changes)
    return { ok: true, lease: this.view(this.s.store.get(address) ?? write) }
  }

  async deleteLease(ip: string): Promise<ActionResult> {
    const address = parseIPv4(ip)
    if (address === undefined) return { ok: false, status: 400, error: 'bad-request', message: `ip: expected an IPv4 address, got ${ip}` }
    const lease = this.s.store.get(address)
    if (lease === undefined) return { ok: false, status: 404, error: 'not-found', message: `no lease for ${ip}` }
    const range = findRange(this.index(), address)
    if (range?.pool.failoverPeer != null) {
      // A failover address always has an owner the peer must agree on: it becomes FREE (BNDUPD).
      const changes = this.s.engine().commit([freed(address, lease, Math.floor(this.s.now() / 1000))], 'admin')
      await this.s.commit(changes)
      return { ok: true }
    }
    const change = this.s.store.remove(address, 'admin')
    this.s.engine().noteExternalChange(change)
    await this.s.commit([change])
    return { ok: true }
  }

  async partnerDown(peer: string): Promise<ActionResult<{ readonly state: string }>> {
    const d = this.s.peers.find((p) => p.peer.name === peer)
    if (d === undefined) return { ok: false, status: 404, error: 'not-found', message: noPeer(peer, this.s.peers) }
    const r = await d.partnerDown()
    if (!r.ok) return { ok: false, status: 409, error: r.error, message: r.message }
    return { ok: true, state: r.state }
  }

  async shutdown(): Promise<ActionResult<ShutdownView>> {
    if (this.onShutdown === undefined) return { ok: false, status: 409, error: 'not-supported', message: 'this daemon cannot be shut down through the API' }
    const results = await this.onShutdown()
    return { ok: true, stopping: true, failover: results.map(handOverView), message: shutdownMessage(results) }
  }

  async rebalance(peer: string): Promise<ActionResult> {
    const d = this.s.peers.find((p) => p.peer.name === peer)
    if (d === undefined) return { ok: false, status: 404, error: 'not-found', message: noPeer(peer, this.s.peers) }
    const why = await d.rebalanceNow()
    return why === undefined ? { ok: true } : { ok: false, status: 409, error: 'conflict', message: why }
  }

  vrrpOverride(instance: string, override: number | 'step-down' | null): ActionResult<{ readonly effectivePriority: number }> {
    if (this.s.vrrp === undefined) return { ok: false, status: 404, error: 'not-found', message: 'VRRP is not running on this server (no --vrrp-config)' }
    const eff = this.s.vrrp.setOverride(instance, override ?? undefined)
    if (eff === undefined) {
      return { ok: false, status: 404, error: 'not-found', message: `no vrrp_instance ${instance} (have: ${this.s.vrrp.views().map((v) => v.instance).join(', ')})` }
    }
    return { ok: true, effectivePriority: eff }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private index(): RangeEntry[] {
    const config = this.s.config()
    if (this.indexFor !== config) {
      this.ranges = rangeIndex(config)
      this.indexFor = config
    }
    return this.ranges
  }

  private matches(l: Lease, f: LeaseFilter): boolean {
    if (f.state !== undefined && l.bindingState !== f.state) return false
    if (f.mac !== undefined && (l.hardware === undefined || toColonHex(l.hardware.address) !== f.mac)) return false
    if (f.clientId !== undefined && (l.uid === undefined || toColonHex(l.uid) !== f.clientId)) return false
    if (f.hostname !== undefined && !(l.clientHostname ?? '').toLowerCase().includes(f.hostname.toLowerCase())) return false
    if (f.subnet !== undefined) {
      const [net, len] = f.subnet.split('/')
      const mask = prefixToMask(Number(len))
      if (((l.address & mask) >>> 0) !== (parseIPv4(net!)! >>> 0)) return false
    }
    return true
  }

  private view(l: Lease): LeaseView {
    return {
      ip: formatIPv4(l.address),
      state: l.bindingState,
      mac: l.hardware === undefined ? null : toColonHex(l.hardware.address),
      clientId: l.uid === undefined ? null : toColonHex(l.uid),
      hostname: l.clientHostname ?? null,
      starts: iso(l.starts),
      ends: iso(l.ends),
      cltt: iso(l.cltt),
      tstp: iso(l.tstp),
      tsfp: iso(l.tsfp),
      atsfp: iso(l.atsfp),
      pool: findRange(this.index(), l.address)?.pool.id ?? null,
    }
  }
}

/** The address made FREE: client identity dropped, the failover times kept. */
function freed(address: number, lease: Lease | undefined, now: number): Lease {
  return { address, bindingState: 'free', starts: now, ends: now, cltt: now, tstp: lease?.tstp, tsfp: lease?.tsfp, atsfp: lease?.atsfp }
}

function noPeer(name: string, peers: readonly FailoverPeerDriver[]): string {
  return peers.length === 0 ? `no failover peer ${name}: this server has no failover relationship` : `no failover peer ${name} (have: ${peers.map((p) => p.peer.name).join(', ')})`
}

function handOverView(r: GracefulStopResult): FailoverHandOverView {
  return {
    peer: r.peer, outcome: r.outcome, confirmed: r.confirmed, previousState: r.previous, recordedState: r.recorded,
    recordedStateSince: iso(r.recordedStos), backdated: r.backdated, partnerState: r.peerState, pendingUpdates: r.pendingUpdates,
    waitedMs: r.waitedMs, message: r.message,
  }
}

/** The answer's summary line. */
export function shutdownMessage(results: readonly GracefulStopResult[]): string {
  if (results.length === 0) return 'hadhcpd is stopping (no failover relationship to hand over)'
  const confirmed = results.filter((r) => r.confirmed).map((r) => r.peer)
  const others = results.filter((r) => !r.confirmed).map((r) => r.peer)
  const parts: string[] = []
  if (confirmed.length > 0) parts.push(`the partner of ${confirmed.join(', ')} is in partner-down and serves the whole pool`)
  if (others.length > 0) parts.push(`${others.join(', ')} not handed over (the partner sees the link drop)`)
  return `hadhcpd is stopping; ${parts.join('; ')}`
}

function failoverView(p: FailoverPeerDriver): FailoverView {
  const s = p.snapshot()
  return {
    peer: p.peer.name,
    role: p.peer.role,
    state: s.state,
    stateSince: iso(s.stos),
    partnerState: s.peerState,
    partnerStateSince: iso(s.peerStateAt),
    connected: s.connected,
    lastContact: iso(s.lastContact),
    clockSkewSeconds: s.skew ?? null,
    mclt: s.mclt,
    split: p.peer.split ?? null,
    unackedUpdates: s.unacked,
    pendingUpdates: s.pending,
    poolBalance: { free: s.free, backup: s.backup },
  }
}

function emptyCounts(): Record<BindingState, number> {
  return { free: 0, active: 0, expired: 0, released: 0, abandoned: 0, reset: 0, backup: 0, bootp: 0 }
}

const cidrOf = (network: number, prefix: number): string => `${formatIPv4(network)}/${prefix}`

/** Every pool range, sorted by first address, with its pool's view (ids `SUBNET#N`). */
function rangeIndex(config: ServerConfig): RangeEntry[] {
  const out: RangeEntry[] = []
  for (const subnet of config.subnets) {
    const sub = cidrOf(subnet.network, subnet.prefixLength)
    subnet.pools.forEach((pool, i) => {
      const view: RangeEntry['pool'] = {
        id: `${sub}#${i}`,
        subnet: sub,
        sharedNetwork: sharedNetworkName(config, subnet.sharedNetwork),
        ranges: pool.ranges.map((r) => `${formatIPv4(r.first)}-${formatIPv4(r.last)}`),
        failoverPeer: pool.failoverPeer ?? null,
        total: pool.ranges.reduce((n, r) => n + r.size, 0),
        free: 0, backup: 0, active: 0, expired: 0, released: 0, abandoned: 0, reset: 0, utilisation: 0,
        counts: emptyCounts(),
      }
      for (const r of pool.ranges) out.push({ first: r.first >>> 0, last: r.last >>> 0, pool: view })
    })
  }
  return out.sort((a, b) => a.first - b.first)
}

/** The shared-network's name, or null for the implicit one ISC makes around a lone subnet. */
function sharedNetworkName(config: ServerConfig, name: string): string | null {
  const sn = config.sharedNetworks.find((s) => s.name === name)
  return sn === undefined || sn.implicit ? null : name
}

function findRange(ranges: readonly RangeEntry[], address: number): RangeEntry | undefined {
  const a = address >>> 0
  let lo = 0
  let hi = ranges.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const r = ranges[mid]!
    if (a < r.first) hi = mid - 1
    else if (a > r.last) lo = mid + 1
    else return r
  }
  return undefined
}

/** The configuration both nodes of a failover pair must agree on, normalized for comparison. */
export function sharedConfigOf(config: ServerConfig): SharedConfigView {
  const subnets = [...config.subnets]
    .sort((a, b) => (a.network >>> 0) - (b.network >>> 0) || a.prefixLength - b.prefixLength)
    .map((s) => ({
      subnet: cidrOf(s.network, s.prefixLength),
      sharedNetwork: sharedNetworkName(config, s.sharedNetwork),
      pools: s.pools.map((p) => ({
        failoverPeer: p.failoverPeer ?? null,
        ranges: p.ranges.map((r) => `${formatIPv4(r.first)}-${formatIPv4(r.last)}`),
      })),
    }))
  const failoverPeers = [...config.failoverPeers.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => {
      const self = `${p.address}:${p.port}`
      const other = `${p.peerAddress}:${p.peerPort}`
      return {
        name: p.name,
        role: p.role,
        primary: p.role === 'primary' ? self : other,
        secondary: p.role === 'primary' ? other : self,
        mclt: p.mclt ?? null,
        split: p.split ?? null,
        hba: p.hba === undefined ? null : p.hba.toString('hex'),
        loadBalanceMaxSeconds: p.loadBalanceMaxSeconds,
      }
    })
  return { subnets, failoverPeers }
}
