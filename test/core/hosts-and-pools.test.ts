import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode } from '../../src/protocol/dhcp/packet.js'
import * as acc from '../../src/protocol/dhcp/accessors.js'
import { unrestrictedPoolPolicy } from '../../src/core/pool-policy.js'
import { Bench, compile, seed000, seed001, summarize, texts } from './harness.js'
import { KNOWN_UNKNOWN } from './confs.js'

const DHCPC = '08:00:27:d9:45:96'

test('seed 001: DHCPc gets its reservation 10.0.10.9 from the group host, with the subnet options', () => {
  const b = new Bench(seed001(true))
  const { offer, ack } = b.dora({ mac: DHCPC, prl: [1, 3, 6, 119, 28] })
  assert.equal(offer?.yiaddr, '10.0.10.9')
  assert.equal(ack?.yiaddr, '10.0.10.9')
  assert.deepEqual(ack?.optionCodes, [53, 54, 51, 58, 59, 1, 3, 6, 119, 28])
  // Fixed addresses are not leases (ISC stores none) and are not capped by the MCLT.
  assert.equal(b.store.size, 0)
  assert.equal(ack?.leaseTime, 604800)
})

test('seed 001: the client that had 10.0.10.131 is NAKed into its reservation (as in the blog)', () => {
  const before = new Bench(seed001(false))
  // Walk the pool to 10.0.10.131 for DHCPc, as in the post.
  for (let i = 0; i < 121; i++) before.dora({ mac: `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}` })
  assert.equal(before.dora({ mac: DHCPC }).ack?.yiaddr, '10.0.10.131')
  // Same lease database, new config with the host declaration.
  const after = new Bench(seed001(true), { store: before.store })
  const reboot = after.send({ type: 'REQUEST', mac: DHCPC, requested: '10.0.10.131' })
  assert.equal(summarize(reboot)?.type, 'NAK', 'not authoritative (`authorized;` typo), yet NAKed: the address is ours and wrong for this client')
  assert.match(texts(reboot)[0]!, /DHCPREQUEST for 10\.0\.10\.131 from 08:00:27:d9:45:96 via eth0: requested address is incorrect/)
  assert.equal(after.dora({ mac: DHCPC }).ack?.yiaddr, '10.0.10.9')
})

test('seed 001 without the host: a failover pool under the standalone policy caps the lease at the MCLT', () => {
  const b = new Bench(seed001(false))
  const ack = b.dora({ mac: DHCPC }).ack
  assert.equal(ack?.yiaddr, '10.0.10.10')
  assert.equal(ack?.leaseTime, 3600)
  assert.equal(b.store.get(0x0a000a0a)?.nextBindingState, 'expired', 'failover leases expire to `expired`')
})

test('seed 000: 86400 default/max lease with an unrestricted policy, T1/T2 at 0.5/0.875', () => {
  const b = new Bench(seed000(), { iface: { name: 'eth2', addresses: ['10.223.0.244'] }, poolPolicy: unrestrictedPoolPolicy })
  const ack = b.dora({ mac: DHCPC }).ack
  assert.equal(ack?.yiaddr, '10.223.0.11')
  assert.equal(ack?.leaseTime, 86400)
  assert.equal(ack?.t1, 43200)
  assert.equal(ack?.t2, 75600)
  // A client asking for more gets max-lease-time.
  assert.equal(b.dora({ mac: '02:00:00:00:00:01', leaseTime: 999999 }).ack?.leaseTime, 86400)
})

const leaseTimeCases = [
  { name: 'nothing requested → default-lease-time', requested: undefined, want: 600 },
  { name: 'within bounds → as requested', requested: 1000, want: 1000 },
  { name: 'above max-lease-time → max', requested: 100000, want: 7200 },
  { name: 'below min-lease-time → min', requested: 10, want: 300 },
] as const

for (const c of leaseTimeCases) {
  test(`lease time: ${c.name}`, () => {
    const b = new Bench(compile('default-lease-time 600; max-lease-time 7200; min-lease-time 300;\nsubnet 10.0.10.0 netmask 255.255.255.0 { range 10.0.10.100 10.0.10.110; }'))
    const ack = b.dora({ mac: DHCPC, ...(c.requested === undefined ? {} : { leaseTime: c.requested }) }).ack
    assert.equal(ack?.leaseTime, c.want)
    assert.equal(ack?.t1, Math.floor(c.want * 0.5))
    assert.equal(ack?.t2, Math.floor(c.want * 0.875))
  })
}

test('configured dhcp-renewal-time / dhcp-rebinding-time win over the defaults', () => {
  const b = new Bench(compile(`default-lease-time 1000;
option dhcp-renewal-time 100;
option dhcp-rebinding-time 200;
subnet 10.0.10.0 netmask 255.255.255.0 { range 10.0.10.100 10.0.10.110; }`))
  const ack = b.dora({ mac: DHCPC }).ack
  assert.deepEqual([ack?.leaseTime, ack?.t1, ack?.t2], [1000, 100, 200])
})

test('known-clients pool for a host without fixed address, with group options winning over the pool', () => {
  const b = new Bench(compile(KNOWN_UNKNOWN), { iface: { name: 'eth1', addresses: ['10.0.20.1'] } })
  const known = b.send({ type: 'DISCOVER', mac: '00:11:22:33:44:55', prl: [15] })
  assert.equal(summarize(known)?.yiaddr, '10.0.20.10')
  const p = decode(known.reply!.bytes, 0, known.reply!.bytes.length).value
  assert.equal(acc.getOption(p, 15)?.data.toString(), 'group.test', 'host scope (group) beats the pool scope')
  const unknown = b.send({ type: 'DISCOVER', mac: '00:11:22:33:44:66', prl: [15] })
  assert.equal(summarize(unknown)?.yiaddr, '10.0.20.100')
  assert.equal(acc.getOption(decode(unknown.reply!.bytes, 0, unknown.reply!.bytes.length).value, 15), undefined)
})

test('an unknown client cannot SELECT an address in the known-clients pool', () => {
  const b = new Bench(compile(KNOWN_UNKNOWN), { iface: { name: 'eth1', addresses: ['10.0.20.1'] } })
  const d = b.send({ type: 'REQUEST', mac: '00:11:22:33:44:66', requested: '10.0.20.12', serverId: '10.0.20.1' })
  assert.equal(summarize(d)?.type, 'NAK')
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: '00:11:22:33:44:66', requested: '10.0.20.12' }))?.yiaddr, '10.0.20.100')
})

test('a secondary under the standalone policy does not allocate from a fresh failover pool', () => {
  const conf = `failover peer "p" { secondary; address 10.0.10.252; peer address 10.0.10.251; max-response-delay 60; max-unacked-updates 10; load balance max seconds 3; }
subnet 10.0.10.0 netmask 255.255.255.0 { pool { failover peer "p"; range 10.0.10.10 10.0.10.20; } }`
  const b = new Bench(compile(conf))
  const d = b.send({ type: 'DISCOVER', mac: DHCPC })
  assert.equal(d.reply, undefined)
  assert.equal(d.events[0]?.id, 'DHCP_NO_FREE_LEASES')
  assert.equal(d.events[0]?.text, 'DHCPDISCOVER from 08:00:27:d9:45:96 via eth0: peer holds all free leases')
})

test('use-host-decl-names: the host declaration name goes out as option 12', () => {
  const b = new Bench(compile(`use-host-decl-names on;
subnet 10.0.10.0 netmask 255.255.255.0 { range 10.0.10.100 10.0.10.110; }
host DHCPc { hardware ethernet ${DHCPC}; fixed-address 10.0.10.9; }`))
  const d = b.send({ type: 'DISCOVER', mac: DHCPC, prl: [1, 12] })
  const p = decode(d.reply!.bytes, 0, d.reply!.bytes.length).value
  assert.equal(acc.hostName(p), 'DHCPc')
  assert.equal(summarize(d)?.yiaddr, '10.0.10.9')
})

test('a fixed address inside a dynamic range is never handed out to another client', () => {
  const b = new Bench(compile(`subnet 10.0.10.0 netmask 255.255.255.0 { range 10.0.10.100 10.0.10.102; }
host pinned { hardware ethernet 02:00:00:00:00:aa; fixed-address 10.0.10.100; }`))
  const got = ['01', '02', '03'].map((n) => b.dora({ mac: `02:00:00:00:00:${n}` }).ack?.yiaddr)
  assert.deepEqual(got, ['10.0.10.101', '10.0.10.102', undefined])
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: '02:00:00:00:00:04', requested: '10.0.10.100' })), undefined)
  assert.equal(b.dora({ mac: '02:00:00:00:00:aa' }).ack?.yiaddr, '10.0.10.100')
})

test('seed 000/001 secondaries under the standalone policy: silent, "peer holds all free leases"', async () => {
  const { readFileSync } = await import('node:fs')
  const { resolve } = await import('node:path')
  const { FIXTURES_DIR } = await import('../helpers/fixtures.js')
  const { compileConfig } = await import('../../src/config/compile.js')
  const { memoryReader } = await import('../../src/config/source-reader.js')
  const read = (rel: string): string => readFileSync(resolve(FIXTURES_DIR, 'config', rel), 'utf8')
  const s000 = compile(read('seed000/secondary.conf'))
  const s001 = compileConfig('/usr/local/etc/dhcpd.conf', memoryReader({
    '/usr/local/etc/dhcpd.conf': read('seed001/secondary/dhcpd.conf'),
    '/usr/local/etc/dhcpd.conf.SHARED': read('seed001/shared/dhcpd.conf.SHARED'),
  })).config
  const cases = [
    { config: s000, iface: { name: 'eth2', addresses: ['10.223.0.245'] } },
    { config: s001, iface: { name: 'em0', addresses: ['10.0.10.252'] } },
  ]
  for (const c of cases) {
    const d = new Bench(c.config, { iface: c.iface }).send({ type: 'DISCOVER', mac: DHCPC })
    assert.equal(d.reply, undefined)
    assert.match(d.events[0]!.text, /: peer holds all free leases$/)
  }
})
