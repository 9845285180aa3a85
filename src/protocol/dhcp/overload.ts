/**
 * Fitting a reply into the client's maximum message size (RFC 2132 §9.10), moving options
 * into `file` and then `sname` with option 52 when the options field is too small
 * (RFC 2131 §4.1, RFC 2132 §9.3).
 *
 * Placement rules:
 *  - options keep their relative order within each area;
 *  - message type (53), server identifier (54) and relay agent information (82) stay in
 *    the options field;
 *  - repeated instances of one code (RFC 3396 concatenation) never move to an earlier area
 *    than a previous instance, so the joined value is unchanged (options, file, sname order);
 *  - each option is placed whole (it is not split across areas); `file`/`sname` are used only
 *    when the packet leaves them empty (all zero).
 */
import { EncodeError } from '../../lib/errors.js'
import { FILE_LENGTH, OPTIONS_OFFSET, Overload, SNAME_LENGTH, BOOTP_MIN_LENGTH } from './constants.js'
import { OptionCode } from './option-defs.js'
import { optionArea, PAD, tlv, type RawOption } from './options.js'
import { toBuffer, type DhcpPacket } from './packet.js'

/** Options that must stay in the options field. */
const PINNED: ReadonlySet<number> = new Set([
  OptionCode.MESSAGE_TYPE,
  OptionCode.SERVER_IDENTIFIER,
  OptionCode.RELAY_AGENT_INFORMATION,
])

const OVERLOAD_TLV_LENGTH = 3
const EMPTY = Buffer.alloc(0)

export interface ReplyEncodeOptions {
  /** Largest DHCP message (BOOTP header + options, no IP/UDP headers) the client accepts. */
  readonly maxSize: number
  /** Zero-pad to at least this length; default BOOTP_MIN_LENGTH (RFC 1542 §3.2). */
  readonly minLength?: number
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false
  return true
}

/**
 * Returns `p` unchanged when its options fit in `maxSize`, otherwise a copy whose options are
 * spread over the options field, `file` and `sname` with option 52 set. Pad entries and any
 * existing option 52 are dropped. Throws EncodeError when the options cannot fit.
 */
export function overload(p: DhcpPacket, maxSize: number): DhcpPacket {
  const plainLength = OPTIONS_OFFSET + optionArea.encodingLength(p)
  if (plainLength <= maxSize) return p
  const items = p.options.filter((o) => o.code !== PAD && o.code !== OptionCode.OVERLOAD)
  const capacity = [
    maxSize - OPTIONS_OFFSET - OVERLOAD_TLV_LENGTH - 1,
    isZero(p.file) ? FILE_LENGTH - 1 : -1,
    isZero(p.sname) ? SNAME_LENGTH - 1 : -1,
  ]
  for (const o of items) if (PINNED.has(o.code)) capacity[0]! -= tlv.encodingLength(o.code, o.data)
  if (capacity[0]! < 0) throw new EncodeError('options', `pinned options do not fit in a ${maxSize}-byte message`)

  const areas: RawOption[][] = [[], [], []]
  const minArea = new Map<number, number>()
  for (const o of items) {
    const size = tlv.encodingLength(o.code, o.data)
    let a = PINNED.has(o.code) ? 0 : (minArea.get(o.code) ?? 0)
    if (!PINNED.has(o.code)) {
      while (a < 3 && capacity[a]! < size) a++
      if (a === 3) throw new EncodeError(`option ${o.code}`, `does not fit in a ${maxSize}-byte message, even with overload`)
      capacity[a]! -= size
    } else if ((minArea.get(o.code) ?? 0) > 0) {
      throw new EncodeError(`option ${o.code}`, 'instances split across areas')
    }
    areas[a]!.push(o)
    minArea.set(o.code, a)
  }
  const used = (areas[1]!.length > 0 ? Overload.FILE : 0) | (areas[2]!.length > 0 ? Overload.SNAME : 0)
  if (used === 0) {
    // Only reachable when the trailer made the difference: drop it.
    return { ...p, options: items, end: true, trailer: EMPTY }
  }
  // Option 52 goes right after the message type when there is one, else first.
  const main = areas[0]!
  const at = main.findIndex((o) => o.code === OptionCode.MESSAGE_TYPE) + 1
  main.splice(at, 0, { code: OptionCode.OVERLOAD, data: Buffer.from([used]) })
  return {
    ...p,
    options: main,
    end: true,
    trailer: EMPTY,
    file: used & Overload.FILE ? areaBytes(areas[1]!, FILE_LENGTH) : p.file,
    sname: used & Overload.SNAME ? areaBytes(areas[2]!, SNAME_LENGTH) : p.sname,
  }
}

/** An overloaded field: options, End, zero fill to `size`. */
function areaBytes(options: RawOption[], size: number): Buffer {
  const buf = Buffer.alloc(size)
  optionArea.encode({ options, end: true, trailer: EMPTY }, buf, 0)
  return buf
}

/**
 * Encodes a reply that fits in `maxSize` (overloading when needed) and is padded to
 * `minLength` (300 by default). Throws EncodeError when it cannot fit.
 */
export function encodeReply(p: DhcpPacket, opts: ReplyEncodeOptions): Buffer {
  const minLength = opts.minLength ?? BOOTP_MIN_LENGTH
  if (opts.maxSize < OPTIONS_OFFSET + 1) throw new EncodeError('maxSize', `${opts.maxSize} is smaller than a DHCP header`)
  const fitted = overload(p, opts.maxSize)
  return toBuffer(fitted, { minLength: Math.min(minLength, opts.maxSize) })
}
