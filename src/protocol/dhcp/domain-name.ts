/**
 * Domain names in RFC 1035 §3.1 wire form (length-prefixed labels ending in the root label),
 * with optional §4.1.4 message compression as used by the domain-search option (RFC 3397 §2).
 *
 * Text form: labels joined by `.`, no trailing dot; the root name is the empty string. A `.`
 * or `\` inside a label is written `\.` / `\\`; other octets map to the Latin-1 character of
 * the same code, so any label survives decode → encode unchanged.
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'

/** RFC 1035 §2.3.4: labels are at most 63 octets, names at most 255 octets on the wire. */
export const MAX_LABEL_LENGTH = 63
export const MAX_NAME_LENGTH = 255
/** A compression pointer holds a 14-bit offset. */
const MAX_POINTER_TARGET = 0x3fff
const DOT = 0x2e
const BACKSLASH = 0x5c

/** Splits text into label octets. Throws EncodeError for empty/over-long labels or names. */
export function nameToLabels(name: string, field: string): Buffer[] {
  if (name.length === 0 || name === '.') return []
  const labels: Buffer[] = []
  let current: number[] = []
  let afterDot = false
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i)
    afterDot = false
    if (c === BACKSLASH && i + 1 < name.length) {
      c = name.charCodeAt(++i)
    } else if (c === DOT) {
      labels.push(finishLabel(current, name, field))
      current = []
      afterDot = true
      continue
    }
    if (c > 0xff) throw new EncodeError(field, `domain name has a non-Latin-1 character: ${JSON.stringify(name)}`)
    current.push(c)
  }
  // A trailing unescaped dot only marks the name as fully qualified.
  if (!afterDot) labels.push(finishLabel(current, name, field))
  if (labelsLength(labels) > MAX_NAME_LENGTH) {
    throw new EncodeError(field, `domain name longer than ${MAX_NAME_LENGTH} octets: ${JSON.stringify(name)}`)
  }
  return labels
}

function finishLabel(octets: number[], name: string, field: string): Buffer {
  if (octets.length === 0) throw new EncodeError(field, `empty label in domain name ${JSON.stringify(name)}`)
  if (octets.length > MAX_LABEL_LENGTH) {
    throw new EncodeError(field, `label longer than ${MAX_LABEL_LENGTH} octets in ${JSON.stringify(name)}`)
  }
  return Buffer.from(octets)
}

/** Wire length of uncompressed labels plus the root label. */
export function labelsLength(labels: readonly Buffer[]): number {
  let n = 1
  for (const l of labels) n += 1 + l.length
  return n
}

/** Writes labels (and the root label when `terminate`); returns the next offset. */
export function writeLabels(labels: readonly Buffer[], buf: Buffer, offset: number, terminate = true): number {
  for (const l of labels) {
    buf[offset++] = l.length
    l.copy(buf, offset)
    offset += l.length
  }
  if (terminate) buf[offset++] = 0
  return offset
}

/**
 * Encodes a list of names with RFC 1035 §4.1.4 compression: each name reuses the longest
 * suffix already written. `start` is the position of the first byte relative to the
 * compression base (for DHCP: the start of the option data, RFC 3397 §2).
 */
export function compressNames(names: readonly string[], start: number, field: string): Buffer {
  const seen = new Map<string, number>()
  const parts: number[] = []
  for (const name of names) {
    const labels = nameToLabels(name, field)
    const keys = labels.map((l) => l.toString('latin1'))
    let i = 0
    for (; i < labels.length; i++) {
      const key = keys.slice(i).join('\u0000')
      const target = seen.get(key)
      if (target !== undefined) {
        parts.push(0xc0 | (target >> 8), target & 0xff)
        break
      }
      const here = start + parts.length
      if (here <= MAX_POINTER_TARGET) seen.set(key, here)
      const label = labels[i]!
      parts.push(label.length)
      for (const b of label) parts.push(b)
    }
    if (i === labels.length) parts.push(0)
  }
  return Buffer.from(parts)
}

export interface ReadNameOptions {
  /** Name of the field being decoded, for errors. */
  readonly field: string
  /** Absolute offset that compression pointers are relative to; undefined forbids pointers. */
  readonly pointerBase?: number
  /** Accept a name that runs into `end` without a root label (RFC 4702 partial names). */
  readonly allowUnterminated?: boolean
  /** Added to positions in DecodeError offsets (when `buf` is a slice of a larger message). */
  readonly errorBase?: number
}

export interface ReadName {
  /** Text form (see module doc). */
  readonly name: string
  /** Offset after the name in the original sequence (after the first pointer, if any). */
  readonly offset: number
  /** False when the name ended at `end` without a root label. */
  readonly terminated: boolean
}

/**
 * Reads one name starting at `offset`, never reading at or past `end`. Pointers must point
 * strictly backwards, each before the previous jump target (RFC 3397 §2 forbids forward
 * pointers), so loops are impossible; the decoded name must fit in 255 octets.
 */
export function readName(buf: Buffer, offset: number, end: number, opts: ReadNameOptions): ReadName {
  const parts: string[] = []
  const eb = opts.errorBase ?? 0
  let pos = offset
  let resume = -1
  let limit = offset
  let wire = 1
  for (;;) {
    if (pos >= end) {
      if (opts.allowUnterminated && resume < 0) return { name: parts.join('.'), offset: pos, terminated: false }
      throw new DecodeError(opts.field, eb + pos, 'domain name is truncated')
    }
    const len = buf[pos]!
    if (len === 0) {
      pos++
      break
    }
    const kind = len & 0xc0
    if (kind === 0xc0) {
      if (opts.pointerBase === undefined) throw new DecodeError(opts.field, eb + pos, 'compression pointer not allowed here')
      if (pos + 1 >= end) throw new DecodeError(opts.field, eb + pos, 'compression pointer is truncated')
      const target = opts.pointerBase + (((len & 0x3f) << 8) | buf[pos + 1]!)
      if (target >= limit) throw new DecodeError(opts.field, eb + pos, 'compression pointer does not point backwards')
      if (resume < 0) resume = pos + 2
      limit = target
      pos = target
      continue
    }
    if (kind !== 0) throw new DecodeError(opts.field, eb + pos, `unsupported label type 0x${kind.toString(16)}`)
    if (pos + 1 + len > end) throw new DecodeError(opts.field, eb + pos, `label of ${len} octets runs past byte ${end}`)
    wire += 1 + len
    if (wire > MAX_NAME_LENGTH) throw new DecodeError(opts.field, eb + pos, `domain name longer than ${MAX_NAME_LENGTH} octets`)
    parts.push(labelText(buf, pos + 1, pos + 1 + len))
    pos += 1 + len
  }
  return { name: parts.join('.'), offset: resume >= 0 ? resume : pos, terminated: true }
}

function labelText(buf: Buffer, start: number, end: number): string {
  let s = ''
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    s += c === DOT || c === BACKSLASH ? `\\${String.fromCharCode(c)}` : String.fromCharCode(c)
  }
  return s
}
