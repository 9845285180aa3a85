/**
 * The IPv4 header around a VRRP advert, for the raw send path (keepalived builds it itself
 * with IP_HDRINCL) and the receive path (keepalived reads TTL, source and destination from
 * it). RFC 791 §3.1; VRRP's requirements from RFC 3768 §5.2 / RFC 5798 §5.1: TTL 255,
 * protocol 112. keepalived sends TOS 0xc0 (CS6), DF clear and an ID counting up from 1
 * (docs/raw-sockets-vrrp-clients.md §3.1).
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'
import { ipFromBytes } from '../../lib/ip.js'
import { IPV4_HEADER, encodeIpv4 } from '../l2/ipv4.js'
import { IPPROTO_VRRP } from './checksum.js'
import { VRRP_TTL } from './advert.js'

export const IPV4_HEADER_LENGTH = IPV4_HEADER
/** keepalived's IP_TOS for adverts: 0xc0, DSCP CS6 (network control). */
export const VRRP_TOS = 0xc0

export interface VrrpIpHeaderFields {
  readonly src: number
  readonly dst: number
  /** IP identification; keepalived counts up from 1 per advert. */
  readonly id: number
  /** Length of the VRRP message that follows. */
  readonly payloadLength: number
}

/** Writes the 20-byte header (no options, DF clear, TTL 255, protocol 112, checksum filled). */
export function encodeVrrpIpHeader(h: VrrpIpHeaderFields, buf: Buffer, offset: number): number {
  const total = IPV4_HEADER_LENGTH + h.payloadLength
  if (!Number.isInteger(h.id) || h.id < 0 || h.id > 0xffff) throw new EncodeError('ip id', `${h.id} is not a 16-bit value`)
  if (total > 0xffff) throw new EncodeError('ip total length', `${total} exceeds 65535`)
  if (offset < 0 || offset + IPV4_HEADER_LENGTH > buf.length) throw new EncodeError('ip header', `needs 20 bytes at offset ${offset}`)
  return encodeIpv4(
    { tos: VRRP_TOS, id: h.id, flagsFragment: 0, ttl: VRRP_TTL, protocol: IPPROTO_VRRP, src: h.src, dst: h.dst, payloadLength: h.payloadLength },
    buf,
    offset,
  )
}

/** What the receive path needs from a received IPv4 header. */
export interface ReceivedIpv4 {
  readonly ttl: number
  readonly protocol: number
  readonly src: number
  readonly dst: number
  /** Where the payload (the VRRP message) starts and ends in the buffer. */
  readonly payloadOffset: number
  readonly payloadEnd: number
}

/**
 * Reads the IPv4 header at `offset` (as a raw IPPROTO_VRRP socket delivers it). Throws
 * DecodeError when it is not IPv4, is truncated, or its lengths do not fit in `end`.
 * The header checksum is the kernel's business on receive and is not checked.
 */
export function decodeIpv4Header(buf: Uint8Array, offset: number, end: number): ReceivedIpv4 {
  if (end - offset < IPV4_HEADER_LENGTH) throw new DecodeError('ip header', offset, `needs ${IPV4_HEADER_LENGTH} bytes, has ${end - offset}`)
  const version = buf[offset]! >>> 4
  if (version !== 4) throw new DecodeError('ip version', offset, `version ${version} is not 4`)
  const headerLength = (buf[offset]! & 0x0f) * 4
  if (headerLength < IPV4_HEADER_LENGTH || offset + headerLength > end) {
    throw new DecodeError('ip header length', offset, `IHL ${headerLength} bytes does not fit`)
  }
  const total = (buf[offset + 2]! << 8) | buf[offset + 3]!
  if (total < headerLength || offset + total > end) throw new DecodeError('ip total length', offset + 2, `${total} does not fit in ${end - offset} bytes`)
  return {
    ttl: buf[offset + 8]!, protocol: buf[offset + 9]!, src: ipFromBytes(buf, offset + 12), dst: ipFromBytes(buf, offset + 16),
    payloadOffset: offset + headerLength, payloadEnd: offset + total,
  }
}
