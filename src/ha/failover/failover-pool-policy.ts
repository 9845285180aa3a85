/**
 * The engine's {@link PoolPolicy} for pools served by failover relationships: which addresses
 * may go to a new client (address-ownership.ts, keyed by the relationship's current state, role,
 * STOS and MCLT) and the MCLT lease-time rule of §4.1 with the MCLT in force (a secondary's is
 * the one the primary sent in CONNECT), and the rewind bookkeeping of every local write
 * (rewind.ts) and of every ending binding (announced-expiry.ts). Pools without a failover peer,
 * or whose relationship is unknown, fall back to `fallback`.
 */
import type { Pool } from '../../config/model.js'
import type { PoolPolicy } from '../../core/pool-policy.js'
import { mayAllocateAddress, type OwnershipContext } from './address-ownership.js'
import { grantedLeaseTime } from './mclt.js'
import { settleRewind } from './rewind.js'
import { keepAnnouncedExpiry } from './announced-expiry.js'

/** A relationship as seen at one moment (the driver's machine). */
export type RelationshipView = Omit<OwnershipContext, 'now'>

export function failoverPoolPolicy(relationship: (name: string) => RelationshipView | undefined, fallback: PoolPolicy): PoolPolicy {
  const viewOf = (pool: Pool): RelationshipView | undefined =>
    pool.failoverPeer === undefined ? undefined : relationship(pool.failoverPeer)
  return {
    mayAllocate(pool, address, lease, now) {
      const v = viewOf(pool)
      if (v === undefined) return fallback.mayAllocate(pool, address, lease, now)
      return mayAllocateAddress({ ...v, now }, lease ?? { bindingState: undefined })
    },
    grantableLeaseTime(pool, lease, desired, now) {
      const v = viewOf(pool)
      // A secondary that has not learned the MCLT yet (0) does not serve; keep the fallback's rule.
      if (v === undefined || v.mclt <= 0) return fallback.grantableLeaseTime(pool, lease, desired, now)
      return Math.min(desired, grantedLeaseTime({ now, desired, mclt: v.mclt, tsfp: lease?.tsfp }))
    },
    settle(pool, before, after) {
      const v = viewOf(pool)
      if (v === undefined) return fallback.settle === undefined ? after : fallback.settle(pool, before, after)
      return keepAnnouncedExpiry(before, settleRewind(v, before, after))
    },
  }
}
