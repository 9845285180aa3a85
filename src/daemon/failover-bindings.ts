/**
 * Lease ↔ BNDUPD binding conversion (failover-protocol.md §1.5, §2.4), and which leases a
 * relationship covers. Pure; the driver does the I/O.
 */
import type { ServerConfig } from '../config/model.js'
import { bindingStateCode, type BindingState, type Lease } from '../core/lease.js'
import type { Binding, BindingView } from '../protocol/failover/messages.js'
import { potentialExpiry } from '../ha/failover/announced-expiry.js'

/** Every address of the pools that name `peer`, as [first, last] ranges. */
export function relationshipRanges(config: ServerConfig, peer: string): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = []
  for (const s of config.subnets) {
    for (const p of s.pools) {
      if (p.failoverPeer !== peer) continue
      for (const r of p.ranges) out.push([r.first, r.last])
    }
  }
  return out
}

/** One pool of a relationship, as pool balancing sees it (ISC balances each pool on its own, §6.2). */
export interface RelationshipPool {
  /** Stands for ISC's pool pointer in log lines: the pool's position in the configuration, hex. */
  readonly id: string
  /** Shared-network name, for log lines. */
  readonly network: string
  readonly ranges: ReadonlyArray<readonly [number, number]>
}

/** The pools that name `peer`, in configuration order (a pool listed under several subnets once). */
export function relationshipPools(config: ServerConfig, peer: string): RelationshipPool[] {
  const seen = new Set<object>()
  const out: RelationshipPool[] = []
  let index = 0
  for (const s of config.subnets) {
    for (const p of s.pools) {
      if (seen.has(p)) continue
      seen.add(p)
      const id = (index++).toString(16)
      if (p.failoverPeer !== peer) continue
      out.push({ id, network: s.sharedNetwork, ranges: p.ranges.map((r) => [r.first, r.last] as const) })
    }
  }
  return out
}

export function inRanges(ranges: ReadonlyArray<readonly [number, number]>, address: number): boolean {
  return ranges.some(([a, b]) => address >= a && address <= b)
}

/** The binding a BNDUPD carries for `lease` (§1.5 order; §2.4 contents). */
export function bindingOf(lease: Lease): Binding {
  const s = lease.bindingState
  const chaddr = lease.hardware !== undefined && s !== 'abandoned'
    ? Buffer.concat([Buffer.from([lease.hardware.htype]), lease.hardware.address])
    : undefined
  return {
    address: lease.address,
    status: bindingStateCode(s),
    clientId: s === 'abandoned' ? undefined : lease.uid,
    chaddr,
    ends: lease.ends ?? 0,
    potentialExpiry: potentialExpiry(lease),
    stos: lease.starts ?? 0,
    cltt: lease.cltt,
  }
}

/**
 * The lease we store for an accepted BNDUPD (dhcpd: EXPIRED/RELEASED/RESET are stored as FREE;
 * a missing client-id is forgotten unless the state is FREE/BACKUP/RESET, §2.4). tstp, tsfp and
 * atsfp all take the update's potential expiry (dhcpd leaves tstp as it was; see below). The
 * rewind binding state becomes the stored state: the peer holds it now (rewind.ts).
 *
 * The failover wire carries no host name and no binding scope, so an ACTIVE update for the same
 * client (hardware address and client-id unchanged: the peer renewed it) keeps what we had:
 * `client-hostname` and the verbatim statements (`set …`, `option agent.* …`, `on …`), as dhcpd
 * does by updating a copy of its lease. A new client, or any other state, starts without them.
 */
export function leaseFromBinding(b: BindingView & { readonly address: number }, theirs: BindingState, ours: Lease | undefined): Lease {
  const state: BindingState = theirs === 'expired' || theirs === 'released' || theirs === 'reset' ? 'free' : theirs
  const keepsIdentity = theirs === 'free' || theirs === 'backup' || theirs === 'reset'
  const hardware = b.chaddr !== undefined && b.chaddr.length >= 1
    ? { htype: b.chaddr[0] ?? 1, address: Buffer.from(b.chaddr.subarray(1)) }
    : keepsIdentity ? ours?.hardware : undefined
  const uid = b.clientId ?? (keepsIdentity ? ours?.uid : undefined)
  const nz = (n: number | undefined): number | undefined => (n === undefined || n === 0 ? undefined : n)
  // hadhcpd safety rule (two-node simulation: ~53 double bindings per 5,600 schedules without it):
  // an ACTIVE update for the client we hold ACTIVE never shortens our grant. Conflict resolution or
  // a lost duel can deliver the peer's older, shorter copy; dhcpd takes it as is.
  const sameGrant = ours !== undefined && state === 'active' && (ours.bindingState === 'active' || ours.bindingState === 'bootp') &&
    sameIdentity(ours, hardware, uid)
  const max = (a: number | undefined, c: number | undefined): number | undefined =>
    a === undefined ? c : c === undefined ? a : Math.max(a, c)
  // Our grant to this client outlives theirs: ours stays un-acked (tstp > atsfp) and goes to the peer.
  const oursLonger = sameGrant && (ours.ends ?? 0) > (nz(b.ends) ?? 0)
  const bound = state === 'active' || state === 'bootp'
  const renewed = theirs === 'active' && ours !== undefined && sameBytes(ours.uid, uid) &&
    ours.hardware !== undefined && hardware !== undefined && ours.hardware.htype === hardware.htype && sameBytes(ours.hardware.address, hardware.address)
  return {
    address: b.address,
    bindingState: state,
    // As our own grants in a failover pool: when it ends it becomes EXPIRED, never FREE at once
    // (FREE would be ours to allocate while the peer may still be renewing the client).
    nextBindingState: bound ? 'expired' : undefined,
    // dhcpd: "If we accept a peer's binding update, then we can't rewind a lease behind the
    // peer's state": the rewind state is the state stored (undefined = the binding state).
    rewindBindingState: undefined,
    starts: nz(b.stos) ?? ours?.starts,
    ends: sameGrant ? max(ours.ends, nz(b.ends)) : nz(b.ends),
    // Otherwise the binding is the peer's: what we would announce for it is what it announced, so
    // it is not "un-acked" (tstp > atsfp) and is not sent back on the next entry to NORMAL, where
    // it could overwrite a newer binding the peer made meanwhile. Same marks as a BNDACK leaves.
    tstp: oursLonger ? ours.tstp : nz(b.potentialExpiry) ?? ours?.tstp,
    tsfp: sameGrant ? max(ours.tsfp, nz(b.potentialExpiry)) : nz(b.potentialExpiry),
    atsfp: nz(b.potentialExpiry),
    cltt: sameGrant ? max(ours.cltt, nz(b.cltt)) : nz(b.cltt) ?? ours?.cltt,
    hardware,
    uid,
    ...(renewed ? { clientHostname: ours.clientHostname, statements: ours.statements } : {}),
  }
}

/** Same client: the hardware addresses match, and the client-ids too when both are known. */
function sameIdentity(ours: Lease, hardware: Lease['hardware'], uid: Buffer | undefined): boolean {
  if (ours.hardware === undefined || hardware === undefined) return false
  if (ours.hardware.htype !== hardware.htype || !ours.hardware.address.equals(hardware.address)) return false
  return ours.uid === undefined || uid === undefined || ours.uid.equals(uid)
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return Buffer.compare(a, b) === 0
}
