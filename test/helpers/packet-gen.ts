/**
 * Random DHCP messages for property tests and the long fuzz run, built with the independent
 * byte builder (never with the codec), plus mutations of them.
 */
import type { Prng } from './prng.js'
import { bytes, message, tlv, zeros, type Part } from './bytes.js'

function label(r: Prng): string {
  const n = 1 + r.int(8)
  let s = ''
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + r.int(26))
  return s
}

function wireName(r: Prng, terminate = true): number[] {
  const out: number[] = []
  const n = r.int(4)
  for (let i = 0; i < n; i++) {
    const l = label(r)
    out.push(l.length, ...Buffer.from(l))
  }
  if (terminate) out.push(0)
  return out
}

/** Option 119 data: a few names, later ones possibly ending in a pointer to an earlier label. */
function domainSearch(r: Prng): number[] {
  const out: number[] = []
  const starts: number[] = []
  const names = 1 + r.int(3)
  for (let i = 0; i < names; i++) {
    const labels = 1 + r.int(3)
    let pointed = false
    for (let j = 0; j < labels; j++) {
      if (starts.length > 0 && r.bool(0.3)) {
        const t = r.pick(starts)
        out.push(0xc0 | (t >> 8), t & 0xff)
        pointed = true
        break
      }
      starts.push(out.length)
      const l = label(r)
      out.push(l.length, ...Buffer.from(l))
    }
    if (!pointed) out.push(0)
  }
  return out
}

function route(r: Prng): number[] {
  const width = r.int(33)
  return [width, ...Array.from({ length: (width + 7) >> 3 }, () => r.int(256)), 10, 0, 0, 1]
}

/** One random option TLV sequence (possibly several TLVs for RFC 3396 splits). */
export function randomOption(r: Prng): Buffer {
  const ip = (): number[] => [r.int(256), r.int(256), r.int(256), r.int(256)]
  switch (r.int(20)) {
    case 0: return tlv(53, 1 + r.int(8))
    case 1: return tlv(50, ip())
    case 2: return tlv(54, ip())
    case 3: return tlv(61, r.bytes(1 + r.int(20)))
    case 4: return tlv(55, r.bytes(r.int(30)))
    case 5: return tlv(57, r.int(256), r.int(256))
    case 6: return tlv(51, ip())
    case 7: return tlv(12, label(r))
    case 8: return tlv(60, 'MSFT 5.0')
    case 9: return r.bool() ? tlv(77, 3, 'abc', 1, 'd') : tlv(77, 'iPXE')
    case 10: return tlv(118, ip())
    case 11: return tlv(82, tlv(1, label(r)), tlv(2, r.bytes(6)), r.bool() ? tlv(5, ip()) : [], r.bool() ? tlv(11, ip()) : [], r.bool() ? tlv(r.int(256), r.bytes(r.int(5))) : [])
    case 12: {
      const e = r.bool()
      return tlv(81, (e ? 4 : 0) | r.int(16), r.int(256), r.int(256), e ? wireName(r, r.bool(0.8)) : label(r) + (r.bool() ? '.' : ''))
    }
    case 13: return tlv(119, domainSearch(r))
    case 14: return tlv(121, route(r), r.bool() ? route(r) : [])
    case 15: return tlv(3, ip(), r.bool() ? ip() : [])
    case 16: {
      // An RFC 3396 long option split in two.
      const code = r.pick([43, 119, 77, 125])
      return bytes(tlv(code, r.bytes(255)), tlv(code, r.bytes(r.int(40))))
    }
    case 17: return bytes(zeros(1 + r.int(3)))
    default: {
      const code = 1 + r.int(254)
      // Option 52 is only generated on purpose (randomPacket), with a valid value.
      return tlv(code === 52 ? 250 : code, r.bytes(r.int(20)))
    }
  }
}

function optionsBytes(r: Prng, count: number, room: number): Buffer {
  const parts: Buffer[] = []
  let used = 0
  for (let i = 0; i < count; i++) {
    const o = randomOption(r)
    if (used + o.length > room) break
    parts.push(o)
    used += o.length
  }
  return Buffer.concat(parts)
}

/** A well-formed message (sometimes overloaded, sometimes without End). */
export function randomPacket(r: Prng): Buffer {
  const overload = r.bool(0.2) ? 1 + r.int(3) : 0
  const file = overload & 1 ? bytes(optionsBytes(r, 1 + r.int(4), 126), 255) : r.bool(0.1) ? Buffer.from('pxelinux.0') : undefined
  const sname = overload & 2 ? bytes(optionsBytes(r, 1 + r.int(3), 62), 255) : undefined
  const opts: Part[] = [overload ? tlv(52, overload) : [], optionsBytes(r, r.int(12), 1200)]
  if (r.bool(0.85)) opts.push(255, zeros(r.int(60)))
  return message(
    {
      op: 1 + r.int(2),
      hops: r.int(3),
      xid: r.next(),
      secs: r.int(65536),
      flags: r.bool() ? 0x8000 : 0,
      giaddr: r.bool() ? '10.0.8.1' : '0.0.0.0',
      chaddr: [...r.bytes(6)],
      ...(file ? { file } : {}),
      ...(sname ? { sname } : {}),
    },
    bytes(...opts),
  )
}

/** A mutation of `base`: byte flips, truncation, extension, inserted/overwritten TLVs, or noise. */
export function mutate(r: Prng, base: Buffer): Buffer {
  const b = Buffer.from(base)
  switch (r.int(7)) {
    case 0: {
      const n = 1 + r.int(4)
      for (let i = 0; i < n; i++) b[r.int(b.length)] = r.int(256)
      return b
    }
    case 1: {
      // Flip within the options area or overloaded fields, where structure lives.
      const n = 1 + r.int(3)
      for (let i = 0; i < n; i++) {
        const at = r.bool(0.7) ? 240 + r.int(Math.max(1, b.length - 240)) : 44 + r.int(192)
        if (at < b.length) b[at] = b[at]! ^ (1 << r.int(8))
      }
      return b
    }
    case 2: return b.subarray(0, r.int(b.length + 1))
    case 3: return Buffer.concat([b, r.bytes(1 + r.int(40))])
    case 4: {
      const at = 240 + r.int(Math.max(1, b.length - 239))
      return Buffer.concat([b.subarray(0, at), randomOption(r), b.subarray(at)])
    }
    case 5: {
      const at = 240 + r.int(Math.max(1, b.length - 239))
      return Buffer.concat([b.subarray(0, at), r.bytes(r.int(30))])
    }
    default:
      return r.bytes(r.int(600))
  }
}
