import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfig } from '../../src/config/compile.js'
import { memoryReader } from '../../src/config/source-reader.js'
import { chooseInterfaces, describeInterface, interfaceOnLinkWith, type HostInterface } from '../../src/io/interfaces.js'
import { parseIPv4, prefixToMask } from '../../src/lib/ip.js'

const config = compileConfig('/etc/dhcpd.conf', memoryReader({
  '/etc/dhcpd.conf': 'subnet 198.18.30.0 netmask 255.255.255.0 { range 198.18.30.10 198.18.30.20; }\n',
})).config

const iface = (name: string, ...cidrs: string[]): HostInterface => ({
  name,
  mac: '02:00:00:00:00:01',
  addresses: cidrs.map((c) => {
    const [a, p] = c.split('/')
    return { address: parseIPv4(a!)!, mask: prefixToMask(Number(p)), prefixLength: Number(p) }
  }),
})
const host = [iface('eth0', '198.18.30.1/24'), iface('eth1', '198.18.40.1/24'), iface('eth2', '198.18.50.1/24', '198.18.30.250/24')]

test('no interface named: every interface with an address in a declared subnet', () => {
  const c = chooseInterfaces(host, [], config)
  assert.deepEqual(c.served.map((s) => s.name), ['eth0', 'eth2'])
  assert.deepEqual(c.problems, [])
  assert.equal(c.served[1]!.receiving.addresses[0], parseIPv4('198.18.30.250'), 'the in-subnet address comes first')
})

test('named interfaces: dhcpd complaints for the unusable ones', () => {
  const c = chooseInterfaces(host, ['eth0', 'eth1', 'nope'], config)
  assert.deepEqual(c.served.map((s) => s.name), ['eth0'])
  assert.deepEqual(c.problems, [
    'No subnet declaration for eth1 (198.18.40.1). ** Ignoring requests on eth1.',
    'nope: no such interface with an IPv4 address',
  ])
})

test('interfaceOnLinkWith and describeInterface', () => {
  assert.equal(interfaceOnLinkWith(host, parseIPv4('198.18.40.77')!)?.name, 'eth1')
  assert.equal(interfaceOnLinkWith(host, parseIPv4('192.0.2.1')!), undefined)
  assert.equal(describeInterface(chooseInterfaces(host, ['eth0'], config).served[0]!), 'UDP/eth0/02:00:00:00:00:01/198.18.30.0/24')
})
