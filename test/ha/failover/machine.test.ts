import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/lib/clock.js'
import type { FailoverPeerState } from '../../../src/core/lease.js'
import {
  STARTUP_SECONDS, startMachine, step, type Effect, type Machine, type MachineConfig,
} from '../../../src/ha/failover/machine.js'
import { PEER_STATE_REACTIONS, reactionFor } from '../../../src/ha/failover/reactions.js'
import { STATE_CODES, stateFromCode, type FailoverState } from '../../../src/ha/failover/states.js'
import { Pair } from './pair.js'

const T0 = 1_800_000_000
const P: MachineConfig = { name: 'fo-test', role: 'primary', mclt: 60, autoPartnerDown: 0 }
const S: MachineConfig = { ...P, role: 'secondary' }
const block = (myState: FailoverState, at: number, partnerState: FailoverState = myState): FailoverPeerState =>
  ({ name: 'fo-test', myState, myStateAt: at, partnerState, partnerStateAt: at })
const kinds = (eff: readonly Effect[]): string[] => eff.map((e) => (e.kind === 'log' ? `log:${e.event}` : e.kind))
const texts = (eff: readonly Effect[]): string[] => eff.flatMap((e) => (e.kind === 'log' ? [e.text] : []))

/** A machine in `state` (not STARTUP) with the peer in `peer`, linked. */
function machine(state: FailoverState, peer: FailoverState, extra: Partial<Machine> = {}): Machine {
  return { state, stos: T0, savedState: undefined, peerState: peer, peerStateAt: T0, peerStartup: false, linked: true, mclt: 60, timers: {}, ...extra }
}

test('server-state codes: RECOVER-WAIT is 254, undefined values are not states (§0.8, §1.4.6)', () => {
  assert.equal(STATE_CODES['recover-wait'], 254)
  assert.equal(stateFromCode(254), 'recover-wait')
  assert.equal(stateFromCode(10), 'resolution-interrupted')
  for (const bad of [12, 13, 100, 253, 255]) assert.equal(stateFromCode(bad), undefined)
  for (const [s, c] of Object.entries(STATE_CODES)) assert.equal(stateFromCode(c), s)
})

test('startup without a state block: RECOVER at start, then STARTUP, 15 s timer (§3.2)', () => {
  const [m, eff] = startMachine(P, undefined, T0)
  assert.deepEqual([m.state, m.savedState, m.stos, m.peerState], ['startup', 'recover', T0, 'unknown-state'])
  assert.deepEqual(kinds(eff), ['persist', 'log:FAILOVER_STATE_CHANGE', 'arm-timer'])
  assert.deepEqual(texts(eff), ['failover peer fo-test: I move from recover to startup'])
  assert.deepEqual(eff[0], { kind: 'persist', record: { name: 'fo-test', myState: 'recover', myStateAt: T0, partnerState: 'unknown-state', partnerStateAt: T0 } })
  assert.deepEqual(eff[2], { kind: 'arm-timer', name: 'startup', at: T0 + STARTUP_SECONDS })
})

test('startup from a saved state keeps its STOS; STATE carries the saved state + STARTUP flag', () => {
  let [m] = startMachine(S, { ...block('normal', T0 - 500), mclt: 90 }, T0)
  assert.deepEqual([m.state, m.savedState, m.stos, m.mclt], ['startup', 'normal', T0 - 500, 90])
  let eff: Effect[]
  ;[m, eff] = step(m, { kind: 'connected', at: T0 + 1 }, S)
  assert.deepEqual(eff, [{ kind: 'send-state', state: 'normal', code: 2, startup: true, stos: T0 - 500 }])
})

test('STARTUP timer applies the communications-failed rule to the saved state (NORMAL → CI), STOS kept', () => {
  let [m] = startMachine(P, block('normal', T0 - 100), T0)
  let eff: Effect[]
  ;[m, eff] = step(m, { kind: 'tick', at: T0 + 14 }, P)
  assert.equal(m.state, 'startup')
  assert.deepEqual(eff, [])
  ;[m, eff] = step(m, { kind: 'tick', at: T0 + 15 }, P)
  assert.equal(m.state, 'communications-interrupted')
  assert.equal(m.stos, T0 - 100)
  assert.deepEqual(texts(eff), ['failover peer fo-test: I move from startup to communications-interrupted'])
  assert.equal(m.timers.startup, undefined)
})

const commFailed: [FailoverState, FailoverState][] = [
  ['normal', 'communications-interrupted'],
  ['potential-conflict', 'resolution-interrupted'],
  ['unknown-state', 'resolution-interrupted'],
  ['conflict-done', 'conflict-done'],
  ['communications-interrupted', 'communications-interrupted'],
  ['partner-down', 'partner-down'],
  ['paused', 'paused'],
  ['recover', 'recover'],
  ['recover-done', 'recover-done'],
  ['recover-wait', 'recover-wait'],
  ['resolution-interrupted', 'resolution-interrupted'],
  ['shutdown', 'shutdown'],
]
for (const [from, to] of commFailed) {
  test(`communications failed (§3.3.1): ${from} → ${to}`, () => {
    const [m, eff] = step(machine(from, 'normal'), { kind: 'disconnected', at: T0 + 5 }, P)
    assert.equal(m.state, to)
    assert.equal(m.linked, false)
    assert.equal(texts(eff)[0], 'peer fo-test: disconnected')
    if (from !== to) {
      assert.equal(texts(eff)[1], `failover peer fo-test: I move from ${from} to ${to}`)
      assert.equal(m.stos, T0 + 5)
      assert.equal(eff.some((e) => e.kind === 'send-state'), false, 'no STATE on a dead link')
    }
    if (from === 'conflict-done') assert.ok(kinds(eff).includes('requeue-unacked'))
  })
}

// §3.3.2 as a table: L, P → resulting state (not in STARTUP; the peer's previous state differs)
const reactions: [FailoverState, FailoverState, FailoverState][] = [
  ['normal', 'normal', 'normal'],
  ['normal', 'partner-down', 'potential-conflict'],
  ['normal', 'potential-conflict', 'shutdown'],
  ['normal', 'resolution-interrupted', 'shutdown'],
  ['normal', 'conflict-done', 'shutdown'],
  ['normal', 'recover', 'partner-down'],
  ['normal', 'shutdown', 'partner-down'],
  ['normal', 'paused', 'communications-interrupted'],
  ['normal', 'communications-interrupted', 'normal'],
  ['normal', 'recover-done', 'normal'],
  ['recover', 'recover', 'recover'],
  ['recover', 'potential-conflict', 'potential-conflict'],
  ['recover', 'resolution-interrupted', 'potential-conflict'],
  ['recover', 'conflict-done', 'potential-conflict'],
  ['recover', 'normal', 'potential-conflict'],
  ['recover', 'partner-down', 'recover'],
  ['recover', 'communications-interrupted', 'recover'],
  ['recover', 'shutdown', 'partner-down'],
  ['recover', 'paused', 'recover'],
  ['potential-conflict', 'normal', 'shutdown'],
  ['potential-conflict', 'conflict-done', 'potential-conflict'],
  ['potential-conflict', 'recover', 'recover'],
  ['potential-conflict', 'shutdown', 'partner-down'],
  ['potential-conflict', 'partner-down', 'potential-conflict'],
  ['conflict-done', 'normal', 'normal'],
  ['conflict-done', 'shutdown', 'shutdown'],
  ['conflict-done', 'potential-conflict', 'conflict-done'],
  ['conflict-done', 'resolution-interrupted', 'conflict-done'],
  ['partner-down', 'recover', 'partner-down'],
  ['partner-down', 'recover-wait', 'partner-down'],
  ['partner-down', 'recover-done', 'normal'],
  ['partner-down', 'normal', 'potential-conflict'],
  ['partner-down', 'potential-conflict', 'potential-conflict'],
  ['partner-down', 'partner-down', 'potential-conflict'],
  ['partner-down', 'communications-interrupted', 'potential-conflict'],
  ['partner-down', 'resolution-interrupted', 'potential-conflict'],
  ['partner-down', 'conflict-done', 'potential-conflict'],
  ['partner-down', 'shutdown', 'partner-down'],
  ['communications-interrupted', 'recover', 'partner-down'],
  ['communications-interrupted', 'normal', 'normal'],
  ['communications-interrupted', 'communications-interrupted', 'normal'],
  ['communications-interrupted', 'recover-done', 'normal'],
  ['communications-interrupted', 'recover-wait', 'normal'],
  ['communications-interrupted', 'potential-conflict', 'potential-conflict'],
  ['communications-interrupted', 'partner-down', 'potential-conflict'],
  ['communications-interrupted', 'resolution-interrupted', 'potential-conflict'],
  ['communications-interrupted', 'conflict-done', 'potential-conflict'],
  ['communications-interrupted', 'shutdown', 'partner-down'],
  ['resolution-interrupted', 'normal', 'potential-conflict'],
  ['resolution-interrupted', 'recover', 'potential-conflict'],
  ['resolution-interrupted', 'recover-wait', 'potential-conflict'],
  ['resolution-interrupted', 'shutdown', 'partner-down'],
  ['resolution-interrupted', 'paused', 'resolution-interrupted'],
  ['recover-wait', 'normal', 'recover-wait'],
  ['recover-wait', 'partner-down', 'recover-wait'],
  ['recover-done', 'recover-done', 'normal'],
  ['recover-done', 'normal', 'normal'],
  ['recover-done', 'shutdown', 'partner-down'],
  ['recover-done', 'partner-down', 'recover-done'],
  ['shutdown', 'normal', 'shutdown'],
  ['paused', 'normal', 'paused'],
  ['unknown-state', 'normal', 'unknown-state'],
]
for (const [local, peer, want] of reactions) {
  test(`peer STATE (§3.3.2): ${local} sees ${peer} → ${want}`, () => {
    const previous: FailoverState = peer === 'unknown-state' ? 'normal' : 'unknown-state'
    const [m, eff] = step(machine(local, previous), { kind: 'peer-state', at: T0 + 10, code: STATE_CODES[peer], startup: false }, P)
    assert.equal(m.state, want)
    assert.equal(m.peerState, peer)
    assert.equal(texts(eff)[0], `failover peer fo-test: peer moves from ${previous} to ${peer}`)
    // the peer state is persisted before anything else happens
    assert.equal(eff[1]?.kind, 'persist')
  })
}

test('every row of the table is reachable as data', () => {
  assert.equal(Object.keys(PEER_STATE_REACTIONS).length, 13)
  assert.deepEqual(reactionFor('partner-down', 'normal', true), { do: 'nothing' })
  assert.deepEqual(reactionFor('partner-down', 'normal', false), { do: 'move', to: 'potential-conflict' })
  assert.deepEqual(reactionFor('conflict-done', 'recover', false), { do: 'fatal' })
})

test('transition effects in order: persist, log, STATE, entry action (NORMAL: rebalance, send updates)', () => {
  const [m, eff] = step(machine('communications-interrupted', 'communications-interrupted'), { kind: 'peer-state', at: T0 + 10, code: 2, startup: false }, P)
  assert.equal(m.state, 'normal')
  assert.deepEqual(kinds(eff), [
    'log:FAILOVER_PEER_STATE_CHANGE', 'persist',
    'persist', 'log:FAILOVER_STATE_CHANGE', 'log:FAILOVER_BOTH_NORMAL', 'send-state',
    'rebalance-pools', 'log:FAILOVER_SENDING_UPDATES', 'send-pending-updates',
  ])
  assert.deepEqual(texts(eff), [
    'failover peer fo-test: peer moves from communications-interrupted to normal',
    'failover peer fo-test: I move from communications-interrupted to normal',
    'failover peer fo-test: Both servers normal',
    'Sending updates to fo-test.',
  ])
  const persistIdx = eff.findIndex((e) => e.kind === 'persist' && e.record.myState === 'normal')
  assert.ok(persistIdx >= 0 && persistIdx < eff.findIndex((e) => e.kind === 'send-state'), 'persisted before announced')
})

test('leaving NORMAL, POTENTIAL-CONFLICT or PARTNER-DOWN re-queues un-acked updates', () => {
  for (const from of ['normal', 'potential-conflict', 'partner-down'] as const) {
    const [, eff] = step(machine(from, 'normal'), { kind: 'command', at: T0 + 1, state: 'shutdown' }, P)
    assert.ok(kinds(eff).includes('requeue-unacked'), from)
  }
  const [, eff] = step(machine('recover', 'normal'), { kind: 'command', at: T0 + 1, state: 'shutdown' }, P)
  assert.ok(!kinds(eff).includes('requeue-unacked'))
})

test('undefined peer state value → Invalid state: N, SHUTDOWN (§0.8)', () => {
  const [m, eff] = step(machine('normal', 'normal'), { kind: 'peer-state', at: T0 + 1, code: 99, startup: false }, P)
  assert.equal(m.state, 'shutdown')
  assert.equal(texts(eff)[0], 'failover peer fo-test: Invalid state: 99')
})

test('repeated peer state is ignored in NORMAL; in STARTUP it goes straight to the saved state', () => {
  const [m1, e1] = step(machine('normal', 'normal'), { kind: 'peer-state', at: T0 + 1, code: 2, startup: false }, P)
  assert.deepEqual([m1.state, e1], ['normal', []])
  let [m] = startMachine(P, block('resolution-interrupted', T0 - 10, 'normal'), T0)
  ;[m] = step(m, { kind: 'connected', at: T0 }, P)
  const [m2, e2] = step(m, { kind: 'peer-state', at: T0 + 1, code: 2, startup: true }, P)
  assert.equal(m2.state, 'potential-conflict')
  assert.deepEqual(texts(e2), ['failover peer fo-test: I move from startup to potential-conflict'])
})

test('NORMAL seeing PARTNER-DOWN while in STARTUP → RECOVER (and UPDREQALL)', () => {
  let [m] = startMachine(S, block('normal', T0 - 1000), T0)
  ;[m] = step(m, { kind: 'connected', at: T0 }, S)
  const [m2, eff] = step(m, { kind: 'peer-state', at: T0 + 1, code: 4, startup: false }, S)
  assert.equal(m2.state, 'recover')
  assert.equal(m2.stos, T0 - 1000, 'leaving STARTUP keeps STOS')
  assert.ok(eff.some((e) => e.kind === 'request-updates' && e.all))
})

test('CONFLICT-DONE seeing an unexpected peer state: dhcpd exits', () => {
  const [m, eff] = step(machine('conflict-done', 'potential-conflict'), { kind: 'peer-state', at: T0 + 1, code: 6, startup: false }, P)
  assert.equal(m.state, 'conflict-done')
  assert.ok(eff.some((e) => e.kind === 'exit'))
  assert.ok(texts(eff).includes('Peer fo-test: Invalid attempt to move from potential-conflict to recover while local state is conflict-done.'))
})

test('invalid transition log wording', () => {
  const [, eff] = step(machine('normal', 'normal'), { kind: 'peer-state', at: T0 + 1, code: 5, startup: false }, P)
  assert.ok(texts(eff).includes('Peer fo-test: Invalid state transition normal to potential-conflict.'))
})

test('auto-partner-down: armed on entering CI, fires at exactly N s, cancelled by any other change', () => {
  const cfg = { ...P, autoPartnerDown: 300 }
  let [m, eff] = step(machine('normal', 'normal'), { kind: 'disconnected', at: T0 }, cfg)
  assert.ok(eff.some((e) => e.kind === 'arm-timer' && e.name === 'auto-partner-down' && e.at === T0 + 300))
  ;[m, eff] = step(m, { kind: 'tick', at: T0 + 299 }, cfg)
  assert.equal(m.state, 'communications-interrupted')
  ;[m, eff] = step(m, { kind: 'tick', at: T0 + 300 }, cfg)
  assert.equal(m.state, 'partner-down')
  assert.deepEqual(eff.find((e) => e.kind === 'partner-down-leases'), { kind: 'partner-down-leases', stos: T0 + 300, mclt: 60 })
  // cancelled by a reconnect to NORMAL
  let [m2] = step(machine('normal', 'normal'), { kind: 'disconnected', at: T0 }, cfg)
  ;[m2] = step(m2, { kind: 'connected', at: T0 + 10 }, cfg)
  const [m3, e3] = step(m2, { kind: 'peer-state', at: T0 + 11, code: 2, startup: true }, cfg)
  assert.equal(m3.state, 'normal')
  assert.ok(e3.some((e) => e.kind === 'cancel-timer' && e.name === 'auto-partner-down'))
  const [m4] = step(m3, { kind: 'tick', at: T0 + 400 }, cfg)
  assert.equal(m4.state, 'normal')
  // auto-partner-down 0 never arms
  const [, e5] = step(machine('normal', 'normal'), { kind: 'disconnected', at: T0 }, P)
  assert.ok(!e5.some((e) => e.kind === 'arm-timer'))
})

test('command partner-down from CI (omshell local-state 4)', () => {
  const [m, eff] = step(machine('communications-interrupted', 'normal'), { kind: 'command', at: T0 + 7, state: 'partner-down' }, P)
  assert.deepEqual([m.state, m.stos], ['partner-down', T0 + 7])
  assert.deepEqual(texts(eff), ['failover peer fo-test: I move from communications-interrupted to partner-down'])
})

test('graceful shutdown: SHUTDOWN → RECOVER with the peer PARTNER-DOWN and nothing queued backdates STOS by MCLT', () => {
  const [m, eff] = step(machine('shutdown', 'partner-down'), { kind: 'command', at: T0 + 100, state: 'recover', updatesPending: false }, P)
  assert.deepEqual([m.state, m.stos], ['recover', T0 + 40])
  const persisted = eff.filter((e) => e.kind === 'persist')
  assert.equal(persisted.length, 1)
  assert.ok(persisted[0]?.kind === 'persist' && persisted[0].record.myState === 'recover' && persisted[0].record.myStateAt === T0 + 40)
  assert.ok(eff.some((e) => e.kind === 'send-state' && e.stos === T0 + 40))
  // on restart from that record the UPDDONE leads straight to RECOVER-DONE (no MCLT wait)
  const [m2] = step(m, { kind: 'update-done', at: T0 + 101 }, P)
  assert.equal(m2.state, 'recover-done')
  assert.equal(step(machine('shutdown', 'partner-down'), { kind: 'command', at: T0 + 100, state: 'recover', updatesPending: true }, P)[0].stos, T0 + 100)
  assert.equal(step(machine('shutdown', 'communications-interrupted'), { kind: 'command', at: T0 + 100, state: 'recover', updatesPending: false }, P)[0].stos, T0 + 100)
})

test('UPDDONE in RECOVER: RECOVER-WAIT until STOS + MCLT, then RECOVER-DONE (§3.3.3)', () => {
  const rec = machine('recover', 'partner-down', { stos: T0 })
  let [m, eff] = step(rec, { kind: 'update-done', at: T0 + 5 }, S)
  assert.equal(m.state, 'recover-wait')
  assert.equal(m.stos, T0, 'entering RECOVER-WAIT keeps STOS')
  assert.ok(eff.some((e) => e.kind === 'send-state' && e.code === 254))
  assert.ok(eff.some((e) => e.kind === 'arm-timer' && e.name === 'recover-wait' && e.at === T0 + 60))
  ;[m] = step(m, { kind: 'tick', at: T0 + 59 }, S)
  assert.equal(m.state, 'recover-wait')
  ;[m] = step(m, { kind: 'timer', name: 'recover-wait', at: T0 + 60 }, S)
  assert.equal(m.state, 'recover-done')
  // peer also recovering → no wait
  const [m2] = step(machine('recover', 'recover', { stos: T0 }), { kind: 'update-done', at: T0 + 5 }, S)
  assert.equal(m2.state, 'recover-done')
  // STOS + MCLT already past → no wait
  const [m3] = step(machine('recover', 'partner-down', { stos: T0 - 61 }), { kind: 'update-done', at: T0 }, S)
  assert.equal(m3.state, 'recover-done')
})

test('UPDDONE in POTENTIAL-CONFLICT: primary → CONFLICT-DONE; secondary with peer CONFLICT-DONE → NORMAL', () => {
  assert.equal(step(machine('potential-conflict', 'potential-conflict'), { kind: 'update-done', at: T0 }, P)[0].state, 'conflict-done')
  assert.equal(step(machine('potential-conflict', 'conflict-done'), { kind: 'update-done', at: T0 }, S)[0].state, 'normal')
  const [m, eff] = step(machine('potential-conflict', 'conflict-done'), { kind: 'update-done', at: T0 }, P)
  assert.equal(m.state, 'shutdown')
  assert.ok(texts(eff).includes('Secondary is in conflict_done state after conflict resolution, this is illegal.'))
  const [m2, e2] = step(machine('potential-conflict', 'potential-conflict'), { kind: 'update-done', at: T0 }, S)
  assert.equal(m2.state, 'potential-conflict')
  assert.deepEqual(texts(e2).slice(-1), ['Spurious update-done message.'])
  assert.deepEqual(texts(step(machine('conflict-done', 'normal'), { kind: 'update-done', at: T0 }, P)[1]), ['Spurious update-done message.'])
  assert.deepEqual(step(machine('normal', 'normal'), { kind: 'update-done', at: T0 }, P)[1], [])
})

test('secondary learns and persists the primary MCLT', () => {
  const [m, eff] = step(machine('recover', 'unknown-state'), { kind: 'mclt', at: T0, mclt: 3600 }, S)
  assert.equal(m.mclt, 3600)
  assert.deepEqual(eff, [{ kind: 'persist', record: { name: 'fo-test', myState: 'recover', myStateAt: T0, partnerState: 'unknown-state', partnerStateAt: T0, mclt: 3600 } }])
})

// ------------------------------------------------------------------ sequences of §1.7

test('sequence: new pair, both lease files empty → RECOVER, RECOVER-DONE, NORMAL (§1.7)', () => {
  const clock = new ManualClock(T0 * 1000)
  const pair = new Pair(clock, { p: P, s: S })
  clock.advance(2000)
  pair.connect()
  assert.deepEqual(pair.states(), ['normal', 'normal'])
  const all = [...pair.nodes.p.logs, ...pair.nodes.s.logs]
  assert.ok(all.includes('Both servers have entered recover-done!'))
  assert.ok(all.includes('failover peer fo-test: Both servers normal'))
  assert.ok(pair.nodes.p.effects.some((e) => e.kind === 'request-updates' && e.all), 'primary sent UPDREQALL')
  assert.ok(pair.nodes.s.effects.some((e) => e.kind === 'request-updates' && e.all), 'secondary sent UPDREQALL')
})

test('sequence: secondary restarts with saved NORMAL while primary is CI → both NORMAL', () => {
  const clock = new ManualClock(T0 * 1000)
  const pair = new Pair(clock, { p: P, s: S }, { p: block('communications-interrupted', T0 - 100, 'normal'), s: block('normal', T0 - 200) })
  pair.connect()
  assert.deepEqual(pair.states(), ['normal', 'normal'])
  assert.ok(pair.nodes.p.logs.includes('failover peer fo-test: peer moves from normal to normal'))
  assert.ok(pair.nodes.p.logs.includes('failover peer fo-test: I move from communications-interrupted to normal'))
  assert.ok(pair.nodes.s.logs.includes('failover peer fo-test: I move from startup to normal'))
})

test('sequence: secondary restarts (saved NORMAL, old STOS) while primary is PARTNER-DOWN', () => {
  const clock = new ManualClock(T0 * 1000)
  const pair = new Pair(clock, { p: P, s: S }, { p: block('partner-down', T0 - 1000, 'communications-interrupted'), s: block('normal', T0 - 2000) })
  pair.connect()
  const s = pair.nodes.s.logs
  assert.ok(s.includes('failover peer fo-test: peer moves from normal to partner-down'))
  assert.ok(s.includes('failover peer fo-test: I move from startup to recover'))
  assert.ok(s.includes('failover peer fo-test: I move from recover to recover-done'), 'no RECOVER-WAIT: saved STOS older than MCLT')
  assert.deepEqual(pair.states(), ['normal', 'normal'])
})

test('sequence: empty secondary joins a CI primary → P PARTNER-DOWN, S RECOVER-WAIT for MCLT, then both NORMAL', () => {
  const clock = new ManualClock(T0 * 1000)
  const pair = new Pair(clock, { p: P, s: S }, { p: block('communications-interrupted', T0 - 100, 'normal') })
  pair.connect()
  assert.deepEqual(pair.states(), ['partner-down', 'recover-wait'])
  assert.ok(pair.nodes.s.effects.some((e) => e.kind === 'send-state' && e.code === 0xfe))
  pair.advance(59)
  assert.deepEqual(pair.states(), ['partner-down', 'recover-wait'])
  pair.advance(1)
  assert.deepEqual(pair.states(), ['normal', 'normal'])
})

test('sequence: both PARTNER-DOWN (split brain) → POTENTIAL-CONFLICT, UPDREQ both ways, CONFLICT-DONE, NORMAL', () => {
  const clock = new ManualClock(T0 * 1000)
  const pair = new Pair(clock, { p: P, s: S }, { p: block('partner-down', T0 - 100, 'communications-interrupted'), s: block('partner-down', T0 - 100, 'communications-interrupted') })
  pair.connect()
  assert.deepEqual(pair.states(), ['normal', 'normal'])
  const p = pair.nodes.p.logs, s = pair.nodes.s.logs
  assert.ok(p.includes('failover peer fo-test: I move from partner-down to potential-conflict'))
  assert.ok(p.includes('failover peer fo-test: I move from potential-conflict to conflict-done'))
  assert.ok(p.includes('failover peer fo-test: I move from conflict-done to normal'))
  assert.ok(s.includes('failover peer fo-test: I move from potential-conflict to normal'))
  assert.ok(pair.nodes.p.effects.some((e) => e.kind === 'request-updates' && !e.all), 'primary UPDREQ')
  assert.ok(pair.nodes.s.effects.some((e) => e.kind === 'request-updates' && !e.all), 'secondary UPDREQ')
})

test('sequence: NORMAL pair, link lost → CI both; operator partner-down on P; S returns with its saved state', () => {
  const clock = new ManualClock(T0 * 1000)
  const pair = new Pair(clock, { p: P, s: S })
  pair.connect()
  clock.advance(10_000)
  pair.disconnect()
  assert.deepEqual(pair.states(), ['communications-interrupted', 'communications-interrupted'])
  pair.input('p', { kind: 'command', at: pair.now(), state: 'partner-down' })
  assert.equal(pair.nodes.p.m.state, 'partner-down')
  clock.advance(600_000)
  pair.connect()
  // S (CI) sees PARTNER-DOWN → POTENTIAL-CONFLICT; P sees PC → PC; resolution converges to NORMAL
  assert.deepEqual(pair.states(), ['normal', 'normal'])
})
