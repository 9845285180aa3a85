/**
 * The allocation engine: decides what a client gets (RFC 2131 §4.3), ISC dhcpd 4.4 flavour.
 * Pure apart from the lease store and the in-memory offer holds: time comes in as `now`
 * (epoch seconds), and nothing durable changes until {@link AllocEngine.commit} applies the
 * `writes` of an outcome (the pipeline's commit stage), so the caller can journal first.
 *
 * Address choice for a client, in ISC's order (server/dhcp.c `find_lease`, Kea
 * `allocateLease4`):
 *  1. a host reservation: a fixed address of a matching host that lies in the client's
 *     shared network (no lease is stored for it, as ISC does);
 *  2. the client's existing lease in the shared network (any state but abandoned), in a pool
 *     that still admits the client;
 *  3. the address this client was just offered (its offer hold);
 *  4. the requested address (option 50) when it is free for this client in a permitted pool;
 *  5. a free address from a permitted pool (see allocator.ts for the order);
 *  6. the oldest abandoned address of a permitted pool, when nothing else is left.
 */
import { formatIPv4 } from '../lib/ip.js'
import type { Host, Pool, ServerConfig, Subnet } from '../config/model.js'
import { leaseBelongsTo, sameHardware, type ClientIdentity } from './client-identity.js'
import type { ClientQuery } from './client-query.js'
import { EffectiveScope } from './effective-scope.js'
import { reclaimExpired } from './expiry.js'
import { HostIndex } from './host-index.js'
import { NEVER, type Lease, type LeaseChange, type LeaseChangeReason } from './lease.js'
import type { LeaseStore } from './lease-store.js'
import { ackPotentialExpiry, cacheThreshold, grantedLeaseTime, renewalTimes, reusesLease, type LeaseTimes } from './lease-times.js'
import { AddressAllocator } from './allocator.js'
import { CandidateFinder } from './candidates.js'
import { NetworkIndex } from './network-index.js'
import { OfferHolds, type OfferHold } from './offer-holds.js'
import { poolAdmits } from './permits.js'
import { standalonePoolPolicy, type PoolPolicy } from './pool-policy.js'
import type { NetworkSelection } from './subnet-select.js'
import { networkName } from './subnet-select.js'

export interface EngineOptions {
  /** Failover hook; defaults to {@link standalonePoolPolicy}. */
  readonly poolPolicy?: PoolPolicy
  /** Seconds an offered address stays reserved for its client. Default 60. */
  readonly offerHoldSeconds?: number
  /** Seconds a declined address stays abandoned (ISC `abandon-lease-time`). Default 86400. */
  readonly abandonLeaseTime?: number
}

/** Everything the engine needs to know about one client message. */
export interface AllocationRequest {
  readonly query: ClientQuery
  readonly identity: ClientIdentity
  readonly selection: NetworkSelection | undefined
  /** Epoch seconds. */
  readonly now: number
  /** Server identifiers that mean "this server" (RFC 2131 §4.3.2 SELECTING check). */
  readonly ourServerIds: ReadonlySet<number>
  /**
   * Whether the datagram was sent to a broadcast address, when the I/O layer knows.
   * Tells a REBINDING client on our own link from a RENEWING one (RFC 2131 §4.3.2).
   */
  readonly receivedBroadcast?: boolean | undefined
}

/** What a positive reply carries. */
export interface Binding {
  readonly address: number
  readonly subnet: Subnet
  /** undefined for a fixed address. */
  readonly pool: Pool | undefined
  readonly host: Host | undefined
  readonly scope: EffectiveScope
  readonly times: LeaseTimes
}

/** Which RFC 2131 §4.3.2 client state a DHCPREQUEST came from. */
export type RequestState = 'selecting' | 'init-reboot' | 'renewing' | 'rebinding'

export type Outcome =
  | {
      readonly kind: 'offer'
      readonly binding: Binding
      readonly reclaimedAbandoned: boolean
      /**
       * ISC pings before offering a dynamic address whose last client transaction is more
       * than a minute old (server/dhcp.c ack_lease); fixed addresses are never pinged.
       */
      readonly pingable: boolean
    }
  | {
      readonly kind: 'ack'
      readonly binding: Binding
      readonly state: RequestState
      readonly writes: readonly Lease[]
      /** ISC `reuse_lease`: the client's lease was young enough to be returned unaltered (nothing written). */
      readonly reused?: { readonly lease: Lease; readonly age: number; readonly threshold: number }
    }
  | { readonly kind: 'nak'; readonly address: number; readonly reason: string; readonly state: RequestState }
  | { readonly kind: 'inform'; readonly subnet: Subnet; readonly scope: EffectiveScope }
  | {
      readonly kind: 'no-free-leases'
      readonly network: string
      /** A failover pool has addresses only the peer may hand out (ISC "peer holds all free leases"). */
      readonly peerHoldsFree: boolean
    }
  | { readonly kind: 'silent'; readonly reason: string; readonly address?: number | undefined }
  | { readonly kind: 'released'; readonly address: number; readonly found: boolean; readonly writes: readonly Lease[] }
  | { readonly kind: 'declined'; readonly address: number; readonly status: 'abandoned' | 'not found' | 'ignored'; readonly writes: readonly Lease[] }

const DEFAULT_OFFER_HOLD = 60
const DEFAULT_ABANDON_TIME = 86400
/** ISC does not ping an address whose client talked to us within the last minute. */
const PING_QUIET_SECONDS = 60

export class AllocEngine {
  readonly index: NetworkIndex
  readonly hosts: HostIndex
  private readonly allocator: AddressAllocator
  private readonly holds = new OfferHolds()
  private readonly policy: PoolPolicy
  private readonly candidates: CandidateFinder
  private readonly offerHoldSeconds: number
  private readonly abandonLeaseTime: number

  constructor(readonly config: ServerConfig, readonly store: LeaseStore, options: EngineOptions = {}) {
    this.index = new NetworkIndex(config)
    this.hosts = new HostIndex(config.hosts)
    this.allocator = new AddressAllocator(this.index, store)
    this.policy = options.poolPolicy ?? standalonePoolPolicy(config.failoverPeers)
    this.offerHoldSeconds = options.offerHoldSeconds ?? DEFAULT_OFFER_HOLD
    this.abandonLeaseTime = options.abandonLeaseTime ?? DEFAULT_ABANDON_TIME
    this.candidates = new CandidateFinder(this.index, store, this.allocator, this.holds, this.policy, this.hosts)
  }

  /**
   * Scope-level access (dhcpd.conf(5) "ALLOW AND DENY WITHIN SCOPE"): `deny booting` in a
   * host or group, `deny unknown-clients` / `boot-unknown-clients false` outside pools.
   * Returns the reason to stay silent, or undefined when the client may be served.
   */
  private refusal(sel: NetworkSelection, hosts: readonly Host[]): string | undefined {
    const scope = EffectiveScope.of(sel.subnet.scope, hosts[0]?.scope)
    const booting = scope.access('booting')
    if (booting === 'deny' || booting === 'ignore') return 'booting disallowed'
    if (hosts.length === 0) {
      const unknown = scope.access('unknown-clients')
      if (unknown === 'deny' || unknown === 'ignore' || scope.param('bootUnknownClients') === false) return 'unknown client'
    }
    return undefined
  }

  // ---- DHCPDISCOVER (RFC 2131 §4.3.1): no durable change, only an offer hold -------------

  discover(req: AllocationRequest): Outcome {
    this.pruneHolds(req.now)
    const sel = req.selection
    if (sel === undefined) return { kind: 'silent', reason: 'unknown network segment' }
    const id = req.identity
    const hosts = this.hosts.find(id)
    const known = hosts.length > 0
    const host = hosts[0]
    const refused = this.refusal(sel, hosts)
    if (refused !== undefined) return { kind: 'silent', reason: refused }
    // ISC `min-secs`: let another server answer a client that only just started trying.
    const minSecs = EffectiveScope.of(sel.subnet.scope, host?.scope).param('minSecs')
    if (minSecs !== undefined && req.query.secs < minSecs) {
      return { kind: 'silent', reason: `configured min-secs value (${minSecs}) is greater than secs field (${req.query.secs}).  message dropped.` }
    }

    const fixed = this.hosts.fixedAddressOn(hosts, sel, this.index)
    if (fixed !== undefined) {
      const binding = this.fixedBinding(fixed.address, fixed.subnet, fixed.host, req)
      return { kind: 'offer', binding, reclaimedAbandoned: false, pingable: false }
    }

    const chosen =
      this.candidates.existingLeaseOf(id, sel, known, req.now) ??
      this.candidates.heldOfferOf(id, sel, known, req.now) ??
      this.candidates.requestedIfAvailable(req.query.requestedAddress, id, sel, known, req.now) ??
      this.candidates.freeAddress(id, sel, known, req.now)
    if (chosen !== undefined) {
      this.hold(chosen.address, id.key, req.now)
      const binding = this.poolBinding(chosen.address, chosen.pool, chosen.subnet, host, req)
      const quiet = binding.scope.param('pingClttSecs') ?? PING_QUIET_SECONDS
      return { kind: 'offer', binding, reclaimedAbandoned: false, pingable: this.pingable(chosen.address, id, req.now, quiet) }
    }
    const abandoned = this.candidates.abandonedAddress(id, sel, known, req.now)
    if (abandoned !== undefined) {
      this.hold(abandoned.address, id.key, req.now)
      const binding = this.poolBinding(abandoned.address, abandoned.pool, abandoned.subnet, host, req)
      return { kind: 'offer', binding, reclaimedAbandoned: true, pingable: true }
    }
    const peerHoldsFree = sel.sharedNetwork.subnets.some((subnet) =>
      subnet.pools.some((pool) => pool.failoverPeer !== undefined && poolAdmits(pool, { known }) &&
        pool.ranges.some((r) => !this.policy.mayAllocate(pool, r.first, undefined, req.now))))
    return { kind: 'no-free-leases', network: networkName(sel.sharedNetwork), peerHoldsFree }
  }

  /**
   * dhcpd.conf(5) `ping-cltt-secs`: ping unless the address is the client's own active lease
   * (ISC: "neither static nor active"), or its previous owner talked to us within the last
   * `quietSeconds` (ping-cltt-secs, default 60). An address last used by another client is
   * always pinged.
   */
  private pingable(address: number, id: ClientIdentity, now: number, quietSeconds: number): boolean {
    const lease = this.store.get(address)
    if (lease === undefined || lease.cltt === undefined) return true
    const own = leaseBelongsTo(lease, id)
    if (own && lease.bindingState === 'active' && (lease.ends ?? NEVER) > now) return false
    return !own || now - lease.cltt > quietSeconds
  }

  // ---- DHCPREQUEST (RFC 2131 §4.3.2) ------------------------------------------------------

  request(req: AllocationRequest): Outcome {
    this.pruneHolds(req.now)
    const q = req.query
    if (q.serverIdentifier !== undefined) {
      if (!req.ourServerIds.has(q.serverIdentifier)) {
        // The client chose another server: forget our offer (RFC 2131 §4.3.2, SELECTING).
        this.giveBack(this.holds.releaseClient(req.identity.key))
        return { kind: 'silent', reason: 'not our server id', address: q.requestedAddress }
      }
      const address = q.requestedAddress ?? q.ciaddr
      if (address === 0) return { kind: 'silent', reason: 'no requested address' }
      return this.decideRequest(address, 'selecting', req)
    }
    if (q.requestedAddress !== undefined && q.ciaddr === 0) return this.decideRequest(q.requestedAddress, 'init-reboot', req)
    if (q.ciaddr !== 0) {
      // RENEWING is unicast straight to us; REBINDING is broadcast, so it reaches us on our
      // own link or through a relay (giaddr). Without the destination, ISC cannot tell either
      // and treats a local packet as RENEWING.
      const rebinding = q.giaddr !== 0 || req.receivedBroadcast === true
      return this.decideRequest(q.ciaddr, rebinding ? 'rebinding' : 'renewing', req)
    }
    return { kind: 'silent', reason: 'neither requested address nor ciaddr' }
  }

  private decideRequest(address: number, state: RequestState, req: AllocationRequest): Outcome {
    const sel = req.selection
    const id = req.identity
    const nak = (reason: string): Outcome => ({ kind: 'nak', address, reason, state })
    const silent = (reason: string): Outcome => ({ kind: 'silent', reason, address })

    const addressSubnet = this.index.subnetOf(address)
    if (sel === undefined) {
      // ISC: we do not know where it came from, but we know where it claims to be.
      if (addressSubnet !== undefined && EffectiveScope.of(addressSubnet.scope).authoritative) return nak('wrong network')
      return silent(addressSubnet === undefined ? 'ignored (unknown subnet)' : 'ignored (not authoritative)')
    }
    const authoritative = EffectiveScope.of(sel.subnet.scope).authoritative
    // ISC checks the network when the client's position is known: a requested address
    // without ciaddr (SELECTING, INIT-REBOOT) or a relayed ciaddr (REBINDING via a relay).
    // A RENEWING client unicasting from its own address is trusted.
    const networkKnown = state !== 'renewing'
    if (networkKnown && addressSubnet?.sharedNetwork !== sel.sharedNetwork.name) {
      return authoritative ? nak('wrong network') : silent('ignored (not authoritative)')
    }

    const hosts = this.hosts.find(id)
    const known = hosts.length > 0
    const refused = this.refusal(sel, hosts)
    if (refused !== undefined) return silent(refused)
    const fixed = this.hosts.fixedAddressOn(hosts, sel, this.index)
    if (fixed !== undefined) {
      if (fixed.address !== address) return nak('requested address is incorrect')
      return this.ack(this.fixedBinding(address, fixed.subnet, fixed.host, req), state, [])
    }

    const lease = this.store.get(address)
    const slot = this.index.rangeOf(address)
    const inOurNetwork = slot !== undefined && slot.subnet.sharedNetwork === sel.sharedNetwork.name
    const holder = this.holds.holderOf(address, req.now)
    const heldForClient = holder === id.key
    const owned = lease !== undefined && leaseBelongsTo(lease, id) && lease.bindingState !== 'abandoned'

    if (owned || heldForClient) {
      if (!inOurNetwork) return authoritative ? nak('wrong network') : silent(`unknown lease ${fmt(address)}`)
      if (!poolAdmits(slot.pool, { known })) return nak(`lease ${fmt(address)} unavailable`)
      if (!heldForClient && holder !== undefined) return nak(`lease ${fmt(address)} unavailable`)
      const live = lease?.bindingState === 'active' && (lease.ends ?? NEVER) > req.now
      // ISC: a free/backup lease the peer must hand out is left alone ("lease owned by peer").
      if (!live && !heldForClient && !this.policy.mayAllocate(slot.pool, address, lease, req.now)) return silent('lease owned by peer')
      return this.ackPoolLease(address, lease, slot.pool, slot.subnet, hosts[0], state, req)
    }
    const takenByOther =
      holder !== undefined ||
      (lease !== undefined && (lease.bindingState === 'abandoned' || (lease.bindingState === 'active' && (lease.ends ?? NEVER) > req.now)))
    if (takenByOther) return nak(`lease ${fmt(address)} unavailable`)

    if (state === 'selecting') {
      if (inOurNetwork && poolAdmits(slot.pool, { known }) && this.candidates.availableTo(address, lease, slot.pool, id, req.now)) {
        return this.ackPoolLease(address, lease, slot.pool, slot.subnet, hosts[0], state, req)
      }
      if (inOurNetwork) return nak(`lease ${fmt(address)} unavailable`)
      return authoritative ? nak(`lease ${fmt(address)} unavailable`) : silent(`unknown lease ${fmt(address)}`)
    }
    // RFC 2131 §4.3.2: "If the DHCP server has no record of this client, then it MUST
    // remain silent" (INIT-REBOOT); ISC does the same for RENEWING/REBINDING.
    return silent(`unknown lease ${fmt(address)}`)
  }

  private ack(binding: Binding, state: RequestState, writes: readonly Lease[]): Outcome {
    return { kind: 'ack', binding, state, writes }
  }

  private ackPoolLease(
    address: number,
    lease: Lease | undefined,
    pool: Pool,
    subnet: Subnet,
    host: Host | undefined,
    state: RequestState,
    req: AllocationRequest,
  ): Outcome {
    const binding = this.poolBinding(address, pool, subnet, host, req, lease)
    const id = req.identity
    const sameClient = lease !== undefined && leaseBelongsTo(lease, id)
    const reuse = sameClient ? this.reusable(lease, binding.scope, req.now) : undefined
    if (reuse !== undefined && lease !== undefined) {
      // Unaltered: the reply carries the time left; no write, so no BNDUPD either (§4.1).
      const left = (lease.ends ?? req.now) - req.now
      return { kind: 'ack', binding: { ...binding, times: renewalTimes(left, binding.scope.options()) }, state, writes: [], reused: { lease, ...reuse } }
    }
    // Failover pools record the potential expiry to announce: desired + granted / 2 (ISC dhcp.c,
    // §4.1), and never keep a local tsfp beyond it.
    const failover = pool.failoverPeer !== undefined
    const tstp = failover ? ackPotentialExpiry(req.now, grantedLeaseTime(binding.scope, req.query.requestedLeaseTime), binding.times.leaseTime) : lease?.tstp
    const tsfp = failover && lease?.tsfp !== undefined && tstp !== undefined && tstp < lease.tsfp ? tstp : lease?.tsfp
    const written: Lease = {
      address,
      bindingState: 'active',
      nextBindingState: pool.failoverPeer === undefined ? 'free' : 'expired',
      starts: req.now,
      ends: req.now + binding.times.leaseTime,
      cltt: req.now,
      tstp,
      tsfp,
      atsfp: lease?.atsfp,
      hardware: { htype: id.hardware.htype, address: Buffer.from(id.hardware.address) },
      uid: id.clientId,
      clientHostname: req.query.hostname ?? (sameClient ? lease.clientHostname : undefined),
      statements: sameClient ? lease.statements : undefined,
    }
    return this.ack(binding, state, [written])
  }

  /**
   * ISC `reuse_lease` (dhcp-cache-threshold, default 25 %): the client's own ACTIVE lease, young
   * enough, is answered unaltered. Returns its age and the threshold, or undefined.
   */
  private reusable(lease: Lease, scope: EffectiveScope, now: number): { age: number; threshold: number } | undefined {
    if (lease.bindingState !== 'active' || lease.starts === undefined || lease.ends === undefined || lease.ends <= now) return undefined
    const threshold = cacheThreshold(scope.param('dhcpCacheThreshold'))
    return reusesLease({ starts: lease.starts, ends: lease.ends }, now, threshold) ? { age: now - lease.starts, threshold } : undefined
  }

  // ---- DHCPRELEASE (RFC 2131 §4.3.4) and DHCPDECLINE (§4.3.3) ------------------------------

  release(req: AllocationRequest): Outcome {
    const q = req.query
    const id = req.identity
    let lease: Lease | undefined
    if (id.clientId !== undefined) lease = this.store.getByClientId(id.clientId).find((l) => l.address === q.ciaddr)
    lease ??= this.store.get(q.ciaddr)
    // ISC: "If the hardware address doesn't match, don't do the release."
    if (lease !== undefined && !sameHardware(lease.hardware, id.hardware)) lease = undefined
    this.giveBack(this.holds.releaseClient(id.key))
    if (lease === undefined) return { kind: 'released', address: q.ciaddr, found: false, writes: [] }
    if (lease.bindingState !== 'active' || (lease.ends ?? NEVER) <= req.now) {
      return { kind: 'released', address: q.ciaddr, found: true, writes: [] }
    }
    const failover = this.index.rangeOf(lease.address)?.pool.failoverPeer !== undefined
    const released = releasedLease(lease, req.now, failover)
    return { kind: 'released', address: lease.address, found: true, writes: [released] }
  }

  decline(req: AllocationRequest): Outcome {
    const address = req.query.requestedAddress
    if (address === undefined) return { kind: 'silent', reason: 'DHCPDECLINE without requested address' }
    const lease = this.store.get(address)
    const slot = this.index.rangeOf(address)
    if (slot === undefined) return { kind: 'declined', address, status: 'not found', writes: [] }
    const declines = EffectiveScope.of(slot.pool.scope).access('declines')
    if (declines === 'deny' || declines === 'ignore') return { kind: 'declined', address, status: 'ignored', writes: [] }
    return { kind: 'declined', address, status: 'abandoned', writes: [this.abandoned(address, lease, req.now)] }
  }

  /**
   * An address found in use by someone we did not give it to (ping-check answered, or an
   * ARP conflict): it becomes abandoned, as ISC does after a ping answer ("Abandoning IP
   * address X: pinged before offer"). Returns the writes to commit.
   */
  conflict(address: number, now: number): readonly Lease[] {
    if (this.index.rangeOf(address) === undefined) return []
    return [this.abandoned(address, this.store.get(address), now)]
  }

  /**
   * ISC abandon_lease: the address is unusable for abandon-lease-time; the client's identity
   * is dropped so nobody gets it back through affinity. Any offer hold on it ends.
   */
  private abandoned(address: number, lease: Lease | undefined, now: number): Lease {
    this.holds.releaseAddress(address)
    return {
      address,
      bindingState: 'abandoned',
      starts: now,
      ends: now + this.abandonLeaseTime,
      cltt: now,
      tstp: lease?.tstp,
      tsfp: lease?.tsfp,
      atsfp: lease?.atsfp,
    }
  }

  // ---- DHCPINFORM (RFC 2131 §4.3.5): configuration only, no lease ------------------------

  inform(req: AllocationRequest): Outcome {
    // ISC dhcpinform: the subnet of ciaddr, else of giaddr, else of the link it came in on.
    const q = req.query
    const sel = req.selection
    const byCiaddr = q.ciaddr === 0 ? undefined : this.index.subnetOf(q.ciaddr)
    if (q.ciaddr !== 0 && byCiaddr === undefined && q.giaddr === 0) {
      return { kind: 'silent', reason: `unknown subnet for client address ${fmt(q.ciaddr)}` }
    }
    const subnet = byCiaddr ?? sel?.subnet
    if (subnet === undefined) return { kind: 'silent', reason: 'unknown subnet' }
    const host = this.hosts.find(req.identity)[0]
    const scope = EffectiveScope.of(subnet.scope, host?.scope)
    // ISC does not answer DHCPINFORM for a subnet it is not authoritative for.
    if (!EffectiveScope.of(subnet.scope).authoritative) {
      return { kind: 'silent', reason: `not authoritative for subnet ${fmt(subnet.network)}` }
    }
    return { kind: 'inform', subnet, scope }
  }

  // ---- committing and reclaiming -----------------------------------------------------------

  /**
   * Applies an outcome's writes to the store; returns the changes to journal. The pool policy
   * settles each write against the address's record as it is now (failover rewind bookkeeping).
   */
  commit(writes: readonly Lease[], reason: LeaseChangeReason): LeaseChange[] {
    const changes: LeaseChange[] = []
    for (const lease of writes) {
      this.holds.releaseAddress(lease.address)
      const settled = this.policy.settle === undefined ? lease : this.settled(this.store.get(lease.address), lease)
      const change = this.store.upsert(settled, reason)
      this.allocator.noteLease(change.after, change.address)
      changes.push(change)
    }
    return changes
  }

  /** The lease to store for a local write to an address (pool policy `settle`). */
  private settled(before: Lease | undefined, after: Lease): Lease {
    const pool = this.index.rangeOf(after.address)?.pool
    return pool === undefined || this.policy.settle === undefined ? after : this.policy.settle(pool, before, after)
  }

  /** Reclaims at most `maxLeases` expired leases at `now` (epoch seconds). */
  reclaimExpired(now: number, maxLeases: number): { changes: LeaseChange[]; more: boolean } {
    const settle = this.policy.settle === undefined ? undefined : (before: Lease, after: Lease): Lease => this.settled(before, after)
    const result = reclaimExpired(this.store, now, { maxLeases, ...(settle === undefined ? {} : { settle }) })
    for (const c of result.changes) this.allocator.noteLease(c.after, c.address)
    return result
  }

  /** Addresses that were not ours to allocate may be now (failover PARTNER-DOWN after MCLT): look again. */
  rescanFreeAddresses(): void {
    this.allocator.rescan()
  }

  /** Tells the engine about a store change it did not make (failover peer, admin). */
  noteExternalChange(change: LeaseChange): void {
    this.allocator.noteLease(change.after, change.address)
  }

  // ---- bindings ----------------------------------------------------------------------------

  private fixedBinding(address: number, subnet: Subnet, host: Host, req: AllocationRequest): Binding {
    const scope = EffectiveScope.of(subnet.scope, host.scope)
    const leaseTime = grantedLeaseTime(scope, req.query.requestedLeaseTime)
    return { address, subnet, pool: undefined, host, scope, times: renewalTimes(leaseTime, scope.options()) }
  }

  private poolBinding(
    address: number,
    pool: Pool,
    subnet: Subnet,
    host: Host | undefined,
    req: AllocationRequest,
    lease: Lease | undefined = this.store.get(address),
  ): Binding {
    const scope = EffectiveScope.of(pool.scope, host?.scope)
    const desired = grantedLeaseTime(scope, req.query.requestedLeaseTime)
    const leaseTime = this.policy.grantableLeaseTime(pool, lease, desired, req.now)
    return { address, subnet, pool, host, scope, times: renewalTimes(leaseTime, scope.options()) }
  }

  /** Reserves `address` for the client's offer; addresses of displaced holds go back. */
  private hold(address: number, clientKey: string, now: number): void {
    for (const displaced of this.holds.hold(address, clientKey, now + this.offerHoldSeconds)) {
      if (displaced.address !== address) this.giveBack(displaced)
    }
  }

  /** An offer that will not be taken: its address is a candidate again. */
  private giveBack(hold: OfferHold | undefined): void {
    if (hold !== undefined) this.allocator.noteLease(this.store.get(hold.address), hold.address)
  }

  private pruneHolds(now: number): void {
    for (const lapsed of this.holds.prune(now)) this.giveBack(lapsed)
  }
}

const fmt = formatIPv4

/**
 * A released lease (DHCPRELEASE, or the control API's release). ISC release_lease: straight to
 * free outside failover; `released` (then free once the peer knows) inside it. Hardware address
 * and uid stay for address affinity.
 */
export function releasedLease(lease: Lease, now: number, failover: boolean): Lease {
  return {
    ...lease,
    bindingState: failover ? 'released' : 'free',
    nextBindingState: failover ? 'free' : undefined,
    ends: now,
    cltt: now,
    // dhcpd announces a RELEASED lease with potential expiry = now (§1.5 observed table).
    ...(failover ? { tstp: now } : {}),
    // Not acknowledged by the peer yet: freed on its BNDACK, not by time (expiryTimeOf).
    atsfp: failover ? undefined : lease.atsfp,
  }
}
