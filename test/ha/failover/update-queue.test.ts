import { test } from 'node:test'
import assert from 'node:assert/strict'
import { UpdateQueue } from '../../../src/ha/failover/update-queue.js'

/** Per-link xid counter like dhcpd's: starts at 0, BNDUPD never uses 0 (§1.2). */
function counter(start = 1): () => number {
  let x = start
  return () => x++
}

test('window: at most max-unacked in flight, refilled by acks in queue order', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 100, window: 2 })
  for (let a = 1; a <= 5; a++) assert.equal(q.enqueue(a, `u${a}`), 'queued')
  const xid = counter()
  const first = q.take(xid)
  assert.deepEqual(first.map((o) => [o.xid, o.address, o.update]), [[1, 1, 'u1'], [2, 2, 'u2']])
  assert.deepEqual(q.take(xid), [])
  const r = q.ack(1, 1)
  assert.equal(r.kind, 'acked')
  assert.deepEqual(q.take(xid).map((o) => o.address), [3])
  assert.deepEqual([q.pendingCount, q.inFlightCount], [2, 2])
})

test('a newer change replaces the queued one in place; an address in flight waits for its ack', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 10 })
  q.enqueue(1, 'a')
  q.enqueue(2, 'b')
  assert.equal(q.enqueue(1, 'a2'), 'replaced')
  const xid = counter()
  assert.deepEqual(q.take(xid).map((o) => o.update), ['a2', 'b'])
  q.enqueue(1, 'a3')
  assert.deepEqual(q.take(xid), [], 'address 1 is still in flight')
  q.ack(1, 1)
  assert.deepEqual(q.take(xid).map((o) => [o.xid, o.update]), [[3, 'a3']])
})

test('acks are matched by xid and address (§2.5)', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 10 })
  q.enqueue(7, 'x')
  const [sent] = q.take(counter(0x2c))
  assert.equal(sent!.xid, 0x2c)
  assert.deepEqual(q.ack(0x2d, 7), { kind: 'xid-mismatch', expected: 0x2c })
  assert.deepEqual(q.ack(0x2c, 8), { kind: 'not-outstanding' })
  const ok = q.ack(0x2c, 7)
  assert.equal(ok.kind, 'acked')
  assert.deepEqual(q.ack(0x2c, 7), { kind: 'not-outstanding' }, 'a second ack is ignored')
  assert.ok(q.idle)
})

test('reconnect: un-acked updates are re-sent first, in their original order, with new xids', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 3 })
  for (const a of [10, 11, 12, 13, 14]) q.enqueue(a, `v${a}`)
  const xid = counter()
  q.take(xid) // 10, 11, 12 in flight
  q.ack(2, 11)
  q.enqueue(12, 'v12-newer') // changed again while in flight
  q.linkDown()
  assert.deepEqual([q.inFlightCount, q.pendingCount], [0, 4])
  q.setWindow(10)
  const again = q.take(xid)
  assert.deepEqual(again.map((o) => [o.address, o.update]), [[10, 'v10'], [12, 'v12-newer'], [13, 'v13'], [14, 'v14']])
  assert.deepEqual(again.map((o) => o.xid), [4, 5, 6, 7])
  // an ack with the old xid after reconnect is a mismatch
  assert.equal(q.ack(1, 10).kind, 'xid-mismatch')
})

test('bounded backlog: full sets overflowed; replacing never counts as growth', () => {
  const q = new UpdateQueue<number>({ maxBacklog: 3, window: 1 })
  for (const a of [1, 2, 3]) q.enqueue(a, a)
  assert.equal(q.enqueue(4, 4), 'full')
  assert.equal(q.overflowed, true)
  assert.equal(q.enqueue(2, 22), 'replaced')
  q.take(counter())
  assert.equal(q.enqueue(4, 4), 'queued')
  q.clearOverflow()
  assert.equal(q.overflowed, false)
})

test('UPDREQ answer: UPDDONE at once when nothing is pending, else with the last ack (§3.3.3)', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 1 })
  assert.equal(q.beginUpdateRequest(3), 3)
  q.enqueue(1, 'a')
  q.enqueue(2, 'b')
  assert.equal(q.beginUpdateRequest(4), undefined)
  assert.equal(q.beginUpdateRequest(5), undefined, 'a new request replaces the old one')
  const xid = counter(10)
  const [s1] = q.take(xid)
  const r1 = q.ack(s1!.xid, 1)
  assert.equal(r1.kind === 'acked' && r1.updateDone, undefined)
  const [s2] = q.take(xid)
  const r2 = q.ack(s2!.xid, 2)
  assert.equal(r2.kind === 'acked' && r2.updateDone, 5)
})

test('dueling: the outstanding update is visible and can be dropped when the peer wins', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 10 })
  q.enqueue(9, 'mine')
  q.take(counter())
  assert.equal(q.outstanding(9)?.update, 'mine')
  assert.equal(q.dropOutstanding(9).sent?.update, 'mine')
  assert.equal(q.outstanding(9), undefined)
  assert.ok(q.idle)
  // dropping the last outstanding update completes a running UPDREQ answer
  q.enqueue(9, 'again')
  q.take(counter(5))
  assert.equal(q.beginUpdateRequest(77), undefined)
  assert.deepEqual(q.dropOutstanding(9).updateDone, 77)
})

test('take can rebuild each update from the lease as it is at send time', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 10 })
  q.enqueue(1, 'stale')
  const sent = q.take(counter(), (a, queued) => `now:${a}:${queued}`)
  assert.equal(sent[0]!.update, 'now:1:stale')
  assert.equal(q.outstanding(1)?.update, 'now:1:stale')
})

test('window 0 (peer sent max-unacked 0) sends nothing', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 0 })
  q.enqueue(1, 'a')
  assert.deepEqual(q.take(counter()), [])
})

test('re-queued on leaving NORMAL with the link up: a late ack of what was sent completes it (dhcpd matches the lease\'s last xid)', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 10 })
  for (const a of [1, 2, 3]) q.enqueue(a, `u${a}`)
  const xid = counter()
  assert.deepEqual(q.take(xid).map((o) => o.xid), [1, 2, 3])
  q.enqueue(3, 'u3b') // a newer state of 3 waits for 3's ack
  q.requeueUnacked()
  assert.deepEqual([q.pendingCount, q.inFlightCount], [3, 0])
  // 1: acked before being sent again → gone from the queue.
  const r1 = q.ack(1, 1)
  assert.ok(r1.kind === 'acked' && r1.sent.update === 'u1')
  // 3: the ack covers the old state only; the newer one still goes out.
  assert.equal(q.ack(3, 3).kind, 'not-outstanding')
  // 2: sent again first; the late ack of the first copy is quiet, the new copy's ack completes it.
  const again = q.take(xid)
  assert.deepEqual(again.map((o) => [o.address, o.update]), [[2, 'u2'], [3, 'u3b']])
  assert.equal(q.ack(2, 2).kind, 'not-outstanding')
  assert.equal(q.ack(again[0]!.xid, 2).kind, 'acked')
  assert.equal(q.ack(again[1]!.xid, 3).kind, 'acked')
  assert.ok(q.idle)
})

test('after link loss, an ack with an old xid is not taken for a re-queued update', () => {
  const q = new UpdateQueue<string>({ maxBacklog: 10, window: 10 })
  q.enqueue(1, 'u1')
  q.take(counter())
  q.requeueUnacked()
  q.linkDown()
  assert.equal(q.ack(1, 1).kind, 'not-outstanding')
  assert.equal(q.pendingCount, 1)
})
