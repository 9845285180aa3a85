/**
 * Lease time, renewal (T1) and rebinding (T2) times for a reply.
 *
 * RFC 2131 §3.3: the client may ask for a lease time (option 51); the server grants a time
 * within its policy. ISC dhcpd bounds the request by `min-lease-time` and `max-lease-time`
 * and uses `default-lease-time` when the client asks for nothing.
 * RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease time; configured
 * options 58/59 win.
 */
import type { ConfiguredOption } from '../config/model.js'
import { OptionCode } from '../protocol/dhcp/option-defs.js'
import type { EffectiveScope } from './effective-scope.js'

/** ISC dhcpd 4.4 built-in defaults (dhcpd.conf(5)). */
export const ISC_DEFAULT_LEASE_TIME = 43200
export const ISC_MAX_LEASE_TIME = 86400

export interface LeaseTimes {
  /** Seconds (option 51). */
  readonly leaseTime: number
  /** Seconds (option 58). */
  readonly renewalTime: number
  /** Seconds (option 59). */
  readonly rebindingTime: number
}

/** The lease time the server grants, before any failover (MCLT) limit. */
export function grantedLeaseTime(scope: EffectiveScope, requested: number | undefined): number {
  const max = scope.param('maxLeaseTime') ?? ISC_MAX_LEASE_TIME
  const min = Math.min(scope.param('minLeaseTime') ?? 0, max)
  const wanted = requested ?? scope.param('defaultLeaseTime') ?? ISC_DEFAULT_LEASE_TIME
  return Math.max(min, Math.min(max, wanted))
}

/** T1/T2 for a lease of `leaseTime` seconds; configured 58/59 are kept below the lease time. */
export function renewalTimes(leaseTime: number, options: ReadonlyMap<number, ConfiguredOption>): LeaseTimes {
  const configuredT1 = uint32Of(options.get(OptionCode.RENEWAL_TIME))
  const configuredT2 = uint32Of(options.get(OptionCode.REBINDING_TIME))
  const rebindingTime = Math.min(configuredT2 ?? Math.floor(leaseTime * 0.875), leaseTime)
  const renewalTime = Math.min(configuredT1 ?? Math.floor(leaseTime * 0.5), rebindingTime)
  return { leaseTime, renewalTime, rebindingTime }
}

function uint32Of(option: ConfiguredOption | undefined): number | undefined {
  if (option === undefined || option.data.length !== 4) return undefined
  return option.data.readUInt32BE(0)
}

/** dhcpd's default `dhcp-cache-threshold`, percent. */
export const DEFAULT_CACHE_THRESHOLD = 25

/** The threshold in force: a configured value below 100 (ISC takes one byte < 100), else the default; 0 disables. */
export function cacheThreshold(configured: number | undefined): number {
  return configured !== undefined && configured < 100 ? configured : DEFAULT_CACHE_THRESHOLD
}

/**
 * ISC `reuse_lease`: a renewal by the lease's own client is answered with the existing lease,
 * unaltered (nothing written, no failover BNDUPD), while its age `now − starts` is at most
 * `threshold` % of its length `ends − starts` (the limit truncated to whole seconds, computed in
 * floating point as dhcpd does). dhcpd logs `reuse_lease: lease age N (secs) under 25%
 * threshold, reply with unaltered, existing lease for A`. Never for an infinite lease.
 */
export function reusesLease(lease: { readonly starts: number; readonly ends: number }, now: number, threshold = DEFAULT_CACHE_THRESHOLD): boolean {
  if (threshold <= 0 || lease.ends === 0xffff_ffff) return false
  const limit = Math.trunc((lease.ends - lease.starts) * (threshold / 100))
  return now - lease.starts <= limit
}

/**
 * The potential expiry (tstp) a DHCPACK records in a failover pool (ISC dhcp.c, §4.1): the desired
 * lease time plus half the time actually granted, "an estimate of when the client will renew",
 * so the renewal can get the desired time once the peer has acknowledged it. Infinite desired
 * time → 0xffffffff (`never`).
 */
export function ackPotentialExpiry(now: number, desired: number, granted: number): number {
  if (desired >= 0xffff_ffff) return 0xffff_ffff
  return Math.min(0xffff_fffe, now + desired + Math.floor(granted / 2))
}
