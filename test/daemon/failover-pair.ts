/**
 * Two failover peer drivers over an in-memory transport (messages go through the real encoder and
 * decoder), on a settable clock: the harness of the pool-balancing driver tests.
 */
import assert from 'node:assert/strict'
import type { FailoverPeer } from '../../src/config/model.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { FailoverPeerState, LeaseChange } from '../../src/core/lease.js'
import { FailoverPeerDriver, type PeerLeaseDatabase, type PeerTransport } from '../../src/daemon/failover-peer.js'
import type { Logger } from '../../src/daemon/logger.js'
import type { FailoverConnection, FailoverTransportEvents } from '../../src/io/failover-transport.js'
import { decode, toBuffer, type FailoverMessage } from '../../src/protocol/failover/message.js'

export const NAME = 'fo-test'
export const BASE = 0xc6124600 // 198.18.70.0

export function peerConfig(role: 'primary' | 'secondary', over: Partial<FailoverPeer> = {}): FailoverPeer {
  return {
    name: NAME, loc: { file: 'test', line: 1, col: 1 }, role,
    address: role === 'primary' ? '198.18.70.1' : '198.18.70.2', port: 647,
    peerAddress: role === 'primary' ? '198.18.70.2' : '198.18.70.1', peerPort: 647,
    maxResponseDelay: 30, maxUnackedUpdates: 10, mclt: 60, split: role === 'primary' ? 128 : undefined, hba: undefined,
    loadBalanceMaxSeconds: 3, maxLeaseMisbalance: 15, maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600, autoPartnerDown: 0,
    ...over,
  }
}

export class MemoryDb implements PeerLeaseDatabase {
  readonly store = new InMemoryLeaseStore()
  readonly states = new Map<string, FailoverPeerState>()
  readonly committed: LeaseChange[] = []
  peerStates(): ReadonlyMap<string, FailoverPeerState> {
    return this.states
  }
  async recordPeerState(s: FailoverPeerState): Promise<void> {
    await new Promise((r) => setImmediate(r))
    this.states.set(s.name, s)
  }
  async commit(changes: readonly LeaseChange[]): Promise<void> {
    this.committed.push(...changes)
  }
}

export interface Sent {
  readonly from: 'P' | 'S'
  readonly msg: FailoverMessage
}

class MemConn implements FailoverConnection {
  open = true
  other: MemConn | undefined
  constructor(readonly id: number, readonly direction: 'inbound' | 'outbound', private readonly events: FailoverTransportEvents, private readonly sent: Sent[], private readonly who: 'P' | 'S') {}
  send(msg: FailoverMessage): void {
    if (!this.open) return
    const bytes = toBuffer(msg)
    this.sent.push({ from: this.who, msg })
    const other = this.other
    setImmediate(() => {
      if (other?.open) other.events.onMessage(other, decode(bytes, 0, bytes.length).value)
    })
  }
  close(): void {
    if (!this.open) return
    this.open = false
    this.events.onClose(this, 'closed locally')
  }
  /** As if the peer had sent `msg` on this connection. */
  deliverRaw(msg: FailoverMessage): void {
    this.events.onMessage(this, msg)
  }
}

export interface Pair {
  readonly p: FailoverPeerDriver
  readonly s: FailoverPeerDriver
  readonly pdb: MemoryDb
  readonly sdb: MemoryDb
  readonly logs: { P: string[]; S: string[] }
  readonly sent: Sent[]
  readonly clock: { now: number }
  connect(): { p: MemConn; s: MemConn }
  quiesce(): Promise<void>
}

export async function pair(ranges: ReadonlyArray<readonly [number, number]>, now: number, over: Partial<FailoverPeer> = {}): Promise<Pair> {
  const sent: Sent[] = []
  const logs = { P: [] as string[], S: [] as string[] }
  const events = new Map<'P' | 'S', FailoverTransportEvents>()
  const clock = { now }
  const logger = (lines: string[]): Logger => ({ enabled: () => true, log: (_l, _id, text) => void lines.push(text), flush: () => undefined })
  const transport = (who: 'P' | 'S') => (_o: unknown, e: FailoverTransportEvents): PeerTransport => {
    events.set(who, e)
    return { start: async () => undefined, setLinked: () => undefined, close: async () => undefined }
  }
  const pdb = new MemoryDb()
  const sdb = new MemoryDb()
  const opts = (who: 'P' | 'S') => ({ clock: () => clock.now, transport: transport(who), pollMs: 0, jitter: () => 0 })
  const p = new FailoverPeerDriver(peerConfig('primary', over), pdb, logger(logs.P), ranges, opts('P'))
  const s = new FailoverPeerDriver(peerConfig('secondary', over), sdb, logger(logs.S), ranges, opts('S'))
  await p.start()
  await s.start()
  let nextId = 1
  return {
    p, s, pdb, sdb, logs, sent, clock,
    connect() {
      const pe = events.get('P')
      const se = events.get('S')
      assert.ok(pe && se)
      const pc = new MemConn(nextId++, 'outbound', pe, sent, 'P')
      const sc = new MemConn(nextId++, 'inbound', se, sent, 'S')
      pc.other = sc
      sc.other = pc
      se.onOpen(sc)
      pe.onOpen(pc)
      return { p: pc, s: sc }
    },
    async quiesce() {
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => setImmediate(r))
        await p.settled()
        await s.settled()
      }
    },
  }
}
