/**
 * A simulated failover node for the two-node simulation: the real codec, framer, state machine,
 * MCLT rule, update queue and binding rules, around a deliberately small lease table and
 * allocator (what the engine integration will do for real). Times are Unix seconds.
 */
import type { FailoverPeerState } from '../../src/core/lease.js'
import { ackTimes, reusesLease } from '../../src/ha/failover/mclt.js'
import { hbaFromSplit } from '../../src/ha/failover/load-balance.js'
import { nextBalanceAt, peerWantsLease, planPoolBalance, queueOrder, secondaryNotHoarding, type BalanceSettings } from '../../src/ha/failover/pool-balance.js'
import { acceptInNormal, acceptInOtherStates, duelWinner } from '../../src/ha/failover/binding-rules.js'
import { startMachine, step, type Effect, type Input, type Machine, type MachineConfig } from '../../src/ha/failover/machine.js'
import { servicePolicy } from '../../src/ha/failover/states.js'
import { mayAllocateAddress, partnerDownAdjustment, type AddressRecord } from '../../src/ha/failover/address-ownership.js'
import { rewindTarget, rewoundToOwnPool, stepsRewindOnCommit } from '../../src/ha/failover/rewind.js'
import { UpdateQueue } from '../../src/ha/failover/update-queue.js'
import { MessageType, RejectReason } from '../../src/protocol/failover/constants.js'
import { toBuffer, type FailoverMessage } from '../../src/protocol/failover/message.js'
import {
  bareMessage, bndackMessage, bndupdMessage, poolRespMessage, stateMessage, viewBinding, viewState, type Binding,
} from '../../src/protocol/failover/messages.js'

const HBA = hbaFromSplit(128)
const BALANCE: BalanceSettings = { maxLeaseMisbalance: 15, maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600 }
const clientKey = (client: string | undefined): Buffer | undefined => (client === undefined ? undefined : Buffer.from(client))

export type SimState = 'free' | 'backup' | 'active' | 'expired' | 'released'
const CODE: Record<SimState, number> = { free: 1, active: 2, expired: 3, released: 4, backup: 7 }
const BY_CODE: Record<number, SimState> = { 1: 'free', 2: 'active', 3: 'expired', 4: 'released', 7: 'backup' }

export interface SimLease {
  state: SimState
  client: string | undefined
  starts: number
  ends: number
  tstp: number
  tsfp: number
  atsfp: number
  cltt: number
  /**
   * Highest potential expiry the peer may believe: raised on every BNDUPD sent, lowered to the
   * acked value on BNDACK. The peer can act on a sent tstp even when its ack never reached us.
   */
  peerMayKnow: number
  /** Set by the PARTNER-DOWN adjustment: becomes our free state once ends and tsfp have passed (expiry.ts). */
  next: SimState | undefined
  /** `rewind binding state`: the last state the peer is known to hold (rewind.ts). */
  rewind: SimState
}

export interface SimParams {
  readonly desired: number
  /** Rewind on (default) or off (dhcpd before 4.2: to compare). */
  readonly rewind?: boolean
}

export class SimNode {
  m!: Machine
  up = true
  saved: FailoverPeerState | undefined
  readonly leases = new Map<number, SimLease>()
  queue!: UpdateQueue<Binding>
  private xid = 0
  readonly outbox: Buffer[] = []
  readonly log: string[] = []
  /** Next pool-balancing timer run (§6.3); undefined = none. */
  private balanceAt: number | undefined
  private lastBalance = 0
  readonly balanceStats = { runs: 0, given: 0, poolreqs: 0, poolresps: 0, affinity: 0, reused: 0 }
  /**
   * Rewind (rewind.ts): bindings the peer never heard of that went straight back to our own pool on
   * release or expiry, and EXPIRED/RELEASED leases handed out at once because their rewind state is
   * our own free state (§4.1).
   */
  readonly rewindStats = { released: 0, expired: 0, reallocated: 0 }

  constructor(readonly cfg: MachineConfig, addresses: readonly number[], private readonly params: SimParams, now: number) {
    for (const a of addresses) this.leases.set(a, { state: 'free', client: undefined, starts: 0, ends: 0, tstp: 0, tsfp: 0, atsfp: 0, cltt: 0, peerMayKnow: 0, next: undefined, rewind: 'free' })
    this.boot(now)
  }

  /** Start (or restart after a crash) from the persisted state block and lease table. */
  boot(now: number): void {
    this.up = true
    this.queue = new UpdateQueue<Binding>({ maxBacklog: 10_000, window: 4 })
    this.xid = 0
    this.outbox.length = 0
    const [m, eff] = startMachine(this.cfg, this.saved, now)
    this.m = m
    this.run(eff, now)
    // dhcpd queues every lease with tstp > atsfp at startup (§8.3). Such stale bindings can reach
    // a PARTNER-DOWN peer before its UPDREQALL answer; the sameClient/cltt guards of
    // binding-rules.ts keep them from ending the peer's newer grants.
    for (const [a, l] of this.leases) if (l.tstp > l.atsfp) this.enqueue(a, now)
  }

  crashedAt = 0

  crash(now: number): void {
    this.crashedAt = now
    this.up = false
    this.outbox.length = 0
  }

  private nextXid(): number {
    this.xid = (this.xid + 1) >>> 0 || 1
    return this.xid
  }

  input(i: Input): void {
    if (!this.up) return
    const [m, eff] = step(this.m, i, this.cfg)
    this.m = m
    this.run(eff, i.at)
  }

  private send(msg: FailoverMessage): void {
    this.outbox.push(toBuffer(msg))
  }

  private run(effects: readonly Effect[], now: number): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'persist': this.saved = e.record; break
        case 'log': this.log.push(e.text); if (e.level === 'fatal') throw new Error(e.text); break
        case 'send-state': this.send(stateMessage({ time: now, xid: this.nextXid(), serverState: e.code, startup: e.startup, stos: e.stos })); break
        case 'request-updates': this.send(bareMessage(e.all ? MessageType.UPDREQALL : MessageType.UPDREQ, { time: now, xid: this.nextXid() })); break
        case 'requeue-unacked': this.queue.requeueUnacked(); break
        case 'send-pending-updates':
          for (const [a, l] of this.leases) if (l.tstp > l.atsfp || l.state === 'expired' || l.state === 'released') this.enqueue(a, now)
          break
        case 'rebalance-pools': this.rebalance(now, 'entry'); break
        case 'partner-down-leases':
          // ISC overwrites tsfp with STOS + MCLT here; that loses the agreed potential expiry and the
          // simulation finds double bindings with it (seed 21). The daemon's rule instead
          // (address-ownership.ts): tsfp raised to max(STOS, every potential expiry, ends) + MCLT.
          for (const l of this.leases.values()) this.adjustForPartnerDown(l)
          break
        case 'exit': throw new Error(e.reason)
        case 'arm-timer':
        case 'cancel-timer':
          break // the simulation ticks every machine on every time step
      }
    }
    this.flush(now)
  }

  private binding(a: number, l: SimLease): Binding {
    return {
      address: a, status: CODE[l.state], clientId: l.client === undefined ? undefined : Buffer.from(l.client),
      ends: l.ends, potentialExpiry: l.tstp, stos: l.starts, cltt: l.cltt,
    }
  }

  private enqueue(a: number, now: number): void {
    this.queue.enqueue(a, this.binding(a, this.leases.get(a)!))
    void now
  }

  /** Sends what the window allows; only while linked. */
  flush(now: number): void {
    if (!this.up || !this.m.linked) return
    for (const o of this.queue.take(() => this.nextXid(), (a) => this.binding(a, this.leases.get(a)!))) {
      const l = this.leases.get(o.address)!
      l.peerMayKnow = Math.max(l.peerMayKnow, o.update.potentialExpiry)
      // dhcpd steps the rewind state to the state sent (fsynced first; the table here is durable)
      l.rewind = BY_CODE[o.update.status]!
      this.send(bndupdMessage({ time: now, xid: o.xid }, o.update))
    }
  }

  /** What the daemon does on entering PARTNER-DOWN and for leases ending during it (failover-peer.ts). */
  private adjustForPartnerDown(l: SimLease): void {
    if (this.m.state !== 'partner-down') return
    const adj = partnerDownAdjustment({ stos: this.m.stos, mclt: this.m.mclt, role: this.cfg.role }, this.record(l))
    if (adj === undefined) return
    l.tsfp = adj.tsfp
    l.next = adj.nextBindingState
  }

  /** The lease as the daemon's store holds it; tstp is never below a potential expiry we sent (announced-expiry.ts keepAnnouncedExpiry, in the pool policy). */
  record(l: SimLease): AddressRecord & { nextBindingState: SimState | undefined } {
    return { bindingState: l.state, rewindBindingState: this.params.rewind === false ? undefined : l.rewind, starts: l.starts, ends: l.ends, tstp: Math.max(l.tstp, l.peerMayKnow), tsfp: l.tsfp, atsfp: l.atsfp, nextBindingState: l.next }
  }

  private rewindContext(): { state: Machine['state']; role: MachineConfig['role']; peerState: Machine['peerState'] } {
    return { state: this.m.state, role: this.cfg.role, peerState: this.m.peerState }
  }

  /** A local commit (rewind.ts settleRewind): the rewind state steps forward where dhcpd's service state allows it. */
  private committed(l: SimLease): void {
    if (stepsRewindOnCommit(this.rewindContext())) l.rewind = l.state
  }

  /** An ending binding the peer never heard of goes back to our own pool (rewind.ts); returns whether it did. */
  private rewound(l: SimLease, kind: 'released' | 'expired'): boolean {
    const target = this.params.rewind === false ? undefined : rewindTarget(this.rewindContext(), l.rewind)
    if (target === undefined) return false
    // dhcpd: tstp = ends, atsfp cleared (un-acked: the peer hears of the free state once back)
    Object.assign(l, { state: target, tstp: l.ends, atsfp: 0, next: undefined })
    this.rewindStats[kind]++
    return true
  }

  private ownFree(): SimState {
    return this.cfg.role === 'primary' ? 'free' : 'backup'
  }

  private counts(): { free: number; backup: number } {
    let free = 0
    let backup = 0
    for (const l of this.leases.values()) {
      if (l.state === 'free') free++
      else if (l.state === 'backup') backup++
    }
    return { free, backup }
  }

  /** Pool balancing (§6.2) with the real planner, both roles; the timer run may send POOLREQ. Returns leases given. */
  private rebalance(now: number, kind: 'entry' | 'timer' | 'poolreq'): number {
    this.balanceAt = undefined
    if (this.m.state !== 'normal') return 0
    this.lastBalance = now
    this.balanceStats.runs++
    const { free, backup } = this.counts()
    const own = this.ownFree()
    const queue = queueOrder([...this.leases].filter(([, l]) => l.state === own).map(([address, l]) => ({ address, ends: l.ends, key: clientKey(l.client) })))
    const plan = planPoolBalance({ role: this.cfg.role, free, backup, queue, hba: HBA, settings: BALANCE, timerRun: kind === 'timer' })
    const peerState: SimState = this.cfg.role === 'primary' ? 'backup' : 'free'
    for (const a of plan.give) {
      const l = this.leases.get(a)!
      Object.assign(l, { state: peerState, starts: now, tstp: now })
      this.committed(l)
      this.enqueue(a, now)
    }
    this.balanceStats.given += plan.give.length
    this.schedule(now)
    if (plan.requestPeer && this.m.linked) {
      this.send(bareMessage(MessageType.POOLREQ, { time: now, xid: this.nextXid() }))
      this.balanceStats.poolreqs++
    }
    return plan.give.length
  }

  /** §6.3: lower the planned timer run. */
  private schedule(now: number): void {
    let oldestFree: number | undefined
    let oldestBackup: number | undefined
    for (const l of this.leases.values()) {
      if (l.state === 'free') oldestFree = Math.min(oldestFree ?? l.ends, l.ends)
      if (l.state === 'backup') oldestBackup = Math.min(oldestBackup ?? l.ends, l.ends)
    }
    const at = nextBalanceAt({ now, role: this.cfg.role, oldestFreeEnds: oldestFree, oldestBackupEnds: oldestBackup, settings: BALANCE, lastBalance: this.lastBalance, scheduled: this.balanceAt, jitter: 0 })
    if (at !== undefined) this.balanceAt = at
  }

  /** MAC affinity (§6.4): a lease the primary just freed goes to BACKUP when its last client hashes to the secondary. */
  private affinity(a: number, now: number): void {
    const l = this.leases.get(a)!
    if (this.cfg.role !== 'primary' || this.m.state !== 'normal' || l.state !== 'free') return
    if (!peerWantsLease(clientKey(l.client), HBA, 'primary')) return
    const { free, backup } = this.counts()
    if (!secondaryNotHoarding(free, backup, BALANCE.maxLeaseOwnership)) return
    Object.assign(l, { state: 'backup', starts: now, tstp: now })
    this.committed(l)
    this.balanceStats.affinity++
    this.enqueue(a, now)
  }

  /** Time passes: expire leases (the secondary leaves ACTIVE expiry to the primary in NORMAL, §2.7). */
  tick(now: number): void {
    if (!this.up) return
    this.input({ kind: 'tick', at: now })
    for (const [a, l] of this.leases) {
      if (l.state === 'active' && l.ends <= now && !(this.cfg.role === 'secondary' && this.m.state === 'normal')) {
        if (!this.rewound(l, 'expired')) {
          Object.assign(l, { state: 'expired', tstp: now })
          this.adjustForPartnerDown(l)
        }
        this.committed(l)
        this.enqueue(a, now)
      } else if ((l.state === 'expired' || l.state === 'released') && l.next !== undefined && Math.max(l.ends, l.tsfp) <= now) {
        // expiry.ts: the adjusted lease becomes our free one
        Object.assign(l, { state: l.next, client: undefined, next: undefined })
        this.committed(l)
        this.enqueue(a, now)
      }
    }
    if (this.m.state === 'normal' && this.balanceAt !== undefined && this.balanceAt <= now) this.rebalance(now, 'timer')
    this.flush(now)
  }

  /** DISCOVER+REQUEST (or a renewal) from `client`; returns the address and lease end, or undefined. */
  serve(client: string, held: { addr: number; ends: number } | undefined, now: number): { addr: number; ends: number } | undefined {
    if (!this.up) return undefined
    const policy = servicePolicy(this.m.state, this.cfg.role, this.m.peerState)
    if (!policy.responding) return undefined
    let addr: number | undefined
    if (held) {
      const l = this.leases.get(held.addr)!
      // The engine renews only a live binding (alloc-engine.ts: ACTIVE and ends > now); an ended one
      // not yet reclaimed is no longer the client's (without this the simulation let a restarted
      // primary renew a stale record the secondary had re-used, and the secondary then rewound it)
      if (l.state !== 'active' || l.client !== client || l.ends <= now) return undefined
      // dhcp-cache-threshold: a young lease is answered unaltered, nothing sent to the peer (§4.1)
      if (reusesLease({ starts: l.starts, ends: l.ends }, now)) {
        this.balanceStats.reused++
        return { addr: held.addr, ends: l.ends }
      }
      addr = held.addr
    } else {
      addr = this.pick(now)
      if (addr === undefined) return undefined
    }
    const l = this.leases.get(addr)!
    if (rewoundToOwnPool(this.cfg.role, this.record(l))) this.rewindStats.reallocated++
    const t = ackTimes({ now, desired: this.params.desired, mclt: this.m.mclt, tsfp: l.tsfp })
    Object.assign(l, { state: 'active', client, starts: now, ends: t.ends, tstp: t.tstp, tsfp: t.tsfp, cltt: now, next: undefined })
    this.committed(l)
    this.enqueue(addr, now)
    this.flush(now)
    return { addr, ends: t.ends }
  }

  private pick(now: number): number | undefined {
    const own = this.ownFree()
    for (const [a, l] of this.leases) if (l.state === own) return a
    // The daemon's rule (address-ownership.ts), in every serving state: EXPIRED/RELEASED leases whose
    // rewind state is our own free state (§4.1; dhcpd reaches them only as a client's own or requested
    // address, the simulation hands them to anyone to test the rule harder) and, in PARTNER-DOWN,
    // max(STOS, every potential expiry either side may hold, ends) + MCLT (without `peerMayKnow`:
    // ~10 overlaps per 5600)
    const ctx = { state: this.m.state, role: this.cfg.role, now, stos: this.m.stos, mclt: this.m.mclt }
    for (const [a, l] of this.leases) if (mayAllocateAddress(ctx, this.record(l))) return a
    return undefined
  }

  release(client: string, addr: number, now: number): void {
    if (!this.up) return
    const l = this.leases.get(addr)!
    if (l.state !== 'active' || l.client !== client) return
    l.ends = now
    if (!this.rewound(l, 'released')) {
      Object.assign(l, { state: 'released', tstp: now })
      this.adjustForPartnerDown(l)
    }
    this.committed(l)
    this.enqueue(addr, now)
    this.flush(now)
  }

  /** One message from the peer. */
  receive(msg: FailoverMessage, now: number): void {
    if (!this.up) return
    switch (msg.type) {
      case MessageType.STATE: {
        const v = viewState(msg)
        this.input({ kind: 'peer-state', at: now, code: v.serverState ?? 0, startup: v.startup })
        break
      }
      case MessageType.UPDREQALL:
      case MessageType.UPDREQ:
        for (const [a, l] of this.leases) {
          if (msg.type === MessageType.UPDREQALL || l.tstp > l.atsfp || l.state === 'expired' || l.state === 'released') this.enqueue(a, now)
        }
        {
          const done = this.queue.beginUpdateRequest(msg.xid)
          if (done !== undefined) this.send(bareMessage(MessageType.UPDDONE, { time: now, xid: done }))
        }
        break
      case MessageType.UPDDONE:
        this.input({ kind: 'update-done', at: now })
        break
      case MessageType.BNDUPD:
        this.onBndupd(msg, now)
        break
      case MessageType.BNDACK:
        this.onBndack(msg, now)
        break
      case MessageType.POOLREQ: {
        const given = this.rebalance(now, 'poolreq')
        this.send(poolRespMessage({ time: now, xid: msg.xid }, given))
        break
      }
      case MessageType.POOLRESP:
        this.balanceStats.poolresps++
        break
    }
    this.flush(now)
  }

  private onBndupd(msg: FailoverMessage, now: number): void {
    const b = viewBinding(msg)
    const a = b.address!
    const l = this.leases.get(a)!
    const theirs = BY_CODE[b.status!]!
    const pending = this.queue.outstanding(a)
    if (pending) {
      const mine = BY_CODE[pending.update.status]!
      if (duelWinner({ state: mine, cltt: pending.update.cltt }, { state: theirs, cltt: b.cltt }, this.cfg.role) === 'mine') {
        this.send(bndackMessage({ time: now, xid: msg.xid }, a, RejectReason.LESS_CRITICAL_BINDING_INFO, 'incoming update is less critical than outgoing update'))
        return
      }
      const dropped = this.queue.dropOutstanding(a)
      if (dropped.updateDone !== undefined) this.send(bareMessage(MessageType.UPDDONE, { time: now, xid: dropped.updateDone }))
    }
    // dhcpd's checks (65 s expiry slack included) plus the hadhcpd guards: without the sameClient
    // guard the simulation finds ~76 overlaps per 5600 schedules, without the cltt guard ~2
    const check = {
      ours: l.state, oursEnds: l.ends, theirs, tsfp: b.potentialExpiry ?? 0, now, role: this.cfg.role,
      sameClient: l.client === b.clientId?.toString(),
      theirsEnds: b.ends ?? 0,
      oursCltt: l.cltt, theirsCltt: b.cltt ?? 0,
    }
    const ok = this.m.state === 'normal' ? acceptInNormal(check) : acceptInOtherStates(check)
    if (!ok) {
      this.send(bndackMessage({ time: now, xid: msg.xid }, a, RejectReason.FATAL_CONFLICT))
      return
    }
    const stored: SimState = theirs === 'expired' || theirs === 'released' ? 'free' : theirs
    const pot = b.potentialExpiry ?? 0
    const client = b.clientId?.toString()
    // An ACTIVE update for the client we hold ACTIVE never shortens our own grant: conflict
    // resolution or a lost duel can deliver the peer's older/shorter copy (ISC takes it as is; the
    // simulation then finds ~53 overlaps per 5600 schedules). Keep max(ends) and max(potential expiry).
    const sameGrant = l.state === 'active' && stored === 'active' && l.client === client
    const ends = sameGrant ? Math.max(l.ends, b.ends ?? 0) : (b.ends ?? 0)
    const agreed = sameGrant ? Math.max(l.tstp, pot) : pot
    // dhcpd: the rewind state is the state stored (the peer holds it)
    Object.assign(l, { state: stored, client, starts: b.stos ?? 0, ends, tstp: agreed, tsfp: agreed, atsfp: pot, next: undefined, rewind: stored })
    this.send(bndackMessage({ time: now, xid: msg.xid }, a))
    if (theirs === 'expired' || theirs === 'released') this.affinity(a, now)
    if (stored === 'free' || stored === 'backup') this.schedule(now)
  }

  private onBndack(msg: FailoverMessage, now: number): void {
    const b = viewBinding(msg)
    const r = this.queue.ack(msg.xid, b.address!)
    if (r.kind !== 'acked') return
    const l = this.leases.get(b.address!)!
    if (b.rejectReason === undefined) {
      l.atsfp = r.sent.update.potentialExpiry
      l.tsfp = l.atsfp
      l.peerMayKnow = l.atsfp
      if ((l.state === 'expired' || l.state === 'released') && r.sent.update.status === CODE[l.state]) {
        l.state = 'free' // the client identity stays, for MAC affinity (ISC keeps uid/hardware)
        l.next = undefined
        l.rewind = 'free' // the peer made that change too
      }
    }
    if (r.updateDone !== undefined) this.send(bareMessage(MessageType.UPDDONE, { time: now, xid: r.updateDone }))
    if (l.state === 'free' && b.rejectReason === undefined && r.sent.update.status !== CODE.free) this.affinity(b.address!, now)
  }
}
