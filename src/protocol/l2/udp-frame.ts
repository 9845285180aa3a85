/**
 * Whole Ethernet/IPv4/UDP frames for the AF_PACKET DHCP path (Kea `protocol_util.h`
 * `decodeIpUdpHeader`/`writeIpUdpHeader`).
 *
 * Receive: a frame whose UDP checksum the kernel left unfinished (PACKET_AUXDATA
 * TP_STATUS_CSUMNOTREADY: locally generated packets crossing a veth with checksum offload)
 * is accepted without checking it; otherwise a non-zero UDP checksum must verify.
 */
import { DecodeError } from '../../lib/errors.js'
import { udpChecksum, finish, sum16, pseudoHeaderSum } from './checksum.js'
import { decodeEthernet, encodeEthernet, ETHERNET_HEADER, ETHERTYPE_IPV4 } from './ethernet.js'
import { decodeIpv4, encodeIpv4, IPPROTO_UDP, IPV4_HEADER, isFragment, type Ipv4Header } from './ipv4.js'

export const UDP_HEADER = 8

export interface UdpFrame {
  readonly srcMac: Buffer
  readonly dstMac: Buffer
  readonly src: number
  readonly dst: number
  readonly srcPort: number
  readonly dstPort: number
  readonly ttl: number
  /** The whole IPv4 header as decoded. */
  readonly ip: Ipv4Header
  /** The UDP payload (a view into the frame). */
  readonly payload: Buffer
  /** False when the frame carried no UDP checksum (0) or it could not be checked (not ready). */
  readonly checksumVerified: boolean
}

export interface DecodeUdpOptions {
  /** PACKET_AUXDATA said TP_STATUS_CSUMNOTREADY. */
  readonly checksumNotReady?: boolean
}

export function decodeUdpFrame(frame: Buffer, opts: DecodeUdpOptions = {}): UdpFrame {
  const eth = decodeEthernet(frame, 0, frame.length)
  if (eth.value.type !== ETHERTYPE_IPV4) throw new DecodeError('ethertype', 12, `0x${eth.value.type.toString(16)} is not IPv4`)
  const ip = decodeIpv4(frame, eth.offset, frame.length)
  const h = ip.value
  if (h.protocol !== IPPROTO_UDP) throw new DecodeError('ipv4 protocol', eth.offset + 9, `protocol ${h.protocol} is not UDP`)
  if (isFragment(h)) throw new DecodeError('ipv4 fragment', eth.offset + 6, 'fragmented datagram')
  const udpStart = ip.offset
  const ipEnd = eth.offset + h.totalLength
  if (udpStart + UDP_HEADER > ipEnd) throw new DecodeError('udp header', udpStart, 'truncated')
  const udpLength = frame.readUInt16BE(udpStart + 4)
  if (udpLength < UDP_HEADER || udpStart + udpLength > ipEnd) throw new DecodeError('udp length', udpStart + 4, `${udpLength} with ${ipEnd - udpStart} bytes in the datagram`)
  const udpEnd = udpStart + udpLength
  const wire = frame.readUInt16BE(udpStart + 6)
  let verified = false
  if (wire !== 0 && opts.checksumNotReady !== true) {
    if (finish(sum16(frame, udpStart, udpEnd, pseudoHeaderSum(h.src, h.dst, IPPROTO_UDP, udpLength))) !== 0) {
      throw new DecodeError('udp checksum', udpStart + 6, `bad checksum 0x${wire.toString(16)}`)
    }
    verified = true
  }
  return {
    dstMac: eth.value.dst,
    srcMac: eth.value.src,
    src: h.src,
    dst: h.dst,
    srcPort: frame.readUInt16BE(udpStart),
    dstPort: frame.readUInt16BE(udpStart + 2),
    ttl: h.ttl,
    ip: h,
    payload: frame.subarray(udpStart + UDP_HEADER, udpEnd),
    checksumVerified: verified,
  }
}

export interface UdpFrameFields {
  readonly srcMac: Buffer
  readonly dstMac: Buffer
  readonly src: number
  readonly dst: number
  readonly srcPort: number
  readonly dstPort: number
  readonly payload: Uint8Array
  /** ISC dhcpd: TTL 128 (common/packet.c assemble_udp_ip_header). */
  readonly ttl?: number
  /** ISC dhcpd: IPTOS_LOWDELAY (0x10). */
  readonly tos?: number
  readonly id?: number
  readonly flagsFragment?: number
}

export function udpFrameLength(f: Pick<UdpFrameFields, 'payload'>): number {
  return ETHERNET_HEADER + IPV4_HEADER + UDP_HEADER + f.payload.length
}

export function encodeUdpFrame(f: UdpFrameFields, buf: Buffer, offset: number): number {
  let o = encodeEthernet({ dst: f.dstMac, src: f.srcMac, type: ETHERTYPE_IPV4 }, buf, offset)
  const udpLength = UDP_HEADER + f.payload.length
  o = encodeIpv4({ tos: f.tos ?? 0x10, id: f.id ?? 0, flagsFragment: f.flagsFragment ?? 0, ttl: f.ttl ?? 128, protocol: IPPROTO_UDP, src: f.src, dst: f.dst, payloadLength: udpLength }, buf, o)
  const udpStart = o
  buf.writeUInt16BE(f.srcPort, o)
  buf.writeUInt16BE(f.dstPort, o + 2)
  buf.writeUInt16BE(udpLength, o + 4)
  buf.writeUInt16BE(0, o + 6)
  buf.set(f.payload, o + UDP_HEADER)
  const end = udpStart + udpLength
  buf.writeUInt16BE(udpChecksum(f.src, f.dst, buf, udpStart, end), udpStart + 6)
  return end
}

export function buildUdpFrame(f: UdpFrameFields): Buffer {
  const buf = Buffer.alloc(udpFrameLength(f))
  encodeUdpFrame(f, buf, 0)
  return buf
}
