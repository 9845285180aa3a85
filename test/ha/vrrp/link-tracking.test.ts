/** keepalived's track_interface semantics and how they combine with the DHCP health policy. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { trackLinks } from '../../../src/ha/vrrp/link-tracking.js'
import { effectivePriority, formatHealthPolicy, parseHealthPolicy, DEFAULT_HEALTH_POLICY } from '../../../src/ha/vrrp/health.js'

const spec = {
  interface: 'eth0',
  trackPrimary: true,
  trackInterfaces: [{ name: 'eth1', weight: undefined }, { name: 'eth2', weight: -20 }, { name: 'eth3', weight: 10 }, { name: 'eth4', weight: 0 }],
}
const up = (...n: string[]): Set<string> => new Set(n)
const all = up('eth0', 'eth1', 'eth2', 'eth3', 'eth4')

test('track_interface: all up → positive weights added, no FAULT', () => {
  assert.deepEqual(trackLinks(spec, all), { weight: 10, faultBy: [], down: [] })
})

test('track_interface: the instance\'s own interface down → FAULT (keepalived tracks it unless dont_track_primary)', () => {
  assert.deepEqual(trackLinks(spec, up('eth1', 'eth2', 'eth3', 'eth4')).faultBy, ['eth0'])
  assert.deepEqual(trackLinks({ ...spec, trackPrimary: false }, up('eth1', 'eth2', 'eth3', 'eth4')), { weight: 10, faultBy: [], down: [] })
})

test('track_interface: no weight or weight 0 → FAULT when down', () => {
  assert.deepEqual(trackLinks(spec, up('eth0', 'eth2', 'eth3')).faultBy, ['eth1', 'eth4'])
})

test('track_interface: negative weight taken off while down, positive weight lost while down', () => {
  assert.deepEqual(trackLinks(spec, up('eth0', 'eth1', 'eth3', 'eth4')), { weight: -10, faultBy: [], down: ['eth2'] })
  assert.deepEqual(trackLinks(spec, up('eth0', 'eth1', 'eth2', 'eth4')), { weight: 0, faultBy: [], down: ['eth3'] })
})

test('effective priority: weights combine with health penalties, clamped to 1..254', () => {
  const ok = { transportUp: true, leaseStoreHealthy: true }
  assert.deepEqual(effectivePriority(100, ok, DEFAULT_HEALTH_POLICY, undefined, trackLinks(spec, all)), { priority: 110, fault: false, reasons: [] })
  assert.deepEqual(effectivePriority(250, ok, DEFAULT_HEALTH_POLICY, undefined, trackLinks(spec, all)).priority, 254)
  const down2 = trackLinks(spec, up('eth0', 'eth1', 'eth3', 'eth4'))
  assert.deepEqual(effectivePriority(100, { ...ok, leaseStoreHealthy: false }, DEFAULT_HEALTH_POLICY, undefined, down2), { priority: 1, fault: false, reasons: ['lease-store-failing', 'interface-down'] })
  assert.deepEqual(effectivePriority(100, ok, DEFAULT_HEALTH_POLICY, undefined, trackLinks(spec, up('eth1'))).fault, true)
})

test('--vrrp-health: parse, defaults for what is not named, errors', () => {
  assert.deepEqual(parseHealthPolicy('transport=30, failover=fault'), { transportDown: 30, leaseStoreFailing: 100, failoverNotServing: 'fault' })
  assert.deepEqual(parseHealthPolicy(''), DEFAULT_HEALTH_POLICY)
  assert.equal(formatHealthPolicy(DEFAULT_HEALTH_POLICY), 'transport=fault,lease-store=100,failover=100')
  assert.deepEqual(parseHealthPolicy(formatHealthPolicy(DEFAULT_HEALTH_POLICY)), DEFAULT_HEALTH_POLICY)
  assert.throws(() => parseHealthPolicy('transport=300'), /0\.\.254/)
  assert.throws(() => parseHealthPolicy('disk=fault'), /expected transport\|lease-store\|failover/)
  assert.throws(() => parseHealthPolicy('transport'), /expected/)
})

test('transport down with a penalty policy lowers instead of FAULT', () => {
  const p = parseHealthPolicy('transport=50')
  assert.deepEqual(effectivePriority(99, { transportUp: false, leaseStoreHealthy: true }, p), { priority: 49, fault: false, reasons: ['transport-down'] })
})
