/**
 * Who may hand out what in a pool served by a failover relationship.
 *
 * The failover layer will implement {@link PoolPolicy} from the relationship's state
 * (draft-ietf-dhc-failover-12 §5, ISC dhcpd `lease_mine_to_reallocate`, load balancing and
 * the MCLT rule). Until it exists, {@link standalonePoolPolicy} serves a failover pool the way
 * ISC dhcpd does in COMMUNICATIONS-INTERRUPTED for its own share:
 *  - the primary allocates addresses in the `free` state (never-used addresses of a fresh
 *    pool are free, as ISC creates them); the secondary allocates only `backup` leases, which
 *    exist once pool balancing with a peer has happened, so a fresh secondary allocates none;
 *  - any lease may be renewed by either server, but never beyond the MCLT past what the peer
 *    is known to have acknowledged (`tsfp`), draft §5.2.1: a lease is granted for at most
 *    `max(tsfp, now) + mclt - now` seconds.
 * Pools without a failover peer are unrestricted.
 */
import type { FailoverPeer, Pool } from '../config/model.js'
import type { Lease } from './lease.js'

export interface PoolPolicy {
  /**
   * May this server hand `address` (currently `lease`, or never used) to a new client?
   * Called for addresses that are otherwise available.
   */
  mayAllocate(pool: Pool, address: number, lease: Lease | undefined, now: number): boolean
  /**
   * The lease time (seconds) this server may grant for `address` in `pool` at `now`, given the
   * time it would grant without failover (`desired`). Returns a value in 0..desired.
   */
  grantableLeaseTime(pool: Pool, lease: Lease | undefined, desired: number, now: number): number
  /**
   * The lease to store for a local change to an address of `pool` (the engine's writes, expiry
   * reclamation, operator actions), given the address's current record (`before`, undefined when
   * never used) and the lease the engine would write. The failover policy keeps the `rewind
   * binding state` here and returns a binding the peer never heard of to our own free state
   * (ha/failover/rewind.ts). Absent: `after` as is.
   */
  settle?(pool: Pool, before: Lease | undefined, after: Lease): Lease
}

/** Policy for a server whose failover peers are not connected (see the file comment). */
export function standalonePoolPolicy(peers: ReadonlyMap<string, FailoverPeer>): PoolPolicy {
  const peerOf = (pool: Pool): FailoverPeer | undefined =>
    pool.failoverPeer === undefined ? undefined : peers.get(pool.failoverPeer)
  return {
    mayAllocate(pool, _address, lease) {
      const peer = peerOf(pool)
      if (peer === undefined) return true
      const state = lease?.bindingState ?? 'free'
      // Expired/released leases wait for the peer (or PARTNER-DOWN): never re-used here.
      if (state === 'expired' || state === 'released') return false
      return peer.role === 'primary' ? state !== 'backup' : state === 'backup'
    },
    grantableLeaseTime(pool, lease, desired, now) {
      const peer = peerOf(pool)
      if (peer === undefined || peer.mclt === undefined) return desired
      const acknowledged = Math.max(lease?.tsfp ?? 0, now)
      return Math.max(0, Math.min(desired, acknowledged + peer.mclt - now))
    },
  }
}

/** Every pool unrestricted: as if every relationship were in NORMAL with acknowledged leases. */
export const unrestrictedPoolPolicy: PoolPolicy = {
  mayAllocate: () => true,
  grantableLeaseTime: (_pool, _lease, desired) => desired,
}
