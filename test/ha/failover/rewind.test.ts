// Rewind rules (failover-protocol.md §4.4; dhcpd 4.4 mdb.c supersede_lease/release_lease/pool_timer,
// failover.c lease_mine_to_reallocate): when the rewind state steps forward on commit, when an
// ending binding goes back to our own pool, and the §4.1 allocation rule.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Lease } from '../../../src/core/lease.js'
import { mayAllocateAddress } from '../../../src/ha/failover/address-ownership.js'
import { rewindStateOf, rewindTarget, rewoundToOwnPool, settleRewind, stepsRewindOnCommit } from '../../../src/ha/failover/rewind.js'
import type { FailoverState } from '../../../src/ha/failover/states.js'

const NOW = 1_800_000_000
const CI = 'communications-interrupted' as const

test('rewind state of a lease: its rewind binding state, else its binding state; a never-used address is FREE', () => {
  assert.equal(rewindStateOf(undefined), 'free')
  assert.equal(rewindStateOf({ bindingState: 'active' }), 'active')
  assert.equal(rewindStateOf({ bindingState: 'active', rewindBindingState: 'backup' }), 'backup')
})

test('a commit steps the rewind state forward in NORMAL and in every not-responding state, not in COMMUNICATIONS-INTERRUPTED, PARTNER-DOWN or STARTUP (dhcpd service states)', () => {
  const steps: Array<[FailoverState, boolean]> = [
    ['normal', true], [CI, false], ['partner-down', false], ['startup', false],
    ['recover', true], ['recover-wait', true], ['recover-done', true], ['potential-conflict', true],
    ['resolution-interrupted', true], ['conflict-done', true], ['paused', true], ['shutdown', true], ['unknown-state', true],
  ]
  for (const [state, expected] of steps) {
    for (const role of ['primary', 'secondary'] as const) assert.equal(stepsRewindOnCommit({ state, role }), expected, `${role} ${state}`)
  }
  // A peer that "demands" silence makes a serving state not-responding (§3.1): the commit steps.
  assert.equal(stepsRewindOnCommit({ state: CI, role: 'primary', peerState: 'partner-down' }), true)
  assert.equal(stepsRewindOnCommit({ state: 'partner-down', role: 'primary', peerState: 'potential-conflict' }), true)
})

test('an ending binding goes back to our own free state only in COMMUNICATIONS-INTERRUPTED and only when the peer last knew it there', () => {
  assert.equal(rewindTarget({ state: CI, role: 'primary' }, 'free'), 'free')
  assert.equal(rewindTarget({ state: CI, role: 'secondary' }, 'backup'), 'backup')
  assert.equal(rewindTarget({ state: CI, role: 'primary' }, 'backup'), undefined, 'the peer\'s pool')
  assert.equal(rewindTarget({ state: CI, role: 'secondary' }, 'free'), undefined, 'the peer\'s pool')
  assert.equal(rewindTarget({ state: CI, role: 'primary' }, 'active'), undefined, 'announced')
  for (const state of ['normal', 'partner-down', 'recover', 'startup'] as const) {
    assert.equal(rewindTarget({ state, role: 'primary' }, 'free'), undefined, state)
  }
  assert.equal(rewindTarget({ state: CI, role: 'primary', peerState: 'partner-down' }, 'free'), undefined, 'not serving')
})

const active: Lease = {
  address: 1, bindingState: 'active', nextBindingState: 'expired', starts: NOW - 60, ends: NOW, tstp: NOW + 90, tsfp: NOW - 200, atsfp: NOW - 200,
  hardware: { htype: 1, address: Buffer.from('020000000001', 'hex') },
}

test('settle: a release or expiry of a binding the peer never heard of lands in our own free state, un-acked, with tstp = ends', () => {
  const before: Lease = { ...active, rewindBindingState: 'free' }
  const released: Lease = { ...before, bindingState: 'released', nextBindingState: 'free', ends: NOW, tstp: NOW, atsfp: undefined }
  const r = settleRewind({ state: CI, role: 'primary' }, before, released)
  assert.equal(r.bindingState, 'free')
  assert.equal(r.nextBindingState, undefined)
  assert.equal(r.rewindBindingState, undefined, 'FREE, as the peer knows it')
  assert.equal(r.atsfp, undefined)
  assert.equal(r.tstp, NOW)
  assert.deepEqual(r.hardware, active.hardware, 'the client identity stays (affinity)')
  const expired: Lease = { ...before, bindingState: 'expired', nextBindingState: 'free', atsfp: undefined }
  const e = settleRewind({ state: CI, role: 'primary' }, before, expired)
  assert.equal(e.bindingState, 'free')
  assert.equal(e.tstp, NOW, 'dhcpd: tstp = ends')
  const secondary = settleRewind({ state: CI, role: 'secondary' }, { ...active, rewindBindingState: 'backup' }, expired)
  assert.equal(secondary.bindingState, 'backup')
})

test('settle: an announced binding (rewind state ACTIVE, BNDUPD sent even unacked) stays EXPIRED/RELEASED', () => {
  const released: Lease = { ...active, bindingState: 'released', nextBindingState: 'free', atsfp: undefined }
  const r = settleRewind({ state: CI, role: 'primary' }, active, released)
  assert.equal(r.bindingState, 'released')
  assert.equal(r.rewindBindingState, 'active', 'the peer still believes ACTIVE: written as `rewind binding state active;`')
  const inNormal = settleRewind({ state: 'normal', role: 'primary' }, { ...active, rewindBindingState: 'free' }, released)
  assert.equal(inNormal.bindingState, 'released', 'no rewind outside COMMUNICATIONS-INTERRUPTED')
  assert.equal(inNormal.rewindBindingState, undefined, 'NORMAL: stepped to RELEASED')
  const inPartnerDown = settleRewind({ state: 'partner-down', role: 'primary' }, { ...active, rewindBindingState: 'free' }, released)
  assert.equal(inPartnerDown.bindingState, 'released')
  assert.equal(inPartnerDown.rewindBindingState, 'free', 'PARTNER-DOWN keeps the rewind state')
})

test('settle: an allocation keeps the old rewind state in COMMUNICATIONS-INTERRUPTED and steps it in NORMAL', () => {
  const fresh: Lease = { ...active, rewindBindingState: undefined }
  assert.equal(settleRewind({ state: CI, role: 'primary' }, undefined, fresh).rewindBindingState, 'free', 'never-used address')
  assert.equal(settleRewind({ state: CI, role: 'secondary' }, { address: 1, bindingState: 'backup' }, fresh).rewindBindingState, 'backup')
  assert.equal(settleRewind({ state: CI, role: 'primary' }, { ...active, rewindBindingState: 'free' }, fresh).rewindBindingState, 'free', 'a renewal too')
  assert.equal(settleRewind({ state: 'normal', role: 'primary' }, undefined, { ...fresh, rewindBindingState: 'free' }).rewindBindingState, undefined)
})

test('§4.1: EXPIRED/RELEASED whose rewind state is our own free state may be allocated at once, in every serving state', () => {
  const ctx = { role: 'primary' as const, now: NOW, stos: NOW - 10, mclt: 3600 }
  for (const state of ['normal', CI, 'partner-down'] as const) {
    assert.equal(mayAllocateAddress({ ...ctx, state }, { bindingState: 'expired', rewindBindingState: 'free' }), true, state)
    assert.equal(mayAllocateAddress({ ...ctx, state }, { bindingState: 'released', rewindBindingState: 'free' }), true, state)
    assert.equal(mayAllocateAddress({ ...ctx, state }, { bindingState: 'expired', rewindBindingState: 'active' }), false, state)
    assert.equal(mayAllocateAddress({ ...ctx, state }, { bindingState: 'expired' }), false, state)
  }
  assert.equal(mayAllocateAddress({ ...ctx, state: 'recover' }, { bindingState: 'expired', rewindBindingState: 'free' }), false, 'not serving')
  assert.equal(mayAllocateAddress({ ...ctx, role: 'secondary', state: CI }, { bindingState: 'expired', rewindBindingState: 'backup' }), true)
  assert.equal(mayAllocateAddress({ ...ctx, role: 'secondary', state: CI }, { bindingState: 'expired', rewindBindingState: 'free' }), false, 'the primary\'s pool')
  assert.equal(rewoundToOwnPool('primary', { bindingState: 'reset', rewindBindingState: 'free' }), false, 'RESET is not rewound (dhcpd)')
})
