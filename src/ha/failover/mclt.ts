import { ackPotentialExpiry } from '../../core/lease-times.js'

/**
 * The MCLT lease-time rule dhcpd 4.4.3 applies in every failover state, PARTNER-DOWN included
 * (failover-protocol.md §4.1), and the 25 % cache threshold under which a renewal returns the
 * existing lease unchanged and sends no BNDUPD. All times are Unix seconds.
 */

/** ISC's `MAX_TIME`-style infinite lease marker (`never`). */
export const INFINITE = 0xffff_ffff

export interface LeaseTimeInput {
  /** Current time. */
  readonly now: number
  /** Lease time from configuration after min/max/default and the client's request; INFINITE allowed. */
  readonly desired: number
  /** Relationship MCLT, seconds. */
  readonly mclt: number
  /** The lease's agreed potential expiry (tsfp); 0 or undefined when none. */
  readonly tsfp: number | undefined
}

/**
 * The lease time actually granted (§4.1):
 * desired ≤ mclt → desired; tsfp ≤ now → mclt; now + desired > tsfp + mclt → tsfp + mclt − now;
 * else desired.
 */
export function grantedLeaseTime(i: LeaseTimeInput): number {
  const tsfp = i.tsfp ?? 0
  if (i.desired <= i.mclt) return i.desired
  if (tsfp <= i.now) return i.mclt
  if (i.desired === INFINITE || i.now + i.desired > tsfp + i.mclt) return tsfp + i.mclt - i.now
  return i.desired
}

export interface AckTimes {
  /** Lease time given to the client. */
  readonly granted: number
  /** Client lease end: now + granted (INFINITE for an infinite grant). */
  readonly ends: number
  /** New potential expiry to send the peer: now + desired + granted / 2 (INFINITE for infinite leases). */
  readonly tstp: number
  /** Local tsfp after the ack: lowered to tstp when tstp is earlier (never sent). */
  readonly tsfp: number
}

/** Times written on a DHCPACK (§4.1). A DHCPOFFER uses {@link grantedLeaseTime} only; tstp is unchanged. */
export function ackTimes(i: LeaseTimeInput): AckTimes {
  const granted = grantedLeaseTime(i)
  const ends = granted === INFINITE ? INFINITE : i.now + granted
  const tstp = ackPotentialExpiry(i.now, i.desired, granted)
  const tsfp0 = i.tsfp ?? 0
  const tsfp = tstp < tsfp0 ? tstp : tsfp0
  return { granted, ends, tstp, tsfp }
}

/** The 25 % cache threshold rule lives with the engine (core/lease-times.ts); re-exported here. */
export { DEFAULT_CACHE_THRESHOLD, reusesLease } from '../../core/lease-times.js'
