/**
 * An independent byte builder for expected wire bytes. Tests never derive expectations from
 * the encoder under test; they spell bytes out here (hex with comments, or small parts).
 */

/** Hex text with `#` comments and any whitespace, e.g. `35 01 05  # message type ACK`. */
export function hex(text: string): Buffer {
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '')
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex in test: ${text}`)
  return Buffer.from(digits, 'hex')
}

export type Part = number | string | Uint8Array | readonly number[]

/** Concatenates parts: numbers are single octets, strings are ASCII, arrays are octets. */
export function bytes(...parts: Part[]): Buffer {
  const out: number[] = []
  for (const p of parts) {
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 255) throw new Error(`not an octet: ${p}`)
      out.push(p)
    } else if (typeof p === 'string') {
      for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i) & 0xff)
    } else {
      for (const b of p) out.push(b)
    }
  }
  return Buffer.from(out)
}

export const u16 = (n: number): number[] => [(n >>> 8) & 255, n & 255]
export const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
export const ip = (dotted: string): number[] => dotted.split('.').map(Number)
export const zeros = (n: number): number[] => new Array<number>(n).fill(0)

/** A TLV: code, length, data. */
export function tlv(code: number, ...data: Part[]): Buffer {
  const d = bytes(...data)
  if (d.length > 255) throw new Error('tlv() builds single TLVs only')
  return bytes(code, d.length, d)
}

/**
 * A whole DHCP message from header fields and raw option-area bytes, written out field by
 * field (RFC 2131 §2 figure 1) without using the codec.
 */
export interface HeaderSpec {
  op?: number
  htype?: number
  hlen?: number
  hops?: number
  xid?: number
  secs?: number
  flags?: number
  ciaddr?: string
  yiaddr?: string
  siaddr?: string
  giaddr?: string
  chaddr?: readonly number[]
  sname?: Uint8Array
  file?: Uint8Array
}

export function message(h: HeaderSpec, options: Uint8Array, cookie = true): Buffer {
  const fixed = (src: Uint8Array | undefined, n: number): number[] => {
    const a = zeros(n)
    if (src) for (let i = 0; i < Math.min(n, src.length); i++) a[i] = src[i]!
    return a
  }
  return bytes(
    h.op ?? 1,
    h.htype ?? 1,
    h.hlen ?? 6,
    h.hops ?? 0,
    u32(h.xid ?? 0),
    u16(h.secs ?? 0),
    u16(h.flags ?? 0),
    ip(h.ciaddr ?? '0.0.0.0'),
    ip(h.yiaddr ?? '0.0.0.0'),
    ip(h.siaddr ?? '0.0.0.0'),
    ip(h.giaddr ?? '0.0.0.0'),
    fixed(Uint8Array.from(h.chaddr ?? []), 16),
    fixed(h.sname, 64),
    fixed(h.file, 128),
    cookie ? [99, 130, 83, 99] : [],
    options,
  )
}
