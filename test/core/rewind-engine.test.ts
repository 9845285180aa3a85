/**
 * Rewind through the engine under the failover pool policy (ha/failover/rewind.ts, §4.4): a lease
 * allocated in COMMUNICATIONS-INTERRUPTED from our own pool and never announced goes straight back
 * to that pool on DHCPRELEASE and on expiry (primary FREE, secondary BACKUP); one that was announced
 * (rewind state stepped at BNDUPD transmission, acked or not) waits in RELEASED/EXPIRED as before.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bench, T0, addr, compile } from './harness.js'
import { failoverPoolPolicy, type RelationshipView } from '../../src/ha/failover/failover-pool-policy.js'
import { standalonePoolPolicy } from '../../src/core/pool-policy.js'
import type { Role } from '../../src/ha/failover/states.js'

const conf = (role: Role): string => `failover peer "p" { ${role}; address 10.0.10.251; peer address 10.0.10.252; max-response-delay 60; max-unacked-updates 10; load balance max seconds 3; ${role === 'primary' ? 'mclt 60; split 128;' : ''} }
default-lease-time 600; max-lease-time 600;
subnet 10.0.10.0 netmask 255.255.255.0 { pool { failover peer "p"; range 10.0.10.10 10.0.10.11; } }`

const t0 = Math.floor(T0 / 1000)

function bench(role: Role, state: RelationshipView['state'] = 'communications-interrupted'): { b: Bench; view: { v: RelationshipView } } {
  const config = compile(conf(role))
  const view = { v: { state, role, stos: t0 - 1000, mclt: 60 } as RelationshipView }
  const b = new Bench(config, { poolPolicy: failoverPoolPolicy(() => view.v, standalonePoolPolicy(config.failoverPeers)) })
  if (role === 'secondary') {
    // The secondary serves from its BACKUP share (pool balancing gave it these, acked: rewind = BACKUP).
    for (const a of ['10.0.10.10', '10.0.10.11']) {
      const change = b.store.upsert({ address: addr(a), bindingState: 'backup', starts: t0 - 500, tstp: t0 - 500, tsfp: t0 - 500, atsfp: t0 - 500 }, 'peer-update')
      b.pipeline.engine.noteExternalChange(change)
    }
  }
  return { b, view }
}

const reclaim = (b: Bench): void => {
  b.pipeline.reclaimExpired(b.clock.now(), 100)
}

for (const [role, own] of [['primary', 'free'], ['secondary', 'backup']] as const) {
  test(`${role}, COMMUNICATIONS-INTERRUPTED: an un-announced lease goes back to ${own.toUpperCase()} on DHCPRELEASE`, () => {
    const { b } = bench(role)
    const ack = b.dora({ mac: '02:00:00:00:00:01' }).ack
    assert.equal(ack?.yiaddr, '10.0.10.10')
    assert.equal(b.dora({ mac: '02:00:00:00:00:09' }).ack?.yiaddr, '10.0.10.11', 'the pool is full now')
    const lease = b.store.get(addr('10.0.10.10'))
    assert.equal(lease?.bindingState, 'active')
    assert.equal(lease?.rewindBindingState, own, 'the peer still knows it as ours to allocate')
    b.clock.advance(5_000)
    const released = b.send({ type: 'RELEASE', mac: '02:00:00:00:00:01', ciaddr: '10.0.10.10', serverId: '10.0.10.251' })
    assert.equal(released.changes.length, 1)
    const after = b.store.get(addr('10.0.10.10'))
    assert.equal(after?.bindingState, own, 'usable at once, not stuck in RELEASED')
    assert.equal(after?.rewindBindingState, undefined)
    assert.equal(after?.atsfp, undefined, 'un-acked: announced as ' + own + ' once the peer is back')
    assert.equal(after?.hardware?.address.toString('hex'), '020000000001', 'affinity kept')
    // and it is handed out again at once (without rewind the pool would stay full)
    assert.equal(b.dora({ mac: '02:00:00:00:00:02' }).ack?.yiaddr, '10.0.10.10')
  })

  test(`${role}, COMMUNICATIONS-INTERRUPTED: an un-announced lease goes back to ${own.toUpperCase()} when it expires`, () => {
    const { b } = bench(role)
    const ack = b.dora({ mac: '02:00:00:00:00:01' }).ack
    assert.equal(ack?.leaseTime, 60, 'MCLT')
    b.clock.advance(61_000)
    reclaim(b)
    const after = b.store.get(addr('10.0.10.10'))
    assert.equal(after?.bindingState, own)
    assert.equal(after?.nextBindingState, undefined)
    assert.equal(after?.tstp, after?.ends, 'dhcpd: tstp = ends')
    const next = [b.dora({ mac: '02:00:00:00:00:03' }).ack?.yiaddr, b.dora({ mac: '02:00:00:00:00:04' }).ack?.yiaddr]
    assert.deepEqual(next.sort(), ['10.0.10.10', '10.0.10.11'], 'both addresses usable')
  })

  test(`${role}, COMMUNICATIONS-INTERRUPTED: a lease that was announced (BNDUPD sent, even unacked) stays RELEASED / EXPIRED`, () => {
    const { b } = bench(role)
    b.dora({ mac: '02:00:00:00:00:01' })
    b.dora({ mac: '02:00:00:00:00:02' })
    // What BNDUPD transmission does (failover-updates.ts): the rewind state steps to the state sent.
    for (const a of ['10.0.10.10', '10.0.10.11']) {
      const l = b.store.get(addr(a))!
      b.store.upsert({ ...l, rewindBindingState: undefined }, 'peer-update')
    }
    b.clock.advance(5_000)
    b.send({ type: 'RELEASE', mac: '02:00:00:00:00:01', ciaddr: '10.0.10.10', serverId: '10.0.10.251' })
    const released = b.store.get(addr('10.0.10.10'))
    assert.equal(released?.bindingState, 'released')
    assert.equal(released?.rewindBindingState, 'active', 'the peer may hold ACTIVE')
    b.clock.advance(61_000)
    reclaim(b)
    const expired = b.store.get(addr('10.0.10.11'))
    assert.equal(expired?.bindingState, 'expired')
    assert.equal(expired?.rewindBindingState, 'active')
    assert.equal(b.dora({ mac: '02:00:00:00:00:03' }).ack, undefined, 'nothing usable until the peer acknowledges')
  })
}

test('NORMAL: a commit steps the rewind state, so a lease allocated then never rewinds later', () => {
  const { b, view } = bench('primary', 'normal')
  b.dora({ mac: '02:00:00:00:00:01' })
  assert.equal(b.store.get(addr('10.0.10.10'))?.rewindBindingState, undefined, 'rewind = active')
  view.v = { ...view.v, state: 'communications-interrupted' }
  b.clock.advance(5_000)
  b.send({ type: 'RELEASE', mac: '02:00:00:00:00:01', ciaddr: '10.0.10.10', serverId: '10.0.10.251' })
  assert.equal(b.store.get(addr('10.0.10.10'))?.bindingState, 'released')
})

test('a renewal in COMMUNICATIONS-INTERRUPTED keeps the rewind state; PARTNER-DOWN keeps it too, and its EXPIRED lease is usable at once (§4.1)', () => {
  const { b, view } = bench('primary')
  b.dora({ mac: '02:00:00:00:00:01' })
  b.clock.advance(40_000)
  const renewed = b.send({ type: 'REQUEST', mac: '02:00:00:00:00:01', ciaddr: '10.0.10.10' })
  assert.ok(renewed.reply !== undefined)
  assert.equal(b.store.get(addr('10.0.10.10'))?.rewindBindingState, 'free')
  view.v = { ...view.v, state: 'partner-down', stos: t0 + 40 }
  b.clock.advance(61_000)
  reclaim(b)
  const expired = b.store.get(addr('10.0.10.10'))
  assert.equal(expired?.bindingState, 'expired', 'PARTNER-DOWN does not rewind')
  assert.equal(expired?.rewindBindingState, 'free')
  // the client asks for it back (INIT-REBOOT): ours at once, no STOS + MCLT wait
  const back = b.send({ type: 'REQUEST', mac: '02:00:00:00:00:01', requested: '10.0.10.10' })
  assert.ok(back.reply !== undefined, 'ACKed')
  assert.equal(b.store.get(addr('10.0.10.10'))?.bindingState, 'active')
})
