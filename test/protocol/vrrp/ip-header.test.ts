/** IPv4 header around adverts vs keepalived's (doc §3.1); receive-side header parsing. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DecodeError, EncodeError } from '../../../src/lib/errors.js'
import { IPV4_HEADER_LENGTH, decodeIpv4Header, encodeVrrpIpHeader } from '../../../src/protocol/vrrp/ip-header.js'
import { A, GROUP, V2_P99_FRAME, V3_P99_IP } from './vectors.js'
import { Prng, seedFromEnv } from '../../helpers/prng.js'

const headers = [
  { name: 'v2 advert (total length 40)', want: V2_P99_FRAME.subarray(14, 34), payloadLength: 20 },
  { name: 'v3 advert (total length 32)', want: V3_P99_IP.subarray(0, 20), payloadLength: 12 },
]
for (const c of headers) {
  test(`IP header for a ${c.name} equals keepalived's`, () => {
    const buf = Buffer.alloc(IPV4_HEADER_LENGTH)
    assert.equal(encodeVrrpIpHeader({ src: A, dst: GROUP, id: 1, payloadLength: c.payloadLength }, buf, 0), 20)
    assert.equal(buf.toString('hex'), c.want.toString('hex'))
  })
}

test('decodeIpv4Header on keepalived\'s frame: TTL, protocol, addresses, payload bounds', () => {
  const ip = V2_P99_FRAME.subarray(14)
  assert.deepEqual(decodeIpv4Header(ip, 0, ip.length), { ttl: 255, protocol: 112, src: A, dst: GROUP, payloadOffset: 20, payloadEnd: 40 })
})

const bad: { name: string; bytes: Buffer; field: string }[] = [
  { name: 'short', bytes: V3_P99_IP.subarray(0, 19), field: 'ip header' },
  { name: 'IPv6', bytes: Buffer.from([0x60, ...V3_P99_IP.subarray(1)]), field: 'ip version' },
  { name: 'IHL 4', bytes: Buffer.from([0x44, ...V3_P99_IP.subarray(1)]), field: 'ip header length' },
  { name: 'total length past the end', bytes: V3_P99_IP.subarray(0, 30), field: 'ip total length' },
]
for (const c of bad) {
  test(`decodeIpv4Header: ${c.name}`, () => {
    assert.throws(() => decodeIpv4Header(c.bytes, 0, c.bytes.length), (e: unknown) => e instanceof DecodeError && e.field === c.field)
  })
}

test('encodeVrrpIpHeader rejects a 17-bit id and a short buffer', () => {
  assert.throws(() => encodeVrrpIpHeader({ src: A, dst: GROUP, id: 0x10000, payloadLength: 20 }, Buffer.alloc(20), 0), EncodeError)
  assert.throws(() => encodeVrrpIpHeader({ src: A, dst: GROUP, id: 1, payloadLength: 20 }, Buffer.alloc(19), 0), EncodeError)
})

test('random bytes: decodeIpv4Header throws only DecodeError', () => {
  const rng = new Prng(seedFromEnv(0x5eed0008))
  for (let i = 0; i < 5000; i++) {
    const buf = rng.bytes(rng.int(64))
    try {
      const h = decodeIpv4Header(buf, 0, buf.length)
      assert.ok(h.payloadOffset <= h.payloadEnd && h.payloadEnd <= buf.length)
    } catch (e) {
      assert.ok(e instanceof DecodeError, String(e))
    }
  }
})
