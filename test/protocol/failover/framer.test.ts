import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DecodeError } from '../../../src/lib/errors.js'
import { FailoverFramer } from '../../../src/protocol/failover/framer.js'
import { decode, toBuffer, type FailoverMessage } from '../../../src/protocol/failover/message.js'
import { hex } from '../../helpers/bytes.js'
import { Prng } from '../../helpers/prng.js'
import { VECTORS } from './vectors.js'

/** The §1.7 bring-up as one captured stream: CONNECT, CONNECTACK, STATE, UPDREQALL, BNDUPDs, acks, UPDDONE, CONTACT. */
const STREAM_PARTS: readonly Buffer[] = [
  VECTORS.connect, VECTORS.connectAck, VECTORS.stateRecoverStartup, VECTORS.updreqall, VECTORS.bndupdBackup,
  VECTORS.bndupdActive, VECTORS.bndackActive, VECTORS.bndackReject, VECTORS.upddone, VECTORS.contact,
]
const STREAM = Buffer.concat(STREAM_PARTS)

function collect(framer: FailoverFramer, chunks: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = []
  for (const c of chunks) framer.push(c, (f) => out.push(f))
  return out
}

test('whole stream in one chunk yields every message', () => {
  const frames = collect(new FailoverFramer(), [STREAM])
  assert.deepEqual(frames.map((f) => f.toString('hex')), STREAM_PARTS.map((p) => p.toString('hex')))
})

test('every single split point of the captured stream', () => {
  for (let i = 0; i <= STREAM.length; i++) {
    const f = new FailoverFramer()
    const frames = collect(f, [STREAM.subarray(0, i), STREAM.subarray(i)])
    assert.equal(frames.length, STREAM_PARTS.length, `split at ${i}`)
    assert.ok(Buffer.concat(frames).equals(STREAM), `split at ${i}`)
    assert.equal(f.buffered, 0)
  }
})

test('every pair of split points (three chunks)', () => {
  for (let i = 0; i <= STREAM.length; i += 1) {
    for (let j = i; j <= STREAM.length; j += 7) {
      const frames = collect(new FailoverFramer(), [STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)])
      assert.ok(Buffer.concat(frames).equals(STREAM), `splits at ${i},${j}`)
    }
  }
})

test('byte at a time, and emitted frames stay valid after later pushes', () => {
  const f = new FailoverFramer()
  const frames = collect(f, [...STREAM].map((b) => Buffer.from([b])))
  assert.ok(Buffer.concat(frames).equals(STREAM))
  assert.equal(frames[0]!.toString('hex'), VECTORS.connect.toString('hex'))
})

test('pushMessages decodes; random chunking keeps order', () => {
  const rng = new Prng(3074)
  for (let trial = 0; trial < 200; trial++) {
    const f = new FailoverFramer()
    const got: FailoverMessage[] = []
    let pos = 0
    while (pos < STREAM.length) {
      const n = 1 + rng.int(300)
      f.pushMessages(STREAM.subarray(pos, pos + n), (m) => got.push(m))
      pos += n
    }
    assert.deepEqual(got.map((m) => m.type), [5, 6, 10, 7, 3, 3, 4, 4, 8, 11])
    assert.ok(Buffer.concat(got.map(toBuffer)).equals(STREAM))
  }
})

const absurd: { name: string; stream: Buffer; offset: number }[] = [
  { name: 'length 0 at start', stream: hex('0000'), offset: 0 },
  { name: 'length 11', stream: hex('000b 0b'), offset: 0 },
  { name: 'length 2049 after a good message', stream: Buffer.concat([VECTORS.contact, hex('0801')]), offset: 12 },
  { name: 'length 0xffff', stream: hex('ffff 00 00'), offset: 0 },
]
for (const c of absurd) {
  test(`framer rejects absurd length as soon as it is readable: ${c.name}`, () => {
    const f = new FailoverFramer()
    const frames: Buffer[] = []
    assert.throws(() => f.push(c.stream, (fr) => frames.push(fr)), (e: unknown) => e instanceof DecodeError && e.offset === c.offset && e.field === 'message length')
    // stays failed: the connection must be dropped
    assert.throws(() => f.push(VECTORS.contact, () => undefined), DecodeError)
  })
}

test('pushMessages reports the stream offset of a malformed message (payoff 8)', () => {
  const f = new FailoverFramer()
  const bad = hex('0011 0a 08 00000000 00000000 0018 0001 02')
  assert.throws(() => f.pushMessages(Buffer.concat([VECTORS.contact, bad]), () => undefined), (e: unknown) => e instanceof DecodeError && e.offset === 12 + 3)
})

test('fuzz: random bytes only ever throw DecodeError, decoded messages re-encode exactly', () => {
  const rng = new Prng(0xfa11)
  let decoded = 0
  let rejected = 0
  const check = (wire: Buffer): void => {
    try {
      const { value, offset } = decode(wire, 0, wire.length)
      assert.ok(toBuffer(value).equals(wire.subarray(0, offset)))
      decoded++
    } catch (e) {
      if (!(e instanceof DecodeError) || e.offset < 0 || e.offset > wire.length) throw e
      rejected++
    }
  }
  for (let i = 0; i < 20_000; i++) {
    // pure noise, and noise behind a plausible header so option parsing gets exercised
    check(rng.bytes(rng.int(80)))
    const body = rng.bytes(rng.int(60))
    const head = Buffer.alloc(12)
    head.writeUInt16BE(12 + body.length, 0)
    head[2] = 1 + rng.int(13)
    head[3] = 12
    check(Buffer.concat([head, body]))
    // mutate one byte of a real vector
    const v = Buffer.from(rng.pick(STREAM_PARTS))
    v[rng.int(v.length)] = rng.int(256)
    check(v)
  }
  assert.ok(decoded > 1000 && rejected > 1000, `decoded ${decoded}, rejected ${rejected}`)
})

test('fuzz: framer on random streams throws only DecodeError', () => {
  const rng = new Prng(647)
  for (let i = 0; i < 2000; i++) {
    const f = new FailoverFramer()
    try {
      for (let k = 0; k < 5; k++) f.pushMessages(rng.bytes(rng.int(100)), () => undefined)
    } catch (e) {
      assert.ok(e instanceof DecodeError)
    }
  }
})
