/**
 * ISC's dhcp-cache-threshold lease reuse (a young renewal is answered unaltered: nothing written,
 * so no failover BNDUPD) and the potential expiry a DHCPACK records in a failover pool
 * (tstp = now + desired + granted / 2, failover-protocol.md §4.1).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bench, T0, addr, compile, summarize, texts } from './harness.js'

const MAC = '02:00:00:00:10:03'
const NOW = T0 / 1000
const failover = (extra = ''): string => `failover peer "p" { primary; address 10.0.10.251; peer address 10.0.10.252; mclt 60; split 128; }
default-lease-time 600; max-lease-time 7200; ${extra}
subnet 10.0.10.0 netmask 255.255.255.0 { pool { failover peer "p"; range 10.0.10.10 10.0.10.20; } }`

function renew(b: Bench, ip: string): ReturnType<Bench['send']> {
  return b.send({ type: 'REQUEST', mac: MAC, ciaddr: ip })
}

test('first ACK in a failover pool: MCLT-long lease, tstp = now + desired + granted/2', () => {
  const b = new Bench(compile(failover()))
  const { ack } = b.dora({ mac: MAC })
  assert.equal(ack?.leaseTime, 60)
  const l = b.store.get(addr(ack!.yiaddr))
  assert.equal(l?.ends, NOW + 60)
  assert.equal(l?.tstp, NOW + 600 + 30)
})

const reuse: { name: string; after: number; threshold?: string; written: boolean; leaseTime: number }[] = [
  { name: 'age 10 of a 60 s lease (limit 15): reused, the time left', after: 10, written: false, leaseTime: 50 },
  { name: 'age 15 (at the limit): reused', after: 15, written: false, leaseTime: 45 },
  { name: 'age 16: renewed and written', after: 16, written: true, leaseTime: 60 },
  { name: 'dhcp-cache-threshold 0 disables reuse', after: 1, threshold: 'dhcp-cache-threshold 0;', written: true, leaseTime: 60 },
  { name: 'dhcp-cache-threshold 50: age 30 reused', after: 30, threshold: 'dhcp-cache-threshold 50;', written: false, leaseTime: 30 },
  { name: 'dhcp-cache-threshold 100 is ignored (ISC takes < 100): default 25', after: 16, threshold: 'dhcp-cache-threshold 100;', written: true, leaseTime: 60 },
]
for (const r of reuse) {
  test(`renewal: ${r.name}`, () => {
    const b = new Bench(compile(failover(r.threshold)))
    const ip = b.dora({ mac: MAC }).ack!.yiaddr
    b.clock.advance(r.after * 1000)
    const d = renew(b, ip)
    assert.equal(summarize(d)?.type, 'ACK')
    assert.equal(summarize(d)?.leaseTime, r.leaseTime)
    assert.equal(d.changes.length > 0, r.written, 'a reused lease is not written (and so sends no BNDUPD)')
    assert.equal(texts(d).some((t) => t.startsWith('reuse_lease: lease age')), !r.written)
  })
}

test('after the peer acknowledged the potential expiry, a renewal gets the desired time and tstp moves on', () => {
  const b = new Bench(compile(failover()))
  const ip = b.dora({ mac: MAC }).ack!.yiaddr
  const lease = b.store.get(addr(ip))!
  b.store.upsert({ ...lease, tsfp: NOW + 630, atsfp: NOW + 630 }, 'peer-update') // the BNDACK
  b.clock.advance(20_000)
  const d = renew(b, ip)
  assert.equal(summarize(d)?.leaseTime, 600)
  const l = b.store.get(addr(ip))
  assert.equal(l?.ends, NOW + 20 + 600)
  assert.equal(l?.tstp, NOW + 20 + 600 + 300)
  assert.equal(l?.tsfp, NOW + 630, 'tsfp only moves with the peer')
})

test('a potential expiry lowered below the agreed one lowers the local tsfp too', () => {
  const b = new Bench(compile(failover()))
  const ip = b.dora({ mac: MAC }).ack!.yiaddr
  const lease = b.store.get(addr(ip))!
  b.store.upsert({ ...lease, tsfp: NOW + 5000, atsfp: NOW + 5000 }, 'peer-update')
  b.clock.advance(20_000)
  b.send({ type: 'REQUEST', mac: MAC, ciaddr: ip, leaseTime: 100 })
  const l = b.store.get(addr(ip))
  assert.equal(l?.tstp, NOW + 20 + 100 + 50)
  assert.equal(l?.tsfp, NOW + 20 + 100 + 50)
})

test('DHCPRELEASE in a failover pool announces potential expiry = now', () => {
  const b = new Bench(compile(failover()))
  const ip = b.dora({ mac: MAC }).ack!.yiaddr
  b.clock.advance(30_000)
  b.send({ type: 'RELEASE', mac: MAC, ciaddr: ip, serverId: '10.0.10.251' })
  const l = b.store.get(addr(ip))
  assert.equal(l?.bindingState, 'released')
  assert.equal(l?.tstp, NOW + 30)
})

test('outside failover the threshold applies too (ISC), and no tstp is recorded', () => {
  const b = new Bench(compile('default-lease-time 600; subnet 10.0.10.0 netmask 255.255.255.0 { range 10.0.10.10 10.0.10.20; }'))
  const ip = b.dora({ mac: MAC }).ack!.yiaddr
  assert.equal(b.store.get(addr(ip))?.tstp, undefined)
  b.clock.advance(100_000)
  const d = renew(b, ip)
  assert.equal(d.changes.length, 0)
  assert.equal(summarize(d)?.leaseTime, 500)
  b.clock.advance(100_000)
  assert.equal(renew(b, ip).changes.length, 1)
})
