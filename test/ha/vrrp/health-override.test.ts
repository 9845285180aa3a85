import { test } from 'node:test'
import assert from 'node:assert/strict'
import { effectivePriority } from '../../../src/ha/vrrp/health.js'

const healthy = { transportUp: true, leaseStoreHealthy: true, failoverState: 'normal' }

test('an operator priority replaces the configured one; health penalties still apply', () => {
  assert.deepEqual(effectivePriority(99, healthy, undefined, 50), { priority: 50, fault: false, reasons: ['operator-priority'] })
  const degraded = effectivePriority(99, { ...healthy, failoverState: 'recover' }, undefined, 150)
  assert.deepEqual([degraded.priority, degraded.fault, degraded.reasons], [50, false, ['operator-priority', 'failover-not-serving']])
})

test('step-down is FAULT until cleared; clearing gives the configured priority back', () => {
  const down = effectivePriority(99, healthy, undefined, 'step-down')
  assert.deepEqual([down.fault, down.reasons], [true, ['operator-step-down']])
  assert.deepEqual(effectivePriority(99, healthy, undefined, undefined), { priority: 99, fault: false, reasons: [] })
})
