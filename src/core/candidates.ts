/**
 * Candidate addresses for a client on its shared network, one finder per rule of the
 * engine's order (see alloc-engine.ts): existing lease, held offer, requested address, free
 * address, abandoned address. A finder proposes only addresses in a pool of the selected
 * network that admits the client and that the pool policy lets this server hand out.
 */
import type { Pool, Subnet } from '../config/model.js'
import type { AddressAllocator } from './allocator.js'
import type { HostIndex } from './host-index.js'
import { leaseBelongsTo, type ClientIdentity } from './client-identity.js'
import { NEVER, type Lease } from './lease.js'
import type { LeaseStore } from './lease-store.js'
import type { NetworkIndex } from './network-index.js'
import type { OfferHolds } from './offer-holds.js'
import { poolAdmits } from './permits.js'
import type { PoolPolicy } from './pool-policy.js'
import type { NetworkSelection } from './subnet-select.js'

export interface Candidate {
  readonly address: number
  readonly pool: Pool
  readonly subnet: Subnet
}

export class CandidateFinder {
  constructor(
    private readonly index: NetworkIndex,
    private readonly store: LeaseStore,
    private readonly allocator: AddressAllocator,
    private readonly holds: OfferHolds,
    private readonly policy: PoolPolicy,
    private readonly hosts: HostIndex,
  ) {}

  /** Whether `address` (state `lease`) may go to this client now (not counting ownership). */
  availableTo(address: number, lease: Lease | undefined, pool: Pool, id: ClientIdentity, now: number): boolean {
    const holder = this.holds.holderOf(address, now)
    if (holder !== undefined && holder !== id.key) return false
    if (this.hosts.isReserved(address)) return false
    if (lease !== undefined && !leaseBelongsTo(lease, id)) {
      switch (lease.bindingState) {
        case 'free':
        case 'backup':
        case 'reset':
          break
        case 'active':
        case 'bootp':
          if ((lease.ends ?? NEVER) > now || pool.failoverPeer !== undefined) return false
          break
        case 'expired':
        case 'released':
          // In a failover pool the pool policy decides (PARTNER-DOWN re-use after MCLT).
          break
        case 'abandoned':
          return false
      }
    }
    return this.policy.mayAllocate(pool, address, lease, now)
  }

  existingLeaseOf(id: ClientIdentity, sel: NetworkSelection, known: boolean, now: number): Candidate | undefined {
    const leases = id.clientId !== undefined ? this.store.getByClientId(id.clientId) : []
    const byHardware = this.store.getByHardware(id.hardware)
    let best: { c: Candidate; rank: number } | undefined
    for (const lease of [...leases, ...byHardware]) {
      if (!leaseBelongsTo(lease, id) || lease.bindingState === 'abandoned' || lease.bindingState === 'backup') continue
      const c = this.candidateIn(lease.address, sel, known)
      if (c === undefined) continue
      const holder = this.holds.holderOf(lease.address, now)
      if (holder !== undefined && holder !== id.key) continue
      const live = lease.bindingState === 'active' && (lease.ends ?? NEVER) > now
      // A lease that is no longer active is a new allocation as far as failover goes.
      if (!live && !this.policy.mayAllocate(c.pool, lease.address, lease, now)) continue
      const rank = (live ? 2 ** 33 : 0) + (lease.ends ?? 0)
      if (best === undefined || rank > best.rank) best = { c, rank }
    }
    return best?.c
  }

  heldOfferOf(id: ClientIdentity, sel: NetworkSelection, known: boolean, now: number): Candidate | undefined {
    const address = this.holds.heldFor(id.key, now)
    return address === undefined ? undefined : this.candidateIn(address, sel, known)
  }

  requestedIfAvailable(
    address: number | undefined,
    id: ClientIdentity,
    sel: NetworkSelection,
    known: boolean,
    now: number,
  ): Candidate | undefined {
    if (address === undefined) return undefined
    const c = this.candidateIn(address, sel, known)
    if (c === undefined) return undefined
    return this.availableTo(address, this.store.get(address), c.pool, id, now) ? c : undefined
  }

  freeAddress(id: ClientIdentity, sel: NetworkSelection, known: boolean, now: number): Candidate | undefined {
    for (const subnet of sel.sharedNetwork.subnets) {
      for (const pool of subnet.pools) {
        if (!poolAdmits(pool, { known })) continue
        const address = this.allocator.takeFree(pool, (a, lease) => this.availableTo(a, lease, pool, id, now))
        if (address !== undefined) return { address, pool, subnet }
      }
    }
    return undefined
  }

  abandonedAddress(id: ClientIdentity, sel: NetworkSelection, known: boolean, now: number): Candidate | undefined {
    for (const subnet of sel.sharedNetwork.subnets) {
      for (const pool of subnet.pools) {
        if (!poolAdmits(pool, { known })) continue
        const usable = (a: number, lease: Lease | undefined): boolean => {
          const holder = this.holds.holderOf(a, now)
          return !this.hosts.isReserved(a) && (holder === undefined || holder === id.key) && this.policy.mayAllocate(pool, a, lease, now)
        }
        const address = this.allocator.takeAbandoned(pool, usable)
        if (address !== undefined) return { address, pool, subnet }
      }
    }
    return undefined
  }

  /** `address` as a candidate when it lies in a pool of the selected network that admits the client. */
  candidateIn(address: number, sel: NetworkSelection, known: boolean): Candidate | undefined {
    const slot = this.index.rangeOf(address)
    if (slot === undefined || slot.subnet.sharedNetwork !== sel.sharedNetwork.name) return undefined
    if (!poolAdmits(slot.pool, { known })) return undefined
    return { address, pool: slot.pool, subnet: slot.subnet }
  }
}
