/**
 * Which addresses of a failover pool this server may hand to a new client, keyed by the
 * relationship's state, our role, now, STOS and MCLT (failover-protocol.md §3.1, §4.3, §6.1;
 * ISC dhcpd `lease_mine_to_reallocate`). Pure; times are Unix seconds.
 *
 * - Our own free state (primary FREE, secondary BACKUP): in every serving state.
 * - EXPIRED, RELEASED whose `rewind binding state` is our own free state: in every serving state
 *   (the peer never heard of the binding; rewind.ts, dhcpd's `lease_mine_to_reallocate`).
 * - ABANDONED: the primary at any time, the secondary like a peer-owned address.
 * - The peer's free state, EXPIRED, RELEASED, RESET: only in PARTNER-DOWN, and only once
 *   {@link peerReuseAt} has passed. dhcpd uses `max(STOS, tsfp) + MCLT` (and overwrites tsfp of
 *   EXPIRED/RELEASED/RESET with STOS + MCLT); the two-node simulation finds double bindings with
 *   that, so the bound here is `max(STOS, every potential expiry either side may hold, ends) + MCLT`
 *   (§4.3 [inferred]) — it only costs capacity during an outage.
 * - ACTIVE: never for another client (the engine decides renewals of the client's own lease).
 */
import type { BindingState } from '../../core/lease.js'
import { rewoundToOwnPool } from './rewind.js'
import { ownFreeState, type FailoverState, type Role } from './states.js'

/** What the relationship is doing, as the allocation rule needs it. */
export interface OwnershipContext {
  readonly state: FailoverState
  readonly role: Role
  readonly now: number
  /** Start time of our state (STOS). */
  readonly stos: number
  /** The MCLT in force (the primary's, learned in CONNECT, on a secondary). */
  readonly mclt: number
  /** The peer's last known state (rewind rules; its "demands" can stop us serving). */
  readonly peerState?: FailoverState | undefined
}

/** The address's record; all times 0/undefined when absent. A never-used address is FREE. */
export interface AddressRecord {
  readonly bindingState: BindingState | undefined
  /** Last state the peer is known to hold; undefined = the binding state (no rewind). */
  readonly rewindBindingState?: BindingState | undefined
  readonly starts?: number | undefined
  readonly ends?: number | undefined
  readonly tstp?: number | undefined
  readonly tsfp?: number | undefined
  readonly atsfp?: number | undefined
}

const SERVING: ReadonlySet<FailoverState> = new Set<FailoverState>(['normal', 'communications-interrupted', 'partner-down'])
const INFINITE = 0xffff_ffff

/**
 * The latest potential expiry either server may know for the address: our tstp/tsfp/atsfp, the
 * lease end, and for a lease with a duration the value we announce for it (ends + half the
 * granted time, §4.1), which the peer may have received without its ack reaching us.
 */
export function latestPotentialExpiry(r: AddressRecord): number {
  const ends = r.ends ?? 0
  const starts = r.starts ?? 0
  const announced = ends === INFINITE ? INFINITE : ends > starts && starts > 0 ? ends + Math.floor((ends - starts) / 2) : ends
  return Math.max(r.tstp ?? 0, r.tsfp ?? 0, r.atsfp ?? 0, ends, announced)
}

/** When, in PARTNER-DOWN, an address the peer may have used becomes ours to re-use (see file comment). */
export function peerReuseAt(ctx: Pick<OwnershipContext, 'stos' | 'mclt'>, r: AddressRecord): number {
  const latest = latestPotentialExpiry(r)
  if (latest === INFINITE) return INFINITE
  return Math.max(ctx.stos, latest) + ctx.mclt
}

/** Whether the server may give the address (in state `r`) to a new client now. */
export function mayAllocateAddress(ctx: OwnershipContext, r: AddressRecord): boolean {
  if (!SERVING.has(ctx.state)) return false
  const state = r.bindingState ?? 'free'
  if (state === ownFreeState(ctx.role)) return true
  if (state === 'active' || state === 'bootp') return false
  if (state === 'abandoned' && ctx.role === 'primary') return true
  if (rewoundToOwnPool(ctx.role, r)) return true
  if (ctx.state !== 'partner-down') return false
  return ctx.now >= peerReuseAt(ctx, r)
}

/**
 * The state an EXPIRED/RELEASED/RESET lease gets in PARTNER-DOWN (ISC's entry action and pool
 * timer, §3.3, §4.3): tsfp (and atsfp) raised to the re-use time (never lowered: that would lose
 * an agreed potential expiry) and the next state set to our own free state, so expiry reclamation
 * frees it for us at that time. Undefined when nothing changes.
 */
export function partnerDownAdjustment(
  ctx: Pick<OwnershipContext, 'stos' | 'mclt' | 'role'>,
  r: AddressRecord & { readonly nextBindingState?: BindingState | undefined },
): { readonly tsfp: number; readonly atsfp: number; readonly nextBindingState: 'free' | 'backup' } | undefined {
  const s = r.bindingState
  if (s !== 'expired' && s !== 'released' && s !== 'reset') return undefined
  const next = ownFreeState(ctx.role)
  // Already adjusted in this PARTNER-DOWN period: idempotent.
  if (r.nextBindingState === next && (r.tsfp ?? 0) >= ctx.stos + ctx.mclt) return undefined
  const tsfp = Math.max(r.tsfp ?? 0, peerReuseAt(ctx, r))
  // No acknowledgement comes in PARTNER-DOWN: the re-use time is ours to set, so it counts as
  // agreed (expiry reclamation waits for atsfp, set otherwise by the peer's BNDACK).
  return { tsfp, atsfp: tsfp, nextBindingState: next }
}
