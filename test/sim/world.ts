/**
 * Two SimNodes joined by an in-memory TCP-like link (in-order bytes per direction, delivered in
 * random chunks through the real framer) that can delay, partition and lose a node; clients that
 * acquire, renew and release; and the safety invariants: no address bound to two clients (after
 * every event), and when a node crashes, every lease it granted that a client still holds is known
 * to the survivor or ends before the survivor could re-use the address (§4.2).
 */
import { FailoverFramer } from '../../src/protocol/failover/framer.js'
import { peerReuseAt } from '../../src/ha/failover/address-ownership.js'
import type { MachineConfig } from '../../src/ha/failover/machine.js'
import { Prng } from '../helpers/prng.js'
import { SimNode } from './sim-node.js'

export interface Held { addr: number; ends: number }

export interface WorldOptions {
  readonly seed: number
  readonly addresses: number
  readonly clients: number
  readonly mclt: number
  readonly desired: number
  /** `auto-partner-down` seconds on both nodes (0/undefined: off). */
  readonly autoPartnerDown?: number
  /**
   * What a partition cuts. 'split' (default): only the failover link; clients still reach both
   * nodes. 'isolate': one node loses the link and its clients too (a dead uplink) while it keeps
   * running and keeps its state; the operator may then declare PARTNER-DOWN on the other node.
   */
  readonly partitionMode?: 'split' | 'isolate'
  /** 'split' partitions with operator partner-down on either side (a misuse ISC warns about). */
  readonly partnerDownInSplit?: boolean
  /** Count invariant violations instead of throwing (to measure a misuse); also drops the fence. */
  readonly tolerant?: boolean
  /** Count invariant violations instead of throwing, nothing else changed (long runs). */
  readonly countViolations?: boolean
  /** Rewind (§4.4) on both nodes; default on. */
  readonly rewind?: boolean
}

export class World {
  readonly rng: Prng
  now = 1_800_000_000
  readonly nodes: [SimNode, SimNode]
  private framers: [FailoverFramer, FailoverFramer] = [new FailoverFramer(), new FailoverFramer()]
  /** bytes in transit towards node i */
  private wire: [Buffer[], Buffer[]] = [[], []]
  linkUp = false
  partitioned = false
  readonly clients: (Held | undefined)[]
  readonly trace: string[] = []
  violations = 0
  /** Crash-time checks of the survivor invariant (§4.2) and how many failed. */
  survivorChecks = 0
  survivorViolations = 0
  /** Which node granted each client's current lease. */
  private readonly grantedBy: (SimNode | undefined)[]
  stats = { acquired: 0, renewed: 0, released: 0, refused: 0, partitions: 0, crashes: 0, partnerDowns: 0, partitionPartnerDowns: 0, autoPartnerDowns: 0 }
  /** In 'isolate' mode: the node cut off from its peer and its clients. */
  isolated: SimNode | undefined
  /**
   * A running node its partner declared down (operator or auto-partner-down) while it was cut
   * off: the operator's duty (ISC: "make sure the partner is really down") is to keep it from
   * serving until it has resynchronized with its partner (NORMAL over a live link). Without the
   * fence, a heal while the partner-down node is dead lets it hand out addresses the partner
   * re-used (dhcpd.conf(5) describes the same danger).
   */
  fenced: SimNode | undefined

  constructor(readonly opts: WorldOptions) {
    this.rng = new Prng(opts.seed)
    const addrs = Array.from({ length: opts.addresses }, (_, i) => 0x0a000001 + i)
    const base: MachineConfig = { name: 'sim', role: 'primary', mclt: opts.mclt, autoPartnerDown: opts.autoPartnerDown ?? 0 }
    this.nodes = [
      new SimNode(base, addrs, { desired: opts.desired, rewind: opts.rewind ?? true }, this.now),
      new SimNode({ ...base, role: 'secondary' }, addrs, { desired: opts.desired, rewind: opts.rewind ?? true }, this.now),
    ]
    this.clients = Array.from({ length: opts.clients }, () => undefined)
    this.grantedBy = Array.from({ length: opts.clients }, () => undefined)
    this.connect()
  }

  private canLink(): boolean {
    return !this.partitioned && this.nodes[0].up && this.nodes[1].up
  }

  connect(): void {
    if (this.linkUp || !this.canLink()) return
    this.linkUp = true
    this.framers = [new FailoverFramer(), new FailoverFramer()]
    this.wire = [[], []]
    for (const n of this.nodes) n.input({ kind: 'connected', at: this.now })
    this.pump()
  }

  disconnect(): void {
    if (!this.linkUp) return
    this.linkUp = false
    this.wire = [[], []]
    for (const n of this.nodes) {
      n.outbox.length = 0
      n.queue.linkDown()
      n.input({ kind: 'disconnected', at: this.now })
    }
  }

  /** Moves bytes until both directions are quiet; with `partial`, stops at a random point (delay). */
  pump(partial = false): void {
    for (let round = 0; round < 10_000; round++) {
      let moved = false
      for (const i of [0, 1] as const) {
        const from = this.nodes[i]
        if (from.outbox.length > 0) {
          if (this.linkUp) this.wire[1 - i]!.push(...from.outbox)
          from.outbox.length = 0
        }
      }
      for (const i of [0, 1] as const) {
        const q = this.wire[i]
        if (q.length === 0 || !this.linkUp) continue
        if (partial && this.rng.bool(0.3)) continue
        const bytes = Buffer.concat(q)
        q.length = 0
        let pos = 0
        while (pos < bytes.length) {
          const n = 1 + this.rng.int(64)
          this.framers[i].pushMessages(bytes.subarray(pos, pos + n), (m) => this.nodes[i].receive(m, this.now))
          pos += n
        }
        moved = true
      }
      if (!moved) return
    }
    throw new Error('link did not quiesce')
  }

  advance(seconds: number): void {
    this.now += seconds
    for (const n of this.nodes) {
      const before = n.up ? n.m.state : undefined
      n.tick(this.now)
      if (before === 'communications-interrupted' && n.up && n.m.state === 'partner-down') {
        this.stats.autoPartnerDowns++
        const other = this.nodes.find((o) => o !== n)
        if (other?.up === true && this.opts.tolerant !== true) this.fenced = other
      }
    }
    this.pump()
  }

  /** Whether clients can reach `node` now. */
  private reachable(node: SimNode): boolean {
    if (this.fenced === node && this.linkUp && node.m.state === 'normal') this.fenced = undefined
    return !(this.partitioned && this.isolated === node) && this.fenced !== node
  }

  /** "No address is bound to two different clients": clients' own view of unexpired leases. */
  check(what: string): void {
    const seen = new Map<number, number>()
    this.clients.forEach((h, c) => {
      if (!h || h.ends <= this.now) return
      const other = seen.get(h.addr)
      if (other !== undefined) {
        this.violations++
        if (this.opts.tolerant === true || this.opts.countViolations === true) return
        throw new Error(`seed ${this.opts.seed}: after ${what} at ${this.now}: ${h.addr.toString(16)} held by clients ${other} and ${c}\n${this.trace.slice(-40).join('\n')}`)
      }
      seen.set(h.addr, c)
    })
  }

  /**
   * §4.2, checked when `crashing` goes down while its peer is up and neither is in PARTNER-DOWN (the
   * peer may then be declared the survivor, with STOS ≥ now): every lease `crashing` granted that a
   * client still holds is known to the survivor (ACTIVE for that client, ending no earlier), or the
   * survivor does not hold the address in its own free state and would re-use it, in PARTNER-DOWN
   * from now on, only after the client's lease has ended (address-ownership.ts `peerReuseAt`).
   * A lease granted without telling the peer — a rewound address among them — must be MCLT-bounded.
   */
  private checkSurvivor(crashing: SimNode): void {
    const survivor = this.nodes.find((n) => n !== crashing)!
    if (!survivor.up || survivor.m.state === 'partner-down' || crashing.m.state === 'partner-down') return
    const own = survivor.cfg.role === 'primary' ? 'free' : 'backup'
    this.clients.forEach((h, c) => {
      if (!h || h.ends <= this.now || this.grantedBy[c] !== crashing) return
      this.survivorChecks++
      const r = survivor.leases.get(h.addr)!
      const known = r.state === 'active' && r.client === `client-${c}` && r.ends >= h.ends
      const bounded = r.state !== own && h.ends <= peerReuseAt({ stos: this.now, mclt: this.opts.mclt }, survivor.record(r))
      if (known || bounded) return
      this.survivorViolations++
      if (this.opts.tolerant === true || this.opts.countViolations === true) return
      throw new Error(`seed ${this.opts.seed}: ${crashing.cfg.role} crashes at ${this.now}: client ${c} holds ${h.addr.toString(16)} until +${h.ends - this.now}, survivor has ${r.state} ${r.client ?? ''} (tsfp +${r.tsfp - this.now})\n${this.trace.slice(-40).join('\n')}`)
    })
  }

  /** One random event. */
  event(): void {
    const r = this.rng.int(100)
    const c = this.rng.int(this.clients.length)
    const node = this.nodes[this.rng.int(2)]!
    let what: string
    const held = this.clients[c]
    const live = held && held.ends > this.now ? held : undefined
    if (r < 40) {
      const got = this.reachable(node) ? node.serve(`client-${c}`, live, this.now) : undefined
      what = `${node.cfg.role} serves client ${c}${live ? ' (renew)' : ''} → ${got ? got.addr.toString(16) + ' until +' + (got.ends - this.now) : 'nothing'}`
      if (got) {
        this.clients[c] = got
        this.grantedBy[c] = node
        if (live) this.stats.renewed++
        else this.stats.acquired++
      } else this.stats.refused++
      this.pump(true)
    } else if (r < 48) {
      if (live) {
        if (this.reachable(node)) node.release(`client-${c}`, live.addr, this.now)
        this.clients[c] = undefined
        this.stats.released++
      }
      what = `client ${c} releases at ${node.cfg.role}`
      this.pump(true)
    } else if (r < 80) {
      const s = 1 + this.rng.int(40)
      this.advance(s)
      what = `advance ${s}`
    } else if (r < 86) {
      if (this.linkUp) {
        this.partitioned = true
        this.isolated = this.opts.partitionMode === 'isolate' ? node : undefined
        this.stats.partitions++
        this.disconnect()
      } else {
        this.partitioned = false
        this.isolated = undefined
        this.connect()
      }
      what = `partition ${this.partitioned ? 'on' : 'off'}`
    } else if (r < 90) {
      // crash one node, unless the other is down already
      const [a, b] = this.nodes
      if (a.up && b.up) {
        this.checkSurvivor(node)
        this.disconnect()
        node.crash(this.now)
        this.stats.crashes++
        what = `${node.cfg.role} crashes`
      } else what = 'no-op'
    } else if (r < 95) {
      // operator: partner-down on the survivor, only when the peer really is down (ISC's rule)
      const survivor = this.nodes.find((n) => n.up)
      const down = this.nodes.find((n) => !n.up)
      const cutOff = this.partitioned ? (this.isolated ?? (this.opts.partnerDownInSplit === true ? this.nodes[this.rng.int(2)] : undefined)) : undefined
      const reachableSide = cutOff === undefined ? undefined : this.nodes.find((n) => n !== cutOff && n.up)
      if (survivor && down && survivor.m.state === 'communications-interrupted') {
        survivor.input({ kind: 'command', at: this.now, state: 'partner-down' })
        this.stats.partnerDowns++
        what = `${survivor.cfg.role} partner-down`
      } else if (reachableSide && reachableSide.m.state === 'communications-interrupted') {
        // the operator declares the cut-off node down while it still runs (isolated: it serves nobody)
        reachableSide.input({ kind: 'command', at: this.now, state: 'partner-down' })
        if (this.opts.tolerant !== true) this.fenced = cutOff
        this.stats.partitionPartnerDowns++
        what = `${reachableSide.cfg.role} partner-down during partition`
      } else what = 'no-op'
    } else {
      // restart a crashed node; it may only come back when it can reach its peer (§4.5 danger)
      const down = this.nodes.find((n) => !n.up)
      if (down && !this.partitioned) {
        down.boot(this.now)
        this.connect()
        what = `${down.cfg.role} restarts`
      } else what = 'no-op'
    }
    this.trace.push(`${this.now} ${what} | P ${this.nodes[0].up ? this.nodes[0].m.state : 'DOWN'} S ${this.nodes[1].up ? this.nodes[1].m.state : 'DOWN'}`)
    this.check(what)
  }
}
