/** An UPDREQ answer whose last outstanding BNDUPD loses a duel still ends with UPDDONE (§2.7, §3.3.3). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { FailoverPeerState, LeaseChange } from '../../src/core/lease.js'
import { LeaseUpdates, type UpdateLink } from '../../src/daemon/failover-updates.js'
import type { Logger } from '../../src/daemon/logger.js'
import { MessageType } from '../../src/protocol/failover/constants.js'
import type { FailoverMessage } from '../../src/protocol/failover/message.js'
import { bareMessage, bndupdMessage } from '../../src/protocol/failover/messages.js'
import { bindingOf } from '../../src/daemon/failover-bindings.js'

const T = 1_800_000_000
const A = 0xc612460a

test('UPDDONE goes out when the peer\'s dueling update wins over our last outstanding BNDUPD', async () => {
  const store = new InMemoryLeaseStore()
  const hw = { htype: 1, address: Buffer.from('020000000001', 'hex') }
  store.upsert({ address: A, bindingState: 'active', starts: T, ends: T + 60, cltt: T, hardware: hw }, 'allocate')
  const sent: FailoverMessage[] = []
  let xid = 1
  const link: UpdateLink = { send: (m) => void sent.push(m), nextBndupdXid: () => xid++ }
  const log: Logger = { enabled: () => true, log: () => undefined, flush: () => undefined }
  const updates = new LeaseUpdates({
    name: 'fo', role: 'secondary', log, ranges: [[A, A]], clock: () => T + 5,
    db: { store, peerStates: () => new Map<string, FailoverPeerState>(), recordPeerState: async () => undefined, commit: async (_c: readonly LeaseChange[]) => undefined },
    link: () => link, state: () => 'partner-down', onLeaseChange: () => undefined,
    balance: { maxLeaseMisbalance: 15, maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600 }, hba: () => undefined,
  })
  updates.linkUp(10)
  updates.updateRequest(bareMessage(MessageType.UPDREQALL, { time: T + 5, xid: 77 }))
  assert.deepEqual(sent.map((m) => m.type), [MessageType.BNDUPD])
  // The peer's own ACTIVE for the same client with a later cltt wins the duel (§2.7 rule 1).
  const theirs = bindingOf({ address: A, bindingState: 'active', starts: T + 4, ends: T + 64, cltt: T + 4, hardware: hw })
  updates.received(link, bndupdMessage({ time: T + 5, xid: 900 }, theirs))
  await updates.settled()
  const done = sent.find((m) => m.type === MessageType.UPDDONE)
  assert.ok(done, `sent: ${sent.map((m) => m.type).join(',')}`)
  assert.equal(done.xid, 77)
})
