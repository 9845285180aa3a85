import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FAILOVER_STATE_NAMES } from '../../../src/core/lease.js'
import { startMachine, step, type Effect, type Input, type Machine, type MachineConfig } from '../../../src/ha/failover/machine.js'
import { STATE_CODES, stateFromCode } from '../../../src/ha/failover/states.js'
import { Prng } from '../../helpers/prng.js'

const CODES = [...Object.values(STATE_CODES), 12, 99, 253]

function randomInput(rng: Prng, at: number): Input {
  switch (rng.int(8)) {
    case 0: return { kind: 'connected', at }
    case 1: return { kind: 'disconnected', at }
    case 2: return { kind: 'update-done', at }
    case 3: return { kind: 'tick', at }
    case 4: return { kind: 'command', at, state: rng.pick(FAILOVER_STATE_NAMES) }
    case 5: return { kind: 'timer', at, name: rng.pick(['startup', 'recover-wait', 'auto-partner-down'] as const) }
    default: return { kind: 'peer-state', at, code: rng.pick(CODES), startup: rng.bool(0.2) }
  }
}

test('property: random inputs keep the machine well-formed; every STATE is persisted first', () => {
  const rng = new Prng(0x3074)
  let steps = 0
  for (let run = 0; run < 300; run++) {
    const cfg: MachineConfig = { name: 'p', role: rng.bool() ? 'primary' : 'secondary', mclt: 1 + rng.int(120), autoPartnerDown: rng.int(3) * 30 }
    let at = 1_800_000_000
    let [m, eff]: [Machine, Effect[]] = startMachine(cfg, undefined, at)
    for (let i = 0; i < 200; i++) {
      at += rng.int(20)
      const input = randomInput(rng, at)
      ;[m, eff] = step(m, input, cfg)
      steps++
      assert.ok(FAILOVER_STATE_NAMES.includes(m.state))
      assert.equal(m.state === 'startup', m.savedState !== undefined)
      assert.ok(m.savedState !== 'startup')
      for (const [name, due] of Object.entries(m.timers)) assert.ok(Number.isFinite(due), name)
      let persistedState: string | undefined
      for (const e of eff) {
        if (e.kind === 'persist') {
          persistedState = e.record.myState
          assert.notEqual(e.record.myState, 'startup', 'STARTUP is never written')
        }
        if (e.kind === 'send-state') {
          assert.ok(m.linked, 'STATE only on a live link')
          // on 'connected' the current (already persisted) state is re-announced
          if (!e.startup && input.kind !== 'connected') assert.equal(persistedState, e.state, 'a new state is persisted before it is announced')
          assert.equal(stateFromCode(e.code), e.state)
        }
        if (e.kind === 'request-updates') assert.ok(m.linked, 'update requests only on a live link')
      }
    }
  }
  assert.ok(steps === 60_000)
})
