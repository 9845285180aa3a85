/** Effective priority policy from the DHCP service's health. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_HEALTH_POLICY, effectivePriority, failoverMayServe, representativeFailoverState, type ServiceHealth } from '../../../src/ha/vrrp/health.js'

const ok: ServiceHealth = { transportUp: true, leaseStoreHealthy: true, failoverState: 'normal' }
const cases: { name: string; base: number; s: ServiceHealth; priority: number; fault: boolean; reasons: string[] }[] = [
  { name: 'healthy keeps the base priority', base: 99, s: ok, priority: 99, fault: false, reasons: [] },
  { name: 'no failover configured is healthy', base: 90, s: { transportUp: true, leaseStoreHealthy: true }, priority: 90, fault: false, reasons: [] },
  { name: 'owner healthy stays 255', base: 255, s: ok, priority: 255, fault: false, reasons: [] },
  { name: 'transport down → FAULT', base: 99, s: { ...ok, transportUp: false }, priority: 99, fault: true, reasons: ['transport-down'] },
  { name: 'fsync failing → −100, clamped to 1', base: 99, s: { ...ok, leaseStoreHealthy: false }, priority: 1, fault: false, reasons: ['lease-store-failing'] },
  { name: 'failover PAUSED → −100', base: 200, s: { ...ok, failoverState: 'paused' }, priority: 100, fault: false, reasons: ['failover-not-serving'] },
  { name: 'owner unhealthy drops below 255', base: 255, s: { ...ok, failoverState: 'recover' }, priority: 155, fault: false, reasons: ['failover-not-serving'] },
  { name: 'penalties add up', base: 250, s: { ...ok, leaseStoreHealthy: false, failoverState: 'potential-conflict' }, priority: 50, fault: false, reasons: ['lease-store-failing', 'failover-not-serving'] },
]
for (const c of cases) {
  test(`health: ${c.name}`, () => {
    assert.deepEqual(effectivePriority(c.base, c.s), { priority: c.priority, fault: c.fault, reasons: c.reasons })
  })
}

test('health: a policy with small weights and fault on fsync', () => {
  const policy = { ...DEFAULT_HEALTH_POLICY, leaseStoreFailing: 'fault' as const, failoverNotServing: 20 }
  assert.deepEqual(effectivePriority(99, { ...ok, failoverState: 'startup' }, policy), { priority: 79, fault: false, reasons: ['failover-not-serving'] })
  assert.equal(effectivePriority(99, { ...ok, leaseStoreHealthy: false }, policy).fault, true)
})

const states: [string | undefined, boolean][] = [
  [undefined, true], ['normal', true], ['communications-interrupted', true], ['partner-down', true], ['conflict-done', true],
  ['NORMAL', true], ['startup', false], ['recover', false], ['recover-wait', false], ['recover-done', false], ['paused', false],
  ['shutdown', false], ['potential-conflict', false], ['resolution-interrupted', false], ['bogus', false],
]
for (const [state, want] of states) {
  test(`failoverMayServe(${state}) = ${want}`, () => assert.equal(failoverMayServe(state), want))
}

test('several failover relationships: the first one that may not serve stands for the node', () => {
  assert.equal(representativeFailoverState([]), undefined)
  assert.equal(representativeFailoverState(['normal']), 'normal')
  assert.equal(representativeFailoverState(['normal', 'recover', 'paused']), 'recover')
  assert.equal(representativeFailoverState(['partner-down', 'communications-interrupted']), 'partner-down')
  // and that state costs the node its priority lead, so the VIP moves to a node that can serve
  const eff = effectivePriority(100, { transportUp: true, leaseStoreHealthy: true, failoverState: representativeFailoverState(['normal', 'startup']) })
  assert.ok(eff.reasons.includes('failover-not-serving'))
  assert.ok(eff.priority < 100)
})
