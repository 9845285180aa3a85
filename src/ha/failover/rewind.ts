/**
 * Rewind (failover-protocol.md §4.4; the draft's "optimization", ISC dhcpd 4.4): every lease
 * remembers its `rewind binding state`, the last state the peer is known to (possibly) hold.
 * A binding the peer never heard of can be undone: in COMMUNICATIONS-INTERRUPTED a lease we
 * allocated from our own pool (rewind state = our own free state) goes straight back to that
 * pool when it expires or is released, instead of waiting in EXPIRED/RELEASED for a BNDACK that
 * cannot come. Pure; times play no part.
 *
 * Where dhcpd sets the rewind state (and so do we):
 * - on transmitting a BNDUPD: the state sent, written and fsynced before the message goes out
 *   (the peer may act on it even if its BNDACK never reaches us; failover-updates.ts);
 * - on accepting a peer BNDUPD: the state stored (failover-bindings.ts `leaseFromBinding`);
 * - on a BNDACK that frees an EXPIRED/RELEASED lease: FREE, the state the peer moved it to;
 * - on every local commit while the relationship cooperates or does not serve (dhcpd's service
 *   states `cooperating` and `not_responding`): the new binding state ({@link stepsRewindOnCommit}).
 *   In COMMUNICATIONS-INTERRUPTED, PARTNER-DOWN and STARTUP a commit keeps the old rewind state.
 *
 * A lease without a rewind state holds its binding state (no rewind), as dhcpd reads a lease
 * file without `rewind binding state`; a never-used address is FREE (dhcpd creates every lease
 * FREE with rewind state FREE).
 */
import type { BindingState, Lease } from '../../core/lease.js'
import { ownFreeState, servicePolicy, type FailoverState, type Role } from './states.js'

/** The relationship as the rewind rules need it. */
export interface RewindContext {
  readonly state: FailoverState
  readonly role: Role
  /** The peer's last known state (its "demands" can stop us serving, §3.1). */
  readonly peerState?: FailoverState | undefined
}

/** The last state the peer is known to hold for the address (undefined lease: never used, FREE). */
export function rewindStateOf(lease: { readonly bindingState: BindingState; readonly rewindBindingState?: BindingState | undefined } | undefined): BindingState {
  if (lease === undefined) return 'free'
  return lease.rewindBindingState ?? lease.bindingState
}

/**
 * Whether a local commit steps the rewind state forward to the new binding state. dhcpd does
 * so in its service states `cooperating` (NORMAL) and `not_responding` (every state that does
 * not serve clients, STARTUP aside, and serving states whose peer "demands" silence), so that
 * the fsync at BNDUPD transmission is usually saved. COMMUNICATIONS-INTERRUPTED and PARTNER-DOWN
 * (when serving) and STARTUP keep the old rewind state.
 */
export function stepsRewindOnCommit(ctx: RewindContext): boolean {
  if (ctx.state === 'startup') return false
  const policy = servicePolicy(ctx.state, ctx.role, ctx.peerState)
  return policy.responding ? ctx.state === 'normal' : true
}

/**
 * The state an ending binding (ACTIVE → EXPIRED on expiry, ACTIVE → RELEASED on DHCPRELEASE)
 * goes to instead, when it can be rewound: the policy allows rewind (COMMUNICATIONS-INTERRUPTED,
 * serving) and the peer's last known state is our own free state, i.e. it never heard of the
 * binding. Undefined when the existing behaviour applies.
 */
export function rewindTarget(ctx: RewindContext, rewindState: BindingState): 'free' | 'backup' | undefined {
  if (!servicePolicy(ctx.state, ctx.role, ctx.peerState).rewind) return undefined
  const own = ownFreeState(ctx.role)
  return rewindState === own ? own : undefined
}

/** The §4.1 allocation rule: an EXPIRED/RELEASED lease whose rewind state is our own free state is ours at once. */
export function rewoundToOwnPool(role: Role, lease: { readonly bindingState: BindingState | undefined; readonly rewindBindingState?: BindingState | undefined }): boolean {
  const s = lease.bindingState
  return (s === 'expired' || s === 'released') && (lease.rewindBindingState ?? s) === ownFreeState(role)
}

const bound = (s: BindingState | undefined): boolean => s === 'active' || s === 'bootp'

/**
 * The lease to write for a local change (the engine's writes, expiry reclamation, operator
 * actions) in a pool of the relationship, as dhcpd's `supersede_lease`, `release_lease` and
 * pool timer handle it: `before` is the address's current record (undefined: never used),
 * `after` the lease the engine would write.
 *
 * - An ending binding that can be rewound ({@link rewindTarget}) goes to our own free state
 *   instead: no next state, the potential expiry to announce is its end (dhcpd: tstp = ends) and
 *   it is un-acked (atsfp cleared), so the peer hears of the FREE/BACKUP state once it is back.
 * - Otherwise the rewind state steps forward to the new binding state, or keeps the old one
 *   (see {@link stepsRewindOnCommit}).
 */
export function settleRewind(ctx: RewindContext, before: Lease | undefined, after: Lease): Lease {
  const known = rewindStateOf(before)
  const ending = bound(before?.bindingState) && (after.bindingState === 'expired' || after.bindingState === 'released')
  const target = ending ? rewindTarget(ctx, known) : undefined
  if (target !== undefined) {
    return { ...after, bindingState: target, nextBindingState: undefined, rewindBindingState: undefined, tstp: after.ends, atsfp: undefined }
  }
  if (stepsRewindOnCommit(ctx)) return after.rewindBindingState === undefined ? after : { ...after, rewindBindingState: undefined }
  return after.rewindBindingState === known ? after : { ...after, rewindBindingState: known }
}
