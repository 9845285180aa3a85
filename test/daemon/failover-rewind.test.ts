/**
 * Where the `rewind binding state` is recorded outside the engine (failover-protocol.md §4.4,
 * dhcpd failover.c): at BNDUPD transmission (the state sent, durable before the message leaves:
 * the peer may act on it without its ack reaching us), on an accepted peer BNDUPD (the state
 * stored), on the BNDACK that frees an EXPIRED/RELEASED lease (FREE); and that dhcpd.leases
 * carries it (`rewind binding state X;` only when it differs) across a restart.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bindingStateCode, type Lease } from '../../src/core/lease.js'
import { LeaseUpdates, type UpdateLink } from '../../src/daemon/failover-updates.js'
import type { Logger } from '../../src/daemon/logger.js'
import { HeldDb } from '../helpers/held-lease-db.js'
import { MessageType } from '../../src/protocol/failover/constants.js'
import type { FailoverMessage } from '../../src/protocol/failover/message.js'
import { bndackMessage, bndupdMessage, viewBinding } from '../../src/protocol/failover/messages.js'
import { LeaseDatabase } from '../../src/persistence/lease-database.js'
import { parseLeaseFile } from '../../src/persistence/lease-file-parse.js'
import { formatLease } from '../../src/persistence/lease-file-format.js'
import { MemoryFileSystem } from '../helpers/memory-file-system.js'

const BASE = 0xc6124600 // 198.18.70.0
const NOW = 1_800_000_000
const A = BASE + 10
const MAC = Buffer.from('020000000001', 'hex')

const silent: Logger = { enabled: () => true, log: () => undefined, flush: () => undefined }

function setup(role: 'primary' | 'secondary' = 'primary'): { updates: LeaseUpdates; db: HeldDb; sent: FailoverMessage[]; link: UpdateLink } {
  const db = new HeldDb()
  const sent: FailoverMessage[] = []
  let xid = 0
  const link: UpdateLink = { send: (m) => void sent.push(m), nextBndupdXid: () => ++xid }
  const updates = new LeaseUpdates({
    name: 'fo', role, db, log: silent, ranges: [[BASE + 10, BASE + 40]], clock: () => NOW,
    link: () => link, state: () => 'normal', onLeaseChange: () => undefined,
    balance: { maxLeaseMisbalance: 15, maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600 }, hba: () => undefined,
  })
  updates.linkUp(10)
  return { updates, db, sent, link }
}

/** A binding we made in COMMUNICATIONS-INTERRUPTED and never announced. */
const unannounced: Lease = {
  address: A, bindingState: 'active', nextBindingState: 'expired', rewindBindingState: 'free',
  starts: NOW - 30, ends: NOW + 30, tstp: NOW + 300, cltt: NOW - 30, hardware: { htype: 1, address: MAC },
}

test('BNDUPD transmission steps the rewind state to the state sent, and the step is durable before the BNDUPD leaves', async () => {
  const { updates, db, sent } = setup()
  const change = db.store.upsert(unannounced, 'allocate')
  updates.leasesCommitted([change])
  assert.equal(db.store.get(A)?.rewindBindingState, undefined, 'stepped at once in memory: nothing can rewind it now')
  assert.equal(sent.length, 0, 'not sent before the step is written')
  assert.equal(db.held.length, 1)
  assert.equal(db.held[0]?.changes[0]?.after?.rewindBindingState, undefined)
  assert.equal(db.held[0]?.changes[0]?.after?.bindingState, 'active')
  db.held[0]?.resolve()
  await updates.settled()
  assert.equal(sent.length, 1)
  assert.equal(sent[0]?.type, MessageType.BNDUPD)
  assert.equal(viewBinding(sent[0]!).status, bindingStateCode('active'))
  assert.equal(updates.counters.sent, 1)
})

test('a lease whose rewind state already is its binding state goes out at once (no extra write)', async () => {
  const { updates, db, sent } = setup()
  const change = db.store.upsert({ ...unannounced, rewindBindingState: undefined }, 'allocate')
  updates.leasesCommitted([change])
  assert.equal(sent.length, 1)
  assert.equal(db.held.length, 0)
})

test('a failed write of the rewind step keeps the BNDUPD back (queued again, not sent)', async () => {
  const { updates, db, sent } = setup()
  updates.leasesCommitted([db.store.upsert(unannounced, 'allocate')])
  db.held[0]?.reject(new Error('disk full'))
  await updates.settled()
  assert.equal(sent.length, 0)
  assert.deepEqual(updates.backlog, { pending: 1, unacked: 0 })
  // the next run writes the step again (the lost write may have been the only one) and sends after it
  updates.pump()
  assert.equal(sent.length, 0)
  assert.equal(db.held.length, 2)
  db.held[1]?.resolve()
  await updates.settled()
  assert.equal(sent.length, 1)
  // once durable, later BNDUPDs of the address need no extra write
  updates.bindingAck(bndackMessage({ time: NOW, xid: sent[0]!.xid }, A))
  const writes = db.held.length // the ack's own write (tsfp/atsfp)
  updates.leasesCommitted([db.store.upsert({ ...db.store.get(A)!, cltt: NOW }, 'renew')])
  assert.equal(sent.length, 2, 'sent at once')
  assert.equal(db.held.length, writes)
})

test('an accepted peer BNDUPD sets the rewind state to the state stored', async () => {
  const { updates, db, sent, link } = setup('secondary')
  db.store.upsert({ ...unannounced, bindingState: 'active', rewindBindingState: 'backup' }, 'allocate')
  updates.received(link, bndupdMessage({ time: NOW, xid: 7 }, {
    address: A, status: bindingStateCode('expired'), clientId: undefined, chaddr: Buffer.concat([Buffer.from([1]), MAC]),
    ends: NOW, potentialExpiry: NOW, stos: NOW - 30, cltt: NOW - 30,
  }))
  const stored = db.store.get(A)
  assert.equal(stored?.bindingState, 'free', 'the peer\'s EXPIRED is stored as FREE')
  assert.equal(stored?.rewindBindingState, undefined, 'rewind = FREE, the state stored')
  db.held[0]?.resolve()
  await updates.settled()
  assert.equal(sent.at(-1)?.type, MessageType.BNDACK)
})

test('the BNDACK that frees our EXPIRED lease sets the rewind state to FREE', async () => {
  const { updates, db, sent } = setup()
  db.store.upsert({ ...unannounced, bindingState: 'expired', nextBindingState: 'free', rewindBindingState: 'active', tstp: NOW, atsfp: undefined }, 'expire')
  updates.queueLeases(false)
  updates.pump()
  assert.equal(db.store.get(A)?.rewindBindingState, undefined, 'EXPIRED, as sent')
  db.held[0]?.resolve()
  await updates.settled()
  const upd = sent[0]!
  updates.bindingAck(bndackMessage({ time: NOW, xid: upd.xid }, A))
  const freed = db.store.get(A)
  assert.equal(freed?.bindingState, 'free')
  assert.equal(freed?.rewindBindingState, undefined)
})

test('dhcpd.leases: `rewind binding state` is written only when it differs, read back, and survives a restart', async () => {
  const text = formatLease(unannounced)
  assert.match(text, /\n {2}binding state active;\n {2}next binding state expired;\n {2}rewind binding state free;\n/)
  assert.doesNotMatch(formatLease({ ...unannounced, rewindBindingState: 'active' }), /rewind/)
  assert.equal(parseLeaseFile(text).leases[0]?.rewindBindingState, 'free')
  // ISC writes it for a RELEASED lease the peer still believes ACTIVE, too
  const isc = 'lease 198.18.70.11 {\n  binding state released;\n  next binding state free;\n  rewind binding state active;\n  hardware ethernet 02:00:00:00:00:02;\n}\n'
  const parsed = parseLeaseFile(isc).leases[0]
  assert.equal(parsed?.rewindBindingState, 'active')
  assert.equal(formatLease(parsed!), isc)

  const fs = new MemoryFileSystem()
  const db = await LeaseDatabase.open(fs, '/leases')
  await db.commit([db.store.upsert(unannounced, 'allocate'), db.store.upsert({ ...unannounced, address: A + 1, rewindBindingState: 'active' }, 'allocate')])
  await db.close()
  const reopened = await LeaseDatabase.open(fs.crashImage(), '/leases')
  assert.equal(reopened.store.get(A)?.rewindBindingState, 'free')
  assert.equal(reopened.store.get(A + 1)?.rewindBindingState, undefined)
  assert.equal((fs.contents('/leases').match(/rewind binding state/g) ?? []).length, 1)
  await reopened.close()
})
