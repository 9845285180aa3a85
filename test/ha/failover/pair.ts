/**
 * A two-machine harness for state-machine sequence tests: STATE effects become the other
 * side's `peer-state` input, UPDREQ/UPDREQALL are answered at once with UPDDONE (no leases),
 * on a ManualClock. Messages are delivered in order, one queue per direction.
 */
import type { ManualClock } from '../../../src/lib/clock.js'
import type { FailoverPeerState } from '../../../src/core/lease.js'
import { startMachine, step, type Effect, type Input, type Machine, type MachineConfig } from '../../../src/ha/failover/machine.js'

export type Side = 'p' | 's'

export class Node {
  m: Machine
  readonly logs: string[] = []
  readonly effects: Effect[] = []
  constructor(readonly cfg: MachineConfig, persisted: FailoverPeerState | undefined, at: number) {
    const [m, eff] = startMachine(cfg, persisted, at)
    this.m = m
    this.record(eff)
  }
  record(eff: readonly Effect[]): void {
    for (const e of eff) {
      this.effects.push(e)
      if (e.kind === 'log') this.logs.push(e.text)
    }
  }
}

export class Pair {
  readonly nodes: Record<Side, Node>
  private readonly queue: { to: Side; input: Input }[] = []
  /** Whether messages currently flow. */
  linked = false

  constructor(
    private readonly clock: ManualClock,
    cfg: Record<Side, MachineConfig>,
    persisted: Partial<Record<Side, FailoverPeerState>> = {},
  ) {
    this.nodes = { p: new Node(cfg.p, persisted.p, this.now()), s: new Node(cfg.s, persisted.s, this.now()) }
  }

  now(): number {
    return Math.floor(this.clock.now() / 1000)
  }

  /** Feeds one input to one side and routes its effects. */
  input(side: Side, input: Input): void {
    const n = this.nodes[side]
    const [m, eff] = step(n.m, input, n.cfg)
    n.m = m
    n.record(eff)
    const other: Side = side === 'p' ? 's' : 'p'
    for (const e of eff) {
      if (!this.linked) continue
      if (e.kind === 'send-state') this.queue.push({ to: other, input: { kind: 'peer-state', at: this.now(), code: e.code, startup: e.startup } })
      if (e.kind === 'request-updates') this.queue.push({ to: side, input: { kind: 'update-done', at: this.now() } })
    }
  }

  connect(): void {
    this.linked = true
    this.input('p', { kind: 'connected', at: this.now() })
    this.input('s', { kind: 'connected', at: this.now() })
    this.run()
  }

  disconnect(side?: Side): void {
    this.linked = false
    this.queue.length = 0
    for (const s of side ? [side] : (['p', 's'] as const)) this.input(s, { kind: 'disconnected', at: this.now() })
  }

  run(limit = 1000): void {
    for (let i = 0; i < limit && this.queue.length > 0; i++) {
      const next = this.queue.shift()!
      this.input(next.to, { ...next.input, at: this.now() })
    }
    if (this.queue.length > 0) throw new Error('pair did not settle')
  }

  /** Advances the clock and ticks both sides. */
  advance(seconds: number): void {
    this.clock.advance(seconds * 1000)
    this.input('p', { kind: 'tick', at: this.now() })
    this.input('s', { kind: 'tick', at: this.now() })
    this.run()
  }

  states(): [string, string] {
    return [this.nodes.p.m.state, this.nodes.s.m.state]
  }
}
