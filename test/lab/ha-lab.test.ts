import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'
import { macInBucket } from '../../src/lab/ha-lab.js'
import { controlFlagsInUsage } from '../../src/lab/dhcp-lab.js'
import { USAGE } from '../../src/daemon/args.js'

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

test('the lab passes --control only to a daemon whose usage mentions it', () => {
  assert.deepEqual(controlFlagsInUsage('Usage: hadhcpd [-p <port>] [--vrrp-config keepalived.conf]'), { control: false, tokenFile: false })
  assert.deepEqual(controlFlagsInUsage('  --control ADDR   where the API listens\n  --control-token-file PATH'), { control: true, tokenFile: true })
  assert.equal(controlFlagsInUsage('--control-tls-cert PATH').control, false, 'a longer flag is not --control')
  // Whatever this build is, the answer matches its own usage text.
  assert.equal(controlFlagsInUsage(USAGE).control, USAGE.includes('--control '))
})
