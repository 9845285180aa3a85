/**
 * The DHCP option list codec (RFC 2132 §2): code/length/value triples, Pad (0) and End (255).
 *
 * Options are kept as raw bytes in wire order, so decode → encode is byte-exact; typed values
 * are decoded on demand (accessors.ts, option-values.ts). Each wire TLV is one list entry:
 * the fragments of an RFC 3396 long option stay separate entries, and readers join them
 * with `joinOption`. An entry whose data exceeds 255 bytes (built by a caller) is split into
 * consecutive fragments on encode (RFC 3396 §5).
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'

export const PAD = 0
export const END = 255
/** RFC 2132 §2: the length octet limits one TLV's data to 255 bytes. */
export const MAX_TLV_DATA = 255

export interface Decoded<T> {
  value: T
  offset: number
}

/** One option as on the wire. `offset` (decode only) is the absolute offset of its code byte. */
export interface RawOption {
  readonly code: number
  readonly data: Buffer
  readonly offset?: number
}

const EMPTY = Buffer.alloc(0)

/** A Pad entry, as kept in decoded lists to preserve wire layout. */
export const PAD_OPTION: RawOption = Object.freeze({ code: PAD, data: EMPTY })

/**
 * One options-carrying area: the options field, or `file`/`sname` when overloaded.
 * `options` holds TLVs in wire order with every Pad byte as a code-0 entry; `end` says an End
 * option follows; `trailer` holds the bytes after End (usually zero padding).
 */
export interface OptionArea {
  options: RawOption[]
  end: boolean
  trailer: Buffer
}

/** One code/length/value triple; data over 255 bytes becomes consecutive fragments. */
export const tlv = {
  encodingLength(code: number, data: Uint8Array): number {
    if (code === PAD) return 1
    return data.length + 2 * Math.max(1, Math.ceil(data.length / MAX_TLV_DATA))
  },

  encode(code: number, data: Uint8Array, buf: Buffer, offset: number): number {
    if (code === PAD) {
      if (data.length !== 0) throw new EncodeError('option 0', 'pad carries no data')
      buf[offset] = PAD
      return offset + 1
    }
    if (code === END || !Number.isInteger(code) || code < 0 || code > 255) {
      throw new EncodeError(`option ${code}`, 'not a valid option code (End is written by the list encoder)')
    }
    if (data.length <= MAX_TLV_DATA) {
      // The common case: one fragment, no subarray view to allocate.
      buf[offset++] = code
      buf[offset++] = data.length
      buf.set(data, offset)
      return offset + data.length
    }
    let pos = 0
    do {
      const n = Math.min(MAX_TLV_DATA, data.length - pos)
      buf[offset++] = code
      buf[offset++] = n
      buf.set(data.subarray(pos, pos + n), offset)
      offset += n
      pos += n
    } while (pos < data.length)
    return offset
  },

  /** Reads one TLV at `offset` (not Pad/End); never reads at or past `end`. */
  decode(buf: Buffer, offset: number, end: number): Decoded<RawOption> {
    if (offset + 2 > end) throw new DecodeError('option header', offset, 'truncated')
    const code = buf[offset]!
    const len = buf[offset + 1]!
    const start = offset + 2
    if (start + len > end) throw new DecodeError(`option ${code}`, offset, `length ${len} runs past byte ${end}`)
    return { value: { code, data: buf.subarray(start, start + len), offset }, offset: start + len }
  },
}

/** Length of an option list (no End). */
export function optionsLength(options: readonly RawOption[]): number {
  let n = 0
  for (const o of options) n += tlv.encodingLength(o.code, o.data)
  return n
}

/** Writes an option list (no End); returns the next offset. */
export function encodeOptions(options: readonly RawOption[], buf: Buffer, offset: number): number {
  for (const o of options) offset = tlv.encode(o.code, o.data, buf, offset)
  return offset
}

/** The option-area codec: list, optional End, trailer. */
export const optionArea = {
  encodingLength(area: OptionArea): number {
    return optionsLength(area.options) + (area.end ? 1 : 0) + area.trailer.length
  },

  encode(area: OptionArea, buf: Buffer, offset: number): number {
    offset = encodeOptions(area.options, buf, offset)
    if (area.end) buf[offset++] = END
    return offset + area.trailer.copy(buf, offset)
  },

  /**
   * Reads TLVs from `offset` up to End or `end`. Bytes after End are the trailer. Without an
   * End the last TLV must finish exactly at `end`.
   */
  decode(buf: Buffer, offset: number, end: number): Decoded<OptionArea> {
    const options: RawOption[] = []
    let pos = offset
    while (pos < end) {
      const code = buf[pos]!
      if (code === PAD) {
        options.push(PAD_OPTION)
        pos++
      } else if (code === END) {
        return { value: { options, end: true, trailer: buf.subarray(pos + 1, end) }, offset: end }
      } else {
        // tlv.decode inlined (no wrapper object per option).
        if (pos + 2 > end) throw new DecodeError('option header', pos, 'truncated')
        const len = buf[pos + 1]!
        const start = pos + 2
        if (start + len > end) throw new DecodeError(`option ${code}`, pos, `length ${len} runs past byte ${end}`)
        options.push({ code, data: buf.subarray(start, start + len), offset: pos })
        pos = start + len
      }
    }
    return { value: { options, end: false, trailer: EMPTY }, offset: end }
  },
}

/** An option's data joined across all its TLVs, with the offset of the first TLV. */
export interface JoinedOption {
  readonly data: Buffer
  /** Absolute offset of the first TLV's code byte (0 when the option was built, not decoded). */
  readonly offset: number
  /** Number of wire TLVs joined (more than 1 for an RFC 3396 long option). */
  readonly parts: number
}

/**
 * RFC 3396 §3: all instances of `code`, in order over `lists`, concatenated. The lists are
 * the options field, then file, then sname (RFC 2131 §4.1 order). A single instance is
 * returned without copying.
 */
export function joinOption(lists: readonly (readonly RawOption[])[], code: number): JoinedOption | undefined {
  let first: RawOption | undefined
  let chunks: Buffer[] | undefined
  for (const list of lists) {
    for (const o of list) {
      if (o.code !== code) continue
      if (first === undefined) first = o
      else (chunks ??= [first.data]).push(o.data)
    }
  }
  if (first === undefined) return undefined
  const data = chunks ? Buffer.concat(chunks) : first.data
  return { data, offset: first.offset ?? 0, parts: chunks ? chunks.length : 1 }
}

/** Splits data into ≤255-byte fragments of `code` (RFC 3396 §5), for callers that want explicit entries. */
export function splitOption(code: number, data: Buffer): RawOption[] {
  const out: RawOption[] = []
  let pos = 0
  do {
    const n = Math.min(MAX_TLV_DATA, data.length - pos)
    out.push({ code, data: data.subarray(pos, pos + n) })
    pos += n
  } while (pos < data.length)
  return out
}
