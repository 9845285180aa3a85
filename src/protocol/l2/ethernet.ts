/** Ethernet II header (IEEE 802.3 with an EtherType): dst MAC, src MAC, type — 14 bytes. */
import { DecodeError } from '../../lib/errors.js'

export const ETHERNET_HEADER = 14
export const ETHERTYPE_IPV4 = 0x0800
export const BROADCAST_MAC: Buffer = Buffer.alloc(6, 0xff)

export interface EthernetHeader {
  readonly dst: Buffer
  readonly src: Buffer
  readonly type: number
}

export function decodeEthernet(buf: Buffer, offset: number, end: number): { value: EthernetHeader; offset: number } {
  if (offset + ETHERNET_HEADER > end) throw new DecodeError('ethernet header', offset, `${end - offset} bytes, need 14`)
  return {
    value: { dst: buf.subarray(offset, offset + 6), src: buf.subarray(offset + 6, offset + 12), type: buf.readUInt16BE(offset + 12) },
    offset: offset + ETHERNET_HEADER,
  }
}

export function encodeEthernet(h: EthernetHeader, buf: Buffer, offset: number): number {
  if (h.dst.length !== 6 || h.src.length !== 6) throw new RangeError('Ethernet addresses are 6 bytes')
  h.dst.copy(buf, offset)
  h.src.copy(buf, offset + 6)
  buf.writeUInt16BE(h.type, offset + 12)
  return offset + ETHERNET_HEADER
}

export function formatMac(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':')
}

export function parseMac(text: string): Buffer {
  const parts = text.split(':')
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new RangeError(`not a MAC address: ${text}`)
  return Buffer.from(parts.map((p) => parseInt(p, 16)))
}
