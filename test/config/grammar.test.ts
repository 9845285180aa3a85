/** The dhcpd.conf grammar beyond the seeds: parameters, options, pools, hosts, shared networks. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveOptions, resolveParameter } from '../../src/config/model.js'
import { toColonHex } from '../../src/lib/hex.js'
import { formatIPv4, parseIPv4 } from '../../src/lib/ip.js'
import { compileErrors, compileMemory, lines, PRIMARY_PEER } from './helpers.js'

const SUBNET_OPEN = 'subnet 10.0.0.0 netmask 255.255.255.0 {'

/** Compiles `option …;` at global scope and returns [value, data hex] of the option `code`. */
function globalOption(text: string, code: number): [unknown, string] {
  const { config } = compileMemory(lines(...text.split('\n')))
  const o = config.global.options.get(code)!
  return [o.value, toColonHex(o.data)]
}

const optionCases: { name: string; conf: string; code: number; value: unknown; data: string }[] = [
  { name: 'ip list with commas', conf: 'option domain-name-servers 1.1.1.1, 9.9.9.9;', code: 6, value: ['1.1.1.1', '9.9.9.9'], data: '01:01:01:01:09:09:09:09' },
  { name: 'text', conf: 'option domain-name "example.org";', code: 15, value: ['example.org'], data: '65:78:61:6d:70:6c:65:2e:6f:72:67' },
  { name: 'boolean on', conf: 'option ip-forwarding on;', code: 19, value: [true], data: '01' },
  { name: 'boolean false', conf: 'option ip-forwarding false;', code: 19, value: [false], data: '00' },
  { name: 'uint8', conf: 'option default-ip-ttl 64;', code: 23, value: [64], data: '40' },
  { name: 'uint32', conf: 'option dhcp-lease-time 3600;', code: 51, value: [3600], data: '00:00:0e:10' },
  { name: 'int32 negative', conf: 'option time-offset -3600;', code: 2, value: [-3600], data: 'ff:ff:f1:f0' },
  { name: 'string as colon-hex', conf: 'option vendor-class-identifier 4d:53:46:54;', code: 60, value: [Buffer.from('MSFT')], data: '4d:53:46:54' },
  { name: 'string quoted', conf: 'option vendor-class-identifier "MSFT";', code: 60, value: [Buffer.from('MSFT')], data: '4d:53:46:54' },
  { name: 'ip pairs (static-routes)', conf: 'option static-routes 10.9.0.0 10.0.0.1, 10.8.0.0 10.0.0.2;', code: 33, value: ['10.9.0.0', '10.0.0.1', '10.8.0.0', '10.0.0.2'], data: '0a:09:00:00:0a:00:00:01:0a:08:00:00:0a:00:00:02' },
  { name: 'domain-search list', conf: 'option domain-search "a.com", "b.a.com";', code: 119, value: [['a.com', 'b.a.com']], data: '01:61:03:63:6f:6d:00:01:62:c0:00' },
  { name: 'built-in classless routes', conf: 'option classless-static-routes 10.0.0.0/8 10.0.0.1, 0.0.0.0/0 10.0.0.254;', code: 121, value: [{ destination: '10.0.0.0', prefixLength: 8, router: '10.0.0.1' }, { destination: '0.0.0.0', prefixLength: 0, router: '10.0.0.254' }], data: '08:0a:0a:00:00:01:00:0a:00:00:fe' },
  {
    name: 'custom 121 as array of integer 8 replaces the built-in (unsigned spelling accepted)',
    conf: 'option rfc3442-classless-static-routes code 121 = array of integer 8;\noption rfc3442-classless-static-routes 24, 192, 168, 1, 10, 0, 0, 1;',
    code: 121, value: [24, -64, -88, 1, 10, 0, 0, 1], data: '18:c0:a8:01:0a:00:00:01',
  },
  {
    name: 'custom record { ip-address, unsigned integer 16, text }',
    conf: 'option site-thing code 224 = { ip-address, unsigned integer 16, text };\noption site-thing 10.1.2.3 8080 "hi";',
    code: 224, value: ['10.1.2.3', 8080, 'hi'], data: '0a:01:02:03:1f:90:68:69',
  },
  {
    name: 'custom array of unsigned integer 16',
    conf: 'option ports code 225 = array of unsigned integer 16;\noption ports 1, 2, 65535;',
    code: 225, value: [1, 2, 65535], data: '00:01:00:02:ff:ff',
  },
  {
    name: 'custom boolean and domain-list compressed',
    conf: 'option flag code 226 = boolean;\noption flag true;', code: 226, value: [true], data: '01',
  },
]

for (const c of optionCases) {
  test(`option value: ${c.name}`, () => {
    assert.deepEqual(globalOption(c.conf, c.code), [c.value, c.data])
  })
}

test('custom definitions are listed; the replaced built-in name no longer resolves', () => {
  const { config } = compileMemory(lines('option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;'))
  assert.deepEqual(config.customOptions.map((d) => [d.code, d.name, d.fields, d.array]), [[121, 'rfc3442-classless-static-routes', ['uint8'], 'all']])
  assert.deepEqual(compileErrors(lines('option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;', 'option classless-static-routes 10.0.0.0/8 10.0.0.1;')).rendered.length, 1)
})

test('parameters: global settings, lease times, ddns family, access, not authoritative', () => {
  const { config } = compileMemory(
    lines(
      'local-port 6767;',
      'local-address 10.0.0.1;',
      'omapi-port 7911;',
      'lease-file-name "/var/db/dhcpd.leases";',
      'pid-file-name "/var/run/dhcpd.pid";',
      'authoritative;',
      'ddns-update-style none;',
      'ddns-updates off;',
      'ddns-domainname "example.org";',
      'ignore client-updates;',
      'deny bootp;',
      'min-secs 2;',
      'server-identifier 10.0.0.1;',
      'next-server 10.0.0.5;',
      'filename "pxelinux.0";',
      'server-name "boot";',
      'get-lease-hostnames true;',
      'use-host-decl-names on;',
      'one-lease-per-client true;',
      'min-lease-time 60;',
      SUBNET_OPEN,
      '  not authoritative;',
      '  allow unknown-clients;',
      '}',
    ),
  )
  assert.deepEqual(config.settings, {
    localPort: 6767, localAddress: parseIPv4('10.0.0.1'), omapiPort: 7911,
    leaseFileName: '/var/db/dhcpd.leases', pidFileName: '/var/run/dhcpd.pid',
  })
  const g = config.global.params
  assert.equal(g.authoritative, true)
  assert.equal(g.ddnsUpdateStyle, 'none')
  assert.deepEqual(g.ddns, { 'ddns-updates': false, 'ddns-domainname': 'example.org' })
  assert.deepEqual(g.access, { 'client-updates': 'ignore', bootp: 'deny' })
  assert.equal(g.minSecs, 2)
  assert.equal(formatIPv4(g.serverIdentifier!), '10.0.0.1')
  assert.equal(formatIPv4(g.nextServer!), '10.0.0.5')
  assert.deepEqual([g.filename, g.serverName, g.getLeaseHostnames, g.useHostDeclNames, g.oneLeasePerClient, g.minLeaseTime], ['pxelinux.0', 'boot', true, true, true, 60])
  const subnet = config.subnets[0]!
  assert.equal(resolveParameter(subnet.scope, 'authoritative'), false)
  assert.equal(resolveParameter(subnet.scope, 'bootUnknownClients'), true)
  assert.equal(resolveParameter(subnet.scope, 'filename'), 'pxelinux.0')
})

test('shared-network: pools at network level land in the subnet holding their range; permits; no failover peer', () => {
  const { config } = compileMemory(
    lines(
      ...PRIMARY_PEER,
      'shared-network "office" {',
      '  failover peer "p";',
      '  option domain-name "office.example";',
      '  subnet 10.0.0.0 netmask 255.255.255.0 { option routers 10.0.0.1; }',
      '  subnet 10.0.1.0 netmask 255.255.255.0 { }',
      '  pool {',
      '    allow members of "voip";',
      '    deny unknown-clients;',
      '    allow dynamic bootp clients;',
      '    range 10.0.1.10 10.0.1.19;',
      '  }',
      '  pool {',
      '    no failover peer;',
      '    allow known-clients;',
      '    range dynamic-bootp 10.0.0.100;',
      '  }',
      '}',
    ),
  )
  assert.deepEqual(config.sharedNetworks.map((s) => [s.name, s.implicit, s.subnets.length]), [['office', false, 2]])
  const [a, b] = config.subnets
  assert.equal(a!.sharedNetwork, 'office')
  assert.equal(a!.pools.length, 1)
  assert.equal(a!.pools[0]!.failoverPeer, undefined)
  assert.deepEqual(a!.pools[0]!.ranges.map((r) => [formatIPv4(r.first), formatIPv4(r.last), r.size, r.dynamicBootp]), [['10.0.0.100', '10.0.0.100', 1, true]])
  assert.deepEqual(a!.pools[0]!.permits.map((p) => [p.allow, p.subject]), [[true, { kind: 'known-clients' }]])
  const pool = b!.pools[0]!
  assert.equal(pool.failoverPeer, 'p')
  assert.deepEqual(pool.permits.map((p) => [p.allow, p.subject]), [
    [true, { kind: 'members-of', className: 'voip' }],
    [false, { kind: 'unknown-clients' }],
    [true, { kind: 'dynamic-bootp-clients' }],
  ])
  // A pool's options come from the shared network (its scope's parent), subnets add theirs.
  assert.deepEqual(resolveOptions(pool.scope).get(15)!.value, ['office.example'])
  assert.deepEqual(resolveOptions(a!.scope).get(3)!.value, ['10.0.0.1'])
})

test('ranges written in a subnet go to one implicit pool; a high-to-low range is swapped as ISC does', () => {
  const { config } = compileMemory(lines(SUBNET_OPEN, '  range 10.0.0.20 10.0.0.10;', '  range 10.0.0.30;', '}'))
  const pools = config.subnets[0]!.pools
  assert.equal(pools.length, 1)
  assert.equal(pools[0]!.implicit, true)
  assert.deepEqual(pools[0]!.ranges.map((r) => [formatIPv4(r.first), formatIPv4(r.last), r.size]), [['10.0.0.10', '10.0.0.20', 11], ['10.0.0.30', '10.0.0.30', 1]])
  assert.equal(pools[0]!.scope.parent, config.subnets[0]!.scope)
})

test('hosts: hardware types, fixed-address lists with names, client identifier, host-identifier', () => {
  const { config } = compileMemory(
    lines(
      'host tr { hardware token-ring 0:1:2:3:4:5; fixed-address 10.0.0.5, printer.example.com, 10.0.0.6; }',
      'host fd { hardware fddi 00:11:22:33:44:55; }',
      'host cid { option dhcp-client-identifier 1:08:00:27:d9:45:96; fixed-address 10.0.0.7; }',
      'host relay { host-identifier option agent.circuit-id "eth0/1/3"; fixed-address 10.0.0.8; }',
    ),
  )
  const [tr, fd, cid, relay] = config.hosts
  assert.deepEqual([tr!.hardware!.htype, toColonHex(tr!.hardware!.address)], [6, '00:01:02:03:04:05'])
  assert.deepEqual(tr!.fixedAddresses.map(formatIPv4), ['10.0.0.5', '10.0.0.6'])
  assert.deepEqual(tr!.fixedAddressNames, ['printer.example.com'])
  assert.equal(fd!.hardware!.htype, 8)
  assert.equal(toColonHex(cid!.clientId!), '01:08:00:27:d9:45:96')
  assert.equal(cid!.hardware, undefined)
  assert.deepEqual([relay!.hostIdentifier!.option, relay!.hostIdentifier!.value.toString()], ['agent.circuit-id', 'eth0/1/3'])
})

test('classes and subclasses parse (balanced expressions skipped) and are refused with their lines', () => {
  const errors = compileErrors(
    lines(
      'class "vendor" {',
      '  match if (substring(option vendor-class-identifier, 0, 4) = "MSFT") or (option user-class = "x");',
      '  spawn with option agent.circuit-id;',
      '  lease limit 4;',
      '}',
      'subclass "vendor" 1:8:0:2b:4c:39:ad;',
      'subclass "vendor" "abc" { option routers 10.0.0.1; }',
    ),
  )
  assert.deepEqual(
    errors.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.loc.line}: ${d.message}`),
    [
      '1: class "vendor": class matching is not supported yet',
      '6: subclass "vendor": class matching is not supported yet',
      '7: subclass "vendor": class matching is not supported yet',
    ],
  )
})

test('known-but-unimplemented statements are accepted with a warning', () => {
  const { warnings } = compileMemory(lines('stash-agent-options true;', 'key "k" { algorithm hmac-md5; secret "abc"; };'))
  assert.deepEqual(warnings.map((w) => [w.loc.line, w.message]), [
    [1, '`stash-agent-options` is not implemented yet; the statement is ignored'],
    [2, '`key` is not implemented yet; the statement is ignored'],
  ])
})

test('failover peer: all Appendix A statements, peer-side statements parse and are unused', () => {
  const { config } = compileMemory(
    lines(
      'failover peer "full" {',
      '  primary;',
      '  address dhcp1.example.net;',
      '  port 519;',
      '  peer address 10.0.0.2;',
      '  peer port 520;',
      '  peer max-response-delay 99;',
      '  max-response-delay 30;',
      '  max-unacked-updates 5;',
      '  mclt 1800;',
      `  hba ${Array(32).fill('f0').join(':')};`,
      '  load balance max seconds 5;',
      '  max-lease-misbalance 20;',
      '  max-lease-ownership 12;',
      '  min-balance 30;',
      '  max-balance 1800;',
      '  auto-partner-down 600;',
      '}',
      SUBNET_OPEN,
      '  pool { failover peer "full"; range 10.0.0.10 10.0.0.20; }',
      '}',
    ),
  )
  const { loc, hba, ...peer } = config.failoverPeers.get('full')!
  assert.deepEqual(loc, { file: 'dhcpd.conf', line: 1, col: 1 })
  assert.equal(hba!.length, 32)
  assert.deepEqual(peer, {
    name: 'full', role: 'primary', address: 'dhcp1.example.net', port: 519, peerAddress: '10.0.0.2', peerPort: 520,
    maxResponseDelay: 30, maxUnackedUpdates: 5, mclt: 1800, split: undefined, loadBalanceMaxSeconds: 5,
    maxLeaseMisbalance: 20, maxLeaseOwnership: 12, minBalance: 30, maxBalance: 1800, autoPartnerDown: 600,
  })
})

test('the compiled model is frozen', () => {
  const { config } = compileMemory(lines(SUBNET_OPEN, '  range 10.0.0.10 10.0.0.20;', '}'))
  assert.ok(Object.isFrozen(config))
  assert.ok(Object.isFrozen(config.subnets[0]!))
  assert.ok(Object.isFrozen(config.subnets[0]!.pools[0]!.ranges))
  assert.ok(Object.isFrozen(config.global.params))
})
