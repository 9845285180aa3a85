/**
 * IPv4 addresses as unsigned 32-bit numbers, and the CIDR arithmetic built on them.
 * Pure functions; no sockets.
 */

/** Parses dotted-quad text; returns undefined when it is not exactly four decimal octets. */
export function parseIPv4(text: string): number | undefined {
  // A char-code scan (no split/regex: this runs for every datagram's source address).
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined
      octet = octet * 10 + (c - 48)
    } else if (c === 46) {
      if (digits === 0 || octet > 255 || ++dots > 3) return undefined
      value = value * 256 + octet
      octet = 0
      digits = 0
    } else {
      return undefined
    }
  }
  if (dots !== 3 || digits === 0 || octet > 255) return undefined
  return (value * 256 + octet) >>> 0
}

export function formatIPv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`
}

/** Prefix length of a contiguous netmask, or undefined when the mask has holes. */
export function maskToPrefix(mask: number): number | undefined {
  const m = mask >>> 0
  const inverted = ~m >>> 0
  // A valid mask's complement is 2^k - 1.
  if ((inverted & (inverted + 1)) !== 0) return undefined
  let bits = 0
  for (let v = m; v !== 0; v = (v << 1) >>> 0) bits++
  return bits
}

export function prefixToMask(prefix: number): number {
  if (prefix <= 0) return 0
  if (prefix >= 32) return 0xffffffff
  return (0xffffffff << (32 - prefix)) >>> 0
}

export function networkOf(address: number, mask: number): number {
  return (address & mask) >>> 0
}

export function broadcastOf(network: number, mask: number): number {
  return (network | ~mask) >>> 0
}

export function inSubnet(address: number, network: number, mask: number): boolean {
  return ((address & mask) >>> 0) === network >>> 0
}

/** Number of addresses from `first` to `last` inclusive (0 when last < first). */
export function rangeSize(first: number, last: number): number {
  return last >= first ? last - first + 1 : 0
}

/** Reads 4 bytes at `offset` as an address (caller checks bounds). */
export function ipFromBytes(buf: Uint8Array, offset: number): number {
  return ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0
}

export function ipToBytes(value: number, buf: Uint8Array, offset: number): number {
  buf[offset] = (value >>> 24) & 255
  buf[offset + 1] = (value >>> 16) & 255
  buf[offset + 2] = (value >>> 8) & 255
  buf[offset + 3] = value & 255
  return offset + 4
}
