import { test } from 'node:test'
import assert from 'node:assert/strict'
import { servicePolicy, type FailoverState } from '../../../src/ha/failover/states.js'

// §3.1: state → responding, ISC's not-responding reason, load balanced, peer pool after MCLT, rewind
const rows: [FailoverState, boolean, string, boolean, boolean, boolean][] = [
  ['normal', true, '', true, false, false],
  ['communications-interrupted', true, '', false, false, true],
  ['partner-down', true, '', false, true, false],
  ['startup', false, ' (startup)', false, false, false],
  ['recover', false, ' (recovering)', false, false, false],
  ['recover-wait', false, ' (recover wait)', false, false, false],
  ['recover-done', false, ' (recover done)', false, false, false],
  ['potential-conflict', false, ' (resolving conflicts)', false, false, false],
  ['resolution-interrupted', false, ' (resolving conflicts)', false, false, false],
  ['conflict-done', false, ' (resolving conflicts)', false, false, false],
  ['paused', false, ' (paused)', false, false, false],
  ['shutdown', false, ' (shut down)', false, false, false],
  ['unknown-state', false, ' (my state unknown)', false, false, false],
]
for (const [state, responding, reason, lb, peerPool, rewind] of rows) {
  test(`service policy (§3.1): ${state}`, () => {
    for (const role of ['primary', 'secondary'] as const) {
      const p = servicePolicy(state, role)
      assert.deepEqual(
        [p.responding, p.reason, p.loadBalance, p.allocatePeerAfterMclt, p.rewind, p.allocateOwn, p.mcltRule],
        [responding, reason, lb, peerPool, rewind, responding, responding],
      )
      assert.equal(p.ownFreeState, role === 'primary' ? 'free' : 'backup')
    }
  })
}

const demands: [FailoverState, string][] = [
  ['partner-down', ' (peer demands: recovering)'],
  ['potential-conflict', ' (peer demands: resolving conflicts)'],
  ['conflict-done', ' (peer demands: resolving conflicts)'],
  ['resolution-interrupted', ' (peer demands: resolving conflicts)'],
]
for (const [peer, reason] of demands) {
  test(`peer in ${peer} stops service even in a responding state`, () => {
    const p = servicePolicy('communications-interrupted', 'primary', peer)
    assert.deepEqual([p.responding, p.reason, p.allocateOwn], [false, reason, false])
  })
}

test('peer in NORMAL or RECOVER demands nothing', () => {
  assert.equal(servicePolicy('normal', 'secondary', 'normal').responding, true)
  assert.equal(servicePolicy('partner-down', 'primary', 'recover').responding, true)
  assert.equal(servicePolicy('recover', 'primary', 'normal').reason, ' (recovering)')
})
