import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bench, addr, compile, summarize, texts } from './harness.js'
import { BASIC, NOT_AUTHORITATIVE } from './confs.js'

const MAC_A = '08:00:27:d9:45:96'
const MAC_B = '08:00:27:00:00:0b'

test('DORA for a new client: OFFER then ACK of the lowest never-used address, lease committed on ACK only', () => {
  const b = new Bench(compile(BASIC))
  const offer = b.send({ type: 'DISCOVER', mac: MAC_A })
  assert.deepEqual(offer.changes, [], 'DISCOVER writes nothing durable')
  const o = summarize(offer)
  assert.equal(o?.type, 'OFFER')
  assert.equal(o?.yiaddr, '10.0.10.100')
  assert.equal(o?.serverId, '10.0.10.251')
  assert.equal(b.leaseState('10.0.10.100'), undefined)
  const ack = b.send({ type: 'REQUEST', mac: MAC_A, requested: '10.0.10.100', serverId: '10.0.10.251' })
  assert.equal(summarize(ack)?.type, 'ACK')
  assert.equal(ack.changes.length, 1)
  assert.equal(ack.changes[0]?.after?.bindingState, 'active')
  assert.equal(ack.changes[0]?.reason, 'allocate')
  assert.equal(b.leaseState('10.0.10.100'), 'active')
  assert.deepEqual(texts(ack), [
    'DHCPREQUEST for 10.0.10.100 (10.0.10.251) from 08:00:27:d9:45:96 via eth0',
    'DHCPACK on 10.0.10.100 to 08:00:27:d9:45:96 via eth0',
  ])
})

test('log text matches ISC wording, hostname in parentheses', () => {
  const b = new Bench(compile(BASIC))
  const d = b.send({ type: 'DISCOVER', mac: MAC_A, hostname: 'DHCPc' })
  assert.deepEqual(texts(d), [
    'DHCPDISCOVER from 08:00:27:d9:45:96 (DHCPc) via eth0',
    'DHCPOFFER on 10.0.10.100 to 08:00:27:d9:45:96 (DHCPc) via eth0',
  ])
  assert.deepEqual(d.events.map((e) => e.id), ['DHCP_DISCOVER', 'DHCP_OFFER'])
})

test('two clients discovering at once are offered different addresses (offer hold)', () => {
  const b = new Bench(compile(BASIC))
  const a = summarize(b.send({ type: 'DISCOVER', mac: MAC_A }))
  const c = summarize(b.send({ type: 'DISCOVER', mac: MAC_B }))
  assert.equal(a?.yiaddr, '10.0.10.100')
  assert.equal(c?.yiaddr, '10.0.10.101')
  // A repeated DISCOVER gets the same offer back.
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_A }))?.yiaddr, '10.0.10.100')
})

test('an offer nobody takes is released after the hold and offered again', () => {
  const b = new Bench(compile(BASIC))
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_A }))?.yiaddr, '10.0.10.100')
  b.clock.advance(120_000)
  const others = ['01', '02', '03'].map((n) => summarize(b.send({ type: 'DISCOVER', mac: `02:00:00:00:00:${n}` }))?.yiaddr)
  assert.deepEqual(others.sort(), ['10.0.10.100', '10.0.10.101', '10.0.10.102'])
})

test('the same client gets its previous address back, by hardware address and by client identifier', () => {
  const b = new Bench(compile(BASIC))
  b.dora({ mac: MAC_B })
  const first = b.dora({ mac: MAC_A, clientId: Buffer.from('01aabbcc', 'hex') })
  assert.equal(first.ack?.yiaddr, '10.0.10.101')
  b.clock.advance(30 * 60_000)
  // Same client id, different NIC: still the same address.
  const again = summarize(b.send({ type: 'DISCOVER', mac: '02:02:02:02:02:02', clientId: Buffer.from('01aabbcc', 'hex') }))
  assert.equal(again?.yiaddr, '10.0.10.101')
  // After the lease expired and was reclaimed, affinity still returns it.
  b.clock.advance(3 * 3600_000)
  const reclaimed = b.pipeline.reclaimExpired(b.clock.now(), 100)
  assert.equal(reclaimed.changes.length, 2)
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_B }))?.yiaddr, '10.0.10.100')
})

const requestedCases = [
  { name: 'free address is honoured', requested: '10.0.10.102', want: '10.0.10.102' },
  { name: 'address outside every pool is not', requested: '10.0.10.50', want: '10.0.10.101' },
  { name: 'address on another network is not', requested: '192.168.5.15', want: '10.0.10.101' },
  { name: "another client's active lease is not", requested: '10.0.10.100', want: '10.0.10.101' },
] as const

for (const c of requestedCases) {
  test(`DISCOVER with requested address: ${c.name}`, () => {
    const b = new Bench(compile(BASIC))
    b.dora({ mac: MAC_B }) // takes 10.0.10.100
    assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_A, requested: c.requested }))?.yiaddr, c.want)
  })
}

test('SELECTING for another server: our offer is released, no reply', () => {
  const b = new Bench(compile(BASIC))
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_A }))?.yiaddr, '10.0.10.100')
  const d = b.send({ type: 'REQUEST', mac: MAC_A, requested: '10.0.10.100', serverId: '10.0.10.252' })
  assert.equal(d.reply, undefined)
  assert.deepEqual(d.changes, [])
  assert.equal(d.events[0]?.id, 'DHCP_REQUEST_IGNORED')
  // The address is offered to the next client at once.
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_B }))?.yiaddr, '10.0.10.100')
})

test('SELECTING our server id for an address held for someone else: NAK', () => {
  const b = new Bench(compile(BASIC))
  b.send({ type: 'DISCOVER', mac: MAC_B })
  const d = b.send({ type: 'REQUEST', mac: MAC_A, requested: '10.0.10.100', serverId: '10.0.10.251' })
  assert.equal(summarize(d)?.type, 'NAK')
  assert.match(texts(d)[0]!, /: lease 10\.0\.10\.100 unavailable$/)
})

const initReboot = [
  { name: 'own lease on the right network', conf: BASIC, requested: 'own', want: 'ACK' },
  { name: 'wrong network, authoritative', conf: BASIC, requested: '192.168.5.15', want: 'NAK' },
  { name: 'wrong network, not authoritative', conf: NOT_AUTHORITATIVE, requested: '192.168.5.15', want: undefined },
  { name: 'unknown address on the right network', conf: BASIC, requested: '10.0.10.102', want: undefined },
  { name: "another client's lease", conf: BASIC, requested: 'other', want: 'NAK' },
  { name: 'address in no subnet, authoritative', conf: BASIC, requested: '203.0.113.5', want: 'NAK' },
] as const

for (const c of initReboot) {
  test(`INIT-REBOOT: ${c.name} → ${c.want ?? 'silent'}`, () => {
    const b = new Bench(compile(c.conf))
    const own = b.dora({ mac: MAC_A }).ack!.yiaddr
    const other = b.dora({ mac: MAC_B }).ack!.yiaddr
    const requested = c.requested === 'own' ? own : c.requested === 'other' ? other : c.requested
    const d = b.send({ type: 'REQUEST', mac: MAC_A, requested })
    assert.equal(summarize(d)?.type, c.want)
    if (c.want === 'NAK') {
      assert.equal(summarize(d)?.route, 'broadcast 255.255.255.255:68')
      assert.equal(d.events.at(-1)?.id, 'DHCP_NAK')
    }
  })
}

test('RENEWING (unicast, ciaddr) and REBINDING (relayed ciaddr) extend the lease', () => {
  const b = new Bench(compile(BASIC))
  const ack = b.dora({ mac: MAC_A }).ack!
  const before = b.store.get(0x0a000a64)!.ends!
  b.clock.advance(300_000)
  const renew = b.send({ type: 'REQUEST', mac: MAC_A, ciaddr: ack.yiaddr })
  const r = summarize(renew)
  assert.equal(r?.type, 'ACK')
  assert.equal(r?.ciaddr, ack.yiaddr)
  assert.equal(r?.route, 'unicast 10.0.10.100:68')
  assert.equal(renew.changes[0]?.reason, 'renew')
  assert.equal(b.store.get(0x0a000a64)!.ends, before + 300)
})

test('REBINDING through a relay on the wrong network: NAK when authoritative', () => {
  const b = new Bench(compile(BASIC))
  const ack = b.dora({ mac: MAC_A }).ack!
  const d = b.send({ type: 'REQUEST', mac: MAC_A, ciaddr: ack.yiaddr, giaddr: '192.168.5.1' })
  const s = summarize(d)
  assert.equal(s?.type, 'NAK')
  assert.equal(s?.route, 'relay 192.168.5.1:67')
  assert.equal(s?.flags, 0x8000, 'relayed NAK has the broadcast bit (RFC 2131 §4.3.2)')
})

test('RENEWING a lease we know nothing about: silent', () => {
  const b = new Bench(compile(BASIC))
  const d = b.send({ type: 'REQUEST', mac: MAC_A, ciaddr: '10.0.10.101' })
  assert.equal(d.reply, undefined)
  assert.match(texts(d)[0]!, /unknown lease 10\.0\.10\.101/)
})

test('RELEASE frees the lease (found), a stranger cannot release it (not found)', () => {
  const b = new Bench(compile(BASIC))
  const ack = b.dora({ mac: MAC_A }).ack!
  const stranger = b.send({ type: 'RELEASE', mac: MAC_B, ciaddr: ack.yiaddr })
  assert.deepEqual(texts(stranger), ['DHCPRELEASE of 10.0.10.100 from 08:00:27:00:00:0b via eth0 (not found)'])
  assert.equal(b.leaseState(ack.yiaddr), 'active')
  const d = b.send({ type: 'RELEASE', mac: MAC_A, ciaddr: ack.yiaddr })
  assert.equal(d.reply, undefined)
  assert.deepEqual(texts(d), ['DHCPRELEASE of 10.0.10.100 from 08:00:27:d9:45:96 via eth0 (found)'])
  assert.equal(d.changes[0]?.reason, 'release')
  assert.equal(b.leaseState(ack.yiaddr), 'free')
  // The released address keeps affinity: the client gets it back.
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_A }))?.yiaddr, '10.0.10.100')
})

test('DECLINE abandons the address; it is not offered again while free addresses exist', () => {
  const b = new Bench(compile(BASIC))
  b.dora({ mac: MAC_A })
  const d = b.send({ type: 'DECLINE', mac: MAC_A, requested: '10.0.10.100' })
  assert.deepEqual(texts(d), [
    'Abandoning IP address 10.0.10.100: declined.',
    'DHCPDECLINE of 10.0.10.100 from 08:00:27:d9:45:96 via eth0: abandoned',
  ])
  assert.equal(d.events[0]?.level, 'warn')
  assert.equal(b.leaseState('10.0.10.100'), 'abandoned')
  assert.equal(b.store.get(0x0a000a64)?.hardware, undefined)
  const offered = [MAC_A, MAC_B].map((mac) => b.dora({ mac }).ack?.yiaddr)
  assert.deepEqual(offered, ['10.0.10.101', '10.0.10.102'])
  // Pool otherwise exhausted: the oldest abandoned lease is reclaimed.
  const last = b.send({ type: 'DISCOVER', mac: '02:00:00:00:00:99' })
  assert.equal(summarize(last)?.yiaddr, '10.0.10.100')
  assert.ok(texts(last).includes('Reclaiming abandoned lease 10.0.10.100.'))
  const ack = b.send({ type: 'REQUEST', mac: '02:00:00:00:00:99', requested: '10.0.10.100', serverId: '10.0.10.251' })
  assert.equal(summarize(ack)?.type, 'ACK')
  assert.equal(b.leaseState('10.0.10.100'), 'active')
})

test('INFORM: ACK with options, no lease, no lease time, yiaddr 0, unicast to ciaddr', () => {
  const b = new Bench(compile(BASIC))
  const d = b.send({ type: 'INFORM', mac: MAC_A, ciaddr: '10.0.10.77', prl: [1, 3, 6, 15, 51] })
  const s = summarize(d)
  assert.equal(s?.type, 'ACK')
  assert.equal(s?.yiaddr, '0.0.0.0')
  assert.equal(s?.ciaddr, '10.0.10.77')
  assert.equal(s?.leaseTime, undefined)
  assert.equal(s?.t1, undefined)
  assert.deepEqual(s?.optionCodes, [53, 54, 1, 3, 6, 15])
  assert.equal(s?.route, 'unicast 10.0.10.77:68')
  assert.deepEqual(d.changes, [])
  assert.deepEqual(texts(d), ['DHCPINFORM from 10.0.10.77 via eth0', 'DHCPACK to 10.0.10.77 (08:00:27:d9:45:96) via eth0'])
})

test('pool exhaustion: no free leases, logged as ISC does', () => {
  const b = new Bench(compile(BASIC))
  for (let i = 0; i < 3; i++) assert.equal(b.dora({ mac: `02:00:00:00:01:0${i}` }).ack?.type, 'ACK')
  const d = b.send({ type: 'DISCOVER', mac: MAC_A })
  assert.equal(d.reply, undefined)
  assert.deepEqual(texts(d), ['DHCPDISCOVER from 08:00:27:d9:45:96 via eth0: network 10.0.10.0/24: no free leases'])
  assert.equal(d.events[0]?.id, 'DHCP_NO_FREE_LEASES')
})

test('info events off: DORA builds no events, warnings (no free leases) still come', () => {
  const b = new Bench(compile(BASIC), { infoEvents: false })
  for (let i = 0; i < 3; i++) {
    const offer = b.send({ type: 'DISCOVER', mac: `02:00:00:00:01:0${i}` })
    assert.deepEqual(offer.events, [])
    const s = summarize(offer)
    const ack = b.send({ type: 'REQUEST', mac: `02:00:00:00:01:0${i}`, requested: s!.yiaddr, serverId: s!.serverId! })
    assert.equal(summarize(ack)?.type, 'ACK')
    assert.deepEqual(ack.events, [])
  }
  const d = b.send({ type: 'DISCOVER', mac: MAC_A })
  assert.equal(d.events[0]?.id, 'DHCP_NO_FREE_LEASES')
  assert.equal(d.events[0]?.level, 'warn')
})

test('malformed and non-client messages are dropped with an event', () => {
  const b = new Bench(compile(BASIC))
  const garbage = b.pipeline.handle({ datagram: Buffer.alloc(20), receivedOn: b.iface, now: b.clock.now() })
  assert.equal(garbage.reply, undefined)
  assert.equal(garbage.events[0]?.id, 'DHCP_PACKET_DROPPED')
  const offer = b.send({ type: 'OFFER', mac: MAC_A })
  assert.equal(offer.events[0]?.id, 'DHCP_PACKET_DROPPED')
})

test('the ha-filter stage can drop a query (failover load balancing hook)', async () => {
  const { Pipeline } = await import('../../src/core/pipeline.js')
  const b = new Bench(compile(BASIC))
  const p = new Pipeline(b.config, b.store, { capabilities: { directUnicast: false }, haFilter: () => ({ accept: false, reason: 'peer bucket' }) })
  const { clientDatagram } = await import('./harness.js')
  const d = p.handle({ datagram: clientDatagram({ type: 'DISCOVER', mac: MAC_A }), receivedOn: b.iface, now: b.clock.now() })
  assert.equal(d.reply, undefined)
  assert.equal(d.events[0]?.id, 'DHCP_NOT_IN_SCOPE')
})

test('a renewal without option 12 is logged with the hostname recorded on the lease', () => {
  const b = new Bench(compile(BASIC))
  b.dora({ mac: MAC_A, hostname: 'DHCPc' })
  const d = b.send({ type: 'REQUEST', mac: MAC_A, ciaddr: '10.0.10.100' })
  // An immediate renewal is under the 25 % dhcp-cache-threshold: dhcpd says so first.
  assert.match(texts(d)[0] ?? '', /^reuse_lease: lease age 0 \(secs\) under 25% threshold, reply with unaltered, existing lease for 10\.0\.10\.100$/)
  assert.equal(texts(d)[2], 'DHCPACK on 10.0.10.100 to 08:00:27:d9:45:96 (DHCPc) via eth0')
})

test('a client that switches offers gives its first offered address back at once', () => {
  const b = new Bench(compile(BASIC))
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_A }))?.yiaddr, '10.0.10.100')
  // The client now asks for .102 instead; .100 must not stay reserved for the full hold.
  b.send({ type: 'REQUEST', mac: MAC_A, requested: '10.0.10.102', serverId: '10.0.10.251' })
  assert.equal(b.leaseState('10.0.10.102'), 'active')
  b.clock.advance(61_000)
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_B }))?.yiaddr, '10.0.10.100')
})

test('a repeated DISCOVER keeps the held offer even when it requests another address (ISC: the offered lease is the client\'s)', () => {
  const b = new Bench(compile(BASIC))
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_A }))?.yiaddr, '10.0.10.100')
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_A, requested: '10.0.10.102' }))?.yiaddr, '10.0.10.100')
  b.send({ type: 'REQUEST', mac: MAC_A, requested: '10.0.10.100', serverId: '10.0.10.251' })
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC_B }))?.yiaddr, '10.0.10.101')
})

test('RELEASE in a failover pool: RELEASED, not acknowledged by the peer yet, so not freed by time', () => {
  const b = new Bench(compile(`failover peer "p" { primary; address 10.0.10.251; peer address 10.0.10.252; mclt 60; split 128; }
default-lease-time 600; max-lease-time 600;
subnet 10.0.10.0 netmask 255.255.255.0 { pool { failover peer "p"; range 10.0.10.100 10.0.10.120; } }`))
  const ack = b.dora({ mac: MAC_A }).ack!
  b.store.upsert({ ...b.store.get(addr(ack.yiaddr))!, tsfp: 1, atsfp: 1 })
  b.send({ type: 'RELEASE', mac: MAC_A, ciaddr: ack.yiaddr })
  const l = b.store.get(addr(ack.yiaddr))
  assert.equal(l?.bindingState, 'released')
  assert.equal(l?.atsfp, undefined)
  assert.equal(b.store.nextExpiryAt(), undefined)
})
