/**
 * The per-packet flow of the running server (architecture §8.5):
 *
 *   datagram → client key → keyed queue → pipeline.handle → journal commit (awaits fsync)
 *            → send reply → log events
 *
 * A client's packets are handled one at a time (keyed queue), and a reply leaves only after
 * the lease changes it depends on are durable, so an ACKed lease survives a crash. Nothing
 * here throws at the caller: malformed input is counted and logged once per source per
 * minute; a bug in the pipeline is logged (throttled) and the packet dropped.
 *
 * Time comes in through `now()`; the transport and the journal are interfaces, so tests drive
 * this with fakes.
 */
import { KeyedQueue } from '../lib/keyed-queue.js'
import { LogThrottle } from '../lib/log-throttle.js'
import type { LeaseChange } from '../core/lease.js'
import type { Decision, DropReason, LogEvent, Pipeline } from '../core/pipeline.js'
import { performance } from 'node:perf_hooks'
import { clientKeyOf } from '../io/client-key.js'
import type { InboundDatagram, Transport, TransportDrop } from '../io/transport.js'
import type { Prober } from '../io/pinger.js'
import { MAX_PROBES_PER_DISCOVER, PingChecks } from '../core/ping-checks.js'
import { formatIPv4 } from '../lib/ip.js'
import { MessageType } from '../protocol/dhcp/constants.js'
import { scanMessageType } from '../protocol/dhcp/option-scan.js'
import type { Logger } from './logger.js'

export interface Journal {
  /** Resolves once `changes` are durable (group-commit fsync). */
  commit(changes: readonly LeaseChange[]): Promise<void>
}

export interface ServiceCounters {
  received: number
  malformed: number
  /** Dropped by the transport (unattributable or from an unserved interface). */
  unattributed: number
  /** Dropped because the client already had `maxPerKey` packets in flight, or the queue was full. */
  overload: number
  replies: number
  /** Lease changes made durable. */
  committed: number
  commitFailures: number
  errors: number
  reclaimed: number
  /** ICMP echoes sent for ping-check. */
  pings: number
  /** Addresses abandoned because something answered the ping. */
  pingConflicts: number
  /** DISCOVER retransmissions dropped while the client's ping-check ran. */
  pingRetransmissions: number
}

/**
 * What the service reports for metrics (daemon/metrics.ts implements it). Message types are
 * DHCP option 53 values; `undefined` when the packet had none. Drop reasons are snake_case:
 * the pipeline's {@link DropReason}s plus the service's own (malformed, rate_limited,
 * unattributed, ping_check_in_progress, ping_conflict, journal_failed, internal_error).
 */
export interface DhcpObserver {
  received(messageType: number | undefined): void
  /** A reply left; `seconds` from the datagram's arrival to the send. */
  replied(messageType: number, seconds: number): void
  dropped(reason: DropReason | ServiceDropReason): void
}

export type ServiceDropReason = 'rate_limited' | 'unattributed' | 'ping_check_in_progress' | 'ping_conflict' | 'journal_failed' | 'internal_error'

export interface DhcpServiceOptions {
  readonly pipeline: Pipeline
  readonly journal: Journal
  readonly transport: Pick<Transport, 'send'>
  readonly logger: Logger
  /** Milliseconds since the epoch. */
  readonly now: () => number
  readonly maxPerClient?: number
  readonly maxInFlight?: number
  /** ICMP echo for ping-check; without it addresses are offered unprobed. */
  readonly prober?: Prober | undefined
  /** Metrics hooks. */
  readonly observer?: DhcpObserver | undefined
  /** Monotonic milliseconds for the latency figure (default performance.now). */
  readonly monotonic?: () => number
}

export class DhcpService {
  readonly counters: ServiceCounters = {
    received: 0, malformed: 0, unattributed: 0, overload: 0, replies: 0, committed: 0, commitFailures: 0, errors: 0, reclaimed: 0,
    pings: 0, pingConflicts: 0, pingRetransmissions: 0,
  }
  private pipeline: Pipeline
  private readonly journal: Journal
  private readonly transport: Pick<Transport, 'send'>
  private readonly log: Logger
  private readonly now: () => number
  private readonly queue: KeyedQueue<string>
  private readonly throttle = new LogThrottle()
  private readonly prober: Prober | undefined
  private readonly pings = new PingChecks()
  /** Clients whose ping-check is running, with the address being probed. */
  private readonly pinging = new Map<string, number>()
  private readonly observer: DhcpObserver | undefined
  private readonly monotonic: () => number

  constructor(o: DhcpServiceOptions) {
    this.prober = o.prober
    this.observer = o.observer
    this.monotonic = o.monotonic ?? (() => performance.now())
    this.pipeline = o.pipeline
    this.journal = o.journal
    this.transport = o.transport
    this.log = o.logger
    this.now = o.now
    this.queue = new KeyedQueue<string>({
      maxPerKey: o.maxPerClient ?? 4,
      maxTotal: o.maxInFlight ?? 10_000,
      onError: (err) => {
        this.observer?.dropped('internal_error')
        this.internalError(err)
      },
    })
  }

  /** Swaps in a pipeline built from a reloaded configuration; queued packets use the new one. */
  setPipeline(p: Pipeline): void {
    this.pipeline = p
  }

  get inFlight(): number {
    return this.queue.size
  }

  onDatagram(d: InboundDatagram): void {
    this.counters.received++
    const arrived = this.observer === undefined ? 0 : this.monotonic()
    this.observer?.received(scanMessageType(d.data))
    const key = clientKeyOf(d.data)
    if (key === undefined) {
      this.counters.malformed++
      this.observer?.dropped('malformed')
      this.throttled('DHCP_PACKET_MALFORMED', d.source, `malformed packet from ${d.source}:${d.sourcePort} via ${d.receivedOn.name} (${d.data.length} bytes, not a BOOTREQUEST)`)
      return
    }
    const probing = this.pinging.get(key)
    if (probing !== undefined && scanMessageType(d.data) === MessageType.DISCOVER) {
      // ISC: "already acking lease" — the check under way answers this client.
      this.counters.pingRetransmissions++
      this.observer?.dropped('ping_check_in_progress')
      if (this.log.enabled('debug')) this.log.log('debug', 'DHCP_PING_IN_PROGRESS', `DHCPDISCOVER from ${hardwareOf(d.data)} via ${d.receivedOn.name}: ping-check of ${formatIPv4(probing)} in progress, retransmission dropped`)
      return
    }
    const admission = this.queue.run(key, () => this.process(d, key, arrived))
    if (admission !== 'queued') {
      this.counters.overload++
      this.observer?.dropped('rate_limited')
      this.throttled('DHCP_PACKET_OVERLOAD', admission === 'key-full' ? key : 'queue', `dropped a packet from ${d.source} via ${d.receivedOn.name}: ${admission === 'key-full' ? 'client already has packets in flight' : 'too many packets in flight'}`)
    }
  }

  onDrop(d: TransportDrop): void {
    this.counters.received++
    this.counters.unattributed++
    this.observer?.received(undefined)
    this.observer?.dropped('unattributed')
    this.throttled('DHCP_PACKET_UNATTRIBUTED', d.source, `dropped a packet from ${d.source}: ${d.reason}`)
  }

  /** Resolves when every queued packet has been answered or dropped. */
  drain(): Promise<void> {
    return this.queue.idle()
  }

  /**
   * Reclaims expired leases in batches of `batch`, journalling each batch, for at most
   * `maxBatches` batches; returns how many leases were reclaimed.
   */
  async reclaim(batch: number, maxBatches: number, yieldToOthers: () => Promise<void>): Promise<number> {
    let total = 0
    for (let i = 0; i < maxBatches; i++) {
      const r = this.pipeline.reclaimExpired(this.now(), batch)
      if (r.changes.length > 0) {
        await this.journal.commit(r.changes)
        total += r.changes.length
        this.counters.reclaimed += r.changes.length
        this.counters.committed += r.changes.length
      }
      this.logEvents(r.events, '')
      if (!r.more) break
      await yieldToOthers()
    }
    return total
  }

  private process(d: InboundDatagram, key: string, arrived: number): Promise<void> {
    const first = this.decide(d)
    // Without a probe the reply goes out synchronously (no extra tick per packet).
    if (first.probe === undefined || first.reply === undefined || this.prober === undefined) return this.complete(d, first, undefined, arrived)
    return this.pingChecked(d, key, first).then((checked) => {
      if (checked === undefined) {
        this.observer?.dropped('ping_conflict')
        return undefined
      }
      return this.complete(d, checked.decision, checked.logged, arrived)
    })
  }

  /** Journals the decision's changes (if any), then sends and logs. */
  private complete(d: InboundDatagram, decision: Decision, logged: ReadonlySet<string> | undefined, arrived: number): Promise<void> {
    if (decision.changes.length === 0) {
      this.finish(d, decision, logged, arrived)
      return Promise.resolve()
    }
    return this.commit(decision.changes).then((ok) => {
      if (ok) this.finish(d, decision, logged, arrived)
      else this.observer?.dropped('journal_failed')
    })
  }

  /**
   * ISC ping-check: probes before offering; if anything answers, the address is abandoned and
   * the DISCOVER is decided again (another address), up to MAX_PROBES_PER_DISCOVER addresses
   * and never the same one twice; then the client gets no offer (undefined), as from ISC.
   * `logged`: event ids already logged (ISC's order: DISCOVER before the ping, OFFER after).
   */
  private async pingChecked(d: InboundDatagram, key: string, first: Decision): Promise<{ decision: Decision; logged: ReadonlySet<string> } | undefined> {
    let decision = first
    const answered = new Set<number>()
    const logged = new Set<string>()
    for (let attempt = 0; decision.probe !== undefined && decision.reply !== undefined && this.prober !== undefined; attempt++) {
      const probe = decision.probe
      if (!this.pings.needed(probe.address, key, this.now())) break
      if (attempt >= MAX_PROBES_PER_DISCOVER || answered.has(probe.address)) {
        this.throttled('DHCP_PING_GIVE_UP', key, `DHCPDISCOVER from ${hardwareOf(d.data)} via ${d.receivedOn.name}: ${answered.size} candidate address${answered.size === 1 ? '' : 'es'} answered a ping; no offer`)
        return undefined
      }
      if (attempt === 0) {
        const before = decision.events.filter((e) => e.id !== 'DHCP_OFFER')
        this.logEvents(before, d.source)
        for (const e of before) logged.add(e.id)
      }
      this.pinging.set(key, probe.address)
      this.counters.pings++
      let result
      try {
        result = await this.prober.probe(probe.address, probe.timeoutMs)
      } finally {
        this.pinging.delete(key)
      }
      if (result === 'silent') {
        this.pings.passed(probe.address, key, this.now())
        break
      }
      this.counters.pingConflicts++
      answered.add(probe.address)
      this.pings.conflicted(probe.address)
      const conflict = this.pipeline.reportConflict(probe.address, this.now())
      if (conflict.changes.length > 0 && !(await this.commit(conflict.changes))) return undefined
      this.logEvents(conflict.events, d.source)
      decision = this.decide(d)
    }
    return { decision, logged }
  }

  /** Journals `changes`; false (logged) when the write failed and the reply must not go. */
  private async commit(changes: readonly LeaseChange[]): Promise<boolean> {
    try {
      await this.journal.commit(changes)
    } catch (err) {
      this.counters.commitFailures++
      this.throttled('LEASE_COMMIT_FAILED', 'journal', `lease file write failed, reply not sent: ${err instanceof Error ? err.message : String(err)}`, 'error')
      return false
    }
    this.counters.committed += changes.length
    return true
  }

  private decide(d: InboundDatagram): Decision {
    return this.pipeline.handle(d.receivedBroadcast === undefined
      ? { datagram: d.data, receivedOn: d.receivedOn, now: this.now() }
      : { datagram: d.data, receivedOn: d.receivedOn, now: this.now(), receivedBroadcast: d.receivedBroadcast })
  }

  /** Sends the reply and logs; events whose id is in `alreadyLogged` were logged before a probe. */
  private finish(d: InboundDatagram, decision: Decision, alreadyLogged: ReadonlySet<string> | undefined, arrived: number): void {
    const reply = decision.reply
    if (reply !== undefined) {
      this.transport.send(reply.bytes, reply.route, d.receivedOn)
      this.counters.replies++
      this.observer?.replied(reply.messageType, (this.monotonic() - arrived) / 1000)
    } else if (decision.drop !== undefined) {
      this.observer?.dropped(decision.drop)
    }
    this.logEvents(alreadyLogged === undefined ? decision.events : decision.events.filter((e) => !alreadyLogged.has(e.id)), d.source)
  }

  private logEvents(events: readonly LogEvent[], source: string): void {
    for (const e of events) {
      if (!this.log.enabled(e.level)) continue
      if (e.id === 'DHCP_PACKET_DROPPED') this.throttled(e.id, source, e.text, e.level)
      else this.log.log(e.level, e.id, e.text, e.fields)
    }
  }

  private internalError(err: unknown): void {
    this.counters.errors++
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err)
    this.throttled('DHCP_INTERNAL_ERROR', 'internal', `internal error while handling a packet (dropped): ${text}`, 'error')
  }

  private throttled(id: string, source: string, text: string, level: 'info' | 'warn' | 'error' | 'debug' = 'warn'): void {
    if (!this.log.enabled(level)) return
    const suppressed = this.throttle.admit(`${id}/${source}`, this.now())
    if (suppressed === undefined) return
    this.log.log(level, id, suppressed > 0 ? `${text} (${suppressed} similar suppressed)` : text, { source })
  }
}

/** chaddr of a BOOTREQUEST as ISC prints it (`02:4f:00:00:00:01`). */
function hardwareOf(d: Buffer): string {
  const hlen = Math.min(d[2] ?? 0, 16)
  if (d.length < 28 + hlen) return 'unknown client'
  return [...d.subarray(28, 28 + hlen)].map((b) => b.toString(16).padStart(2, '0')).join(':')
}
