/** keepalived's receive checks (doc §3.3): each discard reason, in keepalived's wording. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { passAuthData, toBuffer, type AdvertV2, type AdvertV3 } from '../../../src/protocol/vrrp/advert.js'
import { checkAdvert, type AdvertExpectation, type DiscardReason, type ReceivedIpHeader } from '../../../src/protocol/vrrp/validate.js'
import { Prng, seedFromEnv } from '../../helpers/prng.js'
import { A, B, GROUP, V2_P0, V2_P90, V2_P99, V3_P99, VIP } from './vectors.js'

const mine: AdvertExpectation = { version: 2, vrid: 51, advertIntervalMs: 1000, authPass: '1111', addresses: [VIP] }
const mineV3: AdvertExpectation = { version: 3, vrid: 51, advertIntervalMs: 1000, addresses: [VIP] }
const fromA: ReceivedIpHeader = { ttl: 255, src: A, dst: GROUP }
const ip = { src: A, dst: GROUP }
const base: AdvertV2 = {
  version: 2, type: 1, vrid: 51, priority: 90, authType: 1, advertIntervalSec: 1, addresses: [VIP], authData: passAuthData('1111'),
}
const baseV3: AdvertV3 = { version: 3, type: 1, vrid: 51, priority: 90, maxAdvertIntervalCs: 100, addresses: [VIP] }

test('keepalived\'s own adverts (doc vectors) pass', () => {
  for (const [bytes, want] of [[V2_P99, mine], [V2_P90, mine], [V2_P0, mine], [V3_P99, mineV3]] as const) {
    const v = checkAdvert(bytes, 0, bytes.length, fromA, want)
    assert.ok(v.ok, v.ok ? '' : v.message)
    assert.equal(v.intervalMs, 1000)
  }
})

const cases: { name: string; bytes: Buffer; ip?: ReceivedIpHeader; want?: AdvertExpectation; reason: DiscardReason; message: string }[] = [
  { name: 'TTL 64', bytes: V2_P99, ip: { ...fromA, ttl: 64 }, reason: 'ttl', message: 'invalid TTL/HL. Received 64 and expect 255' },
  { name: 'v3 advert to a v2 instance', bytes: V3_P99, reason: 'version', message: 'wrong version. Received 3 and expect 2' },
  { name: 'v2 advert to a v3 instance', bytes: V2_P99, want: mineV3, reason: 'version', message: 'wrong version. Received 2 and expect 3' },
  { name: 'empty payload', bytes: Buffer.alloc(0), reason: 'malformed', message: 'ip payload too short' },
  { name: 'truncated', bytes: V2_P99.subarray(0, 15), reason: 'malformed', message: 'addresses at byte 3: 1 addresses need 20 bytes, have 15' },
  { name: 'flipped checksum', bytes: Buffer.from([...V2_P99.subarray(0, 6), 0x1f, 0xf2, ...V2_P99.subarray(8)]), reason: 'checksum', message: 'Invalid VRRP checksum' },
  { name: 'v3 from another source than the pseudo-header', bytes: V3_P99, ip: { ...fromA, src: B }, want: mineV3, reason: 'checksum', message: 'Invalid VRRP checksum' },
  { name: 'type 2', bytes: toBuffer({ ...base, type: 2 }), reason: 'type', message: 'Invalid packet type. 2 and expect 1' },
  { name: 'VRID 52', bytes: toBuffer({ ...base, vrid: 52 }), reason: 'vrid', message: 'received VRID 52, expecting 51' },
  { name: 'no auth to a PASS instance', bytes: toBuffer({ ...base, authType: 0, authData: Buffer.alloc(8) }), reason: 'auth-type', message: 'received a 0 auth, expecting 1!' },
  { name: 'PASS to an instance without auth', bytes: V2_P99, want: { ...mine, authPass: undefined }, reason: 'auth-type', message: 'received a 1 auth, expecting 0!' },
  { name: 'wrong auth_pass', bytes: toBuffer({ ...base, authData: passAuthData('1112') }), reason: 'auth-pass', message: 'received an invalid passwd!' },
  { name: 'two VIPs for one', bytes: toBuffer({ ...base, addresses: [VIP, A] }), reason: 'address-count', message: 'received an unexpected ip number count 2, expected 1!' },
  { name: 'another VIP', bytes: toBuffer({ ...base, addresses: [A] }), reason: 'address-list', message: 'ip address associated with VRID 51 not present in MASTER advert: 198.18.50.100' },
  { name: 'advert_int 2 vs 1', bytes: toBuffer({ ...base, advertIntervalSec: 2 }), reason: 'interval', message: 'advertisement interval mismatch mine=1 sec rcv\'d=2 sec' },
  { name: 'unicast source not a peer', bytes: V2_P99, want: { ...mine, unicastPeers: [B] }, reason: 'unicast-source', message: 'unicast source address 198.18.50.11 is not a configured unicast_peer' },
]
for (const c of cases) {
  test(`discard: ${c.name}`, () => {
    const v = checkAdvert(c.bytes, 0, c.bytes.length, c.ip ?? fromA, c.want ?? mine)
    assert.deepEqual(v.ok ? 'accepted' : { reason: v.reason, message: v.message }, { reason: c.reason, message: c.message })
  })
}

test('v3: another interval is accepted and reported (RFC 5798 §6.4.2 learns Master_Adver_Interval)', () => {
  const bytes = toBuffer({ ...baseV3, maxAdvertIntervalCs: 250 }, ip)
  const v = checkAdvert(bytes, 0, bytes.length, fromA, mineV3)
  assert.ok(v.ok)
  assert.equal(v.intervalMs, 2500)
})

test('unicast: TTL is not checked (keepalived: "but not if unicast")', () => {
  const v = checkAdvert(V2_P99, 0, V2_P99.length, { ...fromA, ttl: 64 }, { ...mine, unicastPeers: [A] })
  assert.ok(v.ok)
})

test('keepalived order: a v2 interval mismatch is reported before a wrong type and a wrong address list', () => {
  const bytes = toBuffer({ ...base, type: 2, advertIntervalSec: 3, addresses: [A] })
  const v = checkAdvert(bytes, 0, bytes.length, fromA, mine)
  assert.equal(v.ok ? 'ok' : v.reason, 'interval')
})

test('address order does not matter; unicast peer listed is accepted', () => {
  const want = { ...mine, addresses: [A, VIP], unicastPeers: [B, A] }
  const bytes = toBuffer({ ...base, addresses: [VIP, A] })
  assert.ok(checkAdvert(bytes, 0, bytes.length, fromA, want).ok)
})

test('random payloads never throw', () => {
  const rng = new Prng(seedFromEnv(0x5eed0007))
  for (let i = 0; i < 5000; i++) {
    const buf = rng.bytes(rng.int(40))
    if (buf.length > 0) buf[0] = 0x21
    const v = checkAdvert(buf, 0, buf.length, fromA, mine)
    assert.equal(typeof v.ok, 'boolean')
  }
})
