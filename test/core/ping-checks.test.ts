import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PingChecks } from '../../src/core/ping-checks.js'

test('an address that stayed silent is not probed again for the same client during the hold', () => {
  const p = new PingChecks(60_000)
  assert.equal(p.needed(10, 'a', 0), true)
  p.passed(10, 'a', 1_000)
  assert.equal(p.needed(10, 'a', 2_000), false, 'retransmitted DISCOVER after the OFFER')
  assert.equal(p.needed(10, 'b', 2_000), true, 'another client is probed')
  assert.equal(p.needed(10, 'a', 61_000), true, 'after the hold, probe again')
  assert.equal(p.size, 0, 'expired clearance forgotten')
})

test('a conflict forgets the clearance', () => {
  const p = new PingChecks()
  p.passed(7, 'a', 0)
  p.conflicted(7)
  assert.equal(p.needed(7, 'a', 1), true)
})

test('the table stays bounded: expired entries go first, then the oldest', () => {
  const p = new PingChecks(10, 3)
  p.passed(1, 'a', 0)
  p.passed(2, 'a', 0)
  p.passed(3, 'a', 100)
  p.passed(4, 'a', 100) // 1 and 2 have expired at 100
  assert.equal(p.size, 2)
  p.passed(5, 'a', 100)
  p.passed(6, 'a', 100)
  assert.ok(p.size <= 3)
  assert.equal(p.needed(6, 'a', 101), false)
})
