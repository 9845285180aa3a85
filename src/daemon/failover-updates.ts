/**
 * Lease updates of one failover relationship (failover-protocol.md §1.5, §1.6, §2.4–§2.7,
 * §3.3.3): local lease changes (after their journal commit), answers to UPDREQ/UPDREQALL and pool
 * balancing go out as one BNDUPD per lease through the update queue, at most the peer's
 * max-unacked in flight; a BNDACK records tsfp/atsfp. A received BNDUPD is checked with the
 * binding rules, stored and journalled (fsync) before its BNDACK; BNDUPDs are handled in arrival
 * order.
 */
import { bindingStateFromCode, type BindingState, type FailoverPeerState, type Lease, type LeaseChange } from '../core/lease.js'
import type { LeaseStore } from '../core/lease-store.js'
import { acceptInNormal, acceptInOtherStates, duelWinner } from '../ha/failover/binding-rules.js'
import type { FailoverState, Role } from '../ha/failover/states.js'
import { UpdateQueue } from '../ha/failover/update-queue.js'
import { formatIPv4 as formatIp } from '../lib/ip.js'
import { MessageType, RejectReason, rejectReasonText } from '../protocol/failover/constants.js'
import type { FailoverMessage } from '../protocol/failover/message.js'
import { bareMessage, bndackMessage, bndupdMessage, viewBinding } from '../protocol/failover/messages.js'
import type { BalanceSettings } from '../ha/failover/pool-balance.js'
import { PoolBalancer } from './failover-balance.js'
import { bindingOf, inRanges, leaseFromBinding, type RelationshipPool } from './failover-bindings.js'
import { potentialExpiry } from '../ha/failover/announced-expiry.js'
import type { Logger } from './logger.js'

/** What the driver needs of the LeaseDatabase. */
export interface PeerLeaseDatabase {
  readonly store: LeaseStore
  peerStates(): ReadonlyMap<string, FailoverPeerState>
  recordPeerState(state: FailoverPeerState): Promise<void>
  commit(changes: readonly LeaseChange[]): Promise<void>
}

/** The established link, as lease updates use it. */
export interface UpdateLink {
  send(msg: FailoverMessage): void
  /** The link's next xid for a BNDUPD (never 0). */
  nextBndupdXid(): number
}

export interface UpdatesContext {
  readonly name: string
  readonly role: Role
  readonly db: PeerLeaseDatabase
  readonly log: Logger
  readonly ranges: ReadonlyArray<readonly [number, number]>
  /** The relationship's pools, for pool balancing; default one pool of all `ranges`. */
  readonly pools?: readonly RelationshipPool[]
  /** `failover peer` balancing settings (max-lease-misbalance, max-lease-ownership, min/max-balance). */
  readonly balance: BalanceSettings
  /** The HBA in force. */
  hba(): Uint8Array | undefined
  /** Schedule jitter source for tests; default Math.random() × 5. */
  jitter?(): number
  clock(): number
  /** The established link, if any. */
  link(): UpdateLink | undefined
  /** Our failover state (binding rules differ in NORMAL). */
  state(): FailoverState
  /** Tells the engine about a lease the peer changed or we re-owned. */
  onLeaseChange(change: LeaseChange): void
}

/** BNDUPD traffic of one relationship since start (metrics). */
export interface UpdateCounters {
  /** BNDUPDs we sent. */
  sent: number
  /** Our BNDUPDs the peer acknowledged. */
  acked: number
  /** Our BNDUPDs the peer rejected (BNDACK with a reject reason). */
  rejected: number
  /** BNDUPDs the peer sent us. */
  received: number
  /** Peer BNDUPDs we rejected. */
  refused: number
}

/** What a received BNDUPD leads to: the BNDACK (or reject) and, once it is sent, MAC affinity for `affinity`. */
interface BndupdOutcome {
  readonly reply: FailoverMessage
  readonly affinity?: number
}

export class LeaseUpdates {
  /** Each entry carries the binding state sent (set at send time; null while queued). */
  private readonly queue = new UpdateQueue<BindingState | null>({ maxBacklog: 1 << 20, window: 0 })
  private chain: Promise<void> = Promise.resolve()
  /** BNDUPDs waiting for their rewind step to be durable (see {@link pump}). */
  private sending: Promise<void> = Promise.resolve()
  /** Addresses whose rewind step is in memory but not (yet) durable: written again before their next BNDUPD. */
  private readonly unsyncedSteps = new Set<number>()
  readonly counters: UpdateCounters = { sent: 0, acked: 0, rejected: 0, received: 0, refused: 0 }

  constructor(private readonly ctx: UpdatesContext) {}

  /** BNDUPDs waiting to be sent (pending) and sent but not yet acknowledged (unacked). */
  get backlog(): { readonly pending: number; readonly unacked: number } {
    return { pending: this.queue.pendingCount, unacked: this.queue.inFlightCount }
  }

  /** A link came up with the peer's max-unacked-bndupd. */
  linkUp(peerMaxUnacked: number): void {
    this.queue.setWindow(Math.max(1, peerMaxUnacked))
  }

  linkDown(): void {
    this.queue.linkDown()
  }

  requeueUnacked(): void {
    this.queue.requeueUnacked()
  }

  /** Entering NORMAL: queue what the peer may not know, and send (§3.3). */
  sendPending(): void {
    this.queueLeases(false)
    this.pump()
  }

  /** UPDREQ / UPDREQALL from the peer: BNDUPDs, then UPDDONE with the request's xid (§3.3.3). */
  updateRequest(msg: FailoverMessage): void {
    const all = msg.type === MessageType.UPDREQALL
    const queued = this.queueLeases(all)
    this.ctx.log.log('info', 'FAILOVER_UPDATE_REQUEST', `Update request${all ? ' all' : ''} from ${this.ctx.name}: ${queued > 0 ? 'sending update' : 'nothing pending'}`)
    const done = this.queue.beginUpdateRequest(msg.xid)
    if (done !== undefined) this.sendUpdateDone(done)
    else this.pump()
  }

  /**
   * A BNDUPD from the peer on `link`. Checked and applied to the store at once, in arrival
   * order; its journal commit is not awaited here, so the BNDUPDs in flight (up to our
   * max-unacked-updates) share one group commit instead of paying one fsync each. Each BNDACK
   * still leaves only after its binding is durable, and in arrival order (the journal resolves
   * commits first in, first out).
   */
  received(link: UpdateLink, msg: FailoverMessage): void {
    this.counters.received++
    let outcome: Promise<BndupdOutcome | undefined>
    try {
      outcome = this.bindingUpdate(msg)
    } catch (err) {
      outcome = Promise.reject(err)
    }
    this.chain = Promise.all([this.chain, outcome]).then(([, o]) => {
      if (o === undefined) return
      link.send(o.reply)
      // The peer's EXPIRED/RELEASED/RESET is stored as FREE: MAC affinity (§6.4, after the ack as dhcpd).
      if (o.affinity !== undefined) void this.balancer.affinity(o.affinity).catch((err: unknown) => this.commitFailed(err))
    }).catch((err: unknown) =>
      this.ctx.log.log('error', 'FAILOVER_DRIVER_ERROR', `failover peer ${this.ctx.name}: BNDUPD: ${err instanceof Error ? err.message : String(err)}`))
  }

  /** Updates waiting to be sent plus those sent and not yet acknowledged. */
  get queueDepth(): number {
    return this.queue.pendingCount + this.queue.inFlightCount
  }

  /** Resolves when every received BNDUPD so far has been handled (and its BNDACK sent) and every BNDUPD held for its rewind step has gone out. */
  settled(): Promise<void> {
    return Promise.all([this.chain, this.sending]).then(() => undefined)
  }

  /** Local lease changes, after their journal commit: one BNDUPD each for the relationship's leases. */
  leasesCommitted(changes: readonly LeaseChange[]): void {
    let any = false
    for (const c of changes) {
      if (c.after === undefined || c.reason === 'peer-update' || !inRanges(this.ctx.ranges, c.address)) continue
      this.queue.enqueue(c.address, null)
      any = true
    }
    if (!any) return
    this.pump()
    this.balancer.leasesChanged()
    for (const c of changes) {
      // Our EXPIRED/RELEASED lease became FREE once the peer acknowledged it: MAC affinity (§6.4).
      if (c.after?.bindingState === 'free' && isTransitional(c.before?.bindingState) && inRanges(this.ctx.ranges, c.address)) {
        void this.balancer.affinity(c.address).catch((err: unknown) => this.commitFailed(err))
      }
    }
  }

  /** Pool balancing FREE ↔ BACKUP, POOLREQ/POOLRESP, MAC affinity (§6); made on first use. */
  get balancer(): PoolBalancer {
    this.balancerInstance ??= this.makeBalancer()
    return this.balancerInstance
  }

  /** A balancing run now, as on entry to NORMAL (§6.2; both roles, nothing outside NORMAL). Resolves to the leases handed over. */
  rebalance(): Promise<number> {
    return this.balancer.run('entry')
  }

  private balancerInstance: PoolBalancer | undefined

  private makeBalancer(): PoolBalancer {
    const ctx = this.ctx
    return new PoolBalancer({
      name: ctx.name, role: ctx.role, db: ctx.db, log: ctx.log, settings: ctx.balance,
      pools: ctx.pools ?? [{ id: '0', network: '', ranges: ctx.ranges }],
      clock: () => ctx.clock(), state: () => ctx.state(), hba: () => ctx.hba(), link: () => ctx.link(),
      announce: (changes) => {
        for (const c of changes) {
          ctx.onLeaseChange(c)
          this.queue.enqueue(c.address, null)
        }
        this.pump()
      },
      ...(ctx.jitter === undefined ? {} : { jitter: ctx.jitter }),
    })
  }

  /** Whether the peer holds free-state addresses to serve its load-balance share with. */
  peerHasFreeLeases(): boolean {
    // O(1): BACKUP leases anywhere in the store (one relationship per server in practice).
    return this.ctx.role === 'secondary' || this.ctx.db.store.countsByState().backup > 0
  }

  /** Queues every lease of the relationship (`all`) or those the peer may not know (§3.3.3). */
  queueLeases(all: boolean): number {
    let n = 0
    for (const [first, last] of this.ctx.ranges) {
      for (let a = first; a <= last; a++) {
        const lease = this.ctx.db.store.get(a)
        if (lease === undefined) continue
        // What we would announce now is more than the peer acknowledged (ISC: tstp > atsfp).
        const unacked = potentialExpiry(lease) > (lease.atsfp ?? 0)
        const s = lease.bindingState
        if (all || unacked || s === 'expired' || s === 'released' || s === 'reset') {
          this.queue.enqueue(a, null)
          n++
        }
      }
    }
    return n
  }

  pump(): void {
    const l = this.ctx.link()
    if (l === undefined) return
    const now = this.ctx.clock()
    const stepped: Array<{ readonly xid: number; readonly change: LeaseChange }> = []
    for (const out of this.queue.take(() => l.nextBndupdXid(), (a) => this.ctx.db.store.get(a)?.bindingState ?? null)) {
      const lease = this.ctx.db.store.get(out.address)
      if (lease === undefined) continue
      if ((lease.rewindBindingState !== undefined && lease.rewindBindingState !== lease.bindingState) || this.unsyncedSteps.has(out.address)) {
        // dhcpd `dhcp_failover_send_bind_update`: the peer may act on this BNDUPD even if its
        // BNDACK never reaches us, so the rewind state steps forward to the state sent, durably,
        // before the message goes out (rewind.ts).
        this.unsyncedSteps.add(out.address)
        stepped.push({ xid: out.xid, change: this.ctx.db.store.upsert({ ...lease, rewindBindingState: undefined }, 'peer-update') })
        continue
      }
      l.send(bndupdMessage({ time: now, xid: out.xid }, bindingOf(lease)))
      this.counters.sent++
    }
    if (stepped.length > 0) this.sendAfterCommit(l, stepped)
  }

  /**
   * Sends BNDUPDs whose rewind step must be durable first, once it is. On a failed write they
   * are not sent: back to the queue, and the step is written again before the next attempt (the
   * peer must not learn of a binding whose rewind state we could lose).
   */
  private sendAfterCommit(l: UpdateLink, stepped: ReadonlyArray<{ readonly xid: number; readonly change: LeaseChange }>): void {
    const changes = stepped.map((s) => s.change)
    this.sending = Promise.all([this.sending, this.ctx.db.commit(changes).then(
      () => {
        const now = this.ctx.clock()
        for (const s of stepped) {
          this.unsyncedSteps.delete(s.change.address)
          if (s.change.after === undefined || this.queue.outstanding(s.change.address)?.xid !== s.xid) continue
          l.send(bndupdMessage({ time: now, xid: s.xid }, bindingOf(s.change.after)))
          this.counters.sent++
        }
      },
      (err: unknown) => {
        this.commitFailed(err)
        for (const s of stepped) {
          if (this.queue.outstanding(s.change.address)?.xid !== s.xid) continue
          // Queued again first, so dropping the in-flight entry cannot complete an UPDREQ answer.
          this.queue.enqueue(s.change.address, null)
          this.queue.dropOutstanding(s.change.address)
        }
      },
    )]).then(() => undefined)
  }

  sendUpdateDone(xid: number): void {
    this.ctx.link()?.send(bareMessage(MessageType.UPDDONE, { time: this.ctx.clock(), xid }))
    this.ctx.log.log('info', 'FAILOVER_UPDATE_DONE_SENT', `Sent update done message to ${this.ctx.name}`)
  }

  bindingAck(msg: FailoverMessage): void {
    const b = viewBinding(msg)
    if (b.address === undefined) return
    const ip = formatIp(b.address)
    const r = this.queue.ack(msg.xid, b.address)
    if (r.kind === 'xid-mismatch') {
      this.ctx.log.log('warn', 'FAILOVER_BNDACK_XID', `bind update on ${ip} got ack from ${this.ctx.name}: xid mismatch.`)
      return
    }
    if (r.kind === 'not-outstanding') return
    if (b.rejectReason !== undefined) {
      this.counters.rejected++
      this.ctx.log.log('warn', 'FAILOVER_BNDUPD_REJECTED', `bind update on ${ip} from ${this.ctx.name} rejected: ${b.message ?? rejectReasonText(b.rejectReason)}`)
    } else {
      this.counters.acked++
      const lease = this.ctx.db.store.get(b.address)
      if (lease !== undefined) {
        const sent = potentialExpiry(lease)
        // ISC: an EXPIRED/RELEASED/RESET lease the peer acknowledged becomes FREE (§6.1); the peer
        // stored it as FREE already. Only when that is the state we sent and still hold.
        const s = lease.bindingState
        const freed = r.sent.update === s && (s === 'expired' || s === 'released' || s === 'reset')
        const change = this.ctx.db.store.upsert({
          ...lease, tstp: sent, tsfp: sent, atsfp: sent,
          // The peer made that state change too: the rewind state follows (dhcpd sets it to FREE).
          ...(freed ? { bindingState: 'free' as const, nextBindingState: undefined, rewindBindingState: undefined } : {}),
        }, 'peer-update')
        if (freed) this.ctx.onLeaseChange(change)
        const address = b.address
        void this.ctx.db.commit([change])
          // Freed at the ack: MAC affinity may hand it to the secondary (§6.4, as dhcpd does then).
          .then(() => (freed ? this.balancer.affinity(address) : undefined))
          .catch((err: unknown) => this.commitFailed(err))
      }
    }
    if (r.updateDone !== undefined) this.sendUpdateDone(r.updateDone)
    this.pump()
  }

  /**
   * A peer BNDUPD: check (§2.4, §2.7) and store synchronously, then fsync and BNDACK (or
   * reject). Everything before the commit runs before the caller returns, so a later BNDUPD
   * for the same address is checked against this one.
   */
  private bindingUpdate(msg: FailoverMessage): Promise<BndupdOutcome | undefined> {
    const b = viewBinding(msg)
    const now = this.ctx.clock()
    const reject = (address: number, reason: number, message: string): Promise<BndupdOutcome> => {
      this.counters.refused++
      this.ctx.log.log('info', 'FAILOVER_BNDUPD_REJECT_SENT', `bind update on ${formatIp(address)} from ${this.ctx.name}: ${message}`)
      return Promise.resolve({ reply: bndackMessage({ time: now, xid: msg.xid }, address, reason, message) })
    }
    const address = b.address
    if (address === undefined) return Promise.resolve(undefined)
    const theirs = b.status === undefined ? undefined : bindingStateFromCode(b.status)
    if (theirs === undefined) return reject(address, RejectReason.MISSING_BINDING_INFO, 'binding update lacks required options')
    if (!inRanges(this.ctx.ranges, address)) return reject(address, RejectReason.ILLEGAL_IP_ADDRESS, 'unknown IP address')
    if ((theirs === 'active' || theirs === 'expired' || theirs === 'released') && b.chaddr === undefined) {
      return reject(address, RejectReason.MISSING_BINDING_INFO, 'BNDUPD without CHADDR')
    }
    const ours = this.ctx.db.store.get(address)
    const oursState = ours?.bindingState ?? (this.ctx.role === 'primary' ? 'free' : 'backup')
    if (this.queue.outstanding(address) !== undefined) {
      const winner = duelWinner({ state: oursState, cltt: ours?.cltt }, { state: theirs, cltt: b.cltt }, this.ctx.role)
      if (winner === 'mine') return reject(address, RejectReason.LESS_CRITICAL_BINDING_INFO, 'incoming update is less critical than outgoing update')
      // Forgetting our update may complete a running UPDREQ/UPDREQALL answer: UPDDONE is due then.
      const dropped = this.queue.dropOutstanding(address)
      if (dropped.updateDone !== undefined) this.sendUpdateDone(dropped.updateDone)
    }
    const sameClient = ours?.hardware !== undefined && b.chaddr !== undefined
      ? Buffer.compare(Buffer.concat([Buffer.from([ours.hardware.htype]), ours.hardware.address]), b.chaddr) === 0
      : undefined
    if (ours !== undefined && sameClient === true && olderActive(ours, theirs, b)) {
      // Both of us renewed the client while apart and ours is the later grant (the duel rule,
      // for an update of ours not yet in flight): storing theirs would shorten the lease the
      // client holds. Refuse it and send ours.
      const refused = reject(address, RejectReason.LESS_CRITICAL_BINDING_INFO, 'incoming update is less critical than outgoing update')
      this.queue.enqueue(address, null)
      this.pump()
      return refused
    }
    const input = {
      ours: oursState, oursEnds: ours?.ends ?? 0, theirs, tsfp: b.potentialExpiry ?? 0, now, role: this.ctx.role,
      ...(sameClient === undefined ? {} : { sameClient }),
      ...(b.ends === undefined ? {} : { theirsEnds: b.ends }),
      ...(ours?.cltt === undefined ? {} : { oursCltt: ours.cltt }),
      ...(b.cltt === undefined ? {} : { theirsCltt: b.cltt }),
    }
    const ok = this.ctx.state() === 'normal' ? acceptInNormal(input) : acceptInOtherStates(input)
    if (!ok) return reject(address, RejectReason.FATAL_CONFLICT, `${formatIp(address)}: invalid state transition: ${oursState} to ${theirs}`)
    const change = this.ctx.db.store.upsert(leaseFromBinding({ ...b, address }, theirs, ours), 'peer-update')
    this.ctx.onLeaseChange(change)
    return this.ctx.db.commit([change]).then(
      () => {
        this.balancer.leasesChanged()
        const reply = bndackMessage({ time: now, xid: msg.xid }, address)
        return isTransitional(theirs) ? { reply, affinity: address } : { reply }
      },
      () => reject(address, RejectReason.UNKNOWN, 'database update failed'),
    )
  }

  private commitFailed(err: unknown): void {
    this.ctx.log.log('error', 'LEASE_COMMIT_FAILED', `lease file write failed: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function isTransitional(state: string | undefined): boolean {
  return state === 'expired' || state === 'released' || state === 'reset'
}

const bound = (s: BindingState): boolean => s === 'active' || s === 'bootp'

/** An ACTIVE update with an earlier cltt and an earlier end than our ACTIVE binding. */
function olderActive(ours: Lease, theirs: BindingState, b: { readonly cltt?: number | undefined; readonly ends?: number | undefined }): boolean {
  if (!bound(ours.bindingState) || !bound(theirs)) return false
  if (b.cltt === undefined || ours.cltt === undefined || b.ends === undefined || ours.ends === undefined) return false
  return b.cltt < ours.cltt && b.ends < ours.ends
}
