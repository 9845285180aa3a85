import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { BindingState } from '../../../src/core/lease.js'
import { acceptInNormal, acceptInOtherStates, duelWinner } from '../../../src/ha/failover/binding-rules.js'
import type { Role } from '../../../src/ha/failover/states.js'

const NOW = 1_800_000_000
type Row = [ours: BindingState, theirs: BindingState, role: Role, tsfp: number, endsFromNow: number, want: boolean]

// §2.7 table (dhcpd in NORMAL)
const normal: Row[] = [
  ['active', 'active', 'primary', 0, 100, true],
  ['free', 'active', 'primary', 0, 0, true],
  ['abandoned', 'backup', 'primary', 0, 0, true],
  ['active', 'released', 'primary', 0, 100, true],
  ['active', 'abandoned', 'primary', 0, 100, true],
  ['active', 'free', 'primary', 0, 100, false],
  ['active', 'backup', 'primary', 0, 100, false],
  ['active', 'expired', 'primary', 0, -100, false],
  ['active', 'reset', 'primary', 0, 100, false],
  ['active', 'free', 'secondary', NOW, 100, true],
  ['active', 'free', 'secondary', NOW + 1, 100, false],
  ['active', 'backup', 'secondary', NOW - 5, 100, true],
  ['active', 'expired', 'secondary', 0, 65, true],
  ['active', 'expired', 'secondary', 0, 66, false],
  ['active', 'released', 'secondary', 0, 100, true],
  ['active', 'reset', 'secondary', 0, 100, true],
  ['expired', 'free', 'primary', NOW + 1, 0, false],
  ['expired', 'free', 'primary', NOW, 0, true],
  ['expired', 'active', 'primary', NOW + 100, 0, true],
  ['released', 'free', 'primary', NOW + 100, 0, true],
  ['reset', 'backup', 'secondary', NOW + 1, 0, false],
  ['reset', 'active', 'secondary', NOW + 1, 0, true],
  ['backup', 'active', 'secondary', 0, 0, true],
]
for (const [ours, theirs, role, tsfp, endsFromNow, want] of normal) {
  test(`accept in NORMAL: ${role} holding ${ours}, peer says ${theirs} (tsfp ${tsfp ? tsfp - NOW : 0}) → ${want}`, () => {
    assert.equal(acceptInNormal({ ours, oursEnds: NOW + endsFromNow, theirs, tsfp, now: NOW, role }), want)
  })
}

const other: [BindingState, BindingState, number, boolean][] = [
  ['free', 'active', 0, true],
  ['expired', 'free', 0, true],
  ['active', 'free', 0, false],
  ['active', 'backup', 0, false],
  ['active', 'expired', 65, true],
  ['active', 'expired', 66, false],
  ['active', 'released', 100, true],
  ['active', 'reset', 100, true],
  ['active', 'abandoned', 100, true],
  ['active', 'active', 100, true],
]
for (const [ours, theirs, endsFromNow, want] of other) {
  test(`accept in other states: holding ${ours}, peer says ${theirs} → ${want}`, () => {
    assert.equal(acceptInOtherStates({ ours, oursEnds: NOW + endsFromNow, theirs, tsfp: 0, now: NOW, role: 'primary' }), want)
  })
}

const duels: [string, BindingState, number | undefined, BindingState, number | undefined, Role, 'mine' | 'theirs'][] = [
  ['active/active, my cltt later', 'active', 20, 'active', 10, 'secondary', 'mine'],
  ['active/active, their cltt later', 'active', 10, 'active', 20, 'primary', 'theirs'],
  ['active/active, missing cltt counts 0', 'active', undefined, 'active', 1, 'primary', 'theirs'],
  ['active/active equal cltt: primary keeps its own', 'active', 10, 'active', 10, 'primary', 'mine'],
  ['active/active equal cltt: secondary takes primary\'s', 'active', 10, 'active', 10, 'secondary', 'theirs'],
  ['mine active, theirs expired', 'active', 10, 'expired', 0, 'primary', 'theirs'],
  ['theirs active, mine released', 'released', 10, 'active', 0, 'primary', 'theirs'],
  ['mine active, theirs backup: the secondary keeps its grant (hadhcpd rule)', 'active', 10, 'backup', 10, 'secondary', 'mine'],
  ['mine active, theirs free: the secondary keeps its grant (hadhcpd rule)', 'active', 10, 'free', 10, 'secondary', 'mine'],
  ['mine active, theirs backup: primary', 'active', 10, 'backup', 10, 'primary', 'mine'],
  ['free vs backup: primary wins (as primary)', 'free', 0, 'backup', 0, 'primary', 'mine'],
  ['free vs backup: primary wins (as secondary)', 'backup', 0, 'free', 0, 'secondary', 'theirs'],
]
for (const [name, ms, mc, ts, tc, role, want] of duels) {
  test(`dueling update (§2.7): ${name}`, () => {
    assert.equal(duelWinner({ state: ms, cltt: mc }, { state: ts, cltt: tc }, role), want)
  })
}

test('both sides of an observed duel agree: secondary rejected, primary accepted (§2.7)', () => {
  // both ACKed a broadcast INIT-REBOOT with the same cltt
  const p = duelWinner({ state: 'active', cltt: 5 }, { state: 'active', cltt: 5 }, 'primary')
  const s = duelWinner({ state: 'active', cltt: 5 }, { state: 'active', cltt: 5 }, 'secondary')
  assert.deepEqual([p, s], ['mine', 'theirs'])
})

test('hadhcpd safety options: no expiry slack; a release of another client never frees our ACTIVE binding', () => {
  const base = { ours: 'active' as const, oursEnds: NOW + 30, theirs: 'expired' as const, tsfp: 0, now: NOW, role: 'secondary' as const }
  assert.equal(acceptInOtherStates(base), true, 'dhcpd: within 65 s of ends')
  assert.equal(acceptInOtherStates({ ...base, expirySlack: 0 }), false)
  assert.equal(acceptInNormal({ ...base, expirySlack: 0 }), false)
  const rel = { ...base, theirs: 'released' as const }
  assert.equal(acceptInOtherStates(rel), true)
  assert.equal(acceptInOtherStates({ ...rel, sameClient: true }), true)
  assert.equal(acceptInOtherStates({ ...rel, sameClient: false }), false)
  const act = { ...base, theirs: 'active' as const }
  assert.equal(acceptInOtherStates({ ...act, sameClient: false, theirsEnds: NOW }), false, 'stale ACTIVE of another client')
  assert.equal(acceptInOtherStates({ ...act, sameClient: false, theirsEnds: NOW + 1 }), true)
  assert.equal(acceptInOtherStates({ ...act, theirsEnds: NOW - 100 }), true, 'dhcpd behaviour without sameClient')
  // NORMAL: a primary holding ACTIVE for client B takes RELEASED only about B
  const prim = { ...base, role: 'primary' as const, theirs: 'released' as const }
  assert.equal(acceptInNormal(prim), true)
  assert.equal(acceptInNormal({ ...prim, sameClient: true }), true)
  assert.equal(acceptInNormal({ ...prim, sameClient: false }), false)
  assert.equal(acceptInNormal({ ...prim, theirs: 'active', sameClient: false, theirsEnds: NOW - 1 }), false)
  // an older RELEASED of the same client does not end a later grant
  assert.equal(acceptInNormal({ ...prim, sameClient: true, oursCltt: NOW, theirsCltt: NOW - 200 }), false)
  assert.equal(acceptInNormal({ ...prim, sameClient: true, oursCltt: NOW - 200, theirsCltt: NOW - 200 }), true)
  assert.equal(acceptInOtherStates({ ...rel, oursCltt: NOW, theirsCltt: 0 }), false)
})
