import { test } from 'node:test'
import assert from 'node:assert/strict'
import { comparePair } from '../../src/api/pair-check.js'
import type { SharedConfigView, SharedFailoverPeerView } from '../../src/api/types.js'
import { table } from '../../src/api/format.js'

const peer = (p: Partial<SharedFailoverPeerView> = {}): SharedFailoverPeerView => ({
  name: 'fo', role: 'primary', primary: '198.18.0.2:647', secondary: '198.18.0.3:647', mclt: 3600, split: 128, hba: null, loadBalanceMaxSeconds: 3, ...p,
})
const view = (peers: SharedFailoverPeerView[], ranges = ['198.18.0.10-198.18.0.100']): SharedConfigView => ({
  subnets: [{ subnet: '198.18.0.0/24', sharedNetwork: null, pools: [{ failoverPeer: 'fo', ranges }] }],
  failoverPeers: peers,
})

test('a primary and its secondary (without the primary-only parameters) agree', () => {
  assert.deepEqual(comparePair(view([peer()]), view([peer({ role: 'secondary', mclt: null, split: null })])), [])
})

test('every kind of mismatch is named', () => {
  const d = comparePair(
    view([peer(), peer({ name: 'only-here' })]),
    view([peer({ role: 'primary', secondary: '198.18.0.4:647', split: 255, loadBalanceMaxSeconds: 5 }), peer({ name: 'only-there', role: 'secondary' })], ['198.18.0.10-198.18.0.50']),
  )
  assert.deepEqual(d.map((x) => x.what), [
    'subnet 198.18.0.0/24 pool #0 ranges',
    'failover peer "fo" role',
    'failover peer "fo" secondary server address:port',
    'failover peer "fo" split',
    'failover peer "fo" load balance max seconds',
    'failover peer "only-here"',
    'failover peer "only-there"',
  ])
  assert.deepEqual(d[1], { what: 'failover peer "fo" role', local: 'primary', peer: 'primary too (one must be primary, the other secondary)' })
})

test('subnets and pools present on one side only', () => {
  const a: SharedConfigView = { subnets: [{ subnet: '198.18.1.0/24', sharedNetwork: 'lan', pools: [{ failoverPeer: null, ranges: ['198.18.1.5-198.18.1.9'] }] }], failoverPeers: [] }
  const b: SharedConfigView = { subnets: [{ subnet: '198.18.1.0/24', sharedNetwork: null, pools: [] }, { subnet: '198.18.2.0/24', sharedNetwork: null, pools: [] }], failoverPeers: [] }
  assert.deepEqual(comparePair(a, b), [
    { what: 'subnet 198.18.1.0/24 shared-network', local: 'lan', peer: '(not set)' },
    { what: 'subnet 198.18.1.0/24 pool #0', local: '198.18.1.5-198.18.1.9', peer: 'missing' },
    { what: 'subnet 198.18.2.0/24', local: 'missing', peer: 'declared' },
  ])
})

test('table aligns columns, right-aligns numbers, no trailing spaces', () => {
  assert.equal(table(['A', 'NUM', 'Z'], [['xx', '5', 'z'], ['y', '123', '']], new Set([1])), 'A   NUM  Z\nxx    5  z\ny   123\n')
})
