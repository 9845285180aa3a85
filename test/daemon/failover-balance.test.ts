/**
 * Pool balancing in the failover driver (failover-protocol.md §6), two drivers in-process: the
 * primary's FREE → BACKUP hand-over on reaching NORMAL, the secondary's POOLREQ when a timer run
 * finds it short and the primary's POOLRESP with the count it moved, the negative POOLRESP, and
 * MAC affinity after a RELEASED from the secondary.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Lease } from '../../src/core/lease.js'
import { MessageType } from '../../src/protocol/failover/constants.js'
import { bareMessage, viewPoolResp } from '../../src/protocol/failover/messages.js'
import { BASE, NAME, pair } from './failover-pair.js'

const NOW = 1_800_000_000

function states(db: { store: { get(a: number): Lease | undefined } }, first: number, last: number): string[] {
  const out: string[] = []
  for (let a = first; a <= last; a++) out.push(db.store.get(a)?.bindingState ?? 'free')
  return out
}
const count = (xs: string[], s: string): number => xs.filter((x) => x === s).length

test('reaching NORMAL, the primary hands half of a fresh pool to the secondary as BACKUP (highest addresses)', async () => {
  const t = await pair([[BASE + 10, BASE + 29]], NOW)
  t.connect()
  await t.quiesce()
  assert.equal(t.p.state, 'normal')
  assert.equal(t.s.state, 'normal')
  const ps = states(t.pdb, BASE + 10, BASE + 29)
  const ss = states(t.sdb, BASE + 10, BASE + 29)
  assert.deepEqual(ps, ss, 'both databases agree')
  assert.equal(count(ps, 'backup'), 10)
  assert.deepEqual(ps.slice(10), Array(10).fill('backup'))
  assert.ok(t.logs.P.includes('balancing pool 0   total 20  free 20  backup 0  lts 10  max-own (+/-)2'), t.logs.P.join('\n'))
  assert.ok(t.logs.P.includes('balanced pool 0   total 20  free 10  backup 10  lts 0  max-misbal 3'))
  const given = t.pdb.store.get(BASE + 29)
  assert.equal(given?.starts, NOW)
  assert.equal(given?.tstp, NOW)
  assert.equal(t.sdb.store.get(BASE + 29)?.tsfp, NOW, 'the BNDUPD carried potential expiry = now')
  // The secondary ran too and had nothing to give back.
  assert.ok(t.logs.S.some((l) => l.startsWith('balancing pool 0   total 20  free 20  backup 0  lts -10')), t.logs.S.join('\n'))
})

test('a secondary short of leases sends POOLREQ on its timer run; the primary moves leases and answers POOLRESP with the count', async () => {
  const t = await pair([[BASE + 10, BASE + 49]], NOW, { minBalance: 5, maxBalance: 10 })
  t.connect()
  await t.quiesce()
  assert.equal(count(states(t.sdb, BASE + 10, BASE + 49), 'backup'), 20)
  // The secondary hands out 18 of its 20 BACKUP leases; the primary learns of them by BNDUPD.
  const changes = []
  for (let i = 0; i < 18; i++) {
    const address = BASE + 49 - i
    changes.push(t.sdb.store.upsert({
      address, bindingState: 'active', starts: NOW, ends: NOW + 60, cltt: NOW,
      hardware: { htype: 1, address: Buffer.from([2, 0, 0, 0, 0x20, i]) },
    }, 'allocate'))
  }
  t.s.leasesCommitted(changes)
  await t.quiesce()
  assert.equal(count(states(t.pdb, BASE + 10, BASE + 49), 'active'), 18)
  // free 20, backup 2: lts −9 < panic −6 (thresh 3) once the timer (max-balance 10 s) fires.
  t.clock.now = NOW + 11
  t.s.poll()
  await t.quiesce()
  const req = t.sent.find((m) => m.from === 'S' && m.msg.type === MessageType.POOLREQ)
  assert.ok(req, t.logs.S.join('\n'))
  assert.ok(t.logs.S.some((l) => l.endsWith('lts -9  max-own (+/-)2  (requesting peer rebalance!)')), t.logs.S.join('\n'))
  const resp = t.sent.find((m) => m.from === 'P' && m.msg.type === MessageType.POOLRESP)
  assert.ok(resp)
  assert.equal(resp.msg.xid, req.msg.xid)
  assert.equal(viewPoolResp(resp.msg).addressesTransferred, 9)
  assert.ok(t.logs.S.includes('pool response: 9 leases'))
  const ps = states(t.pdb, BASE + 10, BASE + 49)
  assert.deepEqual(ps, states(t.sdb, BASE + 10, BASE + 49))
  assert.equal(count(ps, 'backup'), 11)
  assert.equal(count(ps, 'free'), 11)
})

test('POOLREQ with nothing to give: POOLRESP 0 and dhcpd\'s negative log line', async () => {
  const t = await pair([[BASE + 10, BASE + 29]], NOW)
  const conns = t.connect()
  await t.quiesce()
  conns.p.deliverRaw(bareMessage(MessageType.POOLREQ, { time: NOW, xid: 77 }))
  await t.quiesce()
  const resp = t.sent.find((m) => m.from === 'P' && m.msg.type === MessageType.POOLRESP)
  assert.ok(resp)
  assert.equal(resp.msg.xid, 77)
  assert.equal(viewPoolResp(resp.msg).addressesTransferred, 0)
  assert.ok(t.logs.P.includes(`peer ${NAME}: Got POOLREQ, answering negatively!  Peer may be out of leases or database inconsistent.`))
  assert.ok(t.logs.S.includes('pool response: 0 leases'))
})

for (const [name, mac, want] of [
  ['a client the secondary serves goes to BACKUP with its identity (MAC affinity)', '020000001003', 'backup'],
  ['a client the primary serves stays FREE', '020000001001', 'free'],
] as const) {
  test(`released through the secondary: ${name}`, async () => {
    const t = await pair([[BASE + 10, BASE + 29]], NOW)
    t.connect()
    await t.quiesce()
    const address = BASE + 10
    const hw = { htype: 1, address: Buffer.from(mac, 'hex') }
    const active: Lease = { address, bindingState: 'active', starts: NOW, ends: NOW + 60, cltt: NOW, hardware: hw }
    t.p.leasesCommitted([t.pdb.store.upsert(active, 'allocate')])
    await t.quiesce()
    assert.equal(t.sdb.store.get(address)?.bindingState, 'active')
    t.clock.now = NOW + 5
    t.s.leasesCommitted([t.sdb.store.upsert({ ...active, bindingState: 'released', ends: NOW + 5, cltt: NOW + 5, tstp: NOW + 5 }, 'release')])
    await t.quiesce()
    const there = t.pdb.store.get(address)
    assert.equal(there?.bindingState, want)
    assert.equal(there?.hardware?.address.toString('hex'), mac)
    // The secondary's RELEASED became FREE at the primary's ack (ISC §6.1), then BACKUP by affinity.
    assert.equal(t.sdb.store.get(address)?.bindingState, want)
    if (want === 'backup') {
      assert.equal(there?.starts, NOW + 5)
      assert.equal(t.sdb.store.get(address)?.hardware?.address.toString('hex'), mac, 'the BACKUP update carries the old chaddr')
    }
  })
}

test('a secondary holding more than the primary gives BACKUP back as FREE on its timer run', async () => {
  const t = await pair([[BASE + 10, BASE + 29]], NOW, { minBalance: 5, maxBalance: 10 })
  t.connect()
  await t.quiesce()
  // The primary hands out 8 of its 10 FREE leases: free 2, backup 10 → the secondary's lts is 4.
  const changes = []
  for (let i = 0; i < 8; i++) {
    changes.push(t.pdb.store.upsert({
      address: BASE + 10 + i, bindingState: 'active', starts: NOW, ends: NOW + 60, cltt: NOW,
      hardware: { htype: 1, address: Buffer.from([2, 0, 0, 0, 0x30, i]) },
    }, 'allocate'))
  }
  t.p.leasesCommitted(changes)
  await t.quiesce()
  t.clock.now = NOW + 11
  t.s.poll()
  await t.quiesce()
  assert.ok(t.logs.S.some((l) => l.startsWith('balancing pool 0   total 20  free 2  backup 10  lts 4')), t.logs.S.join('\n'))
  const ps = states(t.pdb, BASE + 10, BASE + 29)
  assert.deepEqual(ps, states(t.sdb, BASE + 10, BASE + 29))
  assert.equal(count(ps, 'free'), 6)
  assert.equal(count(ps, 'backup'), 6)
  assert.equal(t.sent.filter((m) => m.msg.type === MessageType.POOLREQ).length, 0, 'giving never asks')
})
