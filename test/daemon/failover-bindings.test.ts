/** Lease ↔ BNDUPD binding conversion and relationship ranges (failover-protocol.md §1.5, §2.4). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bindingOf, inRanges, leaseFromBinding } from '../../src/daemon/failover-bindings.js'
import { potentialExpiry } from '../../src/ha/failover/announced-expiry.js'
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

test('an ACTIVE update for the client we hold ACTIVE never shortens our grant (simulation guard); another client\'s replaces it', () => {
  const ours: Lease = { ...active, ends: T + 600, tsfp: T + 900, cltt: T + 5 }
  const older = viewBinding(bndupdMessage({ time: T, xid: 3 }, bindingOf(active)))
  const kept = leaseFromBinding({ ...older, address: active.address }, 'active', ours)
  assert.equal(kept.ends, T + 600)
  assert.equal(kept.tsfp, T + 900)
  assert.equal(kept.atsfp, T + 90, 'atsfp is what the peer sent')
  assert.equal(kept.cltt, T + 5)
  const other = viewBinding(bndupdMessage({ time: T, xid: 4 }, bindingOf({ ...active, hardware: { htype: 1, address: Buffer.from('027000000007', 'hex') }, uid: undefined })))
  const replaced = leaseFromBinding({ ...other, address: active.address }, 'active', ours)
  assert.equal(replaced.ends, T + 60)
  assert.equal(replaced.tsfp, T + 90)
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

test('an ACTIVE update for the same client keeps client-hostname and statements; a new client or another state drops them', () => {
  const named: Lease = { ...active, clientHostname: 'pc-6', statements: [{ kind: 'set', text: 'set vendor-class-identifier = "udhcp 1.35.0";' }] }
  const view = (b: Parameters<typeof bndupdMessage>[1]): ReturnType<typeof viewBinding> & { address: number } =>
    ({ ...viewBinding(bndupdMessage({ time: T, xid: 3 }, b)), address: named.address })
  // The peer renewed it: same MAC, same client-id.
  const renewed = leaseFromBinding(view({ ...bindingOf(active), ends: T + 120 }), 'active', named)
  assert.equal(renewed.ends, T + 120)
  assert.equal(renewed.clientHostname, 'pc-6')
  assert.deepEqual(renewed.statements, named.statements)
  // Another client took the address (partner-down reallocation): nothing carried over.
  const other = Buffer.from('01027000000099', 'hex')
  const moved = leaseFromBinding(view({ ...bindingOf(active), chaddr: other, clientId: other }), 'active', named)
  assert.equal(moved.clientHostname, undefined)
  assert.equal(moved.statements, undefined)
  // Same MAC, client-id now absent: a different identity, as dhcpd's ident_changed.
  assert.equal(leaseFromBinding(view({ ...bindingOf(active), clientId: undefined }), 'active', named).clientHostname, undefined)
  // Released: stored FREE, without them.
  assert.equal(leaseFromBinding(view({ ...bindingOf(active), status: 4 }), 'released', named).clientHostname, undefined)
})

test('inRanges is inclusive at both ends', () => {
  const r = [[10, 20] as const, [30, 30] as const]
  assert.deepEqual([9, 10, 20, 21, 30, 31].map((a) => inRanges(r, a)), [false, true, true, false, true, false])
})

test('relationship pools: one per pool naming the peer, ids by configuration position, shared-network names', async () => {
  const { compile } = await import('../core/harness.js')
  const { relationshipPools } = await import('../../src/daemon/failover-bindings.js')
  const config = compile(`failover peer "p" { primary; address 10.0.10.251; peer address 10.0.10.252; mclt 60; split 128; }
shared-network lab {
  subnet 10.0.10.0 netmask 255.255.255.0 { pool { range 10.0.10.5 10.0.10.9; } pool { failover peer "p"; range 10.0.10.10 10.0.10.20; range 10.0.10.30 10.0.10.31; } }
}
subnet 10.0.20.0 netmask 255.255.255.0 { pool { failover peer "p"; range 10.0.20.10 10.0.20.20; } }`)
  const pools = relationshipPools(config, 'p')
  assert.deepEqual(pools.map((p) => [p.id, p.network, p.ranges.length]), [['1', 'lab', 2], ['2', '10.0.20.0/24', 1]])
  assert.deepEqual(relationshipPools(config, 'other'), [])
})
