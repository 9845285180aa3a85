/** IPv4 header (RFC 791) decode/encode with the header checksum. Options are skipped, not kept. */
import { DecodeError } from '../../lib/errors.js'
import { internetChecksum } from './checksum.js'

export const IPV4_HEADER = 20
export const IPPROTO_ICMP = 1
export const IPPROTO_UDP = 17

export interface Ipv4Header {
  readonly tos: number
  /** Header + payload, bytes. */
  readonly totalLength: number
  readonly id: number
  /** Flags (3 bits) and fragment offset (13 bits), as on the wire. */
  readonly flagsFragment: number
  readonly ttl: number
  readonly protocol: number
  readonly src: number
  readonly dst: number
  /** Header length in bytes (IHL × 4). */
  readonly headerLength: number
}

/** Don't Fragment, in `flagsFragment`. */
export const IP_DF = 0x4000
const MORE_FRAGMENTS = 0x2000
const OFFSET_MASK = 0x1fff

/**
 * Decodes the header at `offset`; checks version, IHL, total length against `end` and the
 * header checksum. The returned offset is where the payload starts; the payload ends at
 * `offset + totalLength` (Ethernet padding after it is not part of the datagram).
 */
export function decodeIpv4(buf: Buffer, offset: number, end: number): { value: Ipv4Header; offset: number } {
  if (offset + IPV4_HEADER > end) throw new DecodeError('ipv4 header', offset, `${end - offset} bytes, need 20`)
  const vihl = buf[offset]!
  if (vihl >> 4 !== 4) throw new DecodeError('ipv4 version', offset, `version ${vihl >> 4}`)
  const headerLength = (vihl & 0x0f) * 4
  if (headerLength < IPV4_HEADER || offset + headerLength > end) throw new DecodeError('ipv4 ihl', offset, `header length ${headerLength}`)
  const totalLength = buf.readUInt16BE(offset + 2)
  if (totalLength < headerLength || offset + totalLength > end) {
    throw new DecodeError('ipv4 total length', offset + 2, `${totalLength} with ${end - offset} bytes present`)
  }
  if (internetChecksum(buf, offset, offset + headerLength) !== 0) throw new DecodeError('ipv4 checksum', offset + 10, 'bad header checksum')
  return {
    value: {
      tos: buf[offset + 1]!,
      totalLength,
      id: buf.readUInt16BE(offset + 4),
      flagsFragment: buf.readUInt16BE(offset + 6),
      ttl: buf[offset + 8]!,
      protocol: buf[offset + 9]!,
      src: buf.readUInt32BE(offset + 12),
      dst: buf.readUInt32BE(offset + 16),
      headerLength,
    },
    offset: offset + headerLength,
  }
}

export function isFragment(h: Ipv4Header): boolean {
  return (h.flagsFragment & (MORE_FRAGMENTS | OFFSET_MASK)) !== 0
}

export interface Ipv4Fields {
  readonly tos?: number
  readonly id?: number
  readonly flagsFragment?: number
  readonly ttl?: number
  readonly protocol: number
  readonly src: number
  readonly dst: number
  /** Payload bytes following the 20-byte header. */
  readonly payloadLength: number
}

/** Writes a 20-byte header (no options) with its checksum; returns the payload offset. */
export function encodeIpv4(h: Ipv4Fields, buf: Buffer, offset: number): number {
  const total = IPV4_HEADER + h.payloadLength
  if (total > 0xffff) throw new RangeError(`IPv4 datagram of ${total} bytes`)
  buf[offset] = 0x45
  buf[offset + 1] = h.tos ?? 0
  buf.writeUInt16BE(total, offset + 2)
  buf.writeUInt16BE(h.id ?? 0, offset + 4)
  buf.writeUInt16BE(h.flagsFragment ?? 0, offset + 6)
  buf[offset + 8] = h.ttl ?? 64
  buf[offset + 9] = h.protocol
  buf.writeUInt16BE(0, offset + 10)
  buf.writeUInt32BE(h.src >>> 0, offset + 12)
  buf.writeUInt32BE(h.dst >>> 0, offset + 16)
  buf.writeUInt16BE(internetChecksum(buf, offset, offset + IPV4_HEADER), offset + 10)
  return offset + IPV4_HEADER
}
