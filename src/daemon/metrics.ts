/**
 * Prometheus metrics (prom-client) on a registry of our own, with node's default process
 * metrics under the `hadhcpd_` prefix. Names and help texts: metric-names.ts.
 *
 * Two ways in, both thin:
 *  - observers the daemon passes to the code that sees the event (DhcpService: received,
 *    replied, dropped; LeaseJournal: each group commit), which only increment;
 *  - snapshots read on a scrape from what already counts (failover drivers, VRRP runners)
 *    and from the lease store (leases per pool and state, recomputed at most every
 *    `poolCacheMs`, 5 s by default, so a scrape storm does not walk the pools each time).
 */
import { performance } from 'node:perf_hooks'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { ServerConfig } from '../config/model.js'
import type { BindingState } from '../core/lease.js'
import { BINDING_STATES } from '../core/lease.js'
import type { LeaseStore } from '../core/lease-store.js'
import { FAILOVER_STATE_NAMES } from '../core/lease.js'
import { formatIPv4 } from '../lib/ip.js'
import type { JournalObserver } from '../persistence/journal.js'
import type { DhcpObserver } from './dhcp-service.js'
import type { FailoverSnapshot } from './failover-peer.js'
import {
  BATCH_BUCKETS, FSYNC_BUCKETS, LATENCY_BUCKETS, MESSAGE_TYPE_LABELS, METRIC_PREFIX, METRICS,
  messageTypeLabel, reasonLabel, type MetricSpec,
} from './metric-names.js'
import type { VrrpInstanceSnapshot } from './vrrp.js'
import { VERSION } from './version.js'

export interface MetricsSources {
  readonly store: LeaseStore
  /** The running configuration (it changes on reload). */
  config(): ServerConfig
  failover(): readonly FailoverSnapshot[]
  vrrp(): readonly VrrpInstanceSnapshot[]
}

export interface MetricsOptions {
  /** Monotonic milliseconds (default performance.now). */
  readonly clock?: () => number
  /** How long pool counts are reused between scrapes, ms (default 5000). */
  readonly poolCacheMs?: number
  /** Node's process metrics (default true). */
  readonly defaultMetrics?: boolean
}

const VRRP_STATES = ['init', 'backup', 'master', 'fault'] as const

export interface PoolCount {
  /** `198.18.0.0/24`. */
  readonly subnet: string
  /** The pool's id as the control API names it: `198.18.0.0/24#0` (subnet, pool index). */
  readonly pool: string
  /** `198.18.0.10-198.18.0.100`, one per range. */
  readonly ranges: readonly string[]
  readonly size: number
  readonly states: Readonly<Record<BindingState, number>>
}

export class DaemonMetrics {
  readonly registry = new Registry()
  readonly dhcp: DhcpObserver
  readonly journal: JournalObserver
  private readonly clock: () => number
  private readonly poolCacheMs: number
  private poolCache: { at: number; counts: readonly PoolCount[] } | undefined

  constructor(private readonly sources: MetricsSources, options: MetricsOptions = {}) {
    this.clock = options.clock ?? (() => performance.now())
    this.poolCacheMs = options.poolCacheMs ?? 5000
    const reg = [this.registry]
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX })

    const counter = (s: MetricSpec, collect?: (c: Counter<string>) => void): Counter<string> =>
      new Counter({ name: s.name, help: s.help, labelNames: [...s.labels], registers: reg, ...(collect ? { collect() { collect(this) } } : {}) })
    const gauge = (s: MetricSpec, collect: (g: Gauge<string>) => void): Gauge<string> =>
      new Gauge({ name: s.name, help: s.help, labelNames: [...s.labels], registers: reg, collect() { collect(this) } })

    new Gauge({ name: METRICS.buildInfo.name, help: METRICS.buildInfo.help, labelNames: [...METRICS.buildInfo.labels], registers: reg }).set({ version: VERSION }, 1)

    // ---- DHCP packets --------------------------------------------------------------------
    const received = counter(METRICS.packetsReceived)
    const replies = counter(METRICS.repliesSent)
    const drops = counter(METRICS.packetsDropped)
    const latency = new Histogram({ name: METRICS.requestDuration.name, help: METRICS.requestDuration.help, labelNames: [...METRICS.requestDuration.labels], buckets: [...LATENCY_BUCKETS], registers: reg })
    for (const t of MESSAGE_TYPE_LABELS) received.inc({ type: t }, 0)
    for (const t of ['offer', 'ack', 'nak']) replies.inc({ type: t }, 0)
    for (const r of ['malformed', 'rate_limited', 'not_in_scope', 'no_free_lease']) drops.inc({ reason: r }, 0)
    // Per-packet path: the labelled children are looked up once per label value, not hashed each time.
    const children = <T>(make: (label: string) => T): ((label: string) => T) => {
      const cache = new Map<string, T>()
      return (label) => {
        let c = cache.get(label)
        if (c === undefined) cache.set(label, (c = make(label)))
        return c
      }
    }
    const receivedOf = children((type) => received.labels({ type }))
    const repliesOf = children((type) => replies.labels({ type }))
    const latencyOf = children((type) => latency.labels({ type }))
    const dropsOf = children((reason) => drops.labels({ reason: reasonLabel(reason) }))
    this.dhcp = {
      received: (type) => receivedOf(messageTypeLabel(type)).inc(),
      replied: (type, seconds) => {
        const label = messageTypeLabel(type)
        repliesOf(label).inc()
        latencyOf(label).observe(seconds)
      },
      dropped: (reason) => dropsOf(reason).inc(),
    }

    // ---- journal -------------------------------------------------------------------------
    const fsync = new Histogram({ name: METRICS.journalFsyncDuration.name, help: METRICS.journalFsyncDuration.help, buckets: [...FSYNC_BUCKETS], registers: reg })
    const batch = new Histogram({ name: METRICS.journalBatchRecords.name, help: METRICS.journalBatchRecords.help, buckets: [...BATCH_BUCKETS], registers: reg })
    const fsyncFailures = counter(METRICS.journalFsyncFailures)
    fsyncFailures.inc(0)
    this.journal = {
      batchStarted: (records) => {
        const start = this.clock()
        return (ok) => {
          if (!ok) {
            fsyncFailures.inc()
            return
          }
          fsync.observe((this.clock() - start) / 1000)
          batch.observe(records)
        }
      },
    }

    // ---- pools (computed on scrape, cached) ----------------------------------------------
    gauge(METRICS.leases, (g) => {
      g.reset()
      for (const p of this.poolCounts()) for (const s of BINDING_STATES) g.set({ subnet: p.subnet, pool: p.pool, state: s }, p.states[s])
    })
    gauge(METRICS.poolSize, (g) => {
      g.reset()
      for (const p of this.poolCounts()) g.set({ subnet: p.subnet, pool: p.pool }, p.size)
    })
    gauge(METRICS.poolUtilisation, (g) => {
      g.reset()
      for (const p of this.poolCounts()) g.set({ subnet: p.subnet, pool: p.pool }, p.size === 0 ? 0 : (p.states.active + p.states.bootp) / p.size)
    })

    // ---- failover (snapshots on scrape) --------------------------------------------------
    const perPeer = (s: MetricSpec, value: (f: FailoverSnapshot) => number | undefined): void => {
      gauge(s, (g) => {
        g.reset()
        for (const f of this.sources.failover()) {
          const v = value(f)
          if (v !== undefined) g.set({ peer: f.name }, v)
        }
      })
    }
    const stateSet = (s: MetricSpec, pick: (f: FailoverSnapshot) => string): void => {
      gauge(s, (g) => {
        g.reset()
        for (const f of this.sources.failover()) {
          const current = pick(f)
          for (const st of FAILOVER_STATE_NAMES) g.set({ peer: f.name, state: st }, st === current ? 1 : 0)
        }
      })
    }
    const peerCounter = (s: MetricSpec, value: (f: FailoverSnapshot) => number): void => {
      counter(s, (c) => {
        c.reset()
        for (const f of this.sources.failover()) c.inc({ peer: f.name }, value(f))
      })
    }
    stateSet(METRICS.failoverState, (f) => f.state)
    stateSet(METRICS.failoverPartnerState, (f) => f.peerState)
    perPeer(METRICS.failoverLinkUp, (f) => (f.connected ? 1 : 0))
    perPeer(METRICS.failoverClockSkew, (f) => f.skew)
    perPeer(METRICS.updateQueueDepth, (f) => f.queueDepth)
    peerCounter(METRICS.bindingUpdatesSent, (f) => f.updates.sent)
    peerCounter(METRICS.bindingUpdatesAcked, (f) => f.updates.acked)
    peerCounter(METRICS.bindingUpdatesRejected, (f) => f.updates.rejected)
    peerCounter(METRICS.bindingUpdatesReceived, (f) => f.updates.received)
    peerCounter(METRICS.bindingUpdatesRefused, (f) => f.updates.refused)

    // ---- VRRP (snapshots on scrape) ------------------------------------------------------
    gauge(METRICS.vrrpState, (g) => {
      g.reset()
      for (const v of this.sources.vrrp()) for (const st of VRRP_STATES) g.set({ vrrp_instance: v.name, state: st }, st === v.state ? 1 : 0)
    })
    gauge(METRICS.vrrpPriority, (g) => {
      g.reset()
      for (const v of this.sources.vrrp()) g.set({ vrrp_instance: v.name }, v.priority)
    })
    gauge(METRICS.vrrpConfiguredPriority, (g) => {
      g.reset()
      for (const v of this.sources.vrrp()) g.set({ vrrp_instance: v.name }, v.configuredPriority)
    })
    const vrrpCounter = (s: MetricSpec, value: (v: VrrpInstanceSnapshot) => number): void => {
      counter(s, (c) => {
        c.reset()
        for (const v of this.sources.vrrp()) c.inc({ vrrp_instance: v.name }, value(v))
      })
    }
    vrrpCounter(METRICS.vrrpTransitions, (v) => v.counters.transitions)
    vrrpCounter(METRICS.vrrpAdvertsSent, (v) => v.counters.advertsSent)
    vrrpCounter(METRICS.vrrpAdvertsReceived, (v) => v.counters.advertsReceived)
    counter(METRICS.vrrpAdvertsDropped, (c) => {
      c.reset()
      for (const v of this.sources.vrrp()) for (const [reason, n] of v.discards) c.inc({ vrrp_instance: v.name, reason: reasonLabel(reason) }, n)
    })
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** The Prometheus text exposition of every metric. */
  metricsText(): Promise<string> {
    return this.registry.metrics()
  }

  /** Leases per pool and state; recomputed at most every `poolCacheMs`. */
  poolCounts(): readonly PoolCount[] {
    const now = this.clock()
    if (this.poolCache !== undefined && now - this.poolCache.at < this.poolCacheMs) return this.poolCache.counts
    const counts = countPools(this.sources.config(), this.sources.store)
    this.poolCache = { at: now, counts }
    return counts
  }
}

/** Walks every pool's ranges once: O(addresses in pools). */
export function countPools(config: ServerConfig, store: LeaseStore): PoolCount[] {
  const out: PoolCount[] = []
  for (const subnet of config.subnets) {
    const subnetLabel = `${formatIPv4(subnet.network)}/${subnet.prefixLength}`
    for (const [index, pool] of subnet.pools.entries()) {
      const states = Object.fromEntries(BINDING_STATES.map((s) => [s, 0])) as Record<BindingState, number>
      const peer = pool.failoverPeer === undefined ? undefined : config.failoverPeers.get(pool.failoverPeer)
      // A never-used address is free on a primary (or without failover), backup on a secondary.
      const unused: BindingState = peer?.role === 'secondary' ? 'backup' : 'free'
      let size = 0
      for (const r of pool.ranges) {
        size += r.size
        for (let a = r.first; a <= r.last; a++) states[store.get(a)?.bindingState ?? unused]++
      }
      out.push({ subnet: subnetLabel, pool: `${subnetLabel}#${index}`, ranges: pool.ranges.map((r) => `${formatIPv4(r.first)}-${formatIPv4(r.last)}`), size, states })
    }
  }
  return out
}
