/**
 * Pool balancing of one failover relationship, the I/O side of ha/failover/pool-balance.ts
 * (failover-protocol.md §6): runs on entry to NORMAL, on the balancing timer and on the peer's
 * POOLREQ; gives leases to the peer (journalled, then one BNDUPD each through the update queue);
 * answers POOLREQ with POOLRESP, sends POOLREQ when a timer run finds us short (lts < panic);
 * moves freed leases whose last client the secondary serves over as BACKUP (MAC affinity).
 * Nothing runs outside NORMAL. Counts are per pool, never-used addresses count as FREE.
 */
import type { Lease, LeaseChange } from '../core/lease.js'
import {
  balanceLogLines, leaseBalanceKey, nextBalanceAt, peerWantsLease, planPoolBalance, queueOrder, secondaryNotHoarding,
  type BalanceSettings, type QueuedLease,
} from '../ha/failover/pool-balance.js'
import type { FailoverState, Role } from '../ha/failover/states.js'
import { MessageType } from '../protocol/failover/constants.js'
import type { FailoverMessage } from '../protocol/failover/message.js'
import { bareMessage, poolRespMessage, viewPoolResp } from '../protocol/failover/messages.js'
import type { RelationshipPool } from './failover-bindings.js'
import type { PeerLeaseDatabase, UpdateLink } from './failover-updates.js'
import type { Logger } from './logger.js'

export interface BalancerContext {
  readonly name: string
  readonly role: Role
  readonly db: PeerLeaseDatabase
  readonly log: Logger
  readonly pools: readonly RelationshipPool[]
  readonly settings: BalanceSettings
  clock(): number
  state(): FailoverState
  /** The HBA in force (ours as primary, the CONNECT's as secondary). */
  hba(): Uint8Array | undefined
  link(): UpdateLink | undefined
  /** Journalled changes to announce: to the engine and, one BNDUPD each, to the peer. */
  announce(changes: readonly LeaseChange[]): void
  /** 0..4 s of random delay for the schedule (ISC `random() % 5`); default Math.random. */
  jitter?(): number
}

export type BalanceRun = 'entry' | 'timer' | 'poolreq'

/** Seconds between re-planning the schedule after lease changes (ISC re-plans on every change). */
export const SCHEDULE_CHECK_SECONDS = 5

interface PoolScan {
  readonly pool: RelationshipPool
  readonly leaseCount: number
  free: number
  backup: number
  readonly queue: QueuedLease[]
  readonly oldestFreeEnds: number | undefined
  readonly oldestBackupEnds: number | undefined
}

export class PoolBalancer {
  /** Time of the next timer run; undefined = none planned. */
  scheduled: number | undefined
  private lastBalance = 0
  private lastCheck = 0
  private changed = false
  private chain: Promise<unknown> = Promise.resolve()
  private readonly counts = new Map<RelationshipPool, { free: number; backup: number; at: number }>()

  constructor(private readonly ctx: BalancerContext) {}

  /** One balancing run over every pool (runs are serialized). Resolves to the number of leases given away. */
  run(kind: BalanceRun): Promise<number> {
    const next = this.chain.then(() => this.balance(kind))
    this.chain = next.catch(() => undefined)
    return next
  }

  /** The peer's POOLREQ: balance (never answering with our own POOLREQ), then POOLRESP with the count (§6.2). */
  async poolRequest(msg: FailoverMessage): Promise<void> {
    const queued = await this.run('poolreq')
    this.ctx.link()?.send(poolRespMessage({ time: this.ctx.clock(), xid: msg.xid }, queued))
    if (queued === 0) {
      this.ctx.log.log('info', 'FAILOVER_POOLREQ_NEGATIVE', `peer ${this.ctx.name}: Got POOLREQ, answering negatively!  Peer may be out of leases or database inconsistent.`)
    }
  }

  poolResponse(msg: FailoverMessage): void {
    this.ctx.log.log('info', 'FAILOVER_POOLRESP', `pool response: ${viewPoolResp(msg).addressesTransferred ?? 0} leases`)
  }

  /** FREE and BACKUP addresses over the relationship's pools now (control API `poolBalance`). */
  totals(): { free: number; backup: number } {
    const now = this.ctx.clock()
    let free = 0
    let backup = 0
    for (const pool of this.ctx.pools) {
      const c = this.scan(pool, now)
      free += c.free
      backup += c.backup
    }
    return { free, backup }
  }

  /** FREE/BACKUP counts changed (a lease update either way): re-plan the schedule soon. */
  leasesChanged(): void {
    this.changed = true
  }

  /** Timer tick: run when due; re-plan after changes at most every {@link SCHEDULE_CHECK_SECONDS}. */
  poll(now: number): void {
    if (this.ctx.state() !== 'normal') {
      this.scheduled = undefined
      return
    }
    if (this.scheduled !== undefined && this.scheduled <= now) {
      void this.run('timer').catch((err: unknown) => this.failed(err))
      return
    }
    if (this.changed && now >= this.lastCheck + SCHEDULE_CHECK_SECONDS) {
      this.changed = false
      this.lastCheck = now
      for (const pool of this.ctx.pools) this.plan(this.scan(pool, now), now)
    }
  }

  /**
   * MAC affinity (§6.4, primary only): a lease that just became FREE (the peer's EXPIRED/RELEASED/
   * RESET accepted, or our own reclaimed after the peer's ack) goes to the secondary as BACKUP
   * when its last client hashes to the secondary and the secondary is not hoarding.
   */
  async affinity(address: number): Promise<void> {
    if (this.ctx.role !== 'primary' || this.ctx.state() !== 'normal') return
    const lease = this.ctx.db.store.get(address)
    if (lease === undefined || lease.bindingState !== 'free' || lease.reserved === true || lease.dynamicBootp === true) return
    if (!peerWantsLease(leaseBalanceKey(lease), this.ctx.hba(), this.ctx.role)) return
    const pool = this.ctx.pools.find((p) => p.ranges.some(([a, b]) => address >= a && address <= b))
    if (pool === undefined) return
    const now = this.ctx.clock()
    const c = this.poolCounts(pool, now)
    if (!secondaryNotHoarding(c.free, c.backup, this.ctx.settings.maxLeaseOwnership)) return
    const change = this.ctx.db.store.upsert(givenAway(lease, 'backup', now), 'admin')
    c.free--
    c.backup++
    await this.ctx.db.commit([change])
    this.ctx.announce([change])
  }

  private failed(err: unknown): void {
    this.ctx.log.log('error', 'FAILOVER_BALANCE_FAILED', `failover peer ${this.ctx.name}: pool balancing failed: ${err instanceof Error ? err.message : String(err)}`)
  }

  private async balance(kind: BalanceRun): Promise<number> {
    this.scheduled = undefined
    if (this.ctx.state() !== 'normal') return 0
    const now = this.ctx.clock()
    this.lastBalance = now
    const peerState = this.ctx.role === 'primary' ? 'backup' : 'free'
    const changes: LeaseChange[] = []
    let requestPeer = false
    for (const pool of this.ctx.pools) {
      const scan = this.scan(pool, now)
      const plan = planPoolBalance({
        role: this.ctx.role, free: scan.free, backup: scan.backup, queue: scan.queue, hba: this.ctx.hba(),
        settings: this.ctx.settings, timerRun: kind === 'timer',
      })
      requestPeer ||= plan.requestPeer
      const lines = balanceLogLines(plan, { pool: pool.id, network: pool.network, leaseCount: scan.leaseCount, free: scan.free, backup: scan.backup, role: this.ctx.role })
      this.ctx.log.log('info', 'FAILOVER_BALANCING', lines.before)
      for (const address of plan.give) {
        const lease = this.ctx.db.store.get(address) ?? { address, bindingState: 'free' as const }
        changes.push(this.ctx.db.store.upsert(givenAway(lease, peerState, now), 'admin'))
      }
      const moved = plan.give.length
      if (this.ctx.role === 'primary') {
        scan.free -= moved
        scan.backup += moved
      } else {
        scan.free += moved
        scan.backup -= moved
      }
      this.counts.set(pool, { free: scan.free, backup: scan.backup, at: now })
      this.ctx.log.log(plan.balanced ? 'info' : 'error', plan.balanced ? 'FAILOVER_BALANCED' : 'FAILOVER_IMBALANCED', lines.after)
      this.plan(scan, now)
    }
    if (changes.length > 0) {
      await this.ctx.db.commit(changes)
      this.ctx.announce(changes)
    }
    if (requestPeer) {
      const l = this.ctx.link()
      if (l !== undefined) {
        l.send(bareMessage(MessageType.POOLREQ, { time: now, xid: l.nextBndupdXid() }))
        this.ctx.log.log('info', 'FAILOVER_POOLREQ_SENT', `failover peer ${this.ctx.name}: requesting pool rebalance from peer`)
      }
    }
    return changes.length
  }

  /** Lowers the planned timer run from one pool's scan (§6.3). */
  private plan(scan: PoolScan, now: number): void {
    const at = nextBalanceAt({
      now, role: this.ctx.role, oldestFreeEnds: scan.oldestFreeEnds, oldestBackupEnds: scan.oldestBackupEnds,
      settings: this.ctx.settings, lastBalance: this.lastBalance, scheduled: this.scheduled,
      jitter: Math.floor((this.ctx.jitter?.() ?? Math.random() * 5)) % 5,
    })
    if (at !== undefined) this.scheduled = at
  }

  private poolCounts(pool: RelationshipPool, now: number): { free: number; backup: number } {
    const cached = this.counts.get(pool)
    if (cached !== undefined && now < cached.at + SCHEDULE_CHECK_SECONDS) return cached
    const scan = this.scan(pool, now)
    const fresh = { free: scan.free, backup: scan.backup, at: now }
    this.counts.set(pool, fresh)
    return fresh
  }

  /** Counts, our own free-state queue (ISC order) and the oldest FREE/BACKUP `ends` of a pool. */
  private scan(pool: RelationshipPool, now: number): PoolScan {
    const own = this.ctx.role === 'primary' ? 'free' : 'backup'
    let free = 0
    let backup = 0
    let leaseCount = 0
    let oldestFree: number | undefined
    let oldestBackup: number | undefined
    const queue: QueuedLease[] = []
    for (const [first, last] of pool.ranges) {
      for (let a = first; a <= last; a++) {
        leaseCount++
        const lease = this.ctx.db.store.get(a)
        if (lease?.reserved === true) continue
        const state = lease?.bindingState ?? 'free'
        if (state !== 'free' && state !== 'backup') continue
        const ends = lease?.ends ?? 0
        if (state === 'free') {
          free++
          oldestFree = oldestFree === undefined ? ends : Math.min(oldestFree, ends)
        } else {
          backup++
          oldestBackup = oldestBackup === undefined ? ends : Math.min(oldestBackup, ends)
        }
        if (state === own) queue.push({ address: a, ends, key: lease === undefined ? undefined : leaseBalanceKey(lease) })
      }
    }
    this.counts.set(pool, { free, backup, at: now })
    return { pool, leaseCount, free, backup, queue: queueOrder(queue), oldestFreeEnds: oldestFree, oldestBackupEnds: oldestBackup }
  }
}

/** A lease handed to the peer: its free state, `starts = tstp = now`, hostname scrubbed (§6.2); client identity kept for affinity. */
function givenAway(lease: Lease, state: 'free' | 'backup', now: number): Lease {
  return { ...lease, bindingState: state, nextBindingState: undefined, rewindBindingState: undefined, starts: now, tstp: now, clientHostname: undefined }
}
