/**
 * VRRP's checksum is the Internet checksum (RFC 1071, src/protocol/l2/checksum.ts): VRRPv2
 * (RFC 3768 §5.3.8) sums the VRRP message alone; VRRPv3 over IPv4 (RFC 5798 §5.2.8) starts from
 * the IPv4 pseudo-header sum (source, destination, zero, protocol 112, VRRP length).
 */
export { internetChecksum, pseudoHeaderSum } from '../l2/checksum.js'

/** IP protocol number of VRRP (RFC 3768 §5.2.4, RFC 5798 §5.1.1.4). */
export const IPPROTO_VRRP = 112
