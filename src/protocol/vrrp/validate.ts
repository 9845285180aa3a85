/**
 * The checks keepalived 2.2.7 applies to a received advert before its state machine sees it
 * (keepalived `vrrp_check_packet`, after RFC 3768 §7.1 / RFC 5798 §7.1), in keepalived's order,
 * each failure a typed reason with keepalived's log wording: TTL (multicast only), version,
 * structure, checksum, VRID, unicast source, then for v2 auth type, password and interval,
 * then packet type, address count and address list. An advert failing any check is
 * discarded; the driver counts and rate-limits the log line so a mismatch is visible.
 *
 * VRRPv3 does not require the interval to match (RFC 5798 §6.4.2: a backup learns the
 * master's Master_Adver_Interval); v2 does (RFC 3768 §7.1), as keepalived does.
 */
import { DecodeError } from '../../lib/errors.js'
import { formatIPv4 } from '../../lib/ip.js'
import {
  AUTH_DATA_LENGTH, AUTH_TYPE_NONE, AUTH_TYPE_SIMPLE_TEXT, VRRP_TTL, VRRP_TYPE_ADVERTISEMENT, advertIntervalMs, checksumValid,
  decode, passAuthData, peekVersion, type Advert,
} from './advert.js'

/** What this instance expects (from its vrrp_instance block). */
export interface AdvertExpectation {
  readonly version: 2 | 3
  readonly vrid: number
  readonly advertIntervalMs: number
  /** The PASS password (at most 8 characters), or undefined without authentication (always for v3). */
  readonly authPass?: string | undefined
  /** The VIPs carried in adverts, in any order. */
  readonly addresses: readonly number[]
  /** unicast_peer: when non-empty, adverts must come from one of these sources. */
  readonly unicastPeers?: readonly number[]
}

/** From the received IP header: keepalived reads TTL and addresses there. */
export interface ReceivedIpHeader {
  readonly ttl: number
  readonly src: number
  readonly dst: number
}

export type DiscardReason =
  | 'malformed'
  /** Our own advert looped back (the driver checks the source against our address). */
  | 'own-advert'
  | 'ttl'
  | 'version'
  | 'checksum'
  | 'type'
  | 'vrid'
  | 'unicast-source'
  | 'auth-type'
  | 'auth-pass'
  | 'address-count'
  | 'address-list'
  | 'interval'

export type AdvertVerdict =
  | { readonly ok: true; readonly advert: Advert; readonly intervalMs: number }
  | { readonly ok: false; readonly reason: DiscardReason; readonly message: string }

const discard = (reason: DiscardReason, message: string): AdvertVerdict => ({ ok: false, reason, message })

/**
 * Decodes and checks the advert in `buf[offset, end)` (the IP payload). Never throws for bad
 * input: malformed bytes are the `malformed` reason.
 */
export function checkAdvert(
  buf: Uint8Array, offset: number, end: number, ip: ReceivedIpHeader, want: AdvertExpectation,
): AdvertVerdict {
  const peers = want.unicastPeers ?? []
  // keepalived checks the TTL of multicast adverts only ("but not if unicast").
  if (peers.length === 0 && ip.ttl !== VRRP_TTL) return discard('ttl', `invalid TTL/HL. Received ${ip.ttl} and expect ${VRRP_TTL}`)
  const version = peekVersion(buf, offset, end)
  if (version === undefined) return discard('malformed', 'ip payload too short')
  if (version !== want.version) return discard('version', `wrong version. Received ${version} and expect ${want.version}`)
  let advert: Advert
  try {
    advert = decode(buf, offset, end).value
  } catch (e) {
    if (e instanceof DecodeError) return discard('malformed', e.message)
    throw e
  }
  if (!checksumValid(buf, offset, end, want.version, ip)) return discard('checksum', 'Invalid VRRP checksum')
  if (advert.vrid !== want.vrid) return discard('vrid', `received VRID ${advert.vrid}, expecting ${want.vrid}`)
  if (peers.length > 0 && !peers.includes(ip.src)) {
    return discard('unicast-source', `unicast source address ${formatIPv4(ip.src)} is not a configured unicast_peer`)
  }
  const intervalMs = advertIntervalMs(advert)
  if (advert.version === 2) {
    const wantType = want.authPass === undefined ? AUTH_TYPE_NONE : AUTH_TYPE_SIMPLE_TEXT
    if (advert.authType !== wantType) return discard('auth-type', `received a ${advert.authType} auth, expecting ${wantType}!`)
    if (want.authPass !== undefined) {
      const expected = passAuthData(want.authPass)
      for (let i = 0; i < AUTH_DATA_LENGTH; i++) {
        if (advert.authData[i] !== expected[i]) return discard('auth-pass', 'received an invalid passwd!')
      }
    }
    if (intervalMs !== want.advertIntervalMs) {
      return discard('interval',
        `advertisement interval mismatch mine=${want.advertIntervalMs / 1000} sec rcv'd=${advert.advertIntervalSec} sec`)
    }
  }
  if (advert.type !== VRRP_TYPE_ADVERTISEMENT) {
    return discard('type', `Invalid packet type. ${advert.type} and expect ${VRRP_TYPE_ADVERTISEMENT}`)
  }
  if (advert.addresses.length !== want.addresses.length) {
    return discard('address-count',
      `received an unexpected ip number count ${advert.addresses.length}, expected ${want.addresses.length}!`)
  }
  for (const address of want.addresses) {
    if (!advert.addresses.includes(address)) {
      return discard('address-list',
        `ip address associated with VRID ${want.vrid} not present in MASTER advert: ${formatIPv4(address)}`)
    }
  }
  return { ok: true, advert, intervalMs }
}
