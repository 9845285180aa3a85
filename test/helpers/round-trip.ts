/**
 * The round-trip check every codec test uses (dns-packet `testEncoder` idea): encode ⇄
 * decode, encodingLength equals bytes written, and encoding at a non-zero offset.
 */
import assert from 'node:assert/strict'

export interface Codec<T> {
  encodingLength(value: T): number
  encode(value: T, buf: Buffer, offset: number): number
  decode(buf: Buffer, offset: number, end: number): { value: T; offset: number }
}

/**
 * Checks `value` against `codec`. When `expected` is given (from the independent builder)
 * the encoding must equal it. Returns the decoded value.
 */
export function roundTrip<T>(codec: Codec<T>, value: T, expected?: Buffer): T {
  const len = codec.encodingLength(value)
  const buf = Buffer.alloc(len)
  assert.equal(codec.encode(value, buf, 0), len, 'encode returns encodingLength')
  if (expected) assert.equal(buf.toString('hex'), expected.toString('hex'), 'bytes match the independent builder')

  const decoded = codec.decode(buf, 0, len)
  assert.equal(decoded.offset, len, 'decode consumes everything')
  const again = Buffer.alloc(codec.encodingLength(decoded.value))
  codec.encode(decoded.value, again, 0)
  assert.equal(again.toString('hex'), buf.toString('hex'), 're-encoding the decoded value is stable')

  // At an offset, inside a larger buffer with guard bytes that must not be touched/read.
  const big = Buffer.alloc(len + 20, 0xee)
  assert.equal(codec.encode(value, big, 7), 7 + len, 'encode at offset returns offset + length')
  assert.equal(big.subarray(7, 7 + len).toString('hex'), buf.toString('hex'))
  assert.ok(big.subarray(0, 7).every((b) => b === 0xee) && big.subarray(7 + len).every((b) => b === 0xee))
  const atOffset = codec.decode(big, 7, 7 + len)
  assert.equal(atOffset.offset, 7 + len)
  return decoded.value
}
