/** Lease ↔ BNDUPD binding conversion and relationship ranges (failover-protocol.md §1.5, §2.4). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bindingOf, inRanges, leaseFromBinding, potentialExpiry } from '../../src/daemon/failover-bindings.js'
import type { Lease } from '../../src/core/lease.js'
import { viewBinding, bndupdMessage } from '../../src/protocol/failover/messages.js'

const T = 1_800_000_000
const MAC = Buffer.from('027000000006', 'hex')
const active: Lease = { address: 0xc6124614, bindingState: 'active', starts: T, ends: T + 60, cltt: T, hardware: { htype: 1, address: MAC }, uid: Buffer.from('01027000000006', 'hex') }

test('an ACTIVE lease becomes status 2 with 01+MAC, client-id, ends, potential expiry ends + granted/2, starts, cltt', () => {
  const b = bindingOf(active)
  assert.equal(b.status, 2)
  assert.equal(b.chaddr?.toString('hex'), '01027000000006')
  assert.equal(b.clientId?.toString('hex'), '01027000000006')
  assert.equal(b.ends, T + 60)
  assert.equal(b.potentialExpiry, T + 90)
  assert.equal(b.stos, T)
  assert.equal(b.cltt, T)
})

test('a recorded tstp wins; BACKUP without ends announces its tstp; ABANDONED carries no client identity', () => {
  assert.equal(potentialExpiry({ ...active, tstp: T + 630 }), T + 630)
  assert.equal(potentialExpiry({ address: 1, bindingState: 'backup', starts: T, tstp: T }), T)
  const b = bindingOf({ ...active, bindingState: 'abandoned' })
  assert.equal(b.chaddr, undefined)
  assert.equal(b.clientId, undefined)
})

test('received bindings: RELEASED is stored as FREE; tsfp/atsfp = potential expiry; a missing client-id is forgotten unless FREE/BACKUP', () => {
  const msg = bndupdMessage({ time: T, xid: 1 }, { ...bindingOf(active), clientId: undefined })
  const view = viewBinding(msg)
  const address = view.address ?? 0
  const stored = leaseFromBinding({ ...view, address }, 'active', active)
  assert.equal(stored.bindingState, 'active')
  assert.equal(stored.uid, undefined)
  assert.equal(stored.tsfp, T + 90)
  assert.equal(stored.atsfp, T + 90)
  assert.equal(stored.nextBindingState, 'expired', 'ends into EXPIRED (as our own grants), never straight to FREE')
  assert.equal(stored.hardware?.address.toString('hex'), '027000000006')
  const released = leaseFromBinding({ ...view, address }, 'released', active)
  assert.equal(released.bindingState, 'free')
  assert.equal(released.nextBindingState, undefined)
  const backup = leaseFromBinding({ ...viewBinding(bndupdMessage({ time: T, xid: 2 }, { address, status: 7, ends: 0, potentialExpiry: T, stos: T })), address }, 'backup', active)
  assert.equal(backup.bindingState, 'backup')
  assert.equal(backup.uid?.toString('hex'), '01027000000006')
  assert.equal(backup.ends, undefined)
})

test('a received binding counts as known to the peer: tstp = tsfp = atsfp = its potential expiry, so it is not un-acked', () => {
  // The peer announced its lease's ends as the potential expiry (a tstp recorded before a renewal);
  // our own older tstp (pool balancing) and the ends + granted/2 fallback must not make it "ours to send".
  const theirs = { ...active, starts: T + 30, ends: T + 90, cltt: T + 30, tstp: T + 90 }
  const view = viewBinding(bndupdMessage({ time: T + 30, xid: 3 }, bindingOf(theirs)))
  assert.equal(view.potentialExpiry, T + 90)
  const stored = leaseFromBinding({ ...view, address: view.address ?? 0 }, 'active', { ...active, tstp: T - 100 })
  assert.equal(stored.tstp, T + 90)
  assert.equal(stored.atsfp, T + 90)
  assert.ok(potentialExpiry(stored) <= (stored.atsfp ?? 0), 'not re-sent on the next entry to NORMAL')
})

test('inRanges is inclusive at both ends', () => {
  const r = [[10, 20] as const, [30, 30] as const]
  assert.deepEqual([9, 10, 20, 21, 30, 31].map((a) => inRanges(r, a)), [false, true, true, false, true, false])
})
