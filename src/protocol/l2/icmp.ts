/**
 * ICMP echo (RFC 792) for ping-check. The request has ISC dhcpd's shape (common/icmp.c
 * icmp_echorequest: `struct icmp`, 8-byte header then 20 zero bytes). Replies arrive on a raw
 * ICMP socket with their IPv4 header in front.
 */
import { DecodeError } from '../../lib/errors.js'
import { internetChecksum } from './checksum.js'
import { decodeIpv4, IPPROTO_ICMP } from './ipv4.js'

export const ICMP_ECHO_REPLY = 0
export const ICMP_ECHO_REQUEST = 8
export const ISC_ECHO_PAYLOAD = 20

export interface IcmpEcho {
  readonly type: number
  readonly code: number
  readonly id: number
  readonly seq: number
  readonly payload: Buffer
}

export function encodeEcho(e: { type?: number; id: number; seq: number; payload?: Uint8Array }): Buffer {
  const payload = e.payload ?? Buffer.alloc(ISC_ECHO_PAYLOAD)
  const b = Buffer.alloc(8 + payload.length)
  b[0] = e.type ?? ICMP_ECHO_REQUEST
  b[1] = 0
  b.writeUInt16BE(e.id & 0xffff, 4)
  b.writeUInt16BE(e.seq & 0xffff, 6)
  b.set(payload, 8)
  b.writeUInt16BE(internetChecksum(b), 2)
  return b
}

/** Decodes an ICMP message (no IP header); verifies its checksum. */
export function decodeIcmp(buf: Buffer, offset: number, end: number): IcmpEcho {
  if (offset + 8 > end) throw new DecodeError('icmp header', offset, 'truncated')
  if (internetChecksum(buf, offset, end) !== 0) throw new DecodeError('icmp checksum', offset + 2, 'bad checksum')
  return {
    type: buf[offset]!,
    code: buf[offset + 1]!,
    id: buf.readUInt16BE(offset + 4),
    seq: buf.readUInt16BE(offset + 6),
    payload: buf.subarray(offset + 8, end),
  }
}

/** An IPv4 datagram carrying ICMP, as a raw ICMP socket delivers it. */
export function decodeIcmpDatagram(buf: Buffer): { src: number; dst: number; ttl: number; icmp: IcmpEcho } {
  const ip = decodeIpv4(buf, 0, buf.length)
  if (ip.value.protocol !== IPPROTO_ICMP) throw new DecodeError('ipv4 protocol', 9, `protocol ${ip.value.protocol} is not ICMP`)
  return { src: ip.value.src, dst: ip.value.dst, ttl: ip.value.ttl, icmp: decodeIcmp(buf, ip.offset, ip.value.totalLength) }
}
