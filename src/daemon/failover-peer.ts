/**
 * The driver of one failover relationship: owns the transport, runs the CONNECT/CONNECTACK
 * handshake (handshake.ts), feeds the pure machine (machine.ts) its inputs and runs the effects
 * in order — `persist` is written and fsynced (LeaseDatabase.recordPeerState) before anything
 * else of that step, and a failed write abandons the transition (failover-protocol.md §3.3).
 * Link timers (CONTACT, receive timeout, link startup) come from link-timers.ts.
 * Lease updates (BNDUPD/BNDACK, UPDREQ answers, pool balancing) are failover-updates.ts.
 */
import type { FailoverPeer } from '../config/model.js'
import type { Lease, LeaseChange } from '../core/lease.js'
import { LeaseUpdates, type PeerLeaseDatabase, type UpdateCounters, type UpdateLink } from './failover-updates.js'
import { inRanges, type RelationshipPool } from './failover-bindings.js'
import { partnerDownAdjustment } from '../ha/failover/address-ownership.js'
import type { RelationshipView } from '../ha/failover/failover-pool-policy.js'
import { FailoverTransport, type FailoverConnection, type FailoverTransportEvents, type FailoverTransportOptions } from '../io/failover-transport.js'
import { MessageType } from '../protocol/failover/constants.js'
import type { FailoverMessage } from '../protocol/failover/message.js'
import {
  bareMessage, connectAckMessage, connectMessage, disconnectMessage, stateMessage,
  viewConnect, viewConnectAck, viewDisconnect, viewState,
} from '../protocol/failover/messages.js'
import { rejectReasonText } from '../protocol/failover/constants.js'
import { checkConnect, checkConnectAck } from '../ha/failover/handshake.js'
import { dueLinkActions } from '../ha/failover/link-timers.js'
import { hbaFromSplit } from '../ha/failover/load-balance.js'
import { effectiveState, startMachine, step, type Effect, type Input, type Machine, type MachineConfig } from '../ha/failover/machine.js'
import { servicePolicy, type FailoverState, type ServicePolicy } from '../ha/failover/states.js'
import type { Logger } from './logger.js'

export const VENDOR_CLASS = 'hadhcpd'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export type { PeerLeaseDatabase } from './failover-updates.js'

/** What the control API and the metrics read about a relationship (times are Unix seconds). */
export interface FailoverSnapshot {
  readonly name: string
  readonly state: FailoverState
  readonly stos: number
  readonly peerState: FailoverState
  readonly peerStateAt: number
  readonly connected: boolean
  readonly lastContact: number | undefined
  readonly skew: number | undefined
  readonly mclt: number
  readonly pending: number
  readonly unacked: number
  /** FREE and BACKUP addresses in the relationship's ranges (never-used ones count as FREE). */
  readonly free: number
  readonly backup: number
  /** Binding-update counters since start. */
  readonly updates: Readonly<UpdateCounters>
  /** Updates waiting to be sent or acked. */
  readonly queueDepth: number
}

/** Result of an operator's PARTNER-DOWN command. */
export type PartnerDownResult =
  | { readonly ok: true; readonly state: 'partner-down'; readonly previous: FailoverState }
  | { readonly ok: false; readonly error: 'already-partner-down' | 'in-startup' | 'not-recorded' | 'stopped'; readonly message: string }

/**
 * How long a graceful stop waits for the peer's PARTNER-DOWN (and for our un-acked updates):
 * dhcpd gives that phase about 4 s (failover-protocol.md §3.4).
 */
export const GRACEFUL_STOP_WAIT_MS = 5000

/** How a graceful stop ({@link FailoverPeerDriver.gracefulStop}) went. */
export type GracefulStopOutcome =
  /** We went SHUTDOWN and the peer confirmed PARTNER-DOWN: it serves the whole pool now. */
  | 'confirmed'
  /** We went SHUTDOWN but no PARTNER-DOWN came within the bound (or the link dropped first). */
  | 'unconfirmed'
  /** No link to the peer: nothing to announce; stopped as on SIGTERM. */
  | 'not-connected'
  /** Not NORMAL (dhcpd only hands a NORMAL relationship over): stopped as on SIGTERM. */
  | 'not-normal'
  /** SHUTDOWN could not be written to the lease file: stopped as on SIGTERM. */
  | 'not-recorded'
  /** The driver was already stopping. */
  | 'stopped'

export interface GracefulStopResult {
  readonly peer: string
  readonly outcome: GracefulStopOutcome
  /** The peer confirmed PARTNER-DOWN. */
  readonly confirmed: boolean
  /** Our state when the stop began (the saved one while in STARTUP). */
  readonly previous: FailoverState
  /** The state in the lease file for the next start, and its STOS (Unix seconds). */
  readonly recorded: FailoverState
  readonly recordedStos: number
  /** STOS was backdated by MCLT (peer PARTNER-DOWN, nothing queued): the next start skips RECOVER-WAIT. */
  readonly backdated: boolean
  /** The peer's last known state. */
  readonly peerState: FailoverState
  /** BNDUPDs still waiting to be sent or acknowledged when the link was dropped. */
  readonly pendingUpdates: number
  /** From sending SHUTDOWN to the peer's PARTNER-DOWN (or to giving up), ms; 0 when nothing was announced. */
  readonly waitedMs: number
  /** One line for the log and the operator. */
  readonly message: string
}

/** The transport as the driver uses it (tests inject an in-memory one). */
export interface PeerTransport {
  start(): Promise<void>
  setLinked(linked: boolean): void
  close(): Promise<void>
}

export interface DriverOptions {
  /** Unix seconds. */
  readonly clock?: () => number
  readonly transport?: (o: FailoverTransportOptions, e: FailoverTransportEvents) => PeerTransport
  /** Period of the timer poll, ms; 0 = none (tests call {@link FailoverPeerDriver.poll}). */
  readonly pollMs?: number
  /** The relationship's pools for pool balancing (default: one pool of all ranges). */
  readonly pools?: readonly RelationshipPool[]
  /** Pool-balancing schedule jitter, 0..4 (default random; tests pin it). */
  readonly jitter?: () => number
  /** Default bound of {@link FailoverPeerDriver.gracefulStop}'s wait, ms (default {@link GRACEFUL_STOP_WAIT_MS}). */
  readonly gracefulStopWaitMs?: number
  /** A monotonic clock in ms for measuring that wait (default performance.now). */
  readonly monotonicMs?: () => number
}

interface Link {
  readonly conn: FailoverConnection
  readonly connectedAt: number
  established: number | undefined
  lastSent: number
  lastReceived: number
  xid: number
  peerReceiveTimer: number
  peerMaxUnacked: number
}

/** One relationship as metrics read it on a scrape. */

export class FailoverPeerDriver {
  readonly cfg: MachineConfig
  private machine!: Machine
  private readonly transport: PeerTransport
  private readonly clock: () => number
  private readonly pending = new Map<number, Link>()
  private link: Link | undefined
  private hba: Buffer | undefined
  private chain: Promise<void> = Promise.resolve()
  private ticker: NodeJS.Timeout | undefined
  /** Set once the machine takes no more inputs (a stop records nothing more). */
  private stopped = false
  /** The stop (plain or graceful) in progress or done. */
  private stopping: Promise<void> | undefined
  private balancing = false
  /** Peer header time − our clock at the last accepted CONNECT/CONNECTACK, seconds (a gauge for metrics). */
  lastSkew: number | undefined
  private readonly updates: LeaseUpdates
  /** Tells the engine about lease changes the peer made (set by the composition root). */
  onLeaseChange: (change: LeaseChange) => void = () => undefined
  /**
   * PARTNER-DOWN and STOS + MCLT has passed: addresses the peer owned may now be allocated, so the
   * engine's allocator should look at them again (set by the composition root).
   */
  onPeerAddressesUsable: () => void = () => undefined
  /** STOS of the PARTNER-DOWN period for which onPeerAddressesUsable has fired. */
  private peerUsableSignalled: number | undefined
  private adjusting: Promise<void> = Promise.resolve()

  constructor(
    readonly peer: FailoverPeer,
    private readonly store: PeerLeaseDatabase,
    private readonly log: Logger,
    private readonly ranges: ReadonlyArray<readonly [number, number]>,
    private readonly options: DriverOptions = {},
  ) {
    this.clock = options.clock ?? (() => Math.floor(Date.now() / 1000))
    this.updates = new LeaseUpdates({
      name: peer.name, role: peer.role, db: store, log, ranges, clock: this.clock,
      link: () => (this.link === undefined || !this.link.conn.open ? undefined : this.updateLink(this.link)),
      state: () => this.machine.state,
      onLeaseChange: (c) => this.onLeaseChange(c),
      balance: { maxLeaseMisbalance: peer.maxLeaseMisbalance, maxLeaseOwnership: peer.maxLeaseOwnership, minBalance: peer.minBalance, maxBalance: peer.maxBalance },
      hba: () => this.hba,
      ...(options.pools === undefined ? {} : { pools: options.pools }),
      ...(options.jitter === undefined ? {} : { jitter: options.jitter }),
    })
    this.cfg = { name: peer.name, role: peer.role, mclt: peer.mclt ?? 0, autoPartnerDown: peer.autoPartnerDown }
    this.hba = peer.role === 'primary' ? (peer.hba ?? hbaFromSplit(peer.split ?? 128)) : undefined
    const make = options.transport ?? ((o, e) => new FailoverTransport(o, e))
    this.transport = make(
      { address: peer.address, port: peer.port, peerAddress: peer.peerAddress, peerPort: peer.peerPort },
      {
        onOpen: (c) => this.opened(c),
        onMessage: (c, m) => this.received(c, m),
        onClose: (c, reason) => this.closedConn(c, reason),
        onLog: (level, id, text) => this.log.log(level, id, text),
      },
    )
  }

  /** Current state (the saved one while in STARTUP counts as STARTUP: not serving). */
  get state(): FailoverState {
    return this.machine.state
  }

  get peerState(): FailoverState {
    return this.machine.peerState
  }

  /** The HBA in force: ours (primary) or the one the primary sent in CONNECT (secondary). */
  get hashBuckets(): Buffer | undefined {
    return this.hba
  }

  policy(): ServicePolicy {
    return servicePolicy(this.machine.state, this.cfg.role, this.machine.peerState)
  }

  /** State, role, STOS, MCLT in force and the peer's state, for the allocation and rewind rules (address-ownership.ts, rewind.ts). */
  ownershipView(): RelationshipView {
    return { state: this.machine.state, role: this.cfg.role, stos: this.machine.stos, mclt: this.machine.mclt, peerState: this.machine.peerState }
  }

  /** Start time of our current state (STOS), Unix seconds. */
  get stateSince(): number {
    return this.machine.stos
  }

  /** The MCLT in force (a secondary's is the primary's, learned in CONNECT). */
  get mclt(): number {
    return this.machine.mclt
  }

  /**
   * Operator command: move to PARTNER-DOWN (ISC's OMAPI `set local-state = 4`, failover-protocol.md
   * §3.4). Allowed from any state but PARTNER-DOWN itself — the operator asserts that the partner
   * is really down. The move is persisted (fsync) before it takes effect and logged as
   * `failover peer NAME: I move from X to partner-down`.
   */
  async partnerDown(): Promise<PartnerDownResult> {
    const name = this.peer.name
    let result: PartnerDownResult | undefined
    this.chain = this.chain.then(async () => {
      if (this.stopped || this.stopping !== undefined) {
        result = { ok: false, error: 'stopped', message: `failover peer ${name}: server is stopping` }
        return
      }
      const previous = effectiveState(this.machine)
      if (this.machine.state === 'partner-down') {
        result = { ok: false, error: 'already-partner-down', message: `failover peer ${name}: already in partner-down since ${new Date(this.machine.stos * 1000).toISOString()}` }
        return
      }
      if (this.machine.state === 'startup') {
        // Leaving STARTUP keeps the old STOS (§3.2); PARTNER-DOWN must start now, so wait for STARTUP to end.
        result = { ok: false, error: 'in-startup', message: `failover peer ${name}: still in startup (saved state ${previous}); retry in a few seconds` }
        return
      }
      this.log.log('info', 'FAILOVER_OPERATOR_COMMAND', `failover peer ${name}: operator command: partner-down (was ${previous})`)
      const [m, effects] = step(this.machine, { kind: 'command', at: this.clock(), state: 'partner-down' }, this.cfg)
      const applied = await this.apply(m, effects)
      result = applied && this.state === 'partner-down'
        ? { ok: true, state: 'partner-down', previous }
        : { ok: false, error: 'not-recorded', message: `Unable to record current failover state for ${name}` }
    }).catch((err: unknown) => {
      result = { ok: false, error: 'not-recorded', message: err instanceof Error ? err.message : String(err) }
    })
    await this.chain
    return result ?? { ok: false, error: 'stopped', message: `failover peer ${name}: command not run` }
  }

  /** Starts from the persisted state block (§3.2), binds, dials. */
  async start(): Promise<void> {
    const persisted = this.store.peerStates().get(this.peer.name)
    const [m, effects] = startMachine(this.cfg, persisted, this.clock())
    this.machine = m
    await this.apply(m, effects)
    await this.transport.start()
    const pollMs = this.options.pollMs ?? 1000
    if (pollMs > 0) {
      this.ticker = setInterval(() => this.poll(), pollMs)
      this.ticker.unref()
    }
  }

  /**
   * Stops as dhcpd does on SIGTERM: the link is dropped and nothing more is recorded (the saved
   * state stays; the peer sees the link fail and goes COMMUNICATIONS-INTERRUPTED, §3.4).
   */
  stop(): Promise<void> {
    this.stopping ??= this.halt()
    return this.stopping
  }

  /** Takes the machine off its inputs, lets queued steps finish, closes the transport. */
  private async halt(): Promise<void> {
    this.stopped = true
    if (this.ticker) clearInterval(this.ticker)
    await this.chain
    await this.adjusting
    await this.transport.close()
  }

  /**
   * Planned stop that hands the relationship over, as dhcpd's OMAPI shutdown (failover-protocol.md
   * §3.4): a NORMAL relationship with a live link moves to SHUTDOWN (persisted and fsynced before
   * the STATE that announces it), so the peer goes PARTNER-DOWN at once instead of sitting in
   * COMMUNICATIONS-INTERRUPTED. We wait up to `waitMs` for the peer's PARTNER-DOWN and for our
   * un-acked BNDUPDs (re-queued on leaving NORMAL, re-sent as acks arrive), drop the link, then record RECOVER — with STOS
   * backdated by MCLT when the peer confirmed and nothing was left queued (the machine's rule), so
   * the next start needs no RECOVER-WAIT — and stop. Without a link, or in any other state, this
   * is {@link stop}: there is nothing to announce, or no safe hand-over (dhcpd only hands NORMAL
   * over). `abort` cuts the wait short (a second SIGTERM). Never rejects.
   */
  async gracefulStop(waitMs: number = this.options.gracefulStopWaitMs ?? GRACEFUL_STOP_WAIT_MS, abort?: AbortSignal): Promise<GracefulStopResult> {
    const name = this.peer.name
    const base = (): Omit<GracefulStopResult, 'outcome' | 'message'> => ({
      peer: name, confirmed: false, previous: effectiveState(this.machine), recorded: effectiveState(this.machine), recordedStos: this.machine.stos,
      backdated: false, peerState: this.machine.peerState, pendingUpdates: this.updates.queueDepth, waitedMs: 0,
    })
    if (this.stopping !== undefined) {
      await this.stopping
      return { ...base(), outcome: 'stopped', message: `failover peer ${name}: already stopping` }
    }
    let done!: () => void
    this.stopping = new Promise<void>((r) => {
      done = r
    })
    try {
      return await this.handOver(waitMs, abort)
    } catch (err) {
      this.log.log('error', 'FAILOVER_DRIVER_ERROR', `failover peer ${name}: graceful shutdown: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
      await this.halt().catch(() => undefined)
      return { ...base(), outcome: 'not-recorded', message: `failover peer ${name}: graceful shutdown failed: ${err instanceof Error ? err.message : String(err)}` }
    } finally {
      done()
    }
  }

  private async handOver(waitMs: number, abort: AbortSignal | undefined): Promise<GracefulStopResult> {
    const name = this.peer.name
    const previous = effectiveState(this.machine)
    const plain = async (outcome: GracefulStopOutcome, why: string): Promise<GracefulStopResult> => {
      await this.halt()
      const message = `failover peer ${name}: not handed over (${why}); stopping as on SIGTERM, ${previous} stays recorded`
      this.log.log(outcome === 'not-recorded' ? 'error' : 'info', 'FAILOVER_SHUTDOWN_SKIPPED', message)
      return {
        peer: name, outcome, confirmed: false, previous, recorded: effectiveState(this.machine), recordedStos: this.machine.stos,
        backdated: false, peerState: this.machine.peerState, pendingUpdates: this.updates.queueDepth, waitedMs: 0, message,
      }
    }
    // 1. NORMAL → SHUTDOWN, in the machine's order like every other step (persist, log, STATE).
    let announced: 'yes' | 'not-connected' | 'not-normal' | 'not-recorded' = 'not-connected'
    await this.exclusive(async () => {
      if (!this.linkUp()) return
      if (this.machine.state !== 'normal') {
        announced = 'not-normal'
        return
      }
      this.log.log('info', 'FAILOVER_OPERATOR_COMMAND', `failover peer ${name}: operator command: shutdown (was normal); asking the peer to take over (partner-down)`)
      const [m, effects] = step(this.machine, { kind: 'command', at: this.clock(), state: 'shutdown' }, this.cfg)
      if (!(await this.apply(m, effects)) || effectiveState(this.machine) !== 'shutdown') {
        announced = 'not-recorded'
        return
      }
      // Leaving NORMAL re-queued the un-acked BNDUPDs; each BNDACK still due sends the queue again.
      announced = 'yes'
    })
    if (announced === 'not-connected') return plain('not-connected', 'no link to the peer: nothing to announce')
    if (announced === 'not-normal') return plain('not-normal', `state ${previous}: only a NORMAL relationship is handed over`)
    if (announced === 'not-recorded') return plain('not-recorded', `Unable to record current failover state for ${name}`)

    // 2. Wait for the peer's PARTNER-DOWN and an empty update queue, or the bound, or the link to drop.
    const t0 = this.nowMs()
    let confirmedAt: number | undefined
    const deadline = t0 + waitMs
    for (;;) {
      if (confirmedAt === undefined && this.machine.peerState === 'partner-down') confirmedAt = this.nowMs()
      if (confirmedAt !== undefined && this.updates.queueDepth === 0) break
      if (!this.linkUp() || abort?.aborted === true || this.nowMs() >= deadline) break
      await sleep(Math.min(10, Math.max(1, deadline - this.nowMs())))
    }
    const confirmed = confirmedAt !== undefined
    const waitedMs = Math.round((confirmedAt ?? this.nowMs()) - t0)

    // 3. Drop the link (the machine takes no more inputs), then SHUTDOWN → RECOVER as dhcpd does.
    this.stopped = true
    if (this.ticker) clearInterval(this.ticker)
    await this.chain
    // The peer's BNDUPDs already received get their BNDACK (after their fsync) before the link goes.
    await this.updates.settled()
    const pendingUpdates = this.updates.queueDepth
    await this.transport.close()
    let m = this.machine
    const effects: Effect[] = []
    const at = this.clock()
    if (m.linked) {
      const [next, e] = step(m, { kind: 'disconnected', at }, this.cfg)
      m = next
      effects.push(...e)
    }
    const [next, e] = step(m, { kind: 'command', at, state: 'recover', updatesPending: pendingUpdates > 0 }, this.cfg)
    effects.push(...e)
    const recorded = await this.apply(next, effects)
    await this.adjusting
    const backdated = recorded && this.machine.state === 'recover' && this.machine.stos < at
    const why = confirmed
      ? `the peer confirmed partner-down after ${waitedMs} ms`
      : `no partner-down from the peer within ${waitedMs} ms${this.machine.peerState === 'partner-down' ? '' : ` (peer ${this.machine.peerState})`}`
    const rec = !recorded
      ? `Unable to record current failover state for ${name}: shutdown stays recorded`
      : backdated
        ? `recover recorded, STOS backdated by MCLT (${this.machine.mclt} s): no recover-wait on restart`
        : `recover recorded${pendingUpdates > 0 ? ` (${pendingUpdates} update(s) not acknowledged)` : ''}: the restart waits out MCLT in recover-wait`
    const message = `failover peer ${name}: graceful shutdown: ${why}; ${rec}`
    this.log.log(confirmed && recorded ? 'info' : 'warn', 'FAILOVER_SHUTDOWN_DONE', message)
    return {
      peer: name, outcome: confirmed ? 'confirmed' : 'unconfirmed', confirmed, previous,
      recorded: effectiveState(this.machine), recordedStos: this.machine.stos, backdated,
      peerState: this.machine.peerState, pendingUpdates, waitedMs, message,
    }
  }

  /** Runs `fn` in the machine's queue (after every step fed before it). */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn)
    this.chain = run.catch((err: unknown) => this.log.log('error', 'FAILOVER_DRIVER_ERROR', `failover peer ${this.peer.name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`))
    return run
  }

  /** A CONNECT/CONNECTACK exchange completed and the connection is still open. */
  private linkUp(): boolean {
    return this.link !== undefined && this.link.conn.open && this.machine.linked
  }

  private nowMs(): number {
    return (this.options.monotonicMs ?? (() => performance.now()))()
  }

  // ---- machine -------------------------------------------------------------------------------

  private feed(input: Input): void {
    this.chain = this.chain.then(async () => {
      // Like dhcpd on SIGTERM: a stop records nothing more (the saved state stays, §3.4).
      if (this.stopped) return
      const [m, effects] = step(this.machine, input, this.cfg)
      await this.apply(m, effects)
    }).catch((err: unknown) => this.log.log('error', 'FAILOVER_DRIVER_ERROR', `failover peer ${this.peer.name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`))
  }

  /** Runs effects in order; persist first (fsync), abandoning the step if it fails. */
  private async apply(next: Machine, effects: readonly Effect[]): Promise<boolean> {
    for (const e of effects) {
      if (e.kind !== 'persist') continue
      try {
        await this.store.recordPeerState(e.record)
      } catch (err) {
        this.log.log('error', 'FAILOVER_PERSIST_FAILED', `Unable to record current failover state for ${this.peer.name}: ${err instanceof Error ? err.message : String(err)}`)
        return false
      }
    }
    this.machine = next
    for (const e of effects) this.run(e)
    return true
  }

  private run(e: Effect): void {
    switch (e.kind) {
      case 'persist':
        return
      case 'log':
        this.log.log(e.level === 'fatal' ? 'error' : e.level, e.event, e.text)
        return
      case 'send-state':
        this.send(stateMessage({ ...this.header(), serverState: e.code, startup: e.startup, stos: e.stos }))
        return
      case 'arm-timer':
      case 'cancel-timer':
        // Timers live in the machine (`timers`); the 1 s ticker feeds `tick`.
        return
      case 'request-updates':
        this.send(bareMessage(e.all ? MessageType.UPDREQALL : MessageType.UPDREQ, this.header()))
        return
      case 'exit':
        this.log.log('error', 'FAILOVER_FATAL', e.reason)
        return
      case 'requeue-unacked':
        this.updates.requeueUnacked()
        return
      case 'send-pending-updates':
        this.updates.sendPending()
        return
      case 'rebalance-pools':
        // Both roles balance on NORMAL (§6.2): the secondary gives surplus BACKUP back as FREE.
        if (!this.balancing) {
          this.balancing = true
          void this.updates.rebalance().catch((err: unknown) =>
            this.log.log('error', 'FAILOVER_BALANCE_FAILED', `failover peer ${this.peer.name}: pool balancing failed: ${err instanceof Error ? err.message : String(err)}`),
          ).finally(() => {
            this.balancing = false
          })
        }
        return
      case 'partner-down-leases':
        this.peerUsableSignalled = undefined
        this.adjustForPartnerDown(this.store.store.leases())
        return
      default:
        return
    }
  }

  /**
   * PARTNER-DOWN (§3.3 entry action, §4.3): EXPIRED/RELEASED/RESET leases of the relationship get
   * tsfp raised to their re-use time and our own free state as next state, journalled, so expiry
   * reclamation hands them to us once that time has passed (address-ownership.ts).
   */
  private adjustForPartnerDown(leases: Iterable<Lease>): void {
    if (this.machine.state !== 'partner-down') return
    const ctx = { stos: this.machine.stos, mclt: this.machine.mclt, role: this.cfg.role }
    const changes: LeaseChange[] = []
    for (const lease of leases) {
      if (!inRanges(this.ranges, lease.address)) continue
      const adj = partnerDownAdjustment(ctx, lease)
      if (adj !== undefined) changes.push(this.store.store.upsert({ ...lease, ...adj }, 'admin'))
    }
    if (changes.length === 0) return
    for (const c of changes) this.onLeaseChange(c)
    this.adjusting = this.adjusting.then(() => this.store.commit(changes)).catch((err: unknown) =>
      this.log.log('error', 'LEASE_COMMIT_FAILED', `failover peer ${this.peer.name}: partner-down lease update not written: ${err instanceof Error ? err.message : String(err)}`))
  }

  // ---- link ----------------------------------------------------------------------------------

  private header(link: Link | undefined = this.link): { time: number; xid: number } {
    const xid = link === undefined ? 0 : link.xid++
    return { time: this.clock(), xid }
  }

  private send(msg: FailoverMessage, link: Link | undefined = this.link): void {
    if (link === undefined || !link.conn.open) return
    link.conn.send(msg)
    link.lastSent = this.clock()
  }

  private opened(conn: FailoverConnection): void {
    const now = this.clock()
    const l: Link = { conn, connectedAt: now, established: undefined, lastSent: now, lastReceived: now, xid: 0, peerReceiveTimer: 0, peerMaxUnacked: 0 }
    this.pending.set(conn.id, l)
    this.log.log('info', 'FAILOVER_CONNECTION', `failover peer ${this.peer.name}: ${conn.direction} connection ${conn.id} up`)
    if (this.cfg.role === 'primary') {
      this.send(connectMessage({
        ...this.header(l),
        relationshipName: this.peer.name,
        maxUnacked: this.peer.maxUnackedUpdates,
        receiveTimer: this.peer.maxResponseDelay,
        vendorClass: VENDOR_CLASS,
        mclt: this.cfg.mclt,
        hba: this.hba,
      }), l)
    }
  }

  private closedConn(conn: FailoverConnection, reason: string): void {
    this.pending.delete(conn.id)
    if (this.link?.conn !== conn) return
    this.link = undefined
    this.updates.linkDown()
    this.log.log('info', 'FAILOVER_LINK_DOWN', `failover peer ${this.peer.name}: link closed (${reason})`)
    this.transport.setLinked(false)
    this.feed({ kind: 'disconnected', at: this.clock() })
  }

  private established(l: Link, peerReceiveTimer: number, peerMaxUnacked: number): void {
    l.established = this.clock()
    l.peerReceiveTimer = peerReceiveTimer
    l.peerMaxUnacked = peerMaxUnacked
    this.pending.delete(l.conn.id)
    this.link = l
    this.updates.linkUp(peerMaxUnacked)
    this.transport.setLinked(true)
    for (const other of [...this.pending.values()]) other.conn.close()
  }

  private received(conn: FailoverConnection, msg: FailoverMessage): void {
    const l = this.link?.conn === conn ? this.link : this.pending.get(conn.id)
    if (l === undefined) return
    const now = this.clock()
    l.lastReceived = now
    if (l.established === undefined) {
      this.handshake(l, msg, now)
      return
    }
    switch (msg.type) {
      case MessageType.STATE: {
        const v = viewState(msg)
        if (v.serverState === undefined) return
        this.feed({ kind: 'peer-state', at: now, code: v.serverState, startup: v.startup })
        return
      }
      case MessageType.CONTACT:
        return
      case MessageType.UPDREQ:
      case MessageType.UPDREQALL:
        this.updates.updateRequest(msg)
        return
      case MessageType.UPDDONE:
        this.feed({ kind: 'update-done', at: now })
        return
      case MessageType.BNDUPD:
        this.updates.received(this.updateLink(l), msg)
        return
      case MessageType.BNDACK:
        this.updates.bindingAck(msg)
        return
      case MessageType.POOLRESP:
        this.updates.balancer.poolResponse(msg)
        return
      case MessageType.POOLREQ:
        void this.updates.balancer.poolRequest(msg).catch((err: unknown) => this.balanceFailed(err))
        return
      case MessageType.DISCONNECT: {
        const d = viewDisconnect(msg)
        this.log.log('warn', 'FAILOVER_DISCONNECT_RECEIVED', `Failover DISCONNECT from ${this.peer.name}: ${rejectReasonText(d.rejectReason ?? 254)}`)
        conn.close()
        return
      }
      case MessageType.CONNECT: {
        const c = viewConnect(msg)
        this.send(connectAckMessage({ time: now, xid: msg.xid, relationshipName: c.relationshipName ?? this.peer.name, maxUnacked: this.peer.maxUnackedUpdates, receiveTimer: this.peer.maxResponseDelay, vendorClass: VENDOR_CLASS, tlsReply: c.tlsRequest === undefined ? undefined : 0, rejectReason: 7 }), l)
        return
      }
      default:
        return
    }
  }

  /** Records the measured clock skew; dhcpd refuses beyond ±60 s, we warn from 10 s on. */
  private noteSkew(skew: number): void {
    this.lastSkew = skew
    if (Math.abs(skew) >= 10) {
      this.log.log('warn', 'FAILOVER_CLOCK_SKEW', `failover peer ${this.peer.name}: peer clock differs from ours by ${skew} s (limit 60 s; keep both in NTP sync)`)
    }
  }

  private handshake(l: Link, msg: FailoverMessage, now: number): void {
    const name = this.peer.name
    if (msg.type === MessageType.CONNECT && this.cfg.role === 'secondary') {
      const c = viewConnect(msg)
      const verdict = checkConnect(c, msg.time, { now, knownNames: new Set([name]), alreadyLinked: () => this.link !== undefined })
      const ackBase = {
        time: now, xid: msg.xid, relationshipName: c.relationshipName ?? name, maxUnacked: this.peer.maxUnackedUpdates,
        receiveTimer: this.peer.maxResponseDelay, vendorClass: VENDOR_CLASS, tlsReply: c.tlsRequest === undefined ? undefined : 0,
      }
      if (!verdict.accept) {
        this.log.log('warn', 'FAILOVER_CONNECT_REJECTED', verdict.log)
        this.send(connectAckMessage({ ...ackBase, rejectReason: verdict.reason, message: verdict.message }), l)
        l.conn.close()
        return
      }
      this.hba = c.hba
      this.noteSkew(verdict.skew)
      this.send(connectAckMessage(ackBase), l)
      this.established(l, c.receiveTimer ?? this.peer.maxResponseDelay, c.maxUnacked ?? 1)
      if (c.mclt !== undefined) this.feed({ kind: 'mclt', at: now, mclt: c.mclt })
      this.feed({ kind: 'connected', at: now })
      return
    }
    if (msg.type === MessageType.CONNECTACK && this.cfg.role === 'primary') {
      const a = viewConnectAck(msg)
      const verdict = checkConnectAck(a, msg.time, { now, name, alreadyLinked: this.link !== undefined })
      if (!verdict.accept) {
        this.log.log('warn', 'FAILOVER_CONNECTACK_REJECTED', verdict.log)
        if (verdict.disconnect === true) this.send(disconnectMessage(this.header(l), verdict.reason, verdict.message), l)
        l.conn.close()
        return
      }
      this.noteSkew(verdict.skew)
      this.established(l, a.receiveTimer ?? this.peer.maxResponseDelay, a.maxUnacked ?? 1)
      this.feed({ kind: 'connected', at: now })
      return
    }
    if (msg.type === MessageType.DISCONNECT) {
      const d = viewDisconnect(msg)
      this.log.log('warn', 'FAILOVER_DISCONNECT_RECEIVED', `Failover DISCONNECT from ${name}: ${rejectReasonText(d.rejectReason ?? 254)}`)
      l.conn.close()
    }
  }

  /** Resolves when every queued machine step and BNDUPD has been handled. */
  async settled(): Promise<void> {
    let before: Promise<void> | undefined
    while (before !== this.chain) {
      before = this.chain
      await Promise.all([this.chain, this.updates.settled()])
    }
  }

  /** Link timers (CONTACT, receive timeout, link startup) and machine timers due now. */
  poll(): void {
    const now = this.clock()
    for (const l of [...this.pending.values(), ...(this.link ? [this.link] : [])]) {
      const actions = dueLinkActions({
        connectedAt: l.connectedAt, establishedAt: l.established, lastSent: l.lastSent, lastReceived: l.lastReceived,
        peerReceiveTimer: l.peerReceiveTimer, maxResponseDelay: this.peer.maxResponseDelay,
      }, now)
      for (const a of actions) {
        if (a === 'send-contact') this.send(bareMessage(MessageType.CONTACT, this.header(l)), l)
        else if (a === 'receive-timeout') {
          this.log.log('warn', 'FAILOVER_RECEIVE_TIMEOUT', `timeout waiting for failover peer ${this.peer.name}`)
          l.conn.close()
        } else {
          this.log.log('warn', 'FAILOVER_LINK_STARTUP_TIMEOUT', 'failover: link startup timeout')
          l.conn.close()
        }
      }
    }
    const timers = Object.values(this.machine.timers)
    if (timers.some((t) => t !== undefined && t <= now)) this.feed({ kind: 'tick', at: now })
    const m = this.machine
    if (m.state === 'partner-down' && this.peerUsableSignalled !== m.stos && now >= m.stos + m.mclt) {
      this.peerUsableSignalled = m.stos
      this.log.log('info', 'FAILOVER_PARTNER_DOWN_MCLT', `failover peer ${this.peer.name}: partner-down since ${new Date(m.stos * 1000).toISOString()}, MCLT (${m.mclt} s) has passed: the partner's free addresses are usable`)
      this.onPeerAddressesUsable()
    }
    this.updates.balancer.poll(now)
  }

  private balanceFailed(err: unknown): void {
    this.log.log('error', 'FAILOVER_BALANCE_FAILED', `failover peer ${this.peer.name}: pool balancing failed: ${err instanceof Error ? err.message : String(err)}`)
  }

  /** Local lease changes, after their journal commit (hooked into the daemon's commit path). */
  leasesCommitted(changes: readonly LeaseChange[]): void {
    this.updates.leasesCommitted(changes)
    // A lease that becomes EXPIRED/RELEASED/RESET during PARTNER-DOWN gets the same treatment (§4.3).
    if (this.machine.state === 'partner-down') {
      const fresh: Lease[] = []
      for (const c of changes) {
        const now = this.store.store.get(c.address)
        if (now !== undefined && c.after !== undefined) fresh.push(now)
      }
      this.adjustForPartnerDown(fresh)
    }
  }

  /** Whether the peer holds free-state addresses to serve its load-balance share with. */
  peerHasFreeLeases(): boolean {
    return this.updates.peerHasFreeLeases()
  }

  private updateLink(l: Link): UpdateLink {
    return {
      send: (msg) => this.send(msg, l),
      nextBndupdXid: () => {
        if (l.xid === 0) l.xid = 1
        return l.xid++
      },
    }
  }

  /** What the control API and the metrics read (times are Unix seconds). */
  snapshot(): FailoverSnapshot {
    const m = this.machine
    let free = 0
    let backup = 0
    for (const [first, last] of this.ranges) {
      for (let a = first; a <= last; a++) {
        const st = this.store.store.get(a)?.bindingState ?? 'free'
        if (st === 'free') free++
        else if (st === 'backup') backup++
      }
    }
    return {
      name: this.peer.name, state: m.state, stos: m.stos, peerState: m.peerState, peerStateAt: m.peerStateAt,
      connected: this.link !== undefined && this.link.conn.open,
      lastContact: this.link?.lastReceived, skew: this.lastSkew, mclt: m.mclt,
      ...this.updates.backlog, free, backup,
      updates: { ...this.updates.counters }, queueDepth: this.updates.queueDepth,
    }
  }

  /**
   * Operator-requested pool balancing run, in NORMAL only (leases change hands only while both
   * agree): the primary hands FREE leases to the secondary, the secondary returns a surplus of
   * BACKUP ones. Returns why not, or undefined once it ran.
   */
  async rebalanceNow(): Promise<string | undefined> {
    if (this.machine.state !== 'normal') return `failover peer ${this.peer.name}: pool balancing needs NORMAL state (now ${this.machine.state})`
    if (this.balancing) return `failover peer ${this.peer.name}: a pool balancing run is already in progress`
    this.balancing = true
    try {
      await this.updates.rebalance()
    } finally {
      this.balancing = false
    }
    return undefined
  }

  /** The state that decides what STATE carries (saved one in STARTUP). */
  get announcedState(): FailoverState {
    return effectiveState(this.machine)
  }
}
