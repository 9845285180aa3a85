import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../src/lib/clock.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import { reclaim, reclaimExpired } from '../../src/core/expiry.js'
import type { Lease } from '../../src/core/lease.js'

const seconds = (clock: ManualClock): number => Math.floor(clock.now() / 1000)
const DAY = 86_400_000

const cases: { name: string; lease: Lease; want: Partial<Lease> }[] = [
  {
    name: 'active, no failover (next free) → free',
    lease: { address: 1, bindingState: 'active', nextBindingState: 'free', ends: 10 },
    want: { bindingState: 'free', nextBindingState: undefined },
  },
  {
    name: 'active in a failover pool (next expired) → expired, next free',
    lease: { address: 1, bindingState: 'active', nextBindingState: 'expired', ends: 10 },
    want: { bindingState: 'expired', nextBindingState: 'free' },
  },
  {
    name: 'active with no next state → free',
    lease: { address: 1, bindingState: 'active', ends: 10 },
    want: { bindingState: 'free' },
  },
  {
    name: 'active in a failover pool, acknowledged → expired with atsfp cleared',
    lease: { address: 1, bindingState: 'active', nextBindingState: 'expired', ends: 10, tsfp: 15, atsfp: 15 },
    want: { bindingState: 'expired', nextBindingState: 'free', atsfp: undefined, tsfp: 15 },
  },
  {
    name: 'released → free',
    lease: { address: 1, bindingState: 'released', nextBindingState: 'free', ends: 10 },
    want: { bindingState: 'free', nextBindingState: undefined },
  },
  {
    name: "expired on a secondary's pool (next backup) → backup",
    lease: { address: 1, bindingState: 'expired', nextBindingState: 'backup', ends: 10 },
    want: { bindingState: 'backup', nextBindingState: undefined },
  },
]

for (const c of cases) {
  test(`reclaim: ${c.name}; identity and times are kept`, () => {
    const lease: Lease = { ...c.lease, hardware: { htype: 1, address: Buffer.from('020000000001', 'hex') }, cltt: 5 }
    const out = reclaim(lease)
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(out[k as keyof Lease], v, k)
    assert.deepEqual(out.hardware, lease.hardware)
    assert.equal(out.ends, 10)
    assert.equal(out.cltt, 5)
  })
}

test('reclaimExpired: bounded batches on a ManualClock, months of leases in milliseconds', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 23))
  const store = new InMemoryLeaseStore()
  const start = seconds(clock)
  // 1000 leases of 1 hour, handed out one per minute.
  for (let i = 0; i < 1000; i++) {
    store.upsert({ address: i, bindingState: 'active', nextBindingState: 'free', starts: start + i * 60, ends: start + i * 60 + 3600 })
  }
  assert.deepEqual(reclaimExpired(store, seconds(clock), { maxLeases: 100 }), { changes: [], more: false })

  clock.advance(3600_000 + 59_000) // one lease is due (i = 0)
  let r = reclaimExpired(store, seconds(clock), { maxLeases: 100 })
  assert.equal(r.changes.length, 1)
  assert.equal(r.changes[0]!.after!.bindingState, 'free')
  assert.equal(r.changes[0]!.reason, 'expire')

  clock.advance(DAY) // everything is due: three batches of at most 400
  const sizes: number[] = []
  do {
    r = reclaimExpired(store, seconds(clock), { maxLeases: 400 })
    sizes.push(r.changes.length)
    for (const c of r.changes) assert.equal(c.before!.bindingState, 'active')
  } while (r.more)
  assert.deepEqual(sizes, [400, 400, 199])
  assert.equal(store.countsByState().free, 1000)
  assert.equal(store.nextExpiryAt(), undefined)
})

test('failover: an expired lease is freed only after the peer acknowledged it, and not before tsfp', () => {
  const clock = new ManualClock(0)
  const store = new InMemoryLeaseStore()
  store.upsert({ address: 1, bindingState: 'active', nextBindingState: 'expired', ends: 100, tsfp: 100, atsfp: 100 })
  clock.set(150_000)
  let r = reclaimExpired(store, seconds(clock), { maxLeases: 10 })
  assert.equal(r.changes[0]!.after!.bindingState, 'expired')
  assert.equal(r.changes[0]!.after!.atsfp, undefined, 'the new state is not acknowledged yet')
  // Unacknowledged (COMMUNICATIONS-INTERRUPTED: the peer may be renewing the client): never by time.
  clock.set(100_000_000)
  assert.deepEqual(reclaimExpired(store, seconds(clock), { maxLeases: 10 }).changes, [])
  assert.equal(store.nextExpiryAt(), undefined)
  // The peer's BNDACK records the agreed potential expiry; the lease is freed once it has passed.
  store.upsert({ ...store.get(1)!, tsfp: 200_000, atsfp: 200_000 })
  assert.deepEqual(reclaimExpired(store, seconds(clock), { maxLeases: 10 }).changes, [])
  clock.set(200_000_000)
  r = reclaimExpired(store, seconds(clock), { maxLeases: 10 })
  assert.equal(r.changes[0]!.after!.bindingState, 'free')
})
