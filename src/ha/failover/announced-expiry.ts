/**
 * The potential expiry we announce to the peer for a lease (§4.1), and the rule that an ending
 * binding keeps it: the peer may hold that time even if its BNDACK never reached us, so the
 * PARTNER-DOWN re-use time (address-ownership.ts) must count it. Pure.
 */
import { NEVER, type Lease } from '../../core/lease.js'

/**
 * The potential expiry we announce for `lease` at send time: the lease's own tstp when the
 * engine recorded one, otherwise (ACTIVE) ends + half the granted time — never earlier than
 * the client's ends, which is what the peer must not re-use before (§4.1) — or ends.
 */
export function potentialExpiry(lease: Lease): number {
  const ends = lease.ends ?? 0
  if (lease.tstp !== undefined && lease.tstp >= ends) return lease.tstp
  if (lease.bindingState === 'active' && lease.starts !== undefined && ends > lease.starts && ends !== NEVER) {
    return ends + Math.floor((ends - lease.starts) / 2)
  }
  return ends
}

/**
 * A local write that ends a binding (ACTIVE/BOOTP → EXPIRED/RELEASED/RESET) keeps, as tstp, the
 * potential expiry announced (or about to be announced) for the grant it ends; journalled with
 * the write itself, and carried by its BNDUPD. The two-node simulation finds double bindings
 * without it.
 */
export function keepAnnouncedExpiry(before: Lease | undefined, after: Lease): Lease {
  if (before === undefined || (before.bindingState !== 'active' && before.bindingState !== 'bootp')) return after
  if (after.bindingState !== 'expired' && after.bindingState !== 'released' && after.bindingState !== 'reset') return after
  const announced = potentialExpiry(before)
  if (announced <= (after.tstp ?? 0) || announced === NEVER) return after
  return { ...after, tstp: announced }
}
