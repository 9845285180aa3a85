/**
 * The failover peer driver, two instances over an in-memory transport (messages go through the
 * real encoder and decoder): the CONNECT/CONNECTACK handshake, the state exchange up to NORMAL,
 * persist-before-STATE, BNDUPD/BNDACK of a committed lease, and the duplicate-connection reject.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FailoverPeer } from '../../src/config/model.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { FailoverPeerState, LeaseChange } from '../../src/core/lease.js'
import { FailoverPeerDriver, type PeerLeaseDatabase, type PeerTransport } from '../../src/daemon/failover-peer.js'
import type { Logger } from '../../src/daemon/logger.js'
import type { FailoverConnection, FailoverTransportEvents } from '../../src/io/failover-transport.js'
import { MessageType } from '../../src/protocol/failover/constants.js'
import { decode, toBuffer, type FailoverMessage } from '../../src/protocol/failover/message.js'
import { connectMessage, viewConnectAck, viewState } from '../../src/protocol/failover/messages.js'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'

const NAME = 'fo-test'
const BASE = 0xc6124600 // 198.18.70.0
const NOW = 1_800_000_000

function peerConfig(role: 'primary' | 'secondary'): FailoverPeer {
  return {
    name: NAME, loc: { file: 'test', line: 1, col: 1 }, role,
    address: role === 'primary' ? '198.18.70.1' : '198.18.70.2', port: 647,
    peerAddress: role === 'primary' ? '198.18.70.2' : '198.18.70.1', peerPort: 647,
    maxResponseDelay: 30, maxUnackedUpdates: 10, mclt: 60, split: role === 'primary' ? 128 : undefined, hba: undefined,
    loadBalanceMaxSeconds: 3, maxLeaseMisbalance: 15, maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600, autoPartnerDown: 0,
  }
}

/** Everything observable, in order: persists and sent messages. */
type Trace = string[]

class MemoryDb implements PeerLeaseDatabase {
  readonly store = new InMemoryLeaseStore()
  readonly states = new Map<string, FailoverPeerState>()
  readonly committed: LeaseChange[] = []
  constructor(private readonly trace: Trace, private readonly who: string) {}
  peerStates(): ReadonlyMap<string, FailoverPeerState> {
    return this.states
  }
  async recordPeerState(s: FailoverPeerState): Promise<void> {
    await new Promise((r) => setImmediate(r))
    this.states.set(s.name, s)
    this.trace.push(`${this.who} persist ${s.myState}`)
  }
  async commit(changes: readonly LeaseChange[]): Promise<void> {
    this.committed.push(...changes)
  }
}

function logger(lines: string[]): Logger {
  return { enabled: () => true, log: (_l, _id, text) => void lines.push(text), flush: () => undefined }
}

/** One end of an in-memory TCP connection. */
class MemConn implements FailoverConnection {
  open = true
  other: MemConn | undefined
  constructor(readonly id: number, readonly direction: 'inbound' | 'outbound', private readonly events: FailoverTransportEvents, private readonly trace: Trace, private readonly who: string) {}
  send(msg: FailoverMessage): void {
    if (!this.open) return
    const bytes = toBuffer(msg)
    const type = msg.type === MessageType.STATE ? `STATE ${viewState(msg).serverState}` : String(msg.type)
    this.trace.push(`${this.who} send ${type}`)
    const other = this.other
    setImmediate(() => {
      if (other?.open) other.events.onMessage(other, decode(bytes, 0, bytes.length).value)
    })
  }
  close(): void {
    if (!this.open) return
    this.open = false
    this.events.onClose(this, 'closed locally')
    const other = this.other
    setImmediate(() => other?.closeRemote())
  }
  closeRemote(): void {
    if (!this.open) return
    this.open = false
    this.events.onClose(this, 'connection closed')
  }
  deliverRaw(msg: FailoverMessage): void {
    this.events.onMessage(this, msg)
  }
}

/** Both sides' transports; `connect()` makes a connection from the primary to the secondary. */
class Wire {
  private readonly events = new Map<string, FailoverTransportEvents>()
  private nextId = 1
  constructor(private readonly trace: Trace) {}
  factory(who: string): (o: unknown, e: FailoverTransportEvents) => PeerTransport {
    return (_o, e) => {
      this.events.set(who, e)
      return { start: async () => undefined, setLinked: () => undefined, close: async () => undefined }
    }
  }
  connect(): { p: MemConn; s: MemConn } {
    const pe = this.events.get('P')
    const se = this.events.get('S')
    assert.ok(pe && se)
    const p = new MemConn(this.nextId++, 'outbound', pe, this.trace, 'P')
    const s = new MemConn(this.nextId++, 'inbound', se, this.trace, 'S')
    p.other = s
    s.other = p
    se.onOpen(s)
    pe.onOpen(p)
    return { p, s }
  }
}

async function pair(primarySkew = 0): Promise<{ p: FailoverPeerDriver; s: FailoverPeerDriver; pdb: MemoryDb; sdb: MemoryDb; trace: Trace; wire: Wire; logs: string[] }> {
  const trace: Trace = []
  const logs: string[] = []
  const wire = new Wire(trace)
  const pdb = new MemoryDb(trace, 'P')
  const sdb = new MemoryDb(trace, 'S')
  const ranges = [[BASE + 10, BASE + 40] as const]
  const clock = (): number => NOW
  const p = new FailoverPeerDriver(peerConfig('primary'), pdb, logger(logs), ranges, { clock: () => NOW + primarySkew, transport: wire.factory('P'), pollMs: 0 })
  const s = new FailoverPeerDriver(peerConfig('secondary'), sdb, logger(logs), ranges, { clock, transport: wire.factory('S'), pollMs: 0 })
  await p.start()
  await s.start()
  return { p, s, pdb, sdb, trace, wire, logs }
}

async function quiesce(...drivers: FailoverPeerDriver[]): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setImmediate(r))
    for (const d of drivers) await d.settled()
  }
}

test('primary and secondary reach NORMAL over CONNECT/CONNECTACK, STATE, UPDREQALL/UPDDONE', async () => {
  const { p, s, pdb, sdb, wire, logs } = await pair()
  assert.equal(p.state, 'startup')
  wire.connect()
  await quiesce(p, s)
  assert.equal(p.state, 'normal', logs.join('\n'))
  assert.equal(s.state, 'normal', logs.join('\n'))
  assert.equal(p.peerState, 'normal')
  assert.equal(pdb.states.get(NAME)?.myState, 'normal')
  assert.equal(sdb.states.get(NAME)?.mclt, 60, 'the secondary persists the MCLT learned from CONNECT')
  assert.deepEqual(s.hashBuckets, hbaFromSplit(128), 'the secondary uses the HBA from CONNECT')
  assert.ok(logs.includes(`failover peer ${NAME}: I move from recover-done to normal`))
  assert.ok(logs.includes('Both servers have entered recover-done!'))
  assert.ok(p.policy().responding && p.policy().loadBalance)
  assert.equal(s.lastSkew, 0)
})

test('the measured clock skew is kept and a large one is logged; beyond 60 s CONNECT is refused', async () => {
  const near = await pair(20)
  near.wire.connect()
  await quiesce(near.p, near.s)
  assert.equal(near.s.lastSkew, 20)
  assert.equal(near.p.lastSkew, -20)
  assert.ok(near.logs.some((l) => l.includes('peer clock differs from ours by 20 s')))
  const far = await pair(61)
  far.wire.connect()
  await quiesce(far.p, far.s)
  assert.ok(far.logs.includes(`Failover CONNECT from ${NAME}: time offset too large`), far.logs.join('\n'))
  assert.equal(far.s.state, 'startup')
})

test('every STATE announces a state that was persisted before it was sent', async () => {
  const { p, s, trace, wire } = await pair()
  wire.connect()
  await quiesce(p, s)
  const codes: Record<string, string> = { '2': 'normal', '6': 'recover', '9': 'recover-done' }
  for (const [i, line] of trace.entries()) {
    const m = /^([PS]) send STATE (\d+)$/.exec(line)
    if (!m) continue
    const state = codes[m[2] ?? '']
    assert.ok(state, line)
    assert.ok(trace.slice(0, i).includes(`${m[1]} persist ${state}`), `${line} sent before its persist:\n${trace.join('\n')}`)
  }
})

test('a committed lease goes to the peer as one BNDUPD; the BNDACK records tsfp', async () => {
  const { p, s, pdb, sdb, wire } = await pair()
  wire.connect()
  await quiesce(p, s)
  const address = BASE + 10
  const change = pdb.store.upsert({
    address, bindingState: 'active', starts: NOW, ends: NOW + 60, cltt: NOW,
    hardware: { htype: 1, address: Buffer.from('027000000006', 'hex') },
  }, 'allocate')
  p.leasesCommitted([change])
  await quiesce(p, s)
  const there = sdb.store.get(address)
  assert.equal(there?.bindingState, 'active')
  assert.equal(there?.ends, NOW + 60)
  assert.equal(there?.tsfp, NOW + 90)
  assert.equal(there?.hardware?.address.toString('hex'), '027000000006')
  assert.ok(sdb.committed.some((c) => c.address === address), 'journalled before the BNDACK')
  assert.equal(pdb.store.get(address)?.tsfp, NOW + 90, 'acked potential expiry recorded')
  assert.equal(pdb.store.get(address)?.atsfp, NOW + 90)
  const ps = p.snapshot()
  assert.ok(ps.updates.sent >= 1 && ps.updates.acked === ps.updates.sent, JSON.stringify(ps))
  assert.equal(ps.updates.rejected, 0)
  assert.equal(ps.queueDepth, 0)
  assert.equal(ps.connected, true)
  assert.equal(ps.state, 'normal')
  assert.equal(ps.peerState, 'normal')
  assert.equal(s.snapshot().updates.received, ps.updates.sent, 'every BNDUPD sent arrived')
})

test('after a reconnect, a binding learnt from the peer is not sent back to it (it could overwrite a newer one)', async () => {
  const { p, s, pdb, sdb, wire, trace } = await pair()
  const first = wire.connect()
  await quiesce(p, s)
  const address = BASE + 11
  // A renewal whose recorded tstp equals its ends: the BNDUPD announces ends as the potential expiry.
  const change = pdb.store.upsert({
    address, bindingState: 'active', starts: NOW, ends: NOW + 60, cltt: NOW, tstp: NOW + 60,
    hardware: { htype: 1, address: Buffer.from('027000000007', 'hex') },
  }, 'renew')
  p.leasesCommitted([change])
  await quiesce(p, s)
  assert.equal(sdb.store.get(address)?.ends, NOW + 60)
  first.p.close()
  await quiesce(p, s)
  assert.equal(s.state, 'communications-interrupted')
  const mark = trace.length
  wire.connect()
  await quiesce(p, s)
  assert.equal(s.state, 'normal')
  assert.deepEqual(trace.slice(mark).filter((l) => l === `S send ${MessageType.BNDUPD}`), [], trace.slice(mark).join('\n'))
})

test('an ACTIVE update older than our ACTIVE binding of the same client is refused and ours goes out', async () => {
  const { p, s, pdb, sdb, wire, logs } = await pair()
  wire.connect()
  await quiesce(p, s)
  const address = BASE + 12
  const hardware = { htype: 1, address: Buffer.from('027000000008', 'hex') }
  // Made while apart: the secondary renewed the client, then the primary did, for longer.
  pdb.store.upsert({ address, bindingState: 'active', starts: NOW + 10, ends: NOW + 70, cltt: NOW + 10, hardware }, 'renew')
  const older = sdb.store.upsert({ address, bindingState: 'active', starts: NOW, ends: NOW + 60, cltt: NOW, hardware }, 'renew')
  s.leasesCommitted([older])
  await quiesce(p, s)
  assert.equal(pdb.store.get(address)?.ends, NOW + 70, 'the later grant stays')
  assert.equal(sdb.store.get(address)?.ends, NOW + 70, 'and reaches the peer')
  assert.ok(logs.some((l) => /bind update on 198\.18\.70\.12 from fo-test: incoming update is less critical/.test(l)), logs.join('\n'))
})

test('a second CONNECT while linked is rejected with reason 7 (duplicate connection)', async () => {
  const { p, s, wire, trace } = await pair()
  wire.connect()
  await quiesce(p, s)
  const second = wire.connect()
  await quiesce(p, s)
  // The primary closes its extra connection; a CONNECT arriving on one is answered with reason 7.
  const probe = wire.connect()
  const acks: FailoverMessage[] = []
  probe.p.deliverRaw = () => undefined
  const originalSend = probe.s.send.bind(probe.s)
  probe.s.send = (m) => {
    acks.push(m)
    originalSend(m)
  }
  probe.s.deliverRaw(connectMessage({ time: NOW, xid: 0, relationshipName: NAME, maxUnacked: 10, receiveTimer: 30, vendorClass: 't', mclt: 60, hba: hbaFromSplit(128) }))
  await quiesce(p, s)
  const ack = acks.find((m) => m.type === MessageType.CONNECTACK)
  assert.ok(ack, trace.join('\n'))
  assert.equal(viewConnectAck(ack).rejectReason, 7)
  assert.equal(probe.s.open, false)
  assert.equal(second.s.open || second.p.open, false, 'extra connections are closed')
  assert.equal(s.state, 'normal')
})

test('losing the link in NORMAL moves to communications-interrupted', async () => {
  const { p, s, wire, logs } = await pair()
  const { p: conn } = wire.connect()
  await quiesce(p, s)
  conn.close()
  await quiesce(p, s)
  assert.equal(p.state, 'communications-interrupted')
  assert.equal(s.state, 'communications-interrupted')
  assert.ok(logs.includes(`failover peer ${NAME}: I move from normal to communications-interrupted`))
  assert.ok(p.policy().responding && !p.policy().loadBalance)
})

test('an EXPIRED lease the peer acknowledged becomes FREE on both sides (ISC §6.1), keeping the client for affinity', async () => {
  const { p, s, pdb, sdb, wire } = await pair()
  wire.connect()
  await quiesce(p, s)
  const address = BASE + 12
  const hw = { htype: 1, address: Buffer.from('027000000009', 'hex') }
  p.leasesCommitted([pdb.store.upsert({ address, bindingState: 'active', starts: NOW - 100, ends: NOW - 40, cltt: NOW - 100, hardware: hw }, 'allocate')])
  await quiesce(p, s)
  const active = pdb.store.get(address)!
  p.leasesCommitted([pdb.store.upsert({ ...active, bindingState: 'expired', nextBindingState: 'free' }, 'expire')])
  await quiesce(p, s)
  // FREE on both once acked; then MAC affinity (§6.4): a client the secondary serves moves to BACKUP.
  const want = bucketOwner(hbaFromSplit(128), hw.address) === 'secondary' ? 'backup' : 'free'
  assert.equal(sdb.store.get(address)?.bindingState, want, 'the peer stores EXPIRED as FREE (then affinity)')
  assert.equal(pdb.store.get(address)?.bindingState, want, 'acked: FREE here too (then affinity)')
  assert.equal(pdb.store.get(address)?.hardware?.address.toString('hex'), '027000000009')
})
