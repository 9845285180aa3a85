/**
 * Failover message codec: the 12-byte header plus code/length/value options
 * (failover-protocol.md §1.2, §1.3). Shape after dns-packet (architecture.md §8.1):
 * `encodingLength / encode / decode / toBuffer`.
 *
 * The decoder applies dhcpd 4.4.3's receiver rules (§1.2, §1.3): length 12..2048, payload offset
 * ≥ 12, options may not run past the message, unknown message type with options is fatal, and for
 * options dhcpd would store (§1.4.3) a repeated code or a wrong fixed size is fatal. Options dhcpd
 * would skip (unknown codes, codes not allowed in this message) are kept raw, in wire order.
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, isMessageTypeCode } from './constants.js'
import { isOptionAllowed, optionDef } from './option-defs.js'

export interface Decoded<T> {
  readonly value: T
  readonly offset: number
}

/** One option as on the wire: 2-byte code, 2-byte length, body. */
export interface FailoverOption {
  readonly code: number
  readonly data: Buffer
}

export interface FailoverMessage {
  /** Message type (table §1.4.1); other values survive decode only when the message has no options. */
  readonly type: number
  /** Sender's wall clock, Unix seconds (unsigned 32-bit). */
  readonly time: number
  readonly xid: number
  /** Options in wire order. */
  readonly options: readonly FailoverOption[]
  /** Bytes between the 12-byte header and the payload offset; ISC never sends any. */
  readonly extraHeader?: Buffer | undefined
}

/** Total bytes `msg` takes on the wire (the value of its length field). */
export function encodingLength(msg: FailoverMessage): number {
  let n = HEADER_LENGTH + (msg.extraHeader?.length ?? 0)
  for (const o of msg.options) n += 4 + o.data.length
  return n
}

function checkUint32(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new EncodeError(field, `${v} is not an unsigned 32-bit integer`)
}

/**
 * Writes `msg` at `offset`; returns the offset after it. Refuses what dhcpd would reject:
 * messages over 2048 bytes and options dhcpd stores for this message type (§1.4.3) whose body
 * is not their fixed size. Options dhcpd skips are written as given (so decode ⇄ encode is exact).
 */
export function encode(msg: FailoverMessage, buf: Buffer, offset: number): number {
  const length = encodingLength(msg)
  if (length > MAX_MESSAGE_LENGTH) throw new EncodeError('message length', `${length} exceeds ${MAX_MESSAGE_LENGTH}`)
  if (!Number.isInteger(msg.type) || msg.type < 0 || msg.type > 255) throw new EncodeError('message type', `${msg.type}`)
  checkUint32('time', msg.time)
  checkUint32('xid', msg.xid)
  if (offset + length > buf.length) throw new EncodeError('buffer', `needs ${length} bytes at ${offset}, has ${buf.length - offset}`)
  const payoff = HEADER_LENGTH + (msg.extraHeader?.length ?? 0)
  if (payoff > 255) throw new EncodeError('payload offset', `${payoff} exceeds 255`)
  buf.writeUInt16BE(length, offset)
  buf[offset + 2] = msg.type
  buf[offset + 3] = payoff
  buf.writeUInt32BE(msg.time, offset + 4)
  buf.writeUInt32BE(msg.xid, offset + 8)
  let pos = offset + HEADER_LENGTH
  if (msg.extraHeader) {
    buf.set(msg.extraHeader, pos)
    pos += msg.extraHeader.length
  }
  for (const o of msg.options) {
    if (!Number.isInteger(o.code) || o.code < 0 || o.code > 0xffff) throw new EncodeError('option code', `${o.code}`)
    const d = optionDef(o.code)
    if (d?.size !== undefined && o.data.length !== d.size && isMessageTypeCode(msg.type) && isOptionAllowed(msg.type, o.code)) {
      throw new EncodeError(`option ${d.name}`, `body is ${o.data.length} bytes, dhcpd requires exactly ${d.size}`)
    }
    buf.writeUInt16BE(o.code, pos)
    buf.writeUInt16BE(o.data.length, pos + 2)
    buf.set(o.data, pos + 4)
    pos += 4 + o.data.length
  }
  return pos
}

/** Encodes into a fresh buffer of exactly `encodingLength(msg)` bytes. */
export function toBuffer(msg: FailoverMessage): Buffer {
  const buf = Buffer.alloc(encodingLength(msg))
  encode(msg, buf, 0)
  return buf
}

/**
 * Decodes one message starting at `offset`. `end` bounds the read (never assumed to be
 * `buf.length`). The options' `data` are views into `buf`, not copies.
 */
export function decode(buf: Buffer, offset: number, end: number = buf.length): Decoded<FailoverMessage> {
  if (offset + HEADER_LENGTH > end) {
    if (offset + 2 <= end) checkLength(buf.readUInt16BE(offset), offset)
    throw new DecodeError('message header', offset, `truncated: ${end - offset} of ${HEADER_LENGTH} bytes`)
  }
  const length = buf.readUInt16BE(offset)
  checkLength(length, offset)
  const stop = offset + length
  if (stop > end) throw new DecodeError('message', offset, `length ${length} runs past byte ${end}`)
  const type = buf[offset + 2]!
  const payoff = buf[offset + 3]!
  if (payoff < HEADER_LENGTH || payoff > length) {
    throw new DecodeError('payload offset', offset + 3, `${payoff} outside ${HEADER_LENGTH}..${length}`)
  }
  const time = buf.readUInt32BE(offset + 4)
  const xid = buf.readUInt32BE(offset + 8)
  const extraHeader = payoff > HEADER_LENGTH ? buf.subarray(offset + HEADER_LENGTH, offset + payoff) : undefined
  const known = isMessageTypeCode(type)
  if (!known && payoff < length) {
    throw new DecodeError('message type', offset + 2, `invalid message type: ${type}`)
  }
  const options: FailoverOption[] = []
  const seen = new Set<number>()
  let pos = offset + payoff
  while (pos < stop) {
    if (pos + 2 > stop) throw new DecodeError('option', pos, 'message overflow at option code.')
    if (pos + 4 > stop) throw new DecodeError('option', pos, 'message overflow at length.')
    const code = buf.readUInt16BE(pos)
    const len = buf.readUInt16BE(pos + 2)
    if (pos + 4 + len > stop) throw new DecodeError('option', pos, 'message overflow at data.')
    const d = optionDef(code)
    if (d && known && isOptionAllowed(type, code)) {
      if (seen.has(code)) throw new DecodeError(`option ${d.name}`, pos, `duplicate option ${d.name}`)
      seen.add(code)
      if (d.size !== undefined && len !== d.size) {
        throw new DecodeError(`option ${d.name}`, pos, `option size (${len}:${d.size}), option ${d.name}`)
      }
    }
    options.push({ code, data: buf.subarray(pos + 4, pos + 4 + len) })
    pos += 4 + len
  }
  const value: FailoverMessage = extraHeader ? { type, time, xid, options, extraHeader } : { type, time, xid, options }
  return { value, offset: stop }
}

function checkLength(length: number, offset: number): void {
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    throw new DecodeError('message length', offset, `${length} outside ${HEADER_LENGTH}..${MAX_MESSAGE_LENGTH}`)
  }
}
