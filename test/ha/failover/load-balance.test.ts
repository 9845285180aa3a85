import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  RFC3074_MIXING_TABLE, bucketIsPrimary, bucketOwner, hbaFromSplit, loadBalance, loadBalanceHash, loadBalanceKey,
  type LoadBalanceInput,
} from '../../../src/ha/failover/load-balance.js'
import { hex } from '../../helpers/bytes.js'

test('mixing table is a permutation of 0..255 with RFC 3074 §6 anchors', () => {
  assert.equal(RFC3074_MIXING_TABLE.length, 256)
  assert.equal(new Set(RFC3074_MIXING_TABLE).size, 256)
  // first row, last row and a few from the middle, typed from RFC 3074 §6
  assert.deepEqual([...RFC3074_MIXING_TABLE.subarray(0, 8)], [251, 175, 119, 215, 81, 14, 79, 191])
  assert.deepEqual([...RFC3074_MIXING_TABLE.subarray(248)], [149, 80, 170, 68, 6, 169, 234, 151])
  assert.equal(RFC3074_MIXING_TABLE[0x83], 255)
  assert.equal(RFC3074_MIXING_TABLE[0x0e], 0)
})

// §5.2 table: key → bucket → server with split 128 (first four observed against dhcpd)
const known: { key: string; bucket: number; server: 'primary' | 'secondary' }[] = [
  { key: '020000001001', bucket: 26, server: 'primary' },
  { key: '01020000001002', bucket: 125, server: 'primary' },
  { key: '020000001003', bucket: 220, server: 'secondary' },
  { key: '01020000001006', bucket: 192, server: 'secondary' },
  { key: '020000001005', bucket: 248, server: 'secondary' },
  { key: '020000001007', bucket: 133, server: 'secondary' },
  { key: '01020000001008', bucket: 50, server: 'primary' },
  { key: '01020000000001', bucket: 14, server: 'primary' },
  { key: '001122334455', bucket: 135, server: 'secondary' },
  { key: 'ffffffffffff', bucket: 79, server: 'primary' },
  { key: '000000000000', bucket: 254, server: 'secondary' },
  { key: '', bucket: 0, server: 'primary' },
]
const split128 = hbaFromSplit(128)
for (const k of known) {
  test(`hash ${k.key || '(empty)'} → bucket ${k.bucket} → ${k.server}`, () => {
    assert.equal(loadBalanceHash(hex(k.key)), k.bucket)
    assert.equal(bucketOwner(split128, hex(k.key)), k.server)
  })
}

test('hash walks the key from its last byte (single-byte keys by hand)', () => {
  // h0 = 1; h = T[1 ^ b]
  for (const b of [0, 1, 0x80, 0xff]) assert.equal(loadBalanceHash(Uint8Array.of(b)), RFC3074_MIXING_TABLE[1 ^ b])
  // two bytes [a, b]: h = T[T[2 ^ b] ^ a]
  const a = 0x12, b = 0x34
  assert.equal(loadBalanceHash(Uint8Array.of(a, b)), RFC3074_MIXING_TABLE[RFC3074_MIXING_TABLE[2 ^ b]! ^ a])
  // 256-byte key: length mod 256 = 0
  const long = new Uint8Array(256)
  let h = 0
  for (let i = 255; i >= 0; i--) h = RFC3074_MIXING_TABLE[h ^ 0]!
  assert.equal(loadBalanceHash(long), h)
})

test('HBA from split: split 128 = ff×16 00×16, bit order LSB first (§5.2)', () => {
  assert.equal(split128.toString('hex'), 'ff'.repeat(16) + '00'.repeat(16))
  assert.equal(hbaFromSplit(0).toString('hex'), '00'.repeat(32))
  assert.equal(hbaFromSplit(256).toString('hex'), 'ff'.repeat(32))
  assert.equal(hbaFromSplit(3).toString('hex'), '07' + '00'.repeat(31))
  assert.equal(hbaFromSplit(9).toString('hex'), 'ff01' + '00'.repeat(30))
  const hba = Buffer.alloc(32)
  hba[1] = 0x04 // bucket 10
  assert.ok(bucketIsPrimary(hba, 10))
  assert.ok(!bucketIsPrimary(hba, 9) && !bucketIsPrimary(hba, 11) && !bucketIsPrimary(hba, 2))
  assert.throws(() => hbaFromSplit(257), RangeError)
})

test('key: client-id payload (type byte included) over chaddr; chaddr cut to hlen', () => {
  const chaddr = hex('020000001001' + '00'.repeat(10))
  assert.equal(Buffer.from(loadBalanceKey(undefined, chaddr, 6)).toString('hex'), '020000001001')
  assert.equal(Buffer.from(loadBalanceKey(hex('01020000001002'), chaddr, 6)).toString('hex'), '01020000001002')
})

const base: LoadBalanceInput = {
  state: 'normal', role: 'primary', hba: split128, maxSeconds: 3, messageType: 1, secs: 0,
  key: hex('020000001003'), peerHasFreeLeases: true, // bucket 220 → secondary
}
const gates: { name: string; input: Partial<LoadBalanceInput>; serve: boolean; reason: string }[] = [
  { name: 'primary drops a secondary-bucket DISCOVER', input: {}, serve: false, reason: 'peer' },
  { name: 'secondary answers it', input: { role: 'secondary' }, serve: true, reason: 'mine' },
  { name: 'primary answers a primary-bucket DISCOVER', input: { key: hex('020000001001') }, serve: true, reason: 'mine' },
  { name: 'secondary drops a primary-bucket DISCOVER', input: { role: 'secondary', key: hex('020000001001') }, serve: false, reason: 'peer' },
  { name: 'REQUEST is never balanced', input: { messageType: 3 }, serve: true, reason: 'not-discover' },
  { name: 'RELEASE is never balanced', input: { messageType: 7 }, serve: true, reason: 'not-discover' },
  { name: 'only in NORMAL', input: { state: 'communications-interrupted' }, serve: true, reason: 'not-normal' },
  { name: 'partner-down answers all', input: { state: 'partner-down' }, serve: true, reason: 'not-normal' },
  { name: 'max seconds absent (0) disables it', input: { maxSeconds: 0 }, serve: true, reason: 'disabled' },
  { name: 'secs 3 with max 3 is still balanced', input: { secs: 3 }, serve: false, reason: 'peer' },
  { name: 'secs 4 with max 3 answers', input: { secs: 4 }, serve: true, reason: 'secs-over-max' },
  { name: 'peer without free leases', input: { peerHasFreeLeases: false }, serve: true, reason: 'peer-has-no-free-leases' },
]
for (const g of gates) {
  test(`load balance gate: ${g.name}`, () => {
    const d = loadBalance({ ...base, ...g.input })
    assert.deepEqual([d.serve, d.reason], [g.serve, g.reason])
  })
}

test('split 128 shares random keys roughly evenly', () => {
  let primary = 0
  for (let i = 0; i < 4096; i++) {
    const k = Buffer.alloc(6)
    k.writeUInt32BE(i * 2654435761 >>> 0, 2)
    if (bucketOwner(split128, k) === 'primary') primary++
  }
  assert.ok(primary > 1700 && primary < 2400, `${primary}`)
})
