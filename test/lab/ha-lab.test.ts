import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'
import { macInBucket } from '../../src/lab/ha-lab.js'

test('macInBucket picks MACs whose bucket (by MAC and by 01+MAC client-id) belongs to the asked node', () => {
  const hba = hbaFromSplit(128)
  for (const owner of ['primary', 'secondary'] as const) {
    const mac = macInBucket(owner, 0x100)
    assert.match(mac, /^02:18:0a:00:[0-9a-f]{2}:[0-9a-f]{2}$/)
    const bytes = Buffer.from(mac.replace(/:/g, ''), 'hex')
    assert.equal(bucketOwner(hba, bytes), owner)
    assert.equal(bucketOwner(hba, Buffer.concat([Buffer.from([1]), bytes])), owner)
  }
  assert.notEqual(macInBucket('primary', 0x200), macInBucket('primary', 0x300), 'different starts, different clients')
})
