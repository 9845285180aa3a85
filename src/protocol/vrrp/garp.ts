/**
 * The gratuitous ARP frame keepalived sends for each VIP on becoming MASTER (RFC 5227 §3
 * "ARP Announcement" shape, RFC 3768 §6.4.2 "broadcast a gratuitous ARP request"): an
 * Ethernet broadcast carrying an ARP **request** (opcode 1) whose sender and target protocol
 * addresses are both the VIP and whose target hardware address is ff:ff:ff:ff:ff:ff — exactly
 * keepalived 2.2.7's bytes (docs/raw-sockets-vrrp-clients.md §3.1). 42 bytes, no padding:
 * the kernel pads short frames on real NICs.
 */
import { EncodeError } from '../../lib/errors.js'
import { ipToBytes } from '../../lib/ip.js'

export const ETHERTYPE_ARP = 0x0806
export const ARP_OP_REQUEST = 1
/** 14-byte Ethernet header + 28-byte ARP body for Ethernet/IPv4 (RFC 826). */
export const GARP_FRAME_LENGTH = 42

const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]

/** Writes the gratuitous ARP for `vip` from `mac` at `offset`; returns the offset after it. */
export function encodeGarp(mac: Uint8Array, vip: number, buf: Uint8Array, offset: number): number {
  if (mac.length !== 6) throw new EncodeError('mac', `must be 6 bytes, is ${mac.length}`)
  if (offset < 0 || offset + GARP_FRAME_LENGTH > buf.length) {
    throw new EncodeError('garp', `needs ${GARP_FRAME_LENGTH} bytes at offset ${offset}`)
  }
  let o = offset
  buf.set(BROADCAST, o) // Ethernet destination
  buf.set(mac, o + 6) // Ethernet source
  buf[o + 12] = ETHERTYPE_ARP >>> 8
  buf[o + 13] = ETHERTYPE_ARP & 0xff
  o += 14
  buf.set([0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, ARP_OP_REQUEST], o) // htype Ethernet, ptype IPv4, hlen, plen, op
  o += 8
  buf.set(mac, o) // sender hardware address
  o = ipToBytes(vip, buf, o + 6) // sender protocol address = VIP
  buf.set(BROADCAST, o) // target hardware address, as keepalived sends it
  return ipToBytes(vip, buf, o + 6) // target protocol address = VIP
}

/** A fresh 42-byte gratuitous ARP frame. */
export function garpFrame(mac: Uint8Array, vip: number): Buffer {
  const buf = Buffer.alloc(GARP_FRAME_LENGTH)
  encodeGarp(mac, vip, buf, 0)
  return buf
}
