/**
 * Lease reclamation in bounded batches driven by `now` (after Kea's `cfg_expiration.h`
 * `max-reclaim-leases`, and ISC's pool timer): no timer per lease. The caller (a named
 * timer in io/) calls {@link reclaimExpired} and re-arms at {@link LeaseStore.nextExpiryAt}.
 *
 * Rules, as ISC dhcpd's pool timer applies them:
 * - an `active` lease whose `ends` has passed moves to its `next binding state` (ISC writes
 *   `next binding state free` outside failover and `expired` inside it); a next state of
 *   `active` (or none) means `free`;
 * - `expired`, `released` and `reset` leases move to their next state (`free` or, for a
 *   secondary's pool, `backup`, default `free`) only once the peer has acknowledged that state
 *   (`atsfp` set by its BNDACK; entering the state clears it) and `ends` and `tsfp` have passed.
 *   Until then the peer may still be renewing the client (in COMMUNICATIONS-INTERRUPTED it can,
 *   MCLT at a time), so the address must not become allocatable (ISC frees them on the ack).
 * The hardware address and uid stay on the lease (ISC keeps them for address affinity).
 */
import type { BindingState, Lease, LeaseChange } from './lease.js'
import type { LeaseStore } from './lease-store.js'

export interface ReclaimOptions {
  /** At most this many leases per call (Kea `max-reclaim-leases`). */
  readonly maxLeases: number
  /**
   * The lease to store instead of the reclaimed one (the engine's pool policy: failover rewind
   * returns a binding the peer never heard of to our own free state). Default: as reclaimed.
   */
  readonly settle?: (before: Lease, after: Lease) => Lease
}

export interface ReclaimResult {
  readonly changes: LeaseChange[]
  /** True when more leases were already due and are left for the next call. */
  readonly more: boolean
}

/** The state a lease takes when it is reclaimed. */
export function reclaimedState(lease: Lease): BindingState {
  const next = lease.nextBindingState
  if (lease.bindingState === 'active' || lease.bindingState === 'bootp') {
    return next === undefined || next === 'active' || next === 'bootp' ? 'free' : next
  }
  return next === 'free' || next === 'backup' ? next : 'free'
}

/**
 * The lease as it is after reclamation: only the binding states change. Times stay, so the
 * failover layer can still send them; hardware address and uid stay for affinity.
 */
export function reclaim(lease: Lease): Lease {
  const to = reclaimedState(lease)
  // From expired/released the lease still waits for the peer before becoming free: the new
  // state is not acknowledged yet (ISC clears atsfp), so time alone does not free it.
  if (to === 'expired' || to === 'released') return { ...lease, bindingState: to, nextBindingState: 'free', atsfp: undefined }
  return { ...lease, bindingState: to, nextBindingState: undefined }
}

/** Reclaims up to `maxLeases` leases due at `now` and returns the changes, oldest first. */
export function reclaimExpired(store: LeaseStore, now: number, options: ReclaimOptions): ReclaimResult {
  const due = store.expiring(now, options.maxLeases + 1)
  const batch = due.slice(0, options.maxLeases)
  const settle = options.settle ?? ((_before: Lease, after: Lease): Lease => after)
  const changes = batch.map((lease) => store.upsert(settle(lease, reclaim(lease)), 'expire'))
  return { changes, more: due.length > batch.length }
}
