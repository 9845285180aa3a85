/**
 * Graceful failover stop in the driver (failover-protocol.md §3.4, checklist §10.3): a NORMAL
 * relationship moves to SHUTDOWN (persisted before the STATE), the peer goes PARTNER-DOWN, and we
 * record RECOVER with STOS backdated by MCLT only when the peer confirmed and nothing was queued;
 * without a link, or outside NORMAL, it is a plain stop. The restart recovers without RECOVER-WAIT.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MessageType } from '../../src/protocol/failover/constants.js'
import type { FailoverMessage } from '../../src/protocol/failover/message.js'
import { viewBinding, viewState } from '../../src/protocol/failover/messages.js'
import { stateCode } from '../../src/ha/failover/states.js'
import { BASE, NAME, pair, type Pair, type PairOptions } from './failover-pair.js'

const T0 = 1_800_000_000
const RANGES = [[BASE + 10, BASE + 40] as const]
const SHUTDOWN = stateCode('shutdown')
const PARTNER_DOWN = stateCode('partner-down')

async function normalPair(o: PairOptions = {}): Promise<Pair & { conn: ReturnType<Pair['connect']> }> {
  const x = await pair(RANGES, T0, {}, o)
  const conn = x.connect()
  await x.quiesce()
  assert.equal(x.p.state, 'normal', x.logs.P.join('\n'))
  assert.equal(x.s.state, 'normal', x.logs.S.join('\n'))
  return Object.assign(x, { conn })
}

const isState = (code: number) => (m: { type: number }): boolean => m.type === MessageType.STATE && viewState(m as Parameters<typeof viewState>[0]).serverState === code

test('confirmed: SHUTDOWN persisted before its STATE, the peer goes PARTNER-DOWN, RECOVER recorded with STOS backdated by MCLT', async () => {
  const x = await normalPair()
  x.clock.now = T0 + 100
  let persistedWhenSent: string | undefined
  x.drop = (from, msg) => {
    if (from === 'P' && isState(SHUTDOWN)(msg)) persistedWhenSent = x.pdb.states.get(NAME)?.myState
    return false
  }
  const r = await x.p.gracefulStop(2000)
  assert.equal(persistedWhenSent, 'shutdown', 'the STATE SHUTDOWN left after its state block was written')
  assert.equal(r.outcome, 'confirmed', r.message)
  assert.equal(r.confirmed, true)
  assert.equal(r.previous, 'normal')
  assert.equal(r.recorded, 'recover')
  assert.equal(r.backdated, true)
  assert.equal(r.recordedStos, T0 + 100 - 60)
  assert.equal(r.peerState, 'partner-down')
  assert.equal(r.pendingUpdates, 0)
  assert.ok(r.waitedMs >= 0 && r.waitedMs < 2000, String(r.waitedMs))
  assert.match(r.message, /^failover peer fo-test: graceful shutdown: the peer confirmed partner-down after \d+ ms; recover recorded, STOS backdated by MCLT \(60 s\)/)
  const rec = x.pdb.states.get(NAME)
  assert.deepEqual([rec?.myState, rec?.myStateAt, rec?.partnerState], ['recover', T0 + 40, 'partner-down'])
  assert.ok(x.logs.P.includes(`failover peer ${NAME}: I move from normal to shutdown`), x.logs.P.join('\n'))
  assert.ok(x.logs.P.includes(`failover peer ${NAME}: peer moves from normal to partner-down`))
  assert.ok(x.logs.P.includes(`failover peer ${NAME}: I move from shutdown to recover`))
  // The peer's side: it saw SHUTDOWN and took over; the dropped link leaves it in PARTNER-DOWN.
  await x.quiesce()
  assert.ok(x.logs.S.includes(`failover peer ${NAME}: peer moves from normal to shutdown`), x.logs.S.join('\n'))
  assert.ok(x.logs.S.includes(`failover peer ${NAME}: I move from normal to partner-down`))
  assert.equal(x.s.state, 'partner-down')
  assert.equal(x.s.snapshot().connected, false)
  // Nothing goes out after SHUTDOWN but the re-sent updates: no STATE RECOVER, no UPDREQALL.
  const afterShutdown = x.sent.slice(x.sent.findIndex((e) => e.from === 'P' && isState(SHUTDOWN)(e.msg)) + 1).filter((e) => e.from === 'P')
  assert.deepEqual(afterShutdown.filter((e) => e.msg.type === MessageType.STATE || e.msg.type === MessageType.UPDREQALL), [])
  // Stopped: a later stop() is a no-op, a second graceful stop says so.
  await x.p.stop()
  assert.equal((await x.p.gracefulStop(10)).outcome, 'stopped')
})

test('restart after a confirmed graceful stop: RECOVER from the lease file, no RECOVER-WAIT, both NORMAL again', async () => {
  const x = await normalPair()
  x.clock.now = T0 + 100
  assert.equal((await x.p.gracefulStop(2000)).outcome, 'confirmed')
  await x.quiesce()
  x.clock.now = T0 + 130
  const p = await x.restart('P')
  assert.equal(p.state, 'startup')
  assert.equal(p.announcedState, 'recover')
  x.connect()
  await x.quiesce()
  assert.equal(p.state, 'normal', x.logs.P.join('\n'))
  assert.equal(x.s.state, 'normal', x.logs.S.join('\n'))
  const moves = x.logs.P.filter((l) => l.includes(' I move from '))
  assert.ok(moves.includes(`failover peer ${NAME}: I move from recover to recover-done`), moves.join('\n'))
  assert.ok(!moves.some((l) => l.includes('recover-wait')), moves.join('\n'))
  assert.ok(x.logs.S.includes(`failover peer ${NAME}: I move from partner-down to normal`), x.logs.S.join('\n'))
})

test('not confirmed within the bound: RECOVER recorded without backdating', async () => {
  const x = await normalPair()
  x.clock.now = T0 + 100
  // The peer's STATE messages are lost: it moves to PARTNER-DOWN but we never hear of it.
  x.drop = (from, msg) => from === 'S' && isState(PARTNER_DOWN)(msg)
  const r = await x.p.gracefulStop(80)
  assert.equal(r.outcome, 'unconfirmed', r.message)
  assert.equal(r.confirmed, false)
  assert.equal(r.backdated, false)
  assert.equal(r.recorded, 'recover')
  assert.equal(r.recordedStos, T0 + 100)
  assert.equal(r.peerState, 'normal')
  assert.ok(r.waitedMs >= 80, String(r.waitedMs))
  assert.match(r.message, /no partner-down from the peer within \d+ ms \(peer normal\); recover recorded: the restart waits out MCLT in recover-wait/)
  assert.deepEqual([x.pdb.states.get(NAME)?.myState, x.pdb.states.get(NAME)?.myStateAt], ['recover', T0 + 100])
})

test('un-acknowledged updates: confirmed, but no backdating (the peer may lack a binding)', async () => {
  const x = await normalPair()
  x.clock.now = T0 + 100
  x.drop = (from, msg) => from === 'S' && msg.type === MessageType.BNDACK
  const change = x.pdb.store.upsert({
    address: BASE + 12, bindingState: 'active', starts: T0 + 100, ends: T0 + 700, cltt: T0 + 100,
    hardware: { htype: 1, address: Buffer.from('027000000012', 'hex') },
  }, 'allocate')
  x.p.leasesCommitted([change])
  await x.quiesce()
  assert.ok(x.p.snapshot().queueDepth > 0)
  const r = await x.p.gracefulStop(80)
  assert.equal(r.outcome, 'confirmed', r.message)
  assert.equal(r.backdated, false)
  assert.ok(r.pendingUpdates > 0)
  assert.equal(r.recordedStos, T0 + 100)
  assert.match(r.message, /recover recorded \(\d+ update\(s\) not acknowledged\): the restart waits out MCLT/)
})

test('an update in flight at SHUTDOWN: its late BNDACK completes the re-queued update (no re-send); then backdated', async () => {
  const x = await normalPair()
  x.clock.now = T0 + 100
  // Hold the peer's BNDACK until our SHUTDOWN has gone out (leaving NORMAL re-queues the update).
  let held: FailoverMessage | undefined
  x.drop = (from, msg) => {
    if (from !== 'S' || msg.type !== MessageType.BNDACK || held !== undefined) return false
    held = msg
    return true
  }
  const change = x.pdb.store.upsert({
    address: BASE + 13, bindingState: 'active', starts: T0 + 100, ends: T0 + 700, cltt: T0 + 100,
    hardware: { htype: 1, address: Buffer.from('027000000013', 'hex') },
  }, 'allocate')
  x.p.leasesCommitted([change])
  await x.quiesce()
  assert.ok(held !== undefined)
  assert.equal(x.p.snapshot().queueDepth, 1)
  const stopping = x.p.gracefulStop(2000)
  while (!x.sent.some((e) => e.from === 'P' && isState(SHUTDOWN)(e.msg))) await new Promise((r) => setImmediate(r))
  x.conn.p.deliverRaw(held)
  const r = await stopping
  assert.equal(r.outcome, 'confirmed', r.message)
  assert.equal(r.pendingUpdates, 0, r.message)
  assert.equal(r.backdated, true, r.message)
  const forIt = x.sent.filter((e) => e.from === 'P' && e.msg.type === MessageType.BNDUPD && viewBinding(e.msg).address === BASE + 13)
  assert.equal(forIt.length, 1, 'not sent again: the late ack covers it')
  assert.equal(x.pdb.store.get(BASE + 13)?.atsfp, T0 + 700 + 300, 'the ack recorded atsfp')
  assert.ok(!x.logs.P.some((l) => l.includes('xid mismatch')), x.logs.P.join('\n'))
})

test('link down: a plain stop, nothing announced, the saved state stays', async () => {
  const x = await normalPair()
  x.conn.p.close()
  await x.quiesce()
  assert.equal(x.p.state, 'communications-interrupted')
  const before = x.pdb.states.get(NAME)
  const sentBefore = x.sent.length
  const r = await x.p.gracefulStop(1000)
  assert.equal(r.outcome, 'not-connected')
  assert.equal(r.recorded, 'communications-interrupted')
  assert.equal(r.waitedMs, 0)
  assert.match(r.message, /not handed over \(no link to the peer: nothing to announce\); stopping as on SIGTERM, communications-interrupted stays recorded/)
  assert.deepEqual(x.pdb.states.get(NAME), before)
  assert.equal(x.sent.length, sentBefore, 'nothing sent')
})

test('linked but not NORMAL (recover-wait): a plain stop, as dhcpd hands only NORMAL over', async () => {
  // The primary was PARTNER-DOWN; a secondary that lost its lease file recovers and waits out MCLT.
  const x = await pair(RANGES, T0, {}, {
    persisted: { P: { name: NAME, myState: 'partner-down', myStateAt: T0 - 500, partnerState: 'communications-interrupted', partnerStateAt: T0 - 600 } },
  })
  x.connect()
  await x.quiesce()
  assert.equal(x.s.state, 'recover-wait', x.logs.S.join('\n'))
  const r = await x.s.gracefulStop(1000)
  assert.equal(r.outcome, 'not-normal')
  assert.equal(r.recorded, 'recover-wait')
  assert.match(r.message, /not handed over \(state recover-wait: only a NORMAL relationship is handed over\)/)
  assert.ok(!x.sent.some((e) => e.from === 'S' && isState(SHUTDOWN)(e.msg)))
})

test('partner-down is refused while a graceful stop hands over', async () => {
  const x = await normalPair()
  x.drop = (from, msg) => from === 'S' && isState(PARTNER_DOWN)(msg)
  const stopping = x.p.gracefulStop(60)
  await new Promise((r) => setTimeout(r, 10))
  const pd = await x.p.partnerDown()
  assert.equal(!pd.ok && pd.error, 'stopped')
  assert.equal((await stopping).outcome, 'unconfirmed')
})

test('an abort signal cuts the wait short', async () => {
  const x = await normalPair()
  x.drop = (from, msg) => from === 'S' && isState(PARTNER_DOWN)(msg)
  const ac = new AbortController()
  const t = Date.now()
  setTimeout(() => ac.abort(), 20)
  const r = await x.p.gracefulStop(5000, ac.signal)
  assert.equal(r.outcome, 'unconfirmed')
  assert.ok(Date.now() - t < 2000)
})
