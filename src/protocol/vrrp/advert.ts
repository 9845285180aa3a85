/**
 * VRRP advertisement codec: VRRPv2 (RFC 3768 §5.3) and VRRPv3 for IPv4 (RFC 5798 §5.2),
 * byte-compatible with keepalived 2.2.7 (see docs/raw-sockets-vrrp-clients.md §3.1).
 *
 *     v2:  | ver 2 | type | VRID | priority | count | auth type | adver int (s) | checksum |
 *          | IPv4 address × count | authentication data (8 bytes) |
 *     v3:  | ver 3 | type | VRID | priority | count | rsvd(4) max adver int (12, cs) | checksum |
 *          | IPv4 address × count |
 *
 * The codec covers the VRRP message only; the IP header (TTL 255, protocol 112, 224.0.0.18)
 * belongs to the caller. `decode` checks structure only (throws DecodeError); the checks
 * keepalived applies before accepting an advert live in validate.ts.
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'
import { ipFromBytes, ipToBytes } from '../../lib/ip.js'
import { IPPROTO_VRRP, internetChecksum, pseudoHeaderSum } from './checksum.js'

/** The only VRRP packet type (RFC 3768 §5.3.2, RFC 5798 §5.2.2). */
export const VRRP_TYPE_ADVERTISEMENT = 1
/** RFC 3768 §5.3.6 authentication types. */
export const AUTH_TYPE_NONE = 0
export const AUTH_TYPE_SIMPLE_TEXT = 1
export const AUTH_TYPE_IP_AH = 2
/** RFC 3768 §5.3.10: the authentication data field is always 8 bytes in v2. */
export const AUTH_DATA_LENGTH = 8
/** Fixed part before the address list, both versions. */
export const HEADER_LENGTH = 8
/** 224.0.0.18 (RFC 3768 §5.2.2, RFC 5798 §5.1.1.2). */
export const VRRP_MULTICAST_GROUP = 0xe0000012
/** RFC 3768 §5.2.3 / RFC 5798 §5.1.1.3: sent with TTL 255, received only with TTL 255. */
export const VRRP_TTL = 255
/** Priority meaning "the master stops" (RFC 3768 §5.3.4). */
export const PRIORITY_STOP = 0
/** Priority of the address owner (RFC 3768 §5.3.4). */
export const PRIORITY_OWNER = 255

export interface AdvertV2 {
  readonly version: 2
  /** 1 for an advertisement; other values decode so validation can name them. */
  readonly type: number
  readonly vrid: number
  readonly priority: number
  /** RFC 3768 §5.3.6: 0 none, 1 simple text password (keepalived `PASS`), 2 IP AH. */
  readonly authType: number
  /** RFC 3768 §5.3.7: whole seconds, 8 bits. */
  readonly advertIntervalSec: number
  readonly addresses: readonly number[]
  /** Exactly 8 bytes; for PASS the password zero-padded (see passAuthData). */
  readonly authData: Uint8Array
  /** The checksum as read (decode only). encode always computes a fresh one. */
  readonly checksum?: number
}

export interface AdvertV3 {
  readonly version: 3
  readonly type: number
  readonly vrid: number
  readonly priority: number
  /** RFC 5798 §5.2.7: centiseconds, 12 bits (1..4095). */
  readonly maxAdvertIntervalCs: number
  /** The 4 reserved bits before the interval; 0 when sent, kept for byte-exact round trips. */
  readonly reserved?: number
  readonly addresses: readonly number[]
  readonly checksum?: number
}

export type Advert = AdvertV2 | AdvertV3

/** What the v3 checksum needs from the IP header (RFC 5798 §5.2.8). */
export interface PseudoHeader {
  readonly src: number
  readonly dst: number
}

export interface Decoded<T> {
  readonly value: T
  readonly offset: number
}

/** The 8 authentication bytes for a PASS password: its first 8 bytes, zero-padded (RFC 3768 §5.3.10). */
export function passAuthData(password: string): Buffer {
  const out = Buffer.alloc(AUTH_DATA_LENGTH)
  Buffer.from(password, 'latin1').copy(out, 0, 0, AUTH_DATA_LENGTH)
  return out
}

/** The advertisement interval in milliseconds, whatever the version. */
export function advertIntervalMs(a: Advert): number {
  return a.version === 2 ? a.advertIntervalSec * 1000 : a.maxAdvertIntervalCs * 10
}

export function encodingLength(a: Advert): number {
  return HEADER_LENGTH + 4 * a.addresses.length + (a.version === 2 ? AUTH_DATA_LENGTH : 0)
}

function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EncodeError(field, `${value} is not an integer in ${min}..${max}`)
  }
}

/**
 * Writes `a` at `offset` and returns the offset after it. The checksum is computed here:
 * over the VRRP bytes for v2, with the IPv4 pseudo-header `ip` for v3 (required then).
 */
export function encode(a: Advert, buf: Uint8Array, offset: number, ip?: PseudoHeader): number {
  checkRange('type', a.type, 0, 15)
  checkRange('vrid', a.vrid, 0, 255)
  checkRange('priority', a.priority, 0, 255)
  checkRange('address count', a.addresses.length, 0, 255)
  const len = encodingLength(a)
  if (offset < 0 || offset + len > buf.length) throw new EncodeError('advert', `needs ${len} bytes at offset ${offset}`)
  if (a.version === 3 && ip === undefined) throw new EncodeError('checksum', 'VRRPv3 needs the IPv4 source and destination')
  const start = offset
  buf[offset++] = (a.version << 4) | a.type
  buf[offset++] = a.vrid
  buf[offset++] = a.priority
  buf[offset++] = a.addresses.length
  if (a.version === 2) {
    checkRange('auth type', a.authType, 0, 255)
    checkRange('advert interval', a.advertIntervalSec, 0, 255)
    if (a.authData.length !== AUTH_DATA_LENGTH) throw new EncodeError('auth data', `must be ${AUTH_DATA_LENGTH} bytes`)
    buf[offset++] = a.authType
    buf[offset++] = a.advertIntervalSec
  } else {
    checkRange('max advert interval', a.maxAdvertIntervalCs, 0, 0xfff)
    const reserved = a.reserved ?? 0
    checkRange('reserved', reserved, 0, 15)
    buf[offset++] = (reserved << 4) | (a.maxAdvertIntervalCs >>> 8)
    buf[offset++] = a.maxAdvertIntervalCs & 0xff
  }
  const checksumAt = offset
  buf[offset++] = 0
  buf[offset++] = 0
  for (const address of a.addresses) offset = ipToBytes(address, buf, offset)
  if (a.version === 2) {
    buf.set(a.authData, offset)
    offset += AUTH_DATA_LENGTH
  }
  const initial = a.version === 3 && ip ? pseudoHeaderSum(ip.src, ip.dst, IPPROTO_VRRP, len) : 0
  const sum = internetChecksum(buf, start, offset, initial)
  buf[checksumAt] = sum >>> 8
  buf[checksumAt + 1] = sum & 0xff
  return offset
}

/** A fresh buffer holding exactly `a`. */
export function toBuffer(a: Advert, ip?: PseudoHeader): Buffer {
  const buf = Buffer.alloc(encodingLength(a))
  encode(a, buf, 0, ip)
  return buf
}

/** The version nibble, or undefined for an empty region; lets validation report it before decoding. */
export function peekVersion(buf: Uint8Array, offset: number, end: number): number | undefined {
  return offset < end ? buf[offset]! >>> 4 : undefined
}

/**
 * Reads one advert from `buf[offset, end)`. Throws DecodeError when it is truncated or its
 * version is neither 2 nor 3. Bytes after the message (if the IP payload is longer) are left
 * unread: the returned offset says where the message ended.
 */
export function decode(buf: Uint8Array, offset: number, end: number): Decoded<Advert> {
  if (offset < 0 || end > buf.length || offset > end) throw new DecodeError('advert', offset, `bad region ${offset}..${end}`)
  if (end - offset < HEADER_LENGTH) {
    throw new DecodeError('advert header', offset, `needs ${HEADER_LENGTH} bytes, has ${end - offset}`)
  }
  const version = buf[offset]! >>> 4
  if (version !== 2 && version !== 3) throw new DecodeError('version', offset, `VRRP version ${version} is not 2 or 3`)
  const type = buf[offset]! & 0x0f
  const vrid = buf[offset + 1]!
  const priority = buf[offset + 2]!
  const count = buf[offset + 3]!
  const checksum = (buf[offset + 6]! << 8) | buf[offset + 7]!
  const length = HEADER_LENGTH + 4 * count + (version === 2 ? AUTH_DATA_LENGTH : 0)
  if (offset + length > end) {
    throw new DecodeError('addresses', offset + 3, `${count} addresses need ${length} bytes, have ${end - offset}`)
  }
  const addresses: number[] = []
  let pos = offset + HEADER_LENGTH
  for (let i = 0; i < count; i++, pos += 4) addresses.push(ipFromBytes(buf, pos))
  if (version === 2) {
    const value: AdvertV2 = {
      version, type, vrid, priority, authType: buf[offset + 4]!, advertIntervalSec: buf[offset + 5]!,
      addresses, authData: Buffer.from(buf.subarray(pos, pos + AUTH_DATA_LENGTH)), checksum,
    }
    return { value, offset: pos + AUTH_DATA_LENGTH }
  }
  const value: AdvertV3 = {
    version, type, vrid, priority,
    maxAdvertIntervalCs: ((buf[offset + 4]! & 0x0f) << 8) | buf[offset + 5]!,
    reserved: buf[offset + 4]! >>> 4,
    addresses, checksum,
  }
  return { value, offset: pos }
}

/**
 * True when the checksum over `buf[offset, end)` is correct for `version`: v2 over the VRRP
 * bytes (RFC 3768 §5.3.8), v3 with the pseudo-header (RFC 5798 §5.2.8). `end` is the end of
 * the IP payload, as keepalived sums the whole payload.
 */
export function checksumValid(buf: Uint8Array, offset: number, end: number, version: 2 | 3, ip: PseudoHeader): boolean {
  const initial = version === 3 ? pseudoHeaderSum(ip.src, ip.dst, IPPROTO_VRRP, end - offset) : 0
  return internetChecksum(buf, offset, end, initial) === 0
}
