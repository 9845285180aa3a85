/** Rate-limited, counted discard log lines. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DiscardLog } from '../../../src/ha/vrrp/discard-log.js'

test('one line per reason per interval, with the suppressed count; every discard counted', () => {
  const log = new DiscardLog('VI_1', 60_000)
  const msg = 'invalid TTL/HL. Received 64 and expect 255'
  assert.equal(log.record('ttl', msg, 0)?.message, '(VI_1) invalid TTL/HL. Received 64 and expect 255')
  for (let t = 1000; t < 60_000; t += 1000) assert.equal(log.record('ttl', msg, t), undefined)
  assert.ok(log.record('auth-pass', 'received an invalid passwd!', 30_000), 'another reason has its own budget')
  assert.equal(log.record('ttl', msg, 60_000)?.message, '(VI_1) invalid TTL/HL. Received 64 and expect 255 (59 more since the last report)')
  assert.deepEqual([...log.totals()], [['ttl', 61], ['auth-pass', 1]])
})
