import { test } from 'node:test'
import { expiryTimeOf } from '../../../src/core/lease-store.js'
import assert from 'node:assert/strict'
import {
  latestPotentialExpiry, mayAllocateAddress, partnerDownAdjustment, peerReuseAt, type OwnershipContext,
} from '../../../src/ha/failover/address-ownership.js'
import { failoverPoolPolicy } from '../../../src/ha/failover/failover-pool-policy.js'
import { unrestrictedPoolPolicy } from '../../../src/core/pool-policy.js'
import type { Pool } from '../../../src/config/model.js'

const T = 1_800_000_000
const ctx = (over: Partial<OwnershipContext> = {}): OwnershipContext =>
  ({ state: 'normal', role: 'primary', now: T, stos: T - 1000, mclt: 60, ...over })

test('own free state is usable in every serving state, never outside them', () => {
  for (const state of ['normal', 'communications-interrupted', 'partner-down'] as const) {
    assert.equal(mayAllocateAddress(ctx({ state }), { bindingState: 'free' }), true, state)
    assert.equal(mayAllocateAddress(ctx({ state, role: 'secondary' }), { bindingState: 'backup' }), true, state)
    assert.equal(mayAllocateAddress(ctx({ state }), { bindingState: undefined }), true, 'never used = FREE')
  }
  for (const state of ['recover', 'startup', 'potential-conflict', 'recover-wait', 'shutdown'] as const) {
    assert.equal(mayAllocateAddress(ctx({ state }), { bindingState: 'free' }), false, state)
  }
})

test("the peer's free state only in PARTNER-DOWN once max(STOS, potential expiry, ends) + MCLT has passed (§4.3)", () => {
  const stos = T
  for (const state of ['normal', 'communications-interrupted'] as const) {
    assert.equal(mayAllocateAddress(ctx({ state, now: T + 10_000 }), { bindingState: 'backup' }), false)
    assert.equal(mayAllocateAddress(ctx({ state, role: 'secondary', now: T + 10_000 }), { bindingState: undefined }), false)
  }
  const pd = (now: number, role: 'primary' | 'secondary' = 'primary'): OwnershipContext => ctx({ state: 'partner-down', stos, now, role })
  assert.equal(mayAllocateAddress(pd(T + 59), { bindingState: 'backup' }), false)
  assert.equal(mayAllocateAddress(pd(T + 60), { bindingState: 'backup' }), true)
  assert.equal(mayAllocateAddress(pd(T + 59, 'secondary'), { bindingState: undefined }), false)
  assert.equal(mayAllocateAddress(pd(T + 60, 'secondary'), { bindingState: undefined }), true)
  // an agreed potential expiry after STOS pushes the re-use time out
  const late = { bindingState: 'backup' as const, tsfp: T + 100 }
  assert.equal(mayAllocateAddress(pd(T + 159), late), false)
  assert.equal(mayAllocateAddress(pd(T + 160), late), true)
})

test('EXPIRED/RELEASED/RESET: only in PARTNER-DOWN after the re-use time, counting what we may have announced', () => {
  const r = { bindingState: 'expired' as const, starts: T - 200, ends: T - 100, tstp: T - 100 }
  // announced potential expiry: ends + (ends - starts) / 2 = T - 50
  assert.equal(latestPotentialExpiry(r), T - 50)
  assert.equal(peerReuseAt({ stos: T - 300, mclt: 60 }, r), T + 10)
  assert.equal(peerReuseAt({ stos: T, mclt: 60 }, r), T + 60)
  assert.equal(mayAllocateAddress(ctx({ state: 'normal', now: T + 1000 }), r), false)
  assert.equal(mayAllocateAddress(ctx({ state: 'partner-down', stos: T - 300, now: T + 9 }), r), false)
  assert.equal(mayAllocateAddress(ctx({ state: 'partner-down', stos: T - 300, now: T + 10 }), r), true)
  assert.equal(mayAllocateAddress(ctx({ state: 'partner-down', stos: T - 300, now: T + 10 }), { ...r, bindingState: 'released' }), true)
  assert.equal(mayAllocateAddress(ctx({ state: 'partner-down', stos: T - 300, now: T + 10 }), { ...r, bindingState: 'reset' }), true)
})

test('ACTIVE never; ABANDONED: primary always, secondary like a peer address; infinite never', () => {
  assert.equal(mayAllocateAddress(ctx({ state: 'partner-down', now: T + 1e6 }), { bindingState: 'active', ends: T - 10 }), false)
  assert.equal(mayAllocateAddress(ctx(), { bindingState: 'abandoned' }), true)
  assert.equal(mayAllocateAddress(ctx({ role: 'secondary' }), { bindingState: 'abandoned' }), false)
  assert.equal(mayAllocateAddress(ctx({ role: 'secondary', state: 'partner-down', stos: T - 60 }), { bindingState: 'abandoned' }), true)
  assert.equal(mayAllocateAddress(ctx({ state: 'partner-down', stos: 0, now: 0xffff_fff0 }), { bindingState: 'released', ends: 0xffff_ffff }), false)
})

test('partner-down adjustment: tsfp raised to the re-use time (never lowered), next state our free one, idempotent', () => {
  const c = { stos: T, mclt: 60, role: 'secondary' as const }
  const r = { bindingState: 'released' as const, starts: T - 100, ends: T - 10, tsfp: T - 5 }
  const adj = partnerDownAdjustment(c, r)
  // announced for the released grant: ends + (ends - starts) / 2 = T + 35
  assert.deepEqual(adj, { tsfp: T + 95, atsfp: T + 95, nextBindingState: 'backup' })
  // No BNDACK comes in PARTNER-DOWN: the adjusted lease is reclaimed at its re-use time by itself.
  assert.equal(expiryTimeOf({ address: 1, ...r, ...adj }), T + 95)
  assert.equal(expiryTimeOf({ address: 1, ...r }), undefined, 'unadjusted: waits for the peer\'s ack')
  assert.equal(partnerDownAdjustment(c, { ...r, ...adj }), undefined, 'idempotent')
  const far = partnerDownAdjustment(c, { ...r, tsfp: T + 500 })
  assert.equal(far?.tsfp, T + 560)
  assert.equal(partnerDownAdjustment(c, { bindingState: 'active', ends: T }), undefined)
  assert.equal(partnerDownAdjustment(c, { bindingState: 'free' }), undefined)
})

test('failoverPoolPolicy: state from the relationship, MCLT rule with the MCLT in force, fallback otherwise', () => {
  const pool = { failoverPeer: 'fo' } as unknown as Pool
  const plain = { failoverPeer: undefined } as unknown as Pool
  let view = { state: 'normal' as const, role: 'primary' as const, stos: T, mclt: 60 }
  const policy = failoverPoolPolicy((n) => (n === 'fo' ? view : undefined), unrestrictedPoolPolicy)
  assert.equal(policy.mayAllocate(pool, 1, { address: 1, bindingState: 'backup' }, T + 100), false)
  assert.equal(policy.mayAllocate(plain, 1, { address: 1, bindingState: 'backup' }, T + 100), true)
  view = { ...view, state: 'partner-down' as never }
  assert.equal(policy.mayAllocate(pool, 1, { address: 1, bindingState: 'backup' }, T + 59), false)
  assert.equal(policy.mayAllocate(pool, 1, { address: 1, bindingState: 'backup' }, T + 60), true)
  // §4.1: a new lease gets MCLT, then up to tsfp + MCLT
  assert.equal(policy.grantableLeaseTime(pool, undefined, 600, T), 60)
  assert.equal(policy.grantableLeaseTime(pool, { address: 1, bindingState: 'active', tsfp: T + 300 }, 600, T), 360)
  assert.equal(policy.grantableLeaseTime(pool, undefined, 30, T), 30)
  assert.equal(policy.grantableLeaseTime(plain, undefined, 600, T), 600)
  view = { ...view, mclt: 0 }
  assert.equal(policy.grantableLeaseTime(pool, undefined, 600, T), 600, 'MCLT not learned yet: fallback')
})
