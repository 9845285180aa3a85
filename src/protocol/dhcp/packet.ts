/**
 * The DHCP message (RFC 2131 §2, figure 1): the fixed BOOTP header, the magic cookie
 * (RFC 2132 §2) and the options field.
 *
 * Decoding is cheap: header fields are read, options are split into raw TLVs that view the
 * input buffer (no copies), and typed values wait for accessors.ts. `chaddr`, `sname`,
 * `file` and option data are views of the decoded buffer; copy them to keep them past the
 * buffer's reuse.
 *
 * Byte-exact round trips: options keep wire order and Pad bytes, bytes after End are kept
 * as `trailer`, and `sname`/`file` are kept raw even when they carry overloaded options.
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'
import { ipFromBytes, ipToBytes } from '../../lib/ip.js'
import {
  BOOTP_HEADER_LENGTH,
  BOOTP_MIN_LENGTH,
  FILE_LENGTH,
  FILE_OFFSET,
  MAGIC_COOKIE,
  OPTIONS_OFFSET,
  Overload,
  SNAME_LENGTH,
  SNAME_OFFSET,
} from './constants.js'
import { OptionCode } from './option-defs.js'
import { joinOption, optionArea, type Decoded, type RawOption } from './options.js'

export const CHADDR_LENGTH = 16

export interface DhcpPacket {
  op: number
  htype: number
  hlen: number
  hops: number
  xid: number
  secs: number
  flags: number
  /** Addresses as unsigned 32-bit numbers (see lib/ip.ts). */
  ciaddr: number
  yiaddr: number
  siaddr: number
  giaddr: number
  /** Up to 16 bytes; shorter values are zero-filled on encode. */
  chaddr: Buffer
  /** Up to 64 bytes, raw (may hold overloaded options); zero-filled on encode. */
  sname: Buffer
  /** Up to 128 bytes, raw (may hold overloaded options); zero-filled on encode. */
  file: Buffer
  /** The options field in wire order (Pad bytes as code-0 entries). */
  options: RawOption[]
  /** Whether the options field ends with an End option. */
  end: boolean
  /** Bytes after End (padding), kept for byte-exact re-encoding. */
  trailer: Buffer
  /**
   * Options carried in `file` then `sname` when option 52 says so (RFC 2131 §4.1 order).
   * Filled by decode for typed access; encode writes `file`/`sname` raw and ignores this.
   */
  extraOptions: RawOption[]
}

const EMPTY = Buffer.alloc(0)

/** A zeroed packet (op BOOTREPLY, Ethernet) with an End-terminated empty option list. */
export function createPacket(fields: Partial<DhcpPacket> = {}): DhcpPacket {
  // Field by field, not `{ ...defaults, ...fields }`: the spread was 15 % of the socket-free
  // DORA loop's CPU (one packet per reply). exactOptionalPropertyTypes rules out explicit
  // undefined, so `??` keeps the spread's meaning.
  return {
    op: fields.op ?? 2,
    htype: fields.htype ?? 1,
    hlen: fields.hlen ?? 6,
    hops: fields.hops ?? 0,
    xid: fields.xid ?? 0,
    secs: fields.secs ?? 0,
    flags: fields.flags ?? 0,
    ciaddr: fields.ciaddr ?? 0,
    yiaddr: fields.yiaddr ?? 0,
    siaddr: fields.siaddr ?? 0,
    giaddr: fields.giaddr ?? 0,
    chaddr: fields.chaddr ?? EMPTY,
    sname: fields.sname ?? EMPTY,
    file: fields.file ?? EMPTY,
    options: fields.options ?? [],
    end: fields.end ?? true,
    trailer: fields.trailer ?? EMPTY,
    extraOptions: fields.extraOptions ?? [],
  }
}

export interface EncodeOptions {
  /** Zero-pad the message to at least this many bytes (BOOTP_MIN_LENGTH for replies). */
  readonly minLength?: number
}

/** Encoded size, including padding to `minLength`. */
export function encodingLength(p: DhcpPacket, opts: EncodeOptions = {}): number {
  return Math.max(OPTIONS_OFFSET + optionArea.encodingLength(p), opts.minLength ?? 0)
}

function uint(field: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError(field, `out of range: ${v}`)
  return v
}

function writeFixed(field: string, src: Buffer, max: number, buf: Buffer, offset: number): void {
  if (src.length > max) throw new EncodeError(field, `${src.length} bytes, at most ${max} fit`)
  src.copy(buf, offset)
  buf.fill(0, offset + src.length, offset + max)
}

/** Writes the message at `offset`; returns the next offset. Throws EncodeError. */
export function encode(p: DhcpPacket, buf: Buffer, offset: number, opts: EncodeOptions = {}): number {
  const start = offset
  buf[offset] = uint('op', p.op, 0xff)
  buf[offset + 1] = uint('htype', p.htype, 0xff)
  buf[offset + 2] = uint('hlen', p.hlen, 0xff)
  buf[offset + 3] = uint('hops', p.hops, 0xff)
  buf.writeUInt32BE(uint('xid', p.xid, 0xffffffff), offset + 4)
  buf.writeUInt16BE(uint('secs', p.secs, 0xffff), offset + 8)
  buf.writeUInt16BE(uint('flags', p.flags, 0xffff), offset + 10)
  ipToBytes(uint('ciaddr', p.ciaddr, 0xffffffff), buf, offset + 12)
  ipToBytes(uint('yiaddr', p.yiaddr, 0xffffffff), buf, offset + 16)
  ipToBytes(uint('siaddr', p.siaddr, 0xffffffff), buf, offset + 20)
  ipToBytes(uint('giaddr', p.giaddr, 0xffffffff), buf, offset + 24)
  writeFixed('chaddr', p.chaddr, CHADDR_LENGTH, buf, offset + 28)
  writeFixed('sname', p.sname, SNAME_LENGTH, buf, offset + SNAME_OFFSET)
  writeFixed('file', p.file, FILE_LENGTH, buf, offset + FILE_OFFSET)
  buf.writeUInt32BE(MAGIC_COOKIE, offset + BOOTP_HEADER_LENGTH)
  offset = optionArea.encode(p, buf, offset + OPTIONS_OFFSET)
  const min = start + (opts.minLength ?? 0)
  if (offset < min) {
    buf.fill(0, offset, min)
    offset = min
  }
  return offset
}

/** Allocates exactly `encodingLength(p, opts)` bytes and encodes into them. */
export function toBuffer(p: DhcpPacket, opts: EncodeOptions = {}): Buffer {
  const buf = Buffer.allocUnsafe(encodingLength(p, opts))
  encode(p, buf, 0, opts)
  return buf
}

/**
 * Decodes the message in `buf[offset, end)`; the options field runs to `end`. Throws only
 * DecodeError (absolute offsets). A message without the magic cookie is rejected.
 */
export function decode(buf: Buffer, offset: number, end: number): Decoded<DhcpPacket> {
  if (end - offset < OPTIONS_OFFSET) {
    throw new DecodeError('header', offset, `message is ${Math.max(0, end - offset)} bytes, need at least ${OPTIONS_OFFSET}`)
  }
  if (buf.readUInt32BE(offset + BOOTP_HEADER_LENGTH) !== MAGIC_COOKIE) {
    throw new DecodeError('magic cookie', offset + BOOTP_HEADER_LENGTH, 'not 99.130.83.99')
  }
  const area = optionArea.decode(buf, offset + OPTIONS_OFFSET, end).value
  const sname = buf.subarray(offset + SNAME_OFFSET, offset + SNAME_OFFSET + SNAME_LENGTH)
  const file = buf.subarray(offset + FILE_OFFSET, offset + FILE_OFFSET + FILE_LENGTH)
  const p: DhcpPacket = {
    op: buf[offset]!,
    htype: buf[offset + 1]!,
    hlen: buf[offset + 2]!,
    hops: buf[offset + 3]!,
    xid: buf.readUInt32BE(offset + 4),
    secs: buf.readUInt16BE(offset + 8),
    flags: buf.readUInt16BE(offset + 10),
    ciaddr: ipFromBytes(buf, offset + 12),
    yiaddr: ipFromBytes(buf, offset + 16),
    siaddr: ipFromBytes(buf, offset + 20),
    giaddr: ipFromBytes(buf, offset + 24),
    chaddr: buf.subarray(offset + 28, offset + 28 + CHADDR_LENGTH),
    sname,
    file,
    options: area.options,
    end: area.end,
    trailer: area.trailer,
    extraOptions: [],
  }
  const overload = readOverload(p.options)
  if (overload !== undefined) {
    // RFC 2131 §4.1: options field first, then `file`, then `sname`.
    if (overload & Overload.FILE) {
      p.extraOptions.push(...optionArea.decode(buf, offset + FILE_OFFSET, offset + FILE_OFFSET + FILE_LENGTH).value.options)
    }
    if (overload & Overload.SNAME) {
      p.extraOptions.push(...optionArea.decode(buf, offset + SNAME_OFFSET, offset + SNAME_OFFSET + SNAME_LENGTH).value.options)
    }
  }
  return { value: p, offset: end }
}

/** Option 52 from the options field only (RFC 2132 §9.3); DecodeError when malformed. */
export function readOverload(options: readonly RawOption[]): number | undefined {
  const o = joinOption([options], OptionCode.OVERLOAD)
  if (o === undefined) return undefined
  if (o.data.length !== 1) throw new DecodeError('option 52 (dhcp-option-overload)', o.offset, `length ${o.data.length}, expected 1`)
  const v = o.data[0]!
  if (v < Overload.FILE || v > Overload.BOTH) {
    throw new DecodeError('option 52 (dhcp-option-overload)', o.offset + 2, `value ${v}, expected 1, 2 or 3`)
  }
  return v
}

/** The packet as a codec object (encodingLength / encode / decode) for generic helpers. */
export const packet = { encodingLength, encode, decode, toBuffer } as const

export { BOOTP_MIN_LENGTH }
