/**
 * Pool balancing FREE ↔ BACKUP as dhcpd 4.4.3 runs it (failover-protocol.md §6), pure: which of
 * our free-state leases a balancing run gives to the peer, when to send POOLREQ, MAC affinity
 * (`peer_wants_lease`, `secondary_not_hoarding`) and when the next run is due. All integer
 * arithmetic is C's (division truncates toward zero). Times are Unix seconds.
 *
 * Both servers run the same routine in NORMAL: the primary gives FREE leases away as BACKUP, the
 * secondary gives BACKUP leases back as FREE when it holds more than the primary.
 */
import { bucketIsPrimary, loadBalanceHash } from './load-balance.js'
import type { Role } from './states.js'

/** `failover peer` balancing settings (Appendix A defaults: 15 %, 10 %, 60 s, 3600 s). */
export interface BalanceSettings {
  /** `max-lease-misbalance`, percent. */
  readonly maxLeaseMisbalance: number
  /** `max-lease-ownership`, percent. */
  readonly maxLeaseOwnership: number
  /** `min-balance`, seconds. */
  readonly minBalance: number
  /** `max-balance`, seconds. */
  readonly maxBalance: number
}

/** C integer division (truncates toward zero). */
const cdiv = (a: number, b: number): number => Math.trunc(a / b)

/** Leases to send: primary (free − backup) / 2, secondary (backup − free) / 2; negative = we need leases. */
export function leasesToSend(role: Role, free: number, backup: number): number {
  return role === 'primary' ? cdiv(free - backup, 2) : cdiv(backup - free, 2)
}

export interface BalanceThresholds {
  readonly total: number
  /** `(total × max-lease-misbalance + 50) / 100`: above it a pool is IMBALANCED. */
  readonly thresh: number
  /** `(total × max-lease-ownership + 50) / 100`: the excess either side may hold. */
  readonly hold: number
  /** `−2 × thresh` (−1 when that is 0): a timer run below it sends POOLREQ. */
  readonly panic: number
}

export function balanceThresholds(free: number, backup: number, s: Pick<BalanceSettings, 'maxLeaseMisbalance' | 'maxLeaseOwnership'>): BalanceThresholds {
  const total = free + backup
  const thresh = cdiv(total * s.maxLeaseMisbalance + 50, 100)
  const hold = cdiv(total * s.maxLeaseOwnership + 50, 100)
  const panic = thresh * -2 || -1
  return { total, thresh, hold, panic }
}

/**
 * The load-balancing key of a stored lease (ISC `peer_wants_lease`): the uid when there is one,
 * else the hardware address without its type byte; undefined when the lease has neither.
 */
export function leaseBalanceKey(lease: { readonly uid?: Uint8Array | undefined; readonly hardware?: { readonly address: Uint8Array } | undefined }): Uint8Array | undefined {
  if (lease.uid !== undefined && lease.uid.length > 0) return lease.uid
  if (lease.hardware !== undefined && lease.hardware.address.length > 0) return lease.hardware.address
  return undefined
}

/**
 * `peer_wants_lease`: the lease's last client hashes to the peer's buckets (set HBA bit =
 * primary's). False without an HBA or without a key.
 */
export function peerWantsLease(key: Uint8Array | undefined, hba: Uint8Array | undefined, role: Role): boolean {
  if (key === undefined || hba === undefined) return false
  const primaryBucket = bucketIsPrimary(hba, loadBalanceHash(key))
  return role === 'primary' ? !primaryBucket : primaryBucket
}

/**
 * `secondary_not_hoarding` (primary side of MAC affinity, §6.4): the secondary does not already
 * hold more than `hold` extra leases, i.e. (free − backup) / 2 > −hold.
 */
export function secondaryNotHoarding(free: number, backup: number, maxLeaseOwnership: number): boolean {
  const hold = cdiv((free + backup) * maxLeaseOwnership + 50, 100)
  return cdiv(free - backup, 2) > -hold
}

/** A lease of our own free-state queue (primary: FREE, secondary: BACKUP). */
export interface QueuedLease {
  readonly address: number
  /** Lease `ends`; 0 for a never-used address. */
  readonly ends: number
  /** {@link leaseBalanceKey} of the lease. */
  readonly key: Uint8Array | undefined
}

/**
 * ISC's queue order: oldest `ends` first (never-used addresses, ends 0, lead). Among equal `ends`
 * hadhcpd puts the highest address first: its allocator hands out the lowest never-used
 * addresses first, so the leases given away are the ones it would reach last. Returns a new array.
 */
export function queueOrder(leases: readonly QueuedLease[]): QueuedLease[] {
  return [...leases].sort((a, b) => a.ends - b.ends || b.address - a.address)
}

export interface BalanceInput {
  readonly role: Role
  /** Pool counts: FREE and BACKUP leases (never-used addresses count as FREE). */
  readonly free: number
  readonly backup: number
  /** Our free-state leases in {@link queueOrder}. */
  readonly queue: readonly QueuedLease[]
  /** HBA in force, for MAC affinity (undefined: no affinity pass gives anything). */
  readonly hba: Uint8Array | undefined
  readonly settings: Pick<BalanceSettings, 'maxLeaseMisbalance' | 'maxLeaseOwnership'>
  /** A timer run (may ask the peer with POOLREQ); entry-to-NORMAL and POOLREQ runs may not. */
  readonly timerRun: boolean
}

export interface BalancePlan extends BalanceThresholds {
  /** lts before the run. */
  readonly ltsBefore: number
  /** lts after giving {@link give} away. */
  readonly lts: number
  /** Addresses to hand to the peer (their free state), in order. */
  readonly give: readonly number[]
  /** How many of {@link give} went in the affinity pass. */
  readonly byAffinity: number
  /** A timer run found lts < panic: send POOLREQ. */
  readonly requestPeer: boolean
  /** lts ≤ thresh after the run ("balanced" rather than "IMBALANCED"). */
  readonly balanced: boolean
}

/**
 * One pool's balancing run (`dhcp_failover_pool_dobalance`, §6.2):
 * pass 1 gives leases whose last client the peer would serve until lts ≤ −hold;
 * pass 2 restarts at the head and gives any lease, stopping (for the whole run) at the first
 * never-used lease once lts ≤ 0 or the first used lease once lts ≤ hold.
 */
export function planPoolBalance(i: BalanceInput): BalancePlan {
  const th = balanceThresholds(i.free, i.backup, i.settings)
  const ltsBefore = leasesToSend(i.role, i.free, i.backup)
  let lts = ltsBefore
  const requestPeer = i.timerRun && lts < th.panic
  const given = new Set<number>()
  const give: number[] = []
  let byAffinity = 0
  run: {
    for (const l of i.queue) {
      if (lts <= -th.hold) break run
      if (peerWantsLease(l.key, i.hba, i.role)) {
        give.push(l.address)
        given.add(l.address)
        byAffinity++
        lts--
      }
    }
    for (const l of i.queue) {
      if (given.has(l.address)) continue
      if (l.ends !== 0 ? lts <= th.hold : lts <= 0) break run
      give.push(l.address)
      lts--
    }
  }
  return { ...th, ltsBefore, lts, give, byAffinity, requestPeer, balanced: lts <= th.thresh }
}

/** Log lines in dhcpd's wording (§7.2); `pool` stands for ISC's pool pointer, `network` for the shared-network name. */
export function balanceLogLines(plan: BalancePlan, p: { readonly pool: string; readonly network: string; readonly leaseCount: number; readonly free: number; readonly backup: number; readonly role: Role }): { readonly before: string; readonly after: string } {
  const moved = plan.give.length
  const freeAfter = p.role === 'primary' ? p.free - moved : p.free + moved
  const backupAfter = p.role === 'primary' ? p.backup + moved : p.backup - moved
  return {
    before: `balancing pool ${p.pool} ${p.network}  total ${p.leaseCount}  free ${p.free}  backup ${p.backup}  lts ${plan.ltsBefore}  max-own (+/-)${plan.hold}${plan.requestPeer ? '  (requesting peer rebalance!)' : ''}`,
    after: `${plan.balanced ? 'balanced' : 'IMBALANCED'} pool ${p.pool} ${p.network}  total ${p.leaseCount}  free ${freeAfter}  backup ${backupAfter}  lts ${plan.lts}  max-misbal ${plan.thresh}`,
  }
}

export interface ScheduleInput {
  readonly now: number
  readonly role: Role
  /** `ends` of the head of the pool's FREE queue; undefined when the queue is empty. */
  readonly oldestFreeEnds: number | undefined
  /** `ends` of the head of the pool's BACKUP queue; undefined when the queue is empty. */
  readonly oldestBackupEnds: number | undefined
  readonly settings: BalanceSettings
  /** Time of the last balancing run; 0 = none yet. */
  readonly lastBalance: number
  /** Currently scheduled run; undefined = none. */
  readonly scheduled: number | undefined
  /** 0..4 s of random delay (ISC `random() % 5`), injected. */
  readonly jitter: number
}

/**
 * `dhcp_failover_pool_check` (§6.3): the next balancing run for one pool. The age of the oldest
 * FREE and BACKUP lease (seconds since its `ends`; 0 when the queue is empty or the lease has
 * not ended) times max-lease-misbalance %, our own side's doubled, the smaller of the two,
 * capped at max-balance, from now; never before last run + min-balance; plus the jitter.
 * Returns the new time, or undefined when it would not be earlier than `scheduled` (a planned
 * run only ever moves earlier).
 */
export function nextBalanceAt(i: ScheduleInput): number | undefined {
  const age = (ends: number | undefined): number => (ends !== undefined && ends < i.now ? i.now - ends : 0)
  const pct = (s: number): number => cdiv(s * i.settings.maxLeaseMisbalance + 50, 100)
  let est1 = pct(age(i.oldestFreeEnds))
  let est2 = pct(age(i.oldestBackupEnds))
  if (i.role === 'primary') est1 *= 2
  else est2 *= 2
  let at = i.now + Math.min(est1, est2, i.settings.maxBalance)
  const floor = i.lastBalance + i.settings.minBalance
  if (i.lastBalance !== 0 && at < floor) at = floor
  at += i.jitter
  if (i.scheduled !== undefined && at >= i.scheduled) return undefined
  return at
}
