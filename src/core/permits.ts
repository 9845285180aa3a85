/**
 * Pool permit lists (dhcpd.conf(5) "PERMIT LISTS"): `allow` entries form a permit list, `deny`
 * entries a prohibit list. A client may use the pool when it matches no prohibit entry and,
 * if there is a permit list, at least one permit entry.
 */
import type { PermitSubject, Pool } from '../config/model.js'

/** What the permit checks know about a client. */
export interface PermitClient {
  /** The client has a host declaration (ISC "known"). */
  readonly known: boolean
}

/**
 * Whether `subject` describes the client. Class membership is not implemented yet (no
 * classes are evaluated), so `members-of` never matches; DHCP clients are never
 * dynamic-bootp clients; nobody is authenticated (ISC has no authentication either);
 * `after` is treated as already passed.
 */
export function permitMatches(subject: PermitSubject, client: PermitClient): boolean {
  switch (subject.kind) {
    case 'all-clients':
      return true
    case 'known-clients':
      return client.known
    case 'unknown-clients':
      return !client.known
    case 'unauthenticated-clients':
      return true
    case 'after':
      return true
    case 'dynamic-bootp-clients':
    case 'authenticated-clients':
    case 'members-of':
      return false
  }
}

export function poolAdmits(pool: Pool, client: PermitClient): boolean {
  let hasPermitList = false
  let permitted = false
  for (const p of pool.permits) {
    const match = permitMatches(p.subject, client)
    if (!p.allow) {
      if (match) return false
    } else {
      hasPermitList = true
      if (match) permitted = true
    }
  }
  return !hasPermitList || permitted
}
