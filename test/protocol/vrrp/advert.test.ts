/** VRRP advert codec against keepalived's bytes (doc §3.1), round trips and random input. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DecodeError, EncodeError } from '../../../src/lib/errors.js'
import {
  advertIntervalMs, checksumValid, decode, encode, encodingLength, passAuthData, toBuffer, type Advert, type AdvertV2,
  type AdvertV3, type PseudoHeader,
} from '../../../src/protocol/vrrp/advert.js'
import { internetChecksum } from '../../../src/protocol/vrrp/checksum.js'
import { roundTrip } from '../../helpers/round-trip.js'
import { Prng, seedFromEnv } from '../../helpers/prng.js'
import { A, B, GROUP, V2_P0, V2_P90, V2_P99, V2_P99_FRAME, V3_P99, V3_P99_IP, VIP } from './vectors.js'

const v2 = (priority: number): AdvertV2 => ({
  version: 2, type: 1, vrid: 51, priority, authType: 1, advertIntervalSec: 1, addresses: [VIP], authData: passAuthData('1111'),
})
const v3 = (priority: number): AdvertV3 => ({
  version: 3, type: 1, vrid: 51, priority, maxAdvertIntervalCs: 100, addresses: [VIP],
})

const docVectors: { name: string; bytes: Buffer; want: Advert; ip: PseudoHeader; checksum: number }[] = [
  { name: 'v2 priority 99 (node A)', bytes: V2_P99, want: v2(99), ip: { src: A, dst: GROUP }, checksum: 0x1ff1 },
  { name: 'v2 priority 90 (node B)', bytes: V2_P90, want: v2(90), ip: { src: B, dst: GROUP }, checksum: 0x28f1 },
  { name: 'v2 priority 0 (shutdown)', bytes: V2_P0, want: v2(0), ip: { src: A, dst: GROUP }, checksum: 0x82f1 },
  { name: 'v3 priority 99', bytes: V3_P99, want: v3(99), ip: { src: A, dst: GROUP }, checksum: 0x9a43 },
]

for (const c of docVectors) {
  test(`doc vector ${c.name}: decodes to the expected fields`, () => {
    const { value, offset } = decode(c.bytes, 0, c.bytes.length)
    assert.equal(offset, c.bytes.length)
    assert.deepEqual({ ...value, checksum: undefined, ...(value.version === 2 ? { authData: Buffer.from(value.authData) } : {}) },
      { ...c.want, checksum: undefined, ...(c.want.version === 3 ? { reserved: 0 } : {}) })
    assert.equal(value.checksum, c.checksum)
    assert.equal(advertIntervalMs(value), 1000)
    assert.ok(checksumValid(c.bytes, 0, c.bytes.length, c.want.version, c.ip))
  })
  test(`doc vector ${c.name}: our encoder produces keepalived's bytes`, () => {
    assert.equal(toBuffer(c.want, c.ip).toString('hex'), c.bytes.toString('hex'))
    assert.equal(encodingLength(c.want), c.bytes.length)
  })
  test(`doc vector ${c.name}: round trip (lengths, offsets, guard bytes)`, () => {
    roundTrip({ encodingLength, decode, encode: (v, buf, off) => encode(v, buf, off, c.ip) }, c.want, c.bytes)
  })
}

test('doc frames: IPv4 header checksums verify, TTL 255, protocol 112, and the VRRP payload is the vector', () => {
  for (const [ipBytes, vrrp] of [[V2_P99_FRAME.subarray(14), V2_P99], [V3_P99_IP, V3_P99]] as const) {
    assert.equal(internetChecksum(ipBytes, 0, 20), 0, 'header checksum')
    assert.equal(ipBytes[8], 255)
    assert.equal(ipBytes[9], 112)
    assert.equal(ipBytes.readUInt16BE(2), ipBytes.length, 'total length')
    assert.ok(ipBytes.subarray(20).equals(vrrp))
  }
})

test('v3 checksum depends on the pseudo-header: wrong source fails', () => {
  assert.ok(!checksumValid(V3_P99, 0, V3_P99.length, 3, { src: B, dst: GROUP }))
  assert.ok(checksumValid(V2_P99, 0, V2_P99.length, 2, { src: B, dst: GROUP }), 'v2 has no pseudo-header')
})

test('passAuthData: zero-padded to 8, truncated after 8', () => {
  assert.equal(passAuthData('1111').toString('hex'), '3131313100000000')
  assert.equal(passAuthData('123456789').toString('hex'), '3132333435363738')
})

const roundTrips: { name: string; value: Advert }[] = [
  { name: 'v2 no auth, 3 addresses, interval 255', value: { ...v2(100), authType: 0, authData: Buffer.alloc(8), advertIntervalSec: 255, addresses: [1, 0xffffffff, VIP] } },
  { name: 'v2 owner 255, no addresses', value: { ...v2(255), addresses: [] } },
  { name: 'v3 interval 0.01 s', value: { ...v3(1), maxAdvertIntervalCs: 1, reserved: 0 } },
  { name: 'v3 interval 40.95 s, reserved bits kept', value: { ...v3(200), maxAdvertIntervalCs: 4095, reserved: 5, addresses: [VIP, A, B] } },
]
for (const c of roundTrips) {
  test(`round trip: ${c.name}`, () => {
    const ip = { src: A, dst: GROUP }
    const got = roundTrip({ encodingLength, decode, encode: (v, buf, off) => encode(v, buf, off, ip) }, c.value)
    assert.equal(got.priority, c.value.priority)
    assert.ok(checksumValid(toBuffer(c.value, ip), 0, encodingLength(c.value), c.value.version, ip))
  })
}

const decodeErrors: { name: string; bytes: Buffer; field: string; offset: number }[] = [
  { name: 'empty', bytes: Buffer.alloc(0), field: 'advert header', offset: 0 },
  { name: '7 bytes', bytes: V2_P99.subarray(0, 7), field: 'advert header', offset: 0 },
  { name: 'version 1', bytes: Buffer.from([0x11, ...V2_P99.subarray(1)]), field: 'version', offset: 0 },
  { name: 'v2 without auth data', bytes: V2_P99.subarray(0, 12), field: 'addresses', offset: 3 },
  { name: 'v3 count 2 with one address', bytes: Buffer.from([0x31, 0x33, 0x63, 0x02, ...V3_P99.subarray(4)]), field: 'addresses', offset: 3 },
]
for (const c of decodeErrors) {
  test(`decode error: ${c.name}`, () => {
    assert.throws(() => decode(c.bytes, 0, c.bytes.length), (e: unknown) =>
      e instanceof DecodeError && e.field === c.field && e.offset === c.offset)
  })
}

test('decode never reads past end: the same bytes inside a longer buffer with end short', () => {
  const big = Buffer.concat([V2_P99, Buffer.alloc(8, 0xee)])
  assert.throws(() => decode(big, 0, 19), DecodeError)
  assert.equal(decode(big, 0, big.length).offset, 20, 'trailing bytes are left unread')
})

const encodeErrors: { name: string; value: Advert; ip?: PseudoHeader }[] = [
  { name: 'v3 without pseudo-header', value: v3(99) },
  { name: 'priority 256', value: v2(256), ip: { src: A, dst: GROUP } },
  { name: 'v3 interval 4096 cs', value: { ...v3(1), maxAdvertIntervalCs: 4096 }, ip: { src: A, dst: GROUP } },
  { name: 'v2 auth data 7 bytes', value: { ...v2(1), authData: Buffer.alloc(7) } },
  { name: '256 addresses', value: { ...v3(1), addresses: new Array<number>(256).fill(1) }, ip: { src: A, dst: GROUP } },
]
for (const c of encodeErrors) {
  test(`encode error: ${c.name}`, () => {
    assert.throws(() => toBuffer(c.value, c.ip), EncodeError)
  })
}

test('random bytes: decode throws only DecodeError; what decodes re-encodes to the same bytes but the checksum', () => {
  const rng = new Prng(seedFromEnv(0x5eed0006))
  const ip = { src: A, dst: GROUP }
  let decoded = 0
  for (let i = 0; i < 20000; i++) {
    const len = rng.int(48)
    const buf = rng.bytes(len)
    if (len > 0 && rng.bool(0.7)) buf[0] = (rng.bool() ? 0x20 : 0x30) | (buf[0]! & 0x0f)
    if (len > 3 && rng.bool(0.7)) buf[3] = rng.int(6)
    let value: Advert
    let end: number
    try {
      ;({ value, offset: end } = decode(buf, 0, buf.length))
    } catch (e) {
      assert.ok(e instanceof DecodeError, `seed ${rng.seed} input ${buf.toString('hex')}: ${String(e)}`)
      assert.ok(e.offset >= 0 && e.offset <= len)
      continue
    }
    decoded++
    const again = toBuffer(value, ip)
    assert.equal(again.length, end)
    const strip = (b: Buffer): string => Buffer.concat([b.subarray(0, 6), b.subarray(8, end)]).toString('hex')
    assert.equal(strip(again), strip(buf))
  }
  assert.ok(decoded > 1000, `only ${decoded} inputs decoded`)
})
