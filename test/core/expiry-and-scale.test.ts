import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import { Bench, compile, summarize } from './harness.js'

const conf = (first: string, last: string, mask = '255.255.0.0', net = '10.20.0.0'): string => `
authoritative;
default-lease-time 600;
max-lease-time 600;
subnet ${net} netmask ${mask} {
  range ${first} ${last};
}`

function mac(i: number): string {
  return ['02', '00', (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255]
    .map((b) => (typeof b === 'string' ? b : b.toString(16).padStart(2, '0')))
    .join(':')
}

test('expired leases are reclaimed in bounded batches driven by now, and become allocatable', () => {
  const b = new Bench(compile(conf('10.20.0.10', '10.20.0.34')), { iface: { name: 'eth0', addresses: ['10.20.0.1'] } })
  for (let i = 0; i < 25; i++) assert.equal(b.dora({ mac: mac(i) }).ack?.type, 'ACK')
  assert.equal(b.send({ type: 'DISCOVER', mac: mac(100) }).events[0]?.id, 'DHCP_NO_FREE_LEASES')

  b.clock.advance(599_000)
  assert.equal(b.pipeline.reclaimExpired(b.clock.now(), 10).changes.length, 0, 'nothing is due before ends')
  b.clock.advance(1_000)
  const batches: number[] = []
  for (;;) {
    const r = b.pipeline.reclaimExpired(b.clock.now(), 10)
    batches.push(r.changes.length)
    for (const c of r.changes) assert.equal(c.after?.bindingState, 'free')
    if (!r.more) break
  }
  assert.deepEqual(batches, [10, 10, 5])
  assert.equal(b.store.countsByState().free, 25)
  // A new client gets the lease that has been free longest (all equal: lowest address first).
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: mac(100) }))?.yiaddr, '10.20.0.10')
})

test('free leases loaded from a lease store are offered oldest-freed first', () => {
  const store = new InMemoryLeaseStore()
  const t = Date.UTC(2024, 0, 1) / 1000
  store.upsert({ address: 0x0a14000b, bindingState: 'free', ends: t - 100 })
  store.upsert({ address: 0x0a14000a, bindingState: 'free', ends: t - 50 })
  store.upsert({ address: 0x0a14000c, bindingState: 'active', ends: t + 500, hardware: { htype: 1, address: Buffer.from('020000000009', 'hex') } })
  const b = new Bench(compile(conf('10.20.0.10', '10.20.0.14')), { iface: { name: 'eth0', addresses: ['10.20.0.1'] }, store })
  const got = [1, 2, 3, 4, 5].map((i) => b.dora({ mac: mac(i) }).ack?.yiaddr)
  // Never-used first (lowest), then the free ones by age; .12 is someone's active lease.
  assert.deepEqual(got, ['10.20.0.13', '10.20.0.14', '10.20.0.11', '10.20.0.10', undefined])
})

test('a 65k-address pool serves 40k clients (DORA each), every address distinct', () => {
  const b = new Bench(compile(conf('10.20.0.1', '10.20.255.254')), { iface: { name: 'eth0', addresses: ['10.20.0.1'] } })
  const seen = new Set<string>()
  const started = process.hrtime.bigint()
  for (let i = 0; i < 40_000; i++) {
    const ack = b.dora({ mac: mac(i) }).ack
    assert.ok(ack !== undefined && ack.type === 'ACK')
    seen.add(ack.yiaddr)
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  assert.equal(seen.size, 40_000)
  assert.equal(b.store.size, 40_000)
  // Loose report only; bench/engine.ts measures.
  console.log(`# 40k DORA in ${ms.toFixed(0)} ms`)
})
