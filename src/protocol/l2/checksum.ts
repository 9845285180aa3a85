/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words, folded
 * and inverted. Used for the IPv4 header, UDP (with the RFC 768 pseudo-header) and ICMP.
 */

/** One's-complement partial sum of `buf[start, end)`, added to `initial` (not folded). */
export function sum16(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let s = initial
  let i = start
  for (; i + 1 < end; i += 2) s += (buf[i]! << 8) | buf[i + 1]!
  if (i < end) s += buf[i]! << 8 // odd length: pad with a zero byte
  return s
}

/** Folds a partial sum to 16 bits and inverts it. */
export function finish(sum: number): number {
  let s = sum
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000)
  return ~s & 0xffff
}

/** RFC 1071 checksum of `buf[start, end)` on top of `initial` (e.g. a pseudo-header sum); a region holding a correct checksum gives 0. */
export function internetChecksum(buf: Uint8Array, start = 0, end = buf.length, initial = 0): number {
  return finish(sum16(buf, start, end, initial))
}

/** RFC 768 pseudo-header sum: source, destination, zero/protocol, UDP (or TCP) length. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length
}

/**
 * UDP checksum over the pseudo-header and `buf[start, end)` (header with a zero checksum
 * field, then data). A computed 0 is sent as 0xffff (RFC 768: 0 means "no checksum").
 */
export function udpChecksum(src: number, dst: number, buf: Uint8Array, start: number, end: number): number {
  const c = finish(sum16(buf, start, end, pseudoHeaderSum(src, dst, 17, end - start)))
  return c === 0 ? 0xffff : c
}
