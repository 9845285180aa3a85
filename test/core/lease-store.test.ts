import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InMemoryLeaseStore, expiryTimeOf, type LeaseStore } from '../../src/core/lease-store.js'
import { ExpiryHeap } from '../../src/core/expiry-heap.js'
import { NEVER, type Lease } from '../../src/core/lease.js'
import { seededRandom } from '../helpers/memory-file-system.js'

const mac = (n: number): Buffer => Buffer.from([0x02, 0, 0, 0, (n >> 8) & 255, n & 255])
const uid = (n: number): Buffer => Buffer.concat([Buffer.from([1]), mac(n)])

function active(address: number, n: number, ends: number): Lease {
  return {
    address,
    bindingState: 'active',
    nextBindingState: 'free',
    starts: ends - 600,
    ends,
    cltt: ends - 600,
    hardware: { htype: 1, address: mac(n) },
    uid: uid(n),
    clientHostname: `host-${n}`,
  }
}

/** The contract every LeaseStore passes (Kea's generic_lease_mgr_unittest idea). */
function contract(name: string, make: () => LeaseStore): void {
  test(`${name}: get/upsert/remove and the change records`, () => {
    const s = make()
    const l = active(0x0a000001, 1, 1000)
    const c1 = s.upsert(l, 'allocate')
    assert.deepEqual(c1, { address: 0x0a000001, before: undefined, after: l, reason: 'allocate' })
    assert.deepEqual(s.get(0x0a000001), l)
    assert.equal(s.size, 1)
    const renewed = { ...l, ends: 2000 }
    const c2 = s.upsert(renewed, 'renew')
    assert.deepEqual(c2.before, l)
    assert.deepEqual(s.get(0x0a000001), renewed)
    assert.equal(s.size, 1)
    const c3 = s.remove(0x0a000001)
    assert.deepEqual(c3.before, renewed)
    assert.equal(c3.after, undefined)
    assert.equal(s.get(0x0a000001), undefined)
    assert.equal(s.size, 0)
    assert.equal(s.remove(0x0a000001).before, undefined)
  })

  test(`${name}: addresses above 2^31 and every optional field survive`, () => {
    const s = make()
    const l: Lease = {
      address: 0xc0a80a32,
      bindingState: 'expired',
      nextBindingState: 'free',
      rewindBindingState: 'active',
      starts: 1, ends: NEVER, tstp: 3, tsfp: 4, atsfp: 5, cltt: 6,
      reserved: true,
      dynamicBootp: true,
      hardware: { htype: 32, address: Buffer.alloc(16, 0xab) },
      uid: Buffer.from('ff00ff', 'hex'),
      clientHostname: 'ünïcode',
      statements: [{ kind: 'set', text: 'set a = "b";' }, { kind: 'on', text: 'on expiry {\n  }' }],
    }
    s.upsert(l)
    assert.deepEqual(s.get(0xc0a80a32), l)
  })

  test(`${name}: lookups by hardware address and client id, across updates`, () => {
    const s = make()
    s.upsert(active(1, 7, 100))
    s.upsert(active(2, 7, 100)) // same client in another subnet
    s.upsert(active(3, 8, 100))
    const by7 = s.getByHardware({ htype: 1, address: mac(7) }).map((l) => l.address).sort()
    assert.deepEqual(by7, [1, 2])
    assert.deepEqual(s.getByHardware({ htype: 6, address: mac(7) }), [], 'type is part of the key')
    assert.deepEqual(s.getByClientId(uid(8)).map((l) => l.address), [3])
    // Change lease 2's identity: indexes follow.
    s.upsert({ ...active(2, 9, 100) })
    assert.deepEqual(s.getByHardware({ htype: 1, address: mac(7) }).map((l) => l.address), [1])
    assert.deepEqual(s.getByClientId(uid(9)).map((l) => l.address), [2])
    s.upsert({ address: 1, bindingState: 'free' })
    assert.deepEqual(s.getByHardware({ htype: 1, address: mac(7) }), [])
    assert.deepEqual(s.getByClientId(uid(7)), [])
  })

  test(`${name}: expiring() lists due leases earliest first, bounded, without changing them`, () => {
    const s = make()
    s.upsert(active(1, 1, 300))
    s.upsert(active(2, 2, 100))
    s.upsert(active(3, 3, 200))
    s.upsert({ address: 4, bindingState: 'released', ends: 50, atsfp: 50 })
    s.upsert({ address: 5, bindingState: 'expired', ends: 60, tsfp: 400, atsfp: 400 }) // waits for the peer
    s.upsert({ address: 6, bindingState: 'free', ends: 10 })
    s.upsert({ address: 7, bindingState: 'active', ends: NEVER })
    s.upsert({ address: 8, bindingState: 'expired', ends: 20, tsfp: 30 }) // never acknowledged: not by time
    assert.deepEqual(s.expiring(250, 10).map((l) => l.address), [4, 2, 3])
    assert.deepEqual(s.expiring(250, 2).map((l) => l.address), [4, 2])
    assert.deepEqual(s.expiring(1000, 10).map((l) => l.address), [4, 2, 3, 1, 5])
    assert.equal(s.nextExpiryAt(), 50)
    s.upsert({ ...active(2, 2, 500) })
    assert.deepEqual(s.expiring(250, 10).map((l) => l.address), [4, 3])
    s.remove(4)
    assert.equal(s.nextExpiryAt(), 200)
  })

  test(`${name}: counts per state and iteration`, () => {
    const s = make()
    s.upsert(active(1, 1, 1))
    s.upsert({ address: 2, bindingState: 'backup' })
    s.upsert({ address: 3, bindingState: 'bootp' })
    s.upsert({ address: 4, bindingState: 'abandoned' })
    s.upsert({ address: 4, bindingState: 'free', hardware: { htype: 1, address: mac(4) } })
    const counts = s.countsByState()
    assert.deepEqual(
      { ...counts },
      { free: 1, active: 2, expired: 0, released: 0, abandoned: 0, reset: 0, backup: 1, bootp: 0 },
    )
    assert.deepEqual([...s.leases()].map((l) => l.address).sort(), [1, 2, 3, 4])
    assert.equal(s.get(3)!.dynamicBootp, true, 'legacy bootp is stored as active + flag')
  })
}

contract('InMemoryLeaseStore', () => new InMemoryLeaseStore({ initialCapacity: 4 }))

test('InMemoryLeaseStore: randomized churn agrees with a Map model (growth, slot reuse, arena compaction)', () => {
  const rnd = seededRandom(1)
  const s = new InMemoryLeaseStore({ initialCapacity: 8 })
  const model = new Map<number, Lease>()
  for (let i = 0; i < 60_000; i++) {
    const a = Math.floor(rnd() * 3000)
    if (rnd() < 0.15) {
      s.remove(a)
      model.delete(a)
      continue
    }
    const l: Lease = {
      ...active(a, Math.floor(rnd() * 500), 1000 + Math.floor(rnd() * 1000)),
      clientHostname: 'x'.repeat(Math.floor(rnd() * 200)),
    }
    s.upsert(l)
    model.set(a, l)
  }
  assert.equal(s.size, model.size)
  for (const [a, l] of model) assert.deepEqual(s.get(a), l)
  for (let n = 0; n < 500; n++) {
    const want = [...model.values()].filter((l) => l.hardware!.address.equals(mac(n))).map((l) => l.address).sort()
    assert.deepEqual(s.getByHardware({ htype: 1, address: mac(n) }).map((l) => l.address).sort(), want)
  }
  const due = [...model.values()].map((l) => [expiryTimeOf(l)!, l.address] as const).filter(([t]) => t <= 1500)
  const got = s.expiring(1500, 1_000_000)
  assert.equal(got.length, due.length)
  for (let i = 1; i < got.length; i++) assert.ok(expiryTimeOf(got[i - 1]!)! <= expiryTimeOf(got[i]!)!)
  assert.ok(s.memoryFootprint().arenaGarbage < s.memoryFootprint().arena)
})

test('ExpiryHeap: set/remove/earliest agree with sorting', () => {
  const rnd = seededRandom(3)
  const h = new ExpiryHeap(4)
  h.growSlots(1000)
  const model = new Map<number, number>()
  for (let i = 0; i < 20_000; i++) {
    const slot = Math.floor(rnd() * 1000)
    if (rnd() < 0.3) {
      h.remove(slot)
      model.delete(slot)
    } else {
      const t = Math.floor(rnd() * 10_000)
      h.set(slot, t)
      model.set(slot, t)
    }
  }
  const sorted = [...model].sort((a, b) => a[1] - b[1])
  assert.equal(h.size, model.size)
  assert.equal(h.peekTime(), sorted[0]![1])
  const got = h.earliest(5000, 100_000).map((s) => model.get(s)!)
  assert.deepEqual(got, sorted.filter(([, t]) => t <= 5000).map(([, t]) => t))
})

test('the store keeps the canonical form: a next/rewind state equal to the binding state is dropped', () => {
  const s = new InMemoryLeaseStore()
  const change = s.upsert({ address: 1, bindingState: 'free', nextBindingState: 'free', rewindBindingState: 'free' })
  assert.deepEqual(change.after, { address: 1, bindingState: 'free' })
  assert.deepEqual(s.get(1), { address: 1, bindingState: 'free' })
})
