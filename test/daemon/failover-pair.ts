/**
 * Two failover peer drivers over an in-memory transport (messages go through the real encoder and
 * decoder), on a settable clock: the harness of the pool-balancing and graceful-stop driver tests.
 * Closing a connection (or a driver's transport) closes the other end too; `drop` can lose
 * messages on the way; `restart` replaces one side's driver with a fresh one on the same database.
 */
import assert from 'node:assert/strict'
import type { FailoverPeer } from '../../src/config/model.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { FailoverPeerState, LeaseChange } from '../../src/core/lease.js'
import { FailoverPeerDriver, type DriverOptions, type PeerLeaseDatabase, type PeerTransport } from '../../src/daemon/failover-peer.js'
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

/** Whether a message `from` one side is lost on the way (tests set it). */
export type Drop = (from: 'P' | 'S', msg: FailoverMessage) => boolean

class MemConn implements FailoverConnection {
  open = true
  other: MemConn | undefined
  constructor(
    readonly id: number, readonly direction: 'inbound' | 'outbound', private readonly events: FailoverTransportEvents,
    private readonly sent: Sent[], private readonly who: 'P' | 'S', private readonly drop: () => Drop | undefined,
  ) {}
  send(msg: FailoverMessage): void {
    if (!this.open) return
    const bytes = toBuffer(msg)
    this.sent.push({ from: this.who, msg })
    if (this.drop()?.(this.who, msg) === true) return
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
  /** As if the peer had sent `msg` on this connection. */
  deliverRaw(msg: FailoverMessage): void {
    this.events.onMessage(this, msg)
  }
}

export interface Pair {
  /** The current drivers ({@link Pair.restart} replaces one). */
  p: FailoverPeerDriver
  s: FailoverPeerDriver
  readonly pdb: MemoryDb
  readonly sdb: MemoryDb
  readonly logs: { P: string[]; S: string[] }
  readonly sent: Sent[]
  readonly clock: { now: number }
  /** Messages lost on the way while set. */
  drop: Drop | undefined
  connect(): { p: MemConn; s: MemConn }
  quiesce(): Promise<void>
  /** A fresh driver for `who` on the same database (after the old one stopped), started. */
  restart(who: 'P' | 'S'): Promise<FailoverPeerDriver>
}

export interface PairOptions {
  /** Driver options for both sides (clock, transport, pollMs and jitter are the harness's). */
  readonly driver?: Partial<DriverOptions>
  /** State blocks in each lease database before the drivers start. */
  readonly persisted?: { readonly P?: FailoverPeerState; readonly S?: FailoverPeerState }
}

export async function pair(ranges: ReadonlyArray<readonly [number, number]>, now: number, over: Partial<FailoverPeer> = {}, o: PairOptions = {}): Promise<Pair> {
  const sent: Sent[] = []
  const logs = { P: [] as string[], S: [] as string[] }
  const events = new Map<'P' | 'S', FailoverTransportEvents>()
  const conns = { P: new Set<MemConn>(), S: new Set<MemConn>() }
  const clock = { now }
  const logger = (lines: string[]): Logger => ({ enabled: () => true, log: (_l, _id, text) => void lines.push(text), flush: () => undefined })
  const transport = (who: 'P' | 'S') => (_o: unknown, e: FailoverTransportEvents): PeerTransport => {
    events.set(who, e)
    return {
      start: async () => undefined,
      setLinked: () => undefined,
      close: async () => {
        for (const c of [...conns[who]]) c.close()
        conns[who].clear()
      },
    }
  }
  const pdb = new MemoryDb()
  const sdb = new MemoryDb()
  if (o.persisted?.P) pdb.states.set(NAME, o.persisted.P)
  if (o.persisted?.S) sdb.states.set(NAME, o.persisted.S)
  const opts = (who: 'P' | 'S'): DriverOptions => ({ ...o.driver, clock: () => clock.now, transport: transport(who), pollMs: 0, jitter: () => 0 })
  const make = (who: 'P' | 'S'): FailoverPeerDriver => who === 'P'
    ? new FailoverPeerDriver(peerConfig('primary', over), pdb, logger(logs.P), ranges, opts('P'))
    : new FailoverPeerDriver(peerConfig('secondary', over), sdb, logger(logs.S), ranges, opts('S'))
  const p = make('P')
  const s = make('S')
  await p.start()
  await s.start()
  let nextId = 1
  const result: Pair = {
    p, s, pdb, sdb, logs, sent, clock,
    drop: undefined,
    connect() {
      const pe = events.get('P')
      const se = events.get('S')
      assert.ok(pe && se)
      const pc = new MemConn(nextId++, 'outbound', pe, sent, 'P', () => result.drop)
      const sc = new MemConn(nextId++, 'inbound', se, sent, 'S', () => result.drop)
      pc.other = sc
      sc.other = pc
      conns.P.add(pc)
      conns.S.add(sc)
      se.onOpen(sc)
      pe.onOpen(pc)
      return { p: pc, s: sc }
    },
    async restart(who) {
      const d = make(who)
      if (who === 'P') result.p = d
      else result.s = d
      await d.start()
      return d
    },
    async quiesce() {
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => setImmediate(r))
        await result.p.settled()
        await result.s.settled()
      }
    },
  }
  return result
}
