/** The four seed configurations compile, and the model holds what they say. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readConfigFile } from '../../src/config/fs-reader.js'
import { summarizeConfig } from '../../src/config/summary.js'
import { resolveOptions, resolveParameter, type ServerConfig } from '../../src/config/model.js'
import { formatIPv4, parseIPv4 } from '../../src/lib/ip.js'
import { toColonHex } from '../../src/lib/hex.js'
import { FIXTURES } from './helpers.js'

interface SeedCase {
  name: string
  path: string
  rootMap?: Record<string, string>
  role: 'primary' | 'secondary'
  split: number | undefined
  port: number
  address: string
  peerAddress: string
  rangeCount: number
  addressCount: number
  authoritative: boolean | undefined
  defaultLeaseTime: number
  hosts: number
}

const seed001 = (node: 'primary' | 'secondary', shared: 'shared' | 'shared-with-host') => ({
  path: `${FIXTURES}seed001/${node}/dhcpd.conf`,
  // The seed includes "/usr/local/etc/dhcpd.conf.SHARED"; the file itself stays untouched.
  rootMap: { '/usr/local/etc/': `${FIXTURES}seed001/${shared}/` },
})

const cases: SeedCase[] = [
  {
    name: 'seed 000 primary', path: `${FIXTURES}seed000/primary.conf`, role: 'primary', split: 128, port: 647,
    address: '10.223.0.244', peerAddress: '10.223.0.245', rangeCount: 16, addressCount: 16 * 230,
    authoritative: undefined, defaultLeaseTime: 86400, hosts: 0,
  },
  {
    name: 'seed 000 secondary', path: `${FIXTURES}seed000/secondary.conf`, role: 'secondary', split: undefined, port: 647,
    address: '10.223.0.245', peerAddress: '10.223.0.244', rangeCount: 16, addressCount: 16 * 230,
    authoritative: undefined, defaultLeaseTime: 86400, hosts: 0,
  },
  {
    name: 'seed 001 primary', ...seed001('primary', 'shared'), role: 'primary', split: 128, port: 678,
    address: '10.0.10.251', peerAddress: '10.0.10.252', rangeCount: 1, addressCount: 241,
    authoritative: undefined, defaultLeaseTime: 604800, hosts: 0,
  },
  {
    name: 'seed 001 secondary', ...seed001('secondary', 'shared'), role: 'secondary', split: undefined, port: 678,
    address: '10.0.10.252', peerAddress: '10.0.10.251', rangeCount: 1, addressCount: 241,
    authoritative: undefined, defaultLeaseTime: 604800, hosts: 0,
  },
  {
    name: 'seed 001 primary with the DHCPc host', ...seed001('primary', 'shared-with-host'), role: 'primary', split: 128,
    port: 678, address: '10.0.10.251', peerAddress: '10.0.10.252', rangeCount: 1, addressCount: 241,
    authoritative: undefined, defaultLeaseTime: 604800, hosts: 1,
  },
  {
    name: 'seed 001 secondary with the DHCPc host', ...seed001('secondary', 'shared-with-host'), role: 'secondary',
    split: undefined, port: 678, address: '10.0.10.252', peerAddress: '10.0.10.251', rangeCount: 1, addressCount: 241,
    authoritative: undefined, defaultLeaseTime: 604800, hosts: 1,
  },
]

function compile(c: SeedCase): ServerConfig {
  return readConfigFile(c.path, c.rootMap ? { rootMap: c.rootMap } : {}).config
}

for (const c of cases) {
  test(`${c.name}: failover peer`, () => {
    const config = compile(c)
    assert.equal(config.failoverPeers.size, 1)
    const peer = [...config.failoverPeers.values()][0]!
    assert.equal(peer.role, c.role)
    assert.equal(peer.split, c.split)
    assert.equal(peer.hba, undefined)
    assert.equal(peer.mclt, 3600)
    assert.equal(peer.port, c.port)
    assert.equal(peer.peerPort, c.port)
    assert.equal(peer.address, c.address)
    assert.equal(peer.peerAddress, c.peerAddress)
    assert.equal(peer.maxResponseDelay, 60)
    assert.equal(peer.maxUnackedUpdates, 10)
    assert.equal(peer.loadBalanceMaxSeconds, 3)
    // Appendix A defaults for what the seeds leave out.
    assert.deepEqual(
      [peer.maxLeaseMisbalance, peer.maxLeaseOwnership, peer.minBalance, peer.maxBalance, peer.autoPartnerDown],
      [15, 10, 60, 3600, 0],
    )
  })

  test(`${c.name}: subnet, pool and ranges`, () => {
    const config = compile(c)
    assert.equal(config.subnets.length, 1)
    const subnet = config.subnets[0]!
    assert.equal(subnet.sharedNetwork, config.sharedNetworks[0]!.name)
    assert.equal(config.sharedNetworks[0]!.implicit, true)
    assert.equal(subnet.pools.length, 1)
    const pool = subnet.pools[0]!
    assert.equal(pool.failoverPeer, [...config.failoverPeers.keys()][0])
    assert.equal(pool.implicit, false)
    assert.equal(pool.ranges.length, c.rangeCount)
    assert.equal(pool.ranges.reduce((n, r) => n + r.size, 0), c.addressCount)
    assert.equal(resolveParameter(pool.scope, 'defaultLeaseTime'), c.defaultLeaseTime)
    assert.equal(resolveParameter(pool.scope, 'maxLeaseTime'), c.defaultLeaseTime)
    assert.equal(resolveParameter(pool.scope, 'authoritative'), c.authoritative)
    assert.equal(config.hosts.length, c.hosts)
  })
}

test('seed 000: globals, options and the 16 ranges', () => {
  const config = compile(cases[0]!)
  const g = config.global.params
  assert.equal(g.ddnsUpdateStyle, 'interim')
  assert.equal(g.logFacility, 'local6')
  assert.equal(g.pingCheck, true)
  assert.equal(g.pingTimeout, 3)
  const subnet = config.subnets[0]!
  assert.equal(formatIPv4(subnet.network), '10.223.0.0')
  assert.equal(subnet.prefixLength, 20)
  const ranges = subnet.pools[0]!.ranges
  ranges.forEach((r, i) => {
    assert.equal(formatIPv4(r.first), `10.223.${i}.11`)
    assert.equal(formatIPv4(r.last), `10.223.${i}.240`)
    assert.equal(r.size, 230)
  })
  const options = resolveOptions(subnet.pools[0]!.scope)
  assert.deepEqual(options.get(3)!.value, ['10.223.0.247'])
  assert.deepEqual(options.get(28)!.value, ['10.223.15.255'])
  assert.deepEqual(options.get(1)!.value, ['255.255.240.0'])
  assert.equal(toColonHex(options.get(1)!.data), 'ff:ff:f0:00')
})

for (const file of ['primary', 'secondary'] as const) {
  test(`seed 000 ${file}: \`authorized;\` is ignored with a located warning, so not authoritative`, () => {
    const { config, warnings } = readConfigFile(`${FIXTURES}seed000/${file}.conf`)
    assert.equal(resolveParameter(config.global, 'authoritative'), undefined)
    assert.deepEqual(warnings, [
      {
        severity: 'warning',
        loc: { file: `${FIXTURES}seed000/${file}.conf`, line: 5, col: 1 },
        message: 'unknown statement `authorized` ignored (as ISC dhcpd does)',
        hint: 'did you mean `authoritative`?',
      },
    ])
    assert.deepEqual(config.warnings, warnings)
  })
}

test('seed 001: domain-search, domain-name-servers, routers and lease times', () => {
  const config = compile(cases[2]!)
  const subnet = config.subnets[0]!
  assert.equal(formatIPv4(subnet.network), '10.0.10.0')
  assert.equal(subnet.prefixLength, 24)
  assert.equal(subnet.scope.params.defaultLeaseTime, 604800)
  assert.equal(subnet.scope.params.maxLeaseTime, 604800)
  const options = resolveOptions(subnet.scope)
  assert.deepEqual(options.get(119)!.value, [['domain.com']])
  assert.equal(toColonHex(options.get(119)!.data), '06:64:6f:6d:61:69:6e:03:63:6f:6d:00')
  assert.deepEqual(options.get(6)!.value, ['1.1.1.1', '9.9.9.9'])
  assert.equal(toColonHex(options.get(6)!.data), '01:01:01:01:09:09:09:09')
  assert.deepEqual(options.get(3)!.value, ['10.0.10.254'])
  assert.deepEqual(config.files, [`${FIXTURES}seed001/primary/dhcpd.conf`, '/usr/local/etc/dhcpd.conf.SHARED'])
  assert.deepEqual(config.warnings, [])
})

test('seed 001 with host: DHCPc gets 10.0.10.9 for 08:00:27:d9:45:96, scoped under the subnet', () => {
  const config = compile(cases[4]!)
  const host = config.hosts[0]!
  assert.equal(host.name, 'DHCPc')
  assert.equal(host.hardware!.htype, 1)
  assert.equal(toColonHex(host.hardware!.address), '08:00:27:d9:45:96')
  assert.deepEqual(host.fixedAddresses, [parseIPv4('10.0.10.9')])
  assert.equal(host.scope.parent!.kind, 'group')
  assert.equal(host.scope.parent!.parent!.kind, 'subnet')
  assert.equal(resolveParameter(host.scope, 'defaultLeaseTime'), 604800)
  // 10.0.10.9 is outside 10.0.10.10–250, so no "dynamic and static" warning.
  assert.deepEqual(config.warnings, [])
})

test('summarizeConfig: JSON-ready summary of seed 001 with host', () => {
  const summary = summarizeConfig(compile(cases[4]!))
  const json = JSON.parse(JSON.stringify(summary)) as typeof summary
  assert.deepEqual(json.subnets.map((s) => [s.network, s.prefix]), [['10.0.10.0', 24]])
  assert.deepEqual(json.subnets[0]!.pools, [
    {
      failoverPeer: 'ha-dhcp',
      implicit: false,
      ranges: [{ first: '10.0.10.10', last: '10.0.10.250', size: 241, dynamicBootp: false, at: '/usr/local/etc/dhcpd.conf.SHARED:21:5' }],
      permits: [],
      addresses: 241,
    },
  ])
  assert.deepEqual(json.hosts, [
    { name: 'DHCPc', hardware: '08:00:27:d9:45:96', clientId: null, fixedAddresses: ['10.0.10.9'], at: '/usr/local/etc/dhcpd.conf.SHARED:13:5' },
  ])
  assert.deepEqual(json.failoverPeers, [
    {
      name: 'ha-dhcp', role: 'primary', address: '10.0.10.251', port: 678, peerAddress: '10.0.10.252', peerPort: 678,
      maxResponseDelay: 60, maxUnackedUpdates: 10, loadBalanceMaxSeconds: 3, maxLeaseMisbalance: 15,
      maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600, autoPartnerDown: 0, mclt: 3600, split: 128, hba: null,
      at: `${FIXTURES}seed001/primary/dhcpd.conf:2:1`,
    },
  ])
  assert.deepEqual(json.warnings, [])
})
