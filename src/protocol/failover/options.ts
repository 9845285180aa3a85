/**
 * Typed option bodies: builders that produce raw {@link FailoverOption}s and readers that
 * check sizes against the option table (failover-protocol.md §1.3, §1.4.2). Readers return
 * `undefined` when the option is absent and throw DecodeError when it is malformed.
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'
import { optionDef } from './option-defs.js'
import type { FailoverMessage, FailoverOption } from './message.js'

function nameOf(code: number): string {
  return optionDef(code)?.name ?? `option ${code}`
}

function uint(code: number, value: number, size: 1 | 2 | 4): FailoverOption {
  const max = size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1
  if (!Number.isInteger(value) || value < 0 || value > max) throw new EncodeError(nameOf(code), `${value} does not fit ${size} byte(s)`)
  const data = Buffer.alloc(size)
  data.writeUIntBE(value, 0, size)
  return { code, data }
}

/** Option builders. */
export const opt = {
  u8: (code: number, v: number): FailoverOption => uint(code, v, 1),
  u16: (code: number, v: number): FailoverOption => uint(code, v, 2),
  u32: (code: number, v: number): FailoverOption => uint(code, v, 4),
  /** An IPv4 address given as an unsigned 32-bit number. */
  ip: (code: number, v: number): FailoverOption => uint(code, v, 4),
  bytes: (code: number, v: Uint8Array): FailoverOption => ({ code, data: Buffer.from(v) }),
  /** Text is sent as raw bytes with no NUL and no length prefix (§1.3). */
  text: (code: number, v: string): FailoverOption => ({ code, data: Buffer.from(v, 'utf8') }),
}

/** Offset of an option's body inside the decoded buffer is not kept; errors report 0-based option index. */
function find(msg: FailoverMessage, code: number): { o: FailoverOption; i: number } | undefined {
  const i = msg.options.findIndex((o) => o.code === code)
  const o = msg.options[i]
  return o ? { o, i } : undefined
}

function readUint(msg: FailoverMessage, code: number, size: 1 | 2 | 4): number | undefined {
  const f = find(msg, code)
  if (!f) return undefined
  if (f.o.data.length !== size) {
    throw new DecodeError(nameOf(code), f.i, `option size (${f.o.data.length}:${size}), option ${nameOf(code)}`)
  }
  return f.o.data.readUIntBE(0, size)
}

/** Option readers (first occurrence). */
export const read = {
  u8: (msg: FailoverMessage, code: number): number | undefined => readUint(msg, code, 1),
  u16: (msg: FailoverMessage, code: number): number | undefined => readUint(msg, code, 2),
  u32: (msg: FailoverMessage, code: number): number | undefined => readUint(msg, code, 4),
  ip: (msg: FailoverMessage, code: number): number | undefined => readUint(msg, code, 4),
  bytes: (msg: FailoverMessage, code: number): Buffer | undefined => find(msg, code)?.o.data,
  text: (msg: FailoverMessage, code: number): string | undefined => find(msg, code)?.o.data.toString('utf8'),
  has: (msg: FailoverMessage, code: number): boolean => find(msg, code) !== undefined,
}
