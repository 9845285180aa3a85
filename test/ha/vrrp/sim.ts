/**
 * A deterministic VRRP network for tests: machines on one ManualClock, named timers as
 * deadlines, adverts delivered to every other running node at the instant they are sent
 * (a zero-latency LAN). Records what each node did, with times.
 */
import { ManualClock } from '../../../src/lib/clock.js'
import {
  initialMachine, step, type Effect, type Health, type Input, type Machine, type MachineConfig, type VrrpState, type VrrpTimer,
} from '../../../src/ha/vrrp/machine.js'

export const DEFAULTS: Omit<MachineConfig, 'name' | 'priority' | 'primaryAddress'> = {
  interface: 'eth2', advertIntervalMs: 1000, version: 2, preempt: true, preemptDelayMs: 0, vips: [0x0adf00f6],
  garpMasterDelayMs: 5000, garpMasterRepeat: 5, garpMasterRefreshMs: 0, garpMasterRefreshRepeat: 1,
}

export class SimNode {
  m: Machine
  running = false
  /** false: the node is dead (SIGKILL): no adverts out, no input in, VIPs left as they were. */
  alive = true
  vipsSet = false
  readonly timers = new Map<VrrpTimer, number>()
  readonly adverts: { at: number; priority: number }[] = []
  readonly garps: { at: number; count: number }[] = []
  readonly states: { at: number; state: VrrpState }[] = []
  readonly logs: { at: number; event: string; message: string }[] = []
  readonly staleCleanups: number[] = []

  constructor(readonly net: SimNet, readonly cfg: MachineConfig) {
    this.m = initialMachine(cfg)
  }

  input(i: Input): void {
    if (!this.alive) return
    const before = this.m.state
    const [next, effects] = step(this.m, i, this.cfg)
    this.m = next
    if (next.state !== before) this.states.push({ at: i.at, state: next.state })
    for (const e of effects) this.run(e, i.at)
  }

  private run(e: Effect, at: number): void {
    switch (e.kind) {
      case 'arm-timer':
        this.timers.set(e.name, at + e.delayMs)
        return
      case 'cancel-timer':
        this.timers.delete(e.name)
        return
      case 'send-advert':
        this.adverts.push({ at, priority: e.priority })
        this.net.deliver(this, e.priority, at)
        return
      case 'add-vips':
        this.vipsSet = true
        return
      case 'remove-vips':
        if (e.stale) this.staleCleanups.push(at)
        this.vipsSet = false
        return
      case 'send-garps':
        this.garps.push({ at, count: e.count })
        return
      case 'log':
        this.logs.push({ at, event: e.event, message: e.message })
        return
    }
  }

  get state(): VrrpState {
    return this.m.state
  }

  /** When this node last entered `state`. */
  entered(state: VrrpState): number | undefined {
    return this.states.filter((s) => s.state === state).at(-1)?.at
  }
}

export class SimNet {
  readonly clock = new ManualClock(0)
  readonly nodes: SimNode[] = []
  private readonly queue: { to: SimNode; input: Input }[] = []
  private delivering = false

  add(cfg: Partial<MachineConfig> & Pick<MachineConfig, 'name' | 'priority' | 'primaryAddress'>): SimNode {
    const node = new SimNode(this, { ...DEFAULTS, ...cfg })
    this.nodes.push(node)
    return node
  }

  private send(to: SimNode, input: Input): void {
    this.queue.push({ to, input })
    if (this.delivering) return
    this.delivering = true
    try {
      while (this.queue.length > 0) {
        const next = this.queue.shift()!
        next.to.input(next.input)
      }
    } finally {
      this.delivering = false
    }
  }

  deliver(from: SimNode, priority: number, at: number): void {
    for (const to of this.nodes) {
      if (to === from || !to.running || !to.alive) continue
      this.send(to, { kind: 'advert', at, advert: { from: from.cfg.primaryAddress, priority, intervalMs: from.cfg.advertIntervalMs } })
    }
  }

  start(node: SimNode): void {
    node.running = true
    this.send(node, { kind: 'startup', at: this.clock.now() })
  }

  stop(node: SimNode): void {
    this.send(node, { kind: 'shutdown', at: this.clock.now() })
    node.running = false
  }

  /** SIGKILL: nothing more from or to this node. */
  kill(node: SimNode): void {
    node.alive = false
    node.running = false
  }

  health(node: SimNode, health: Health): void {
    this.send(node, { kind: 'health', at: this.clock.now(), health })
  }

  /** Fires every timer due up to `t` in deadline order (ties: node order), then sets the clock to `t`. */
  runUntil(t: number): void {
    for (;;) {
      let best: { node: SimNode; name: VrrpTimer; at: number } | undefined
      for (const node of this.nodes) {
        if (!node.alive) continue
        for (const [name, at] of node.timers) {
          if (at <= t && (best === undefined || at < best.at)) best = { node, name, at }
        }
      }
      if (!best) break
      this.clock.set(best.at)
      best.node.timers.delete(best.name)
      this.send(best.node, { kind: 'timer', at: best.at, name: best.name })
    }
    this.clock.set(t)
  }
}
