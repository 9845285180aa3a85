/**
 * The free-address index: proposes candidate addresses for a pool; the engine decides
 * (Kea's allocator/engine split: the allocator "should not check if the address is used").
 *
 * Order, a deterministic stand-in for ISC's least-recently-used free list:
 *  1. never-used addresses, lowest first: a per-range cursor walks the range once. An address
 *     that has state in the lease store is skipped by the cursor (it is tracked by 2.);
 *     a never-used address whose offer lapsed goes back to a "returned" queue tried first;
 *  2. addresses that had state and became free again, oldest freed first (a FIFO, seeded at
 *     start-up by ascending `ends`, so the longest-free lease goes first, as ISC does).
 * Abandoned addresses sit in a separate FIFO (oldest first) and are offered only when a
 * pool has nothing else (ISC reclaims the oldest abandoned lease then).
 *
 * Nothing is created per address: a cursor per range and two queues of uint32 per pool.
 * Queue entries are validated lazily by the caller's `usable` check, so stale entries
 * (an address freed, then taken again) cost one check and are dropped.
 */
import type { Pool, Range } from '../config/model.js'
import { AddressQueue } from './address-queue.js'
import type { Lease } from './lease.js'
import type { LeaseStore } from './lease-store.js'
import type { NetworkIndex } from './network-index.js'

/** Says whether a proposed address may be used now; the allocator drops it otherwise. */
export type UsableCheck = (address: number, lease: Lease | undefined) => boolean

class RangeCursor {
  /** Next never-tried address; past `last` when exhausted. */
  next: number
  constructor(readonly range: Range) {
    this.next = range.first
  }
}

class PoolAddresses {
  readonly cursors: RangeCursor[]
  /** Never-used addresses the cursor passed but that were not taken (a lapsed offer). */
  readonly returned = new AddressQueue()
  readonly reusable = new AddressQueue()
  readonly abandoned = new AddressQueue()
  constructor(pool: Pool) {
    this.cursors = pool.ranges.map((r) => new RangeCursor(r))
  }
}

export class AddressAllocator {
  private readonly pools = new Map<Pool, PoolAddresses>()

  /** Indexes every pool of the config and the state already in `store`. */
  constructor(private readonly index: NetworkIndex, private readonly store: LeaseStore) {
    for (const slot of index.allRanges()) this.addressesOf(slot.pool)
    const free: Lease[] = []
    const abandoned: Lease[] = []
    for (const lease of store.leases()) {
      if (lease.bindingState === 'free' || lease.bindingState === 'backup') free.push(lease)
      else if (lease.bindingState === 'abandoned') abandoned.push(lease)
    }
    const byEnds = (a: Lease, b: Lease): number => (a.ends ?? 0) - (b.ends ?? 0) || a.address - b.address
    for (const lease of free.sort(byEnds)) this.noteFree(lease.address)
    for (const lease of abandoned.sort(byEnds)) this.noteAbandoned(lease.address)
  }

  /**
   * The next usable free address of `pool`: never-used first, then oldest freed.
   * Returns undefined when the pool has none (abandoned addresses aside).
   */
  takeFree(pool: Pool, usable: UsableCheck): number | undefined {
    const p = this.addressesOf(pool)
    const fromReturned = this.takeFromQueue(p.returned, (lease) => lease === undefined, usable)
    if (fromReturned !== undefined) return fromReturned
    for (const cursor of p.cursors) {
      while (cursor.next <= cursor.range.last) {
        const address = cursor.next++
        const lease = this.store.get(address)
        if (lease !== undefined) continue // has state: tracked by the queues
        if (usable(address, undefined)) return address
        // Not usable now (held by an offer): it comes back through giveBack().
      }
    }
    // BACKUP addresses are the secondary's free ones (the pool policy decides who may use which).
    return this.takeFromQueue(p.reusable, (lease) => lease === undefined || lease.bindingState === 'free' || lease.bindingState === 'backup', usable)
  }

  /**
   * Walks every range's never-used addresses again from the start: addresses the cursor passed
   * because they were not usable then (e.g. the failover peer's, before PARTNER-DOWN + MCLT)
   * become candidates again.
   */
  rescan(): void {
    for (const p of this.pools.values()) for (const c of p.cursors) c.next = c.range.first
  }

  /** The oldest abandoned address of `pool` that is still abandoned and usable. */
  takeAbandoned(pool: Pool, usable: UsableCheck): number | undefined {
    return this.takeFromQueue(this.addressesOf(pool).abandoned, (lease) => lease?.bindingState === 'abandoned', usable)
  }

  /** An address became free (reclaimed, released, or an offer was never taken). */
  noteFree(address: number): void {
    const slot = this.index.rangeOf(address)
    if (slot === undefined) return
    const p = this.addressesOf(slot.pool)
    if (this.store.get(address) === undefined) p.returned.push(address)
    else p.reusable.push(address)
  }

  noteAbandoned(address: number): void {
    const slot = this.index.rangeOf(address)
    if (slot !== undefined) this.addressesOf(slot.pool).abandoned.push(address)
  }

  /** Follows a store change made by anyone (engine, expiry, failover peer, admin). */
  noteLease(after: Lease | undefined, address: number): void {
    if (after === undefined || after.bindingState === 'free' || after.bindingState === 'backup') this.noteFree(address)
    else if (after.bindingState === 'abandoned') this.noteAbandoned(address)
  }

  private takeFromQueue(
    queue: AddressQueue,
    stillInState: (lease: Lease | undefined) => boolean,
    usable: UsableCheck,
  ): number | undefined {
    const skipped: number[] = []
    let found: number | undefined
    for (let n = queue.length; n > 0 && found === undefined; n--) {
      const address = queue.shift()!
      const lease = this.store.get(address)
      if (!stillInState(lease)) continue // stale entry
      if (usable(address, lease)) found = address
      else skipped.push(address) // e.g. held by another client's offer: keep its place
    }
    for (const a of skipped) queue.push(a)
    return found
  }

  private addressesOf(pool: Pool): PoolAddresses {
    let p = this.pools.get(pool)
    if (p === undefined) {
      p = new PoolAddresses(pool)
      this.pools.set(pool, p)
    }
    return p
  }
}
