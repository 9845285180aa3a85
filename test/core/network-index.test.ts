import { test } from 'node:test'
import assert from 'node:assert/strict'
import { NetworkIndex } from '../../src/core/network-index.js'
import { selectNetwork } from '../../src/core/subnet-select.js'
import { formatIPv4 } from '../../src/lib/ip.js'
import { addr, compile } from './harness.js'
import { BASIC } from './confs.js'

const index = new NetworkIndex(compile(BASIC))
const net = (a: string): string | undefined => {
  const s = index.subnetOf(addr(a))
  return s === undefined ? undefined : `${formatIPv4(s.network)}/${s.prefixLength}`
}

const lookups = [
  ['10.0.10.0', '10.0.10.0/24'],
  ['10.0.10.255', '10.0.10.0/24'],
  ['172.16.2.9', '172.16.2.0/24'],
  ['10.0.11.1', undefined],
] as const

for (const [a, want] of lookups) {
  test(`network index: ${a} is in ${want ?? 'no subnet'}`, () => assert.equal(net(a), want))
}

test('network index: rangeOf finds range boundaries and nothing between ranges', () => {
  assert.equal(index.rangeOf(addr('10.0.10.100'))?.range.first, addr('10.0.10.100'))
  assert.equal(index.rangeOf(addr('10.0.10.102'))?.range.last, addr('10.0.10.102'))
  assert.equal(index.rangeOf(addr('10.0.10.103')), undefined)
  assert.equal(index.rangeOf(addr('172.16.2.11'))?.subnet.sharedNetwork, 'campus')
})

test('subnet selection: ciaddr of a served subnet beats the interface; an unserved ciaddr falls back to it', () => {
  const iface = { name: 'eth0', addresses: [addr('192.0.2.1'), addr('10.0.10.251')] }
  const q = { linkSelection: undefined, subnetSelection: undefined, giaddr: 0 }
  assert.equal(selectNetwork(index, { ...q, ciaddr: addr('172.16.1.50') }, iface)?.source, 'ciaddr')
  const fallback = selectNetwork(index, { ...q, ciaddr: addr('198.51.100.9') }, iface)
  assert.equal(fallback?.source, 'interface')
  assert.equal(fallback?.subnet.network, addr('10.0.10.0'), 'the second interface address is the served one')
  assert.equal(selectNetwork(index, { ...q, ciaddr: addr('172.16.1.50') }, iface, true)?.source, 'interface', 'broadcast: trust the link')
})
