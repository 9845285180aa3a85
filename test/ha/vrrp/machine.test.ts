/**
 * VRRP state machine timing table on a ManualClock (RFC 3768 §6.4, keepalived 2.2.7 as
 * measured in docs/raw-sockets-vrrp-clients.md §3.2), plus single-step checks of the effects.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { initialMachine, step, type Effect, type MachineConfig } from '../../../src/ha/vrrp/machine.js'
import { masterDownIntervalMs, skewTimeMs } from '../../../src/ha/vrrp/timing.js'
import { DEFAULTS, SimNet, type SimNode } from './sim.js'

const A = 0x0adf00f4 // 10.223.0.244, priority 99 in seed 000
const B = 0x0adf00f5 // 10.223.0.245, priority 90

const timing = [
  { priority: 90, interval: 1000, skew: 648.4375, down: 3648.4375 },
  { priority: 99, interval: 1000, skew: 613.28125, down: 3613.28125 },
  { priority: 254, interval: 1000, skew: 7.8125, down: 3007.8125 },
  { priority: 1, interval: 1000, skew: 996.09375, down: 3996.09375 },
  { priority: 90, interval: 500, skew: 324.21875, down: 1824.21875 },
]
for (const c of timing) {
  test(`timing: priority ${c.priority}, advert ${c.interval} ms → skew ${c.skew}, master-down ${c.down}`, () => {
    assert.equal(skewTimeMs(c.priority, c.interval), c.skew)
    assert.equal(masterDownIntervalMs(c.priority, c.interval), c.down)
  })
}

/** Seed 000: A priority 99, B priority 90, both `state MASTER` (which keepalived 2.2.7 ignores). */
function seedPair(net: SimNet, a: Partial<MachineConfig> = {}, b: Partial<MachineConfig> = {}): [SimNode, SimNode] {
  return [net.add({ name: 'VI_1', priority: 99, primaryAddress: A, ...a }), net.add({ name: 'VI_1', priority: 90, primaryAddress: B, ...b })]
}

interface Scenario {
  name: string
  run(net: SimNet): void
}

const isolated: { name: string; priority: number; wantMasterAt: number }[] = [
  { name: 'isolated priority 90 (state MASTER ignored): BACKUP (init) → MASTER after 3.648 s', priority: 90, wantMasterAt: 3648.4375 },
  { name: 'isolated priority 99: MASTER after 3.613 s', priority: 99, wantMasterAt: 3613.28125 },
  { name: 'priority 255 owner: MASTER at once', priority: 255, wantMasterAt: 0 },
]
for (const c of isolated) {
  test(c.name, () => {
    const net = new SimNet()
    const n = net.add({ name: 'VI_1', priority: c.priority, primaryAddress: A })
    net.start(n)
    assert.deepEqual(n.staleCleanups, [0], 'stale VIPs removed at start')
    if (c.priority !== 255) {
      assert.equal(n.state, 'backup')
      assert.equal(n.logs[0]?.message, '(VI_1) Entering BACKUP STATE (init)')
      net.runUntil(c.wantMasterAt - 0.001)
      assert.equal(n.state, 'backup')
    }
    net.runUntil(c.wantMasterAt)
    assert.equal(n.state, 'master')
    assert.equal(n.entered('master'), c.wantMasterAt)
    assert.ok(n.vipsSet)
    assert.equal(n.adverts[0]?.at, c.wantMasterAt)
  })
}

const scenarios: Scenario[] = [
  {
    name: 'seed 000 pair started together: 99 wins at 3.613 s, 90 stays BACKUP; adverts every second',
    run(net) {
      const [a, b] = seedPair(net)
      net.start(a)
      net.start(b)
      net.runUntil(60_000)
      assert.equal(a.state, 'master')
      assert.equal(a.entered('master'), 3613.28125)
      assert.equal(b.state, 'backup')
      assert.equal(b.entered('master'), undefined)
      assert.equal(a.adverts.length, 57)
      assert.equal(a.adverts[1]!.at - a.adverts[0]!.at, 1000)
    },
  },
  {
    name: 'clean shutdown of the master: priority 0, backup takes over after its skew (0.648 s)',
    run(net) {
      const [a, b] = seedPair(net)
      net.start(a)
      net.start(b)
      net.runUntil(10_000)
      net.stop(a)
      assert.deepEqual(a.adverts.at(-1), { at: 10_000, priority: 0 })
      assert.equal(a.vipsSet, false)
      assert.equal(a.state, 'init')
      net.runUntil(20_000)
      assert.equal(b.entered('master'), 10_648.4375)
      assert.ok(b.logs.some((l) => l.message === '(VI_1) Backup received priority 0 advertisement'))
    },
  },
  {
    name: 'master crash (SIGKILL): backup takes over 3.648 s after the last advert; the dead node keeps its VIP',
    run(net) {
      const [a, b] = seedPair(net)
      net.start(a)
      net.start(b)
      net.runUntil(10_000)
      const lastAdvert = a.adverts.at(-1)!.at
      net.kill(a)
      net.runUntil(20_000)
      assert.equal(lastAdvert, 9613.28125)
      assert.equal(b.entered('master'), lastAdvert + 3648.4375)
      assert.equal(a.vipsSet, true)
    },
  },
  {
    name: 'preemption: 99 joins while 90 is MASTER, discards lower adverts, takes over after its master-down; 90 steps down',
    run(net) {
      const [a, b] = seedPair(net)
      net.start(b)
      net.runUntil(5_000)
      assert.equal(b.state, 'master')
      net.start(a)
      net.runUntil(20_000)
      assert.equal(a.entered('master'), 5_000 + 3613.28125)
      assert.ok(a.logs.some((l) => l.message === '(VI_1) received lower priority (90) advert from 10.223.0.245 - discarding'))
      assert.equal(b.state, 'backup')
      assert.equal(b.entered('backup'), 5_000 + 3613.28125)
      assert.ok(b.logs.some((l) => l.message === '(VI_1) Master received advert from 10.223.0.244 with higher priority 99, ours 90'))
      assert.equal(b.vipsSet, false)
    },
  },
  {
    name: 'nopreempt: 99 joins while 90 is MASTER and stays BACKUP',
    run(net) {
      const [a, b] = seedPair(net, { preempt: false })
      net.start(b)
      net.runUntil(5_000)
      net.start(a)
      net.runUntil(60_000)
      assert.equal(a.state, 'backup')
      assert.equal(b.state, 'master')
      assert.equal(a.entered('master'), undefined)
    },
  },
  {
    name: 'preempt_delay 10 s: 99 tolerates 90 as MASTER for 10 s after start, then preempts at the master-down timer',
    run(net) {
      const [a, b] = seedPair(net, { preemptDelayMs: 10_000 })
      net.start(b)
      net.runUntil(5_000)
      net.start(a)
      net.runUntil(15_000)
      assert.equal(a.state, 'backup', 'still within the delay')
      net.runUntil(30_000)
      // b's adverts at 5648.4375 + k·1000; the last accepted one is before 15 000 (14 648.4375).
      assert.equal(a.entered('master'), 14_648.4375 + 3613.28125)
      assert.equal(b.state, 'backup')
    },
  },
  {
    name: 'equal priority: a BACKUP does not preempt an equal MASTER, whatever its address (RFC 3768 §6.4.2)',
    run(net) {
      const a = net.add({ name: 'VI_1', priority: 100, primaryAddress: A })
      const b = net.add({ name: 'VI_1', priority: 100, primaryAddress: B })
      net.start(a)
      net.runUntil(5_000)
      net.start(b)
      net.runUntil(30_000)
      assert.equal(a.state, 'master')
      assert.equal(b.state, 'backup')
    },
  },
  {
    name: 'gratuitous ARPs: 5 at the transition, 5 more 5 s later, none after (refresh off)',
    run(net) {
      const n = net.add({ name: 'VI_1', priority: 90, primaryAddress: B })
      net.start(n)
      net.runUntil(60_000)
      assert.deepEqual(n.garps, [{ at: 3648.4375, count: 5 }, { at: 8648.4375, count: 5 }])
      assert.ok(n.logs.some((l) => l.message === '(VI_1) Sending/queueing gratuitous ARPs on eth2 for 10.223.0.246'))
    },
  },
  {
    name: 'garp_master_refresh 10 with refresh_repeat 2: periodic bursts while MASTER',
    run(net) {
      const n = net.add({ name: 'VI_1', priority: 255, primaryAddress: B, garpMasterRefreshMs: 10_000, garpMasterRefreshRepeat: 2, garpMasterDelayMs: 0 })
      net.start(n)
      net.runUntil(35_000)
      assert.deepEqual(n.garps, [{ at: 0, count: 5 }, { at: 10_000, count: 2 }, { at: 20_000, count: 2 }, { at: 30_000, count: 2 }])
    },
  },
  {
    name: 'v3 advert_int 0.5: master-down 1.824 s; a v3 backup learns the master\'s 1 s interval',
    run(net) {
      const fast = net.add({ name: 'VI_1', priority: 90, primaryAddress: B, version: 3, advertIntervalMs: 500 })
      net.start(fast)
      net.runUntil(10_000)
      assert.equal(fast.entered('master'), 1824.21875)
      const slow = net.add({ name: 'VI_1', priority: 99, primaryAddress: A, version: 3, advertIntervalMs: 1000, preempt: false })
      net.start(slow)
      net.runUntil(20_000)
      assert.equal(slow.state, 'backup')
      assert.equal(slow.m.masterAdvertIntervalMs, 500)
      net.kill(fast)
      const last = fast.adverts.at(-1)!.at
      net.runUntil(30_000)
      assert.equal(slow.entered('master'), last + masterDownIntervalMs(99, 500))
    },
  },
  {
    name: 'health FAULT on the master: priority 0 out, VIPs removed, peer MASTER after skew; recovery preempts back',
    run(net) {
      const [a, b] = seedPair(net)
      net.start(a)
      net.start(b)
      net.runUntil(10_000)
      net.health(a, { priority: 99, fault: true })
      assert.equal(a.state, 'fault')
      assert.deepEqual(a.adverts.at(-1), { at: 10_000, priority: 0 })
      assert.equal(a.vipsSet, false)
      net.runUntil(12_000)
      assert.equal(b.entered('master'), 10_648.4375)
      assert.equal(a.adverts.at(-1)!.at, 10_000, 'no adverts while in FAULT')
      net.health(a, { priority: 99, fault: false })
      assert.equal(a.state, 'backup')
      net.runUntil(30_000)
      assert.equal(a.entered('master'), 12_000 + 3613.28125)
      assert.equal(b.state, 'backup')
    },
  },
  {
    name: 'health lowers the master\'s priority below the backup\'s: the backup preempts at its master-down timer',
    run(net) {
      const [a, b] = seedPair(net)
      net.start(a)
      net.start(b)
      net.runUntil(10_000)
      net.health(a, { priority: 1, fault: false })
      assert.ok(a.logs.some((l) => l.message === '(VI_1) Changing effective priority from 99 to 1'))
      net.runUntil(30_000)
      // a's adverts at 9613.28125 (last with 99), then 10 613.28125 with priority 1, discarded by b.
      assert.equal(b.entered('master'), 9613.28125 + 3648.4375)
      assert.equal(a.state, 'backup')
    },
  },
  {
    name: 'shutdown from BACKUP: no advert, timer cancelled; startup is ignored unless stopped',
    run(net) {
      const [a, b] = seedPair(net)
      net.start(a)
      net.start(b)
      net.runUntil(5_000)
      const sent = b.adverts.length
      net.stop(b)
      assert.equal(b.state, 'init')
      assert.equal(b.adverts.length, sent)
      assert.equal(b.timers.size, 0)
      net.runUntil(10_000)
      assert.equal(a.state, 'master')
    },
  },
]
for (const s of scenarios) test(s.name, () => s.run(new SimNet()))

// Single steps: the exact effect lists.
const cfg: MachineConfig = { ...DEFAULTS, name: 'VI_1', priority: 90, primaryAddress: B }
const kinds = (effects: Effect[]): string[] =>
  effects.map((e) => (e.kind === 'log' ? `log ${e.event}` : e.kind === 'arm-timer' || e.kind === 'cancel-timer' ? `${e.kind} ${e.name}` : e.kind))

test('becoming MASTER: VIPs, GARPs, then the first advert (keepalived order), then the timers', () => {
  const [backup] = step(initialMachine(cfg), { kind: 'startup', at: 0 }, cfg)
  const [master, effects] = step(backup, { kind: 'timer', at: 3648.4375, name: 'master-down' }, cfg)
  assert.equal(master.state, 'master')
  assert.deepEqual(kinds(effects), [
    'cancel-timer master-down', 'log VRRP_ENTER_MASTER', 'add-vips', 'log VRRP_VIPS_SET', 'log VRRP_GARPS_SENT', 'send-garps',
    'send-advert', 'arm-timer advert', 'arm-timer garp-delay',
  ])
  assert.deepEqual(effects[1], { kind: 'log', event: 'VRRP_ENTER_MASTER', level: 'info', message: '(VI_1) Entering MASTER STATE' })
  assert.deepEqual(effects.find((e) => e.kind === 'send-garps'), { kind: 'send-garps', count: 5 })
  assert.deepEqual(effects.find((e) => e.kind === 'arm-timer' && e.name === 'garp-delay'), { kind: 'arm-timer', name: 'garp-delay', delayMs: 5000 })
})

test('MASTER receiving a lower priority forces a new election (sends an advert, stays MASTER)', () => {
  const owner = { ...cfg, priority: 255 }
  const [m] = step(initialMachine(owner), { kind: 'startup', at: 0 }, owner)
  const [after, effects] = step(m, { kind: 'advert', at: 1, advert: { from: A, priority: 90, intervalMs: 1000 } }, owner)
  assert.equal(after.state, 'master')
  assert.deepEqual(kinds(effects), ['log VRRP_FORCING_ELECTION', 'send-advert'])
})

test('MASTER receiving priority 0 answers with an advert and re-arms (RFC 3768 §6.4.3)', () => {
  const owner = { ...cfg, priority: 255 }
  const [m] = step(initialMachine(owner), { kind: 'startup', at: 0 }, owner)
  const [, effects] = step(m, { kind: 'advert', at: 1, advert: { from: A, priority: 0, intervalMs: 1000 } }, owner)
  assert.deepEqual(effects, [{ kind: 'send-advert', priority: 255 }, { kind: 'arm-timer', name: 'advert', delayMs: 1000 }])
})

test('INIT and FAULT ignore adverts and stale timers', () => {
  const m = initialMachine(cfg)
  assert.deepEqual(step(m, { kind: 'advert', at: 0, advert: { from: A, priority: 0, intervalMs: 1000 } }, cfg), [m, []])
  assert.deepEqual(step(m, { kind: 'timer', at: 0, name: 'master-down' }, cfg), [m, []])
  const [faulty] = step(m, { kind: 'health', at: 0, health: { priority: 90, fault: true } }, cfg)
  const [fault, effects] = step(faulty, { kind: 'startup', at: 0 }, cfg)
  assert.equal(fault.state, 'fault')
  assert.deepEqual(kinds(effects), ['remove-vips', 'log VRRP_ENTER_FAULT'])
  assert.deepEqual(step(fault, { kind: 'timer', at: 1, name: 'advert' }, cfg), [fault, []])
})

test('two MASTERs with equal priority (after a partition heals): the higher primary address wins (RFC 3768 §6.4.3)', () => {
  const owner = { ...cfg, priority: 100 }
  const [m] = step(step(initialMachine(owner), { kind: 'startup', at: 0 }, owner)[0], { kind: 'timer', at: 4000, name: 'master-down' }, owner)
  assert.equal(m.state, 'master')
  const lower = step(m, { kind: 'advert', at: 5000, advert: { from: A, priority: 100, intervalMs: 1000 } }, owner)
  assert.equal(lower[0].state, 'master', '.244 loses to us (.245)')
  const higher = step(m, { kind: 'advert', at: 5000, advert: { from: B + 1, priority: 100, intervalMs: 1000 } }, owner)
  assert.equal(higher[0].state, 'backup', '.246 wins')
  assert.deepEqual(kinds(higher[1]), [
    'log VRRP_HIGHER_PRIORITY_MASTER', 'log VRRP_ENTER_BACKUP', 'cancel-timer advert', 'cancel-timer garp-delay', 'cancel-timer garp-refresh',
    'remove-vips', 'log VRRP_VIPS_REMOVED', 'arm-timer master-down',
  ])
})
