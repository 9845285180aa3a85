/**
 * PARTNER-DOWN in the failover peer driver: the operator command (persisted before it takes
 * effect, ISC's log line, a clear error when repeated), the entry action on EXPIRED/RELEASED
 * leases (journalled), leases expiring during PARTNER-DOWN, and the "MCLT has passed" signal.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FailoverPeer } from '../../src/config/model.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { FailoverPeerState, LeaseChange } from '../../src/core/lease.js'
import { FailoverPeerDriver, type PeerLeaseDatabase } from '../../src/daemon/failover-peer.js'
import type { Logger } from '../../src/daemon/logger.js'

const NAME = 'fo-pd'
const BASE = 0xc6124600
const T0 = 1_800_000_000

function peerConfig(autoPartnerDown = 0): FailoverPeer {
  return {
    name: NAME, loc: { file: 'test', line: 1, col: 1 }, role: 'primary',
    address: '198.18.70.1', port: 647, peerAddress: '198.18.70.2', peerPort: 647,
    maxResponseDelay: 30, maxUnackedUpdates: 10, mclt: 60, split: 128, hba: undefined,
    loadBalanceMaxSeconds: 3, maxLeaseMisbalance: 15, maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600, autoPartnerDown,
  }
}

class MemoryDb implements PeerLeaseDatabase {
  readonly store = new InMemoryLeaseStore()
  readonly states = new Map<string, FailoverPeerState>()
  readonly committed: LeaseChange[] = []
  failPersist = false
  peerStates(): ReadonlyMap<string, FailoverPeerState> {
    return this.states
  }
  async recordPeerState(s: FailoverPeerState): Promise<void> {
    if (this.failPersist) throw new Error('disk full')
    this.states.set(s.name, s)
  }
  async commit(changes: readonly LeaseChange[]): Promise<void> {
    this.committed.push(...changes)
  }
}

async function driver(opts: { autoPartnerDown?: number } = {}): Promise<{ d: FailoverPeerDriver; db: MemoryDb; logs: string[]; clock: { now: number } }> {
  const db = new MemoryDb()
  db.states.set(NAME, { name: NAME, myState: 'normal', myStateAt: T0 - 500, partnerState: 'normal', partnerStateAt: T0 - 500 })
  const logs: string[] = []
  const log: Logger = { enabled: () => true, log: (_l, _id, text) => void logs.push(text), flush: () => undefined }
  const clock = { now: T0 }
  const d = new FailoverPeerDriver(peerConfig(opts.autoPartnerDown), db, log, [[BASE + 10, BASE + 40]], {
    clock: () => clock.now,
    transport: () => ({ start: async () => undefined, setLinked: () => undefined, close: async () => undefined }),
    pollMs: 0,
  })
  await d.start()
  // No peer: the 15 s STARTUP timer applies the communications-failed rule to the saved NORMAL.
  clock.now += 15
  d.poll()
  await d.settled()
  return { d, db, logs, clock }
}

test('partnerDown(): persisted, logged in ISC wording, then refused while already partner-down', async () => {
  const { d, db, logs, clock } = await driver()
  assert.equal(d.state, 'communications-interrupted')
  const r = await d.partnerDown()
  assert.deepEqual(r, { ok: true, state: 'partner-down', previous: 'communications-interrupted' })
  assert.equal(d.state, 'partner-down')
  assert.equal(d.stateSince, clock.now)
  assert.equal(db.states.get(NAME)?.myState, 'partner-down')
  assert.equal(db.states.get(NAME)?.myStateAt, clock.now)
  assert.ok(logs.includes(`failover peer ${NAME}: I move from communications-interrupted to partner-down`), logs.join('\n'))
  const again = await d.partnerDown()
  assert.equal(again.ok, false)
  assert.equal(!again.ok && again.error, 'already-partner-down')
  await d.stop()
})

test('partnerDown(): a failed state write abandons the transition', async () => {
  const { d, db, logs } = await driver()
  db.failPersist = true
  const r = await d.partnerDown()
  assert.equal(r.ok, false)
  assert.equal(!r.ok && r.error, 'not-recorded')
  assert.equal(d.state, 'communications-interrupted')
  assert.ok(logs.some((l) => l.startsWith(`Unable to record current failover state for ${NAME}`)))
  await d.stop()
})

test('entering PARTNER-DOWN: EXPIRED/RELEASED leases get tsfp = re-use time and next state FREE, journalled; later expiries too', async () => {
  const { d, db, clock } = await driver()
  const hw = { htype: 1, address: Buffer.from('020000000001', 'hex') }
  const expired = db.store.upsert({ address: BASE + 11, bindingState: 'expired', nextBindingState: 'free', starts: T0 - 400, ends: T0 - 100, tsfp: T0 - 50, hardware: hw }, 'expire')
  db.store.upsert({ address: BASE + 12, bindingState: 'active', starts: T0 - 10, ends: T0 + 50, hardware: hw }, 'allocate')
  db.store.upsert({ address: BASE + 99, bindingState: 'released', ends: T0 - 100 }, 'release') // not in the relationship
  const seen: LeaseChange[] = []
  d.onLeaseChange = (c) => seen.push(c)
  await d.partnerDown()
  await d.stop() // waits for the journal write
  const stos = d.stateSince
  const after = db.store.get(BASE + 11)
  // max(STOS, announced ends + (ends - starts) / 2 = T0 + 50, tsfp) + MCLT
  assert.equal(after?.tsfp, Math.max(stos, T0 + 50) + 60)
  assert.equal(after?.nextBindingState, 'free')
  assert.ok(db.committed.some((c) => c.address === BASE + 11 && c.after?.tsfp === after?.tsfp), 'journalled')
  assert.ok(seen.some((c) => c.address === BASE + 11), 'the engine is told')
  assert.equal(db.store.get(BASE + 12)?.tsfp, undefined, 'active untouched')
  assert.equal(db.store.get(BASE + 99)?.tsfp, undefined, 'other relationships untouched')
  void expired
  void clock
})

test('a lease released during PARTNER-DOWN is adjusted on commit; the "MCLT passed" signal fires once', async () => {
  const { d, db, clock, logs } = await driver()
  await d.partnerDown()
  let signals = 0
  d.onPeerAddressesUsable = () => signals++
  const released = db.store.upsert({ address: BASE + 20, bindingState: 'released', starts: clock.now - 30, ends: clock.now, hardware: { htype: 1, address: Buffer.from('020000000002', 'hex') } }, 'release')
  d.leasesCommitted([released])
  assert.equal(db.store.get(BASE + 20)?.nextBindingState, 'free')
  assert.ok((db.store.get(BASE + 20)?.tsfp ?? 0) >= d.stateSince + 60)
  clock.now += 59
  d.poll()
  assert.equal(signals, 0)
  assert.deepEqual(d.ownershipView(), { state: 'partner-down', role: 'primary', stos: d.stateSince, mclt: 60, peerState: d.peerState })
  clock.now += 1
  d.poll()
  d.poll()
  assert.equal(signals, 1)
  assert.ok(logs.some((l) => l.includes('MCLT (60 s) has passed')))
  await d.stop()
})

test('auto-partner-down: N seconds of communications-interrupted move to partner-down', async () => {
  const { d, clock } = await driver({ autoPartnerDown: 30 })
  assert.equal(d.state, 'communications-interrupted')
  clock.now += 29
  d.poll()
  await d.settled()
  assert.equal(d.state, 'communications-interrupted')
  clock.now += 1
  d.poll()
  await d.settled()
  assert.equal(d.state, 'partner-down')
  await d.stop()
})

test('partnerDown() during STARTUP is refused (leaving STARTUP would keep the old STOS)', async () => {
  const db = new MemoryDb()
  db.states.set(NAME, { name: NAME, myState: 'communications-interrupted', myStateAt: T0 - 5000, partnerState: 'normal', partnerStateAt: T0 - 6000 })
  const log: Logger = { enabled: () => true, log: () => undefined, flush: () => undefined }
  const d = new FailoverPeerDriver(peerConfig(), db, log, [[BASE + 10, BASE + 40]], {
    clock: () => T0,
    transport: () => ({ start: async () => undefined, setLinked: () => undefined, close: async () => undefined }),
    pollMs: 0,
  })
  await d.start()
  assert.equal(d.state, 'startup')
  const r = await d.partnerDown()
  assert.equal(!r.ok && r.error, 'in-startup')
  assert.equal(db.states.get(NAME)?.myState, 'communications-interrupted')
  await d.stop()
})
