/**
 * The Internet checksum (RFC 1071): the one's complement of the one's-complement sum of
 * 16-bit big-endian words, an odd trailing byte padded with zero. VRRPv2 (RFC 3768 §5.3.8)
 * sums the VRRP message alone; VRRPv3 over IPv4 (RFC 5798 §5.2.8) prefixes the IPv4
 * pseudo-header (source, destination, zero, protocol 112, VRRP length).
 */

/** One's-complement sum of `buf[start, end)` added to `initial`, folded to 16 bits. */
export function onesComplementSum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial
  let i = start
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!
  if (i < end) sum += buf[i]! << 8
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum
}

/** RFC 1071 checksum of `buf[start, end)`; a region holding a correct checksum sums to 0. */
export function internetChecksum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  return ~onesComplementSum(buf, start, end, initial) & 0xffff
}

/** IP protocol number of VRRP (RFC 3768 §5.2.4, RFC 5798 §5.1.1.4). */
export const IPPROTO_VRRP = 112

/** The folded sum of the IPv4 pseudo-header (RFC 5798 §5.2.8, as RFC 768/793 define it). */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  const words = [src >>> 16, src & 0xffff, dst >>> 16, dst & 0xffff, protocol & 0xff, length & 0xffff]
  let sum = 0
  for (const w of words) sum += w
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum
}
