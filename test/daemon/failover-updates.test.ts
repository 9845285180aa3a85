/**
 * Receiving BNDUPDs (LeaseUpdates.received): the updates in flight are applied at once and
 * their journal commits overlap (one group commit can cover them all), while every BNDACK
 * still waits for its own binding to be durable and the replies keep arrival order, rejects
 * included.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LeaseUpdates, type UpdateLink } from '../../src/daemon/failover-updates.js'
import type { Logger } from '../../src/daemon/logger.js'
import { HeldDb } from '../helpers/held-lease-db.js'
import { MessageType } from '../../src/protocol/failover/constants.js'
import type { FailoverMessage } from '../../src/protocol/failover/message.js'
import { bndupdMessage, viewBinding } from '../../src/protocol/failover/messages.js'
import { bindingStateCode } from '../../src/core/lease.js'

const BASE = 0xc6124600 // 198.18.70.0
const NOW = 1_800_000_000

const silent: Logger = { enabled: () => true, log: () => undefined, flush: () => undefined }

function setup(): { updates: LeaseUpdates; db: HeldDb; sent: FailoverMessage[]; link: UpdateLink } {
  const db = new HeldDb()
  const sent: FailoverMessage[] = []
  const link: UpdateLink = { send: (m) => void sent.push(m), nextBndupdXid: () => 1 }
  const updates = new LeaseUpdates({
    name: 'fo', role: 'secondary', db, log: silent, ranges: [[BASE + 10, BASE + 40]], clock: () => NOW,
    link: () => link, state: () => 'normal', onLeaseChange: () => undefined,
    balance: { maxLeaseMisbalance: 15, maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600 }, hba: () => undefined,
  })
  return { updates, db, sent, link }
}

function backupUpdate(xid: number, address: number): FailoverMessage {
  return bndupdMessage({ time: NOW, xid }, {
    address, status: bindingStateCode('backup'), clientId: undefined, chaddr: undefined,
    ends: 0, potentialExpiry: NOW, stos: NOW, cltt: undefined,
  })
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

test('BNDUPDs in flight are stored at once and committed concurrently; each BNDACK waits for its commit', async () => {
  const { updates, db, sent, link } = setup()
  for (let i = 0; i < 5; i++) updates.received(link, backupUpdate(100 + i, BASE + 10 + i))
  await tick()
  assert.equal(db.held.length, 5, 'all five commits started before the first one finished')
  for (let i = 0; i < 5; i++) assert.equal(db.store.get(BASE + 10 + i)?.bindingState, 'backup')
  assert.equal(sent.length, 0, 'no BNDACK before its binding is durable')
  db.held[0]?.resolve()
  db.held[1]?.resolve()
  await tick()
  await tick()
  assert.deepEqual(sent.map((m) => m.xid), [100, 101])
  for (const h of db.held.slice(2)) h.resolve()
  await updates.settled()
  assert.deepEqual(sent.map((m) => m.xid), [100, 101, 102, 103, 104])
  assert.ok(sent.every((m) => m.type === MessageType.BNDACK && viewBinding(m).rejectReason === undefined))
})

test('replies keep arrival order: a reject waits behind an earlier pending BNDACK, a failed commit is rejected', async () => {
  const { updates, db, sent, link } = setup()
  updates.received(link, backupUpdate(1, BASE + 10))
  updates.received(link, backupUpdate(2, BASE + 200)) // outside the relationship: rejected at once
  updates.received(link, backupUpdate(3, BASE + 11))
  await tick()
  assert.equal(sent.length, 0, 'the reject of xid 2 does not overtake the BNDACK of xid 1')
  db.held[1]?.reject(new Error('disk full'))
  db.held[0]?.resolve()
  await updates.settled()
  assert.deepEqual(sent.map((m) => m.xid), [1, 2, 3])
  assert.deepEqual(sent.map((m) => viewBinding(m).rejectReason !== undefined), [false, true, true])
})
