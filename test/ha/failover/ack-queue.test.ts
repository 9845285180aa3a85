import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AckQueue } from '../../../src/ha/failover/ack-queue.js'

const T = 1_800_000_000

test('a lone ack waits 2 s (§1.6 observed ~2 s delay)', () => {
  const q = new AckQueue(10)
  assert.deepEqual(q.push({ xid: 1, address: 5 }, T), { flush: false, at: T + 2 })
  assert.equal(q.due(T + 1), false)
  assert.equal(q.due(T + 2), true)
  assert.deepEqual(q.drain(), [{ xid: 1, address: 5 }])
  assert.equal(q.due(T + 10), false)
})

test('flushes at peer max-unacked / 2, in arrival order; the deadline stays the first ack\'s', () => {
  const q = new AckQueue(10)
  for (let i = 1; i <= 4; i++) assert.deepEqual(q.push({ xid: i, address: i }, T + i - 1), { flush: false, at: T + 2 })
  assert.deepEqual(q.push({ xid: 5, address: 5, rejectReason: 16 }, T + 1), { flush: true })
  assert.deepEqual(q.drain().map((a) => a.xid), [1, 2, 3, 4, 5])
  assert.equal(q.length, 0)
})

test('peer max-unacked of 1 or 0 flushes every ack at once', () => {
  for (const n of [0, 1, 3]) {
    const q = new AckQueue(n)
    assert.deepEqual(q.push({ xid: 1, address: 1 }, T), { flush: true }, `max-unacked ${n}`)
  }
  const q = new AckQueue(100)
  q.setPeerMaxUnacked(2)
  assert.deepEqual(q.push({ xid: 1, address: 1 }, T), { flush: true })
})
