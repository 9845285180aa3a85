/**
 * Random event sequences on a three-node VRRP LAN: per-state invariants hold after every
 * event, and after a quiet period exactly one healthy running node is MASTER.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Prng, seedFromEnv } from '../../helpers/prng.js'
import { SimNet, type SimNode } from './sim.js'

function checkInvariants(n: SimNode, where: string): void {
  if (!n.alive) return
  const timers = [...n.timers.keys()].sort()
  switch (n.state) {
    case 'master':
      assert.ok(n.vipsSet, `${where}: MASTER holds the VIPs`)
      assert.ok(timers.includes('advert'), `${where}: MASTER has its advert timer`)
      assert.ok(!timers.includes('master-down'), `${where}: MASTER has no master-down timer`)
      break
    case 'backup':
      assert.ok(!n.vipsSet, `${where}: BACKUP holds no VIPs`)
      assert.deepEqual(timers, ['master-down'], `${where}: BACKUP waits on master-down only`)
      break
    case 'init':
    case 'fault':
      assert.ok(!n.vipsSet, `${where}: ${n.state} holds no VIPs`)
      assert.deepEqual(timers, [], `${where}: ${n.state} has no timers`)
      break
  }
}

test('random start/stop/kill/health/advert sequences keep the invariants and converge to one MASTER', () => {
  const seed = seedFromEnv(0x5eed0009)
  const rng = new Prng(seed)
  for (let round = 0; round < 40; round++) {
    const net = new SimNet()
    const nodes = [0, 1, 2].map((i) => net.add({
      name: 'VI_1', priority: rng.pick([50, 90, 99, 100, 254, 255]), primaryAddress: 0x0a000001 + i,
      preempt: rng.bool(0.7), preemptDelayMs: rng.bool(0.2) ? 5000 : 0, version: rng.bool() ? 2 : 3,
      advertIntervalMs: 1000, garpMasterRefreshMs: rng.bool(0.3) ? 7000 : 0,
    }))
    const healthy = new Map(nodes.map((n) => [n, true]))
    for (let step = 0; step < 60; step++) {
      const n = rng.pick(nodes)
      const where = `seed ${seed} round ${round} step ${step}`
      switch (rng.int(6)) {
        case 0:
          if (!n.running && n.alive) net.start(n)
          break
        case 1:
          if (n.running) net.stop(n)
          break
        case 2:
          if (rng.bool(0.2) && n.running) net.kill(n)
          break
        case 3: {
          const fault = rng.bool(0.3)
          healthy.set(n, !fault)
          net.health(n, { priority: rng.pick([n.cfg.priority, 1, 60]), fault })
          break
        }
        default:
          net.runUntil(net.clock.now() + rng.int(5000))
      }
      for (const x of nodes) checkInvariants(x, where)
    }
    // Quiet period: no more events; everyone settles.
    net.runUntil(net.clock.now() + 20_000)
    const candidates = nodes.filter((n) => n.alive && n.running && healthy.get(n))
    const masters = nodes.filter((n) => n.alive && n.state === 'master')
    assert.equal(masters.length, candidates.length > 0 ? 1 : 0, `seed ${seed} round ${round}: ${masters.length} masters among ${candidates.length}`)
  }
})
