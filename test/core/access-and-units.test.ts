import { test } from 'node:test'
import assert from 'node:assert/strict'
import { poolAdmits } from '../../src/core/permits.js'
import { EffectiveScope } from '../../src/core/effective-scope.js'
import { parseClientQuery } from '../../src/core/client-query.js'
import { OfferHolds } from '../../src/core/offer-holds.js'
import { AddressQueue } from '../../src/core/address-queue.js'
import { renewalTimes } from '../../src/core/lease-times.js'
import { decode } from '../../src/protocol/dhcp/packet.js'
import { Bench, clientDatagram, compile, summarize } from './harness.js'
import { BASIC } from './confs.js'

const MAC = '08:00:27:d9:45:96'

const permitCases = [
  { permits: '', known: false, want: true },
  { permits: 'allow known-clients;', known: false, want: false },
  { permits: 'allow known-clients;', known: true, want: true },
  { permits: 'deny known-clients;', known: true, want: false },
  { permits: 'allow unknown-clients;', known: false, want: true },
  { permits: 'deny unknown-clients;', known: false, want: false },
  { permits: 'allow all clients;', known: false, want: true },
  { permits: 'deny all clients;', known: true, want: false },
  { permits: 'allow known-clients; allow unknown-clients;', known: false, want: true },
  { permits: 'allow all clients; deny unknown-clients;', known: false, want: false },
] as const

for (const c of permitCases) {
  test(`permits: "${c.permits}" ${c.known ? 'known' : 'unknown'} client → ${c.want ? 'admitted' : 'refused'}`, () => {
    const config = compile(`subnet 10.0.0.0 netmask 255.255.255.0 { pool { ${c.permits} range 10.0.0.10 10.0.0.20; } }`)
    const pool = config.subnets[0]!.pools[0]!
    assert.equal(poolAdmits(pool, { known: c.known }), c.want)
  })
}

test('effective scope: host ⊃ group ⊃ pool ⊃ subnet ⊃ shared-network ⊃ global, innermost wins', () => {
  const config = compile(`
option domain-name "global"; default-lease-time 100;
shared-network net { option domain-name "shared"; option routers 10.0.0.1;
  subnet 10.0.0.0 netmask 255.255.255.0 { option domain-name "subnet"; default-lease-time 200;
    pool { option domain-name "pool"; option ntp-servers 10.0.0.123; range 10.0.0.10 10.0.0.20; } } }
group { default-lease-time 400; option domain-name "group";
  host h { hardware ethernet 00:00:00:00:00:01; option domain-name "host"; } }`)
  const pool = config.subnets[0]!.pools[0]!
  const host = config.hosts[0]!
  const name = (s: EffectiveScope): string | undefined => s.options().get(15)?.data.toString()
  assert.equal(name(new EffectiveScope(pool.scope)), 'pool')
  assert.equal(name(new EffectiveScope(pool.scope, host.scope)), 'host')
  assert.equal(new EffectiveScope(pool.scope, host.scope).param('defaultLeaseTime'), 400)
  assert.equal(new EffectiveScope(pool.scope).param('defaultLeaseTime'), 200)
  assert.equal(new EffectiveScope(config.subnets[0]!.scope).options().get(42), undefined)
  assert.deepEqual([...new EffectiveScope(pool.scope, host.scope).options().keys()].sort((a, b) => a - b), [3, 15, 42])
})

test('deny unknown-clients / boot-unknown-clients false at subnet scope: unknown clients are not served', () => {
  for (const stmt of ['deny unknown-clients;', 'boot-unknown-clients false;']) {
    const b = new Bench(compile(`subnet 10.0.10.0 netmask 255.255.255.0 { ${stmt} range 10.0.10.100 10.0.10.110; }
host known { hardware ethernet 02:00:00:00:00:01; }`))
    const d = b.send({ type: 'DISCOVER', mac: MAC })
    assert.equal(d.reply, undefined, stmt)
    assert.match(d.events[0]!.text, /: unknown client$/)
    assert.equal(summarize(b.send({ type: 'DISCOVER', mac: '02:00:00:00:00:01' }))?.type, 'OFFER')
  }
})

test('deny booting in a host: that client is ignored', () => {
  const b = new Bench(compile(`subnet 10.0.10.0 netmask 255.255.255.0 { range 10.0.10.100 10.0.10.110; }
host banned { hardware ethernet ${MAC}; deny booting; }`))
  assert.equal(b.send({ type: 'DISCOVER', mac: MAC }).reply, undefined)
})

test('deny declines: DHCPDECLINE is ignored', () => {
  const b = new Bench(compile(`deny declines;\nsubnet 10.0.10.0 netmask 255.255.255.0 { range 10.0.10.100 10.0.10.110; }`))
  b.dora({ mac: MAC })
  const d = b.send({ type: 'DECLINE', mac: MAC, requested: '10.0.10.100' })
  assert.deepEqual(d.changes, [])
  assert.match(d.events.at(-1)!.text, /: ignored$/)
  assert.equal(b.leaseState('10.0.10.100'), 'active')
})

test('REBINDING broadcast on our link with a ciaddr from another served subnet: NAK (authoritative)', () => {
  const b = new Bench(compile(BASIC))
  const datagram = clientDatagram({ type: 'REQUEST', mac: MAC, ciaddr: '192.168.5.15' })
  const rebinding = b.pipeline.handle({ datagram, receivedOn: b.iface, now: b.clock.now(), receivedBroadcast: true })
  assert.equal(summarize(rebinding)?.type, 'NAK')
  // The same datagram unicast (RENEWING) is trusted, and unknown: silent.
  const renewing = b.pipeline.handle({ datagram, receivedOn: b.iface, now: b.clock.now(), receivedBroadcast: false })
  assert.equal(renewing.reply, undefined)
})

const malformed = [
  { name: 'no message type (BOOTP)', build: (p: Buffer) => p.fill(0, 240, 243), reason: /no DHCP message type/ },
  { name: 'reply op', build: (p: Buffer) => p.writeUInt8(2, 0), reason: /not BOOTREQUEST/ },
  { name: 'hlen over 16', build: (p: Buffer) => p.writeUInt8(17, 2), reason: /hlen 17/ },
] as const

for (const c of malformed) {
  test(`client query: ${c.name} is refused with a reason`, () => {
    const bytes = clientDatagram({ type: 'DISCOVER', mac: MAC })
    c.build(bytes)
    const parsed = parseClientQuery(decode(bytes, 0, bytes.length).value)
    assert.equal(parsed.ok, false)
    if (!parsed.ok) assert.match(parsed.reason, c.reason)
  })
}

test('client query: a 3-byte requested address is malformed, not guessed', () => {
  const bytes = clientDatagram({ type: 'DISCOVER', mac: MAC, requested: '10.0.10.5' })
  const p = decode(bytes, 0, bytes.length).value
  p.options = p.options.map((o) => (o.code === 50 ? { code: 50, data: o.data.subarray(0, 3) } : o))
  const parsed = parseClientQuery(p)
  assert.equal(parsed.ok, false)
})

test('offer holds: one per client, one per address, lapse at `until`', () => {
  const h = new OfferHolds()
  h.hold(1, 'a', 100)
  h.hold(2, 'a', 100)
  assert.equal(h.holderOf(1, 50), undefined, 'a client holds one address')
  assert.equal(h.heldFor('a', 50), 2)
  h.hold(2, 'b', 100)
  assert.equal(h.heldFor('a', 50), undefined, 'an address is held by one client')
  assert.equal(h.holderOf(2, 99), 'b')
  assert.equal(h.holderOf(2, 100), undefined)
  assert.deepEqual(h.prune(100).map((x) => x.address), [2])
  assert.equal(h.size, 0)
})

test('address queue: FIFO across growth and compaction', () => {
  const q = new AddressQueue()
  const out: number[] = []
  for (let i = 0; i < 1000; i++) {
    q.push(i)
    if (i % 3 === 0) out.push(q.shift()!)
  }
  while (q.length > 0) out.push(q.shift()!)
  assert.deepEqual(out, Array.from({ length: 1000 }, (_, i) => i))
  assert.equal(q.shift(), undefined)
})

test('renewal times: configured T1 above T2 is clamped below T2, T2 below the lease', () => {
  const config = compile('option dhcp-renewal-time 5000; option dhcp-rebinding-time 9000;\nsubnet 10.0.0.0 netmask 255.255.255.0 { }')
  const options = new EffectiveScope(config.subnets[0]!.scope).options()
  assert.deepEqual(renewalTimes(1000, options), { leaseTime: 1000, renewalTime: 1000, rebindingTime: 1000 })
  assert.deepEqual(renewalTimes(20000, options), { leaseTime: 20000, renewalTime: 5000, rebindingTime: 9000 })
})


test('offer holds: pruning skips replaced holds and returns each lapsed hold once', () => {
  const h = new OfferHolds()
  assert.deepEqual(h.hold(1, 'a', 10), [])
  assert.deepEqual(h.hold(2, 'a', 20).map((x) => x.address), [1], 'the replaced hold is handed back')
  h.hold(3, 'b', 30)
  assert.deepEqual(h.prune(15), [], 'the replaced hold on 1 is not reported again')
  assert.deepEqual(h.prune(25).map((x) => x.address), [2])
  assert.equal(h.releaseClient('b')?.address, 3)
  assert.deepEqual(h.prune(100), [])
})

test('min-secs: a DISCOVER with too few seconds elapsed is left for another server', () => {
  const b = new Bench(compile(`min-secs 5;\nsubnet 10.0.10.0 netmask 255.255.255.0 { range 10.0.10.100 10.0.10.110; }`))
  assert.equal(b.send({ type: 'DISCOVER', mac: MAC, secs: 2 }).reply, undefined)
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC, secs: 5 }))?.type, 'OFFER')
})
