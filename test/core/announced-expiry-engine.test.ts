/**
 * An ending binding in a failover pool keeps, as tstp, the potential expiry announced for its
 * grant (ha/failover/announced-expiry.ts): set by the pool policy inside the engine's own write,
 * so the DHCPRELEASE or the expiry is one journal record carrying it (the PARTNER-DOWN re-use
 * time counts it), with no second write afterwards.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bench, T0, addr, compile } from './harness.js'
import { failoverPoolPolicy, type RelationshipView } from '../../src/ha/failover/failover-pool-policy.js'
import { keepAnnouncedExpiry, potentialExpiry } from '../../src/ha/failover/announced-expiry.js'
import { standalonePoolPolicy } from '../../src/core/pool-policy.js'
import type { Lease } from '../../src/core/lease.js'

const conf = `failover peer "p" { primary; address 10.0.10.251; peer address 10.0.10.252; max-response-delay 60; max-unacked-updates 10; load balance max seconds 3; mclt 60; split 128; }
default-lease-time 600; max-lease-time 600;
subnet 10.0.10.0 netmask 255.255.255.0 { pool { failover peer "p"; range 10.0.10.10 10.0.10.11; } }`

const t0 = Math.floor(T0 / 1000)

function bench(): Bench {
  const config = compile(conf)
  const view: RelationshipView = { state: 'normal', role: 'primary', stos: t0 - 1000, mclt: 60 }
  return new Bench(config, { poolPolicy: failoverPoolPolicy(() => view, standalonePoolPolicy(config.failoverPeers)) })
}

test('DHCPRELEASE in a failover pool: one write, RELEASED with tstp = the potential expiry announced for the grant', () => {
  const b = bench()
  assert.equal(b.dora({ mac: '02:00:00:00:00:01' }).ack?.yiaddr, '10.0.10.10')
  const active = b.store.get(addr('10.0.10.10'))!
  const announced = potentialExpiry(active)
  assert.ok(announced > (active.ends ?? 0), `announced ${announced} is past the client's end ${active.ends}`)
  b.clock.advance(5_000)
  const released = b.send({ type: 'RELEASE', mac: '02:00:00:00:00:01', ciaddr: '10.0.10.10', serverId: '10.0.10.251' })
  assert.equal(released.changes.length, 1)
  assert.equal(released.changes[0]?.after?.bindingState, 'released')
  assert.equal(released.changes[0]?.after?.tstp, announced, 'journalled in the release record itself')
  assert.equal(b.store.get(addr('10.0.10.10'))?.tstp, announced)
})

test('expiry in a failover pool: EXPIRED keeps the announced potential expiry', () => {
  const b = bench()
  assert.equal(b.dora({ mac: '02:00:00:00:00:01' }).ack?.yiaddr, '10.0.10.10')
  const announced = potentialExpiry(b.store.get(addr('10.0.10.10'))!)
  b.clock.advance(601_000)
  b.pipeline.reclaimExpired(b.clock.now(), 100)
  const after = b.store.get(addr('10.0.10.10'))
  assert.equal(after?.bindingState, 'expired')
  assert.equal(after?.tstp, announced)
})

test('keepAnnouncedExpiry: only an ending ACTIVE/BOOTP binding, never lowering tstp, never the infinite time', () => {
  const hw = { htype: 1, address: Buffer.from('020000000003', 'hex') }
  const active: Lease = { address: 1, bindingState: 'active', starts: 1000, ends: 1600, hardware: hw }
  const released: Lease = { ...active, bindingState: 'released', ends: 1200 }
  assert.equal(keepAnnouncedExpiry(active, released).tstp, 1600 + 300, 'ends + granted/2')
  assert.equal(keepAnnouncedExpiry({ ...active, tstp: 2500 }, released).tstp, 2500, 'the recorded tstp')
  assert.equal(keepAnnouncedExpiry(active, { ...released, tstp: 3000 }).tstp, 3000, 'a later tstp stays')
  assert.equal(keepAnnouncedExpiry(active, { ...active, ends: 1800 }).tstp, undefined, 'a renewal is not an end')
  assert.equal(keepAnnouncedExpiry({ ...active, bindingState: 'free' }, released).tstp, undefined, 'nothing was granted')
  assert.equal(keepAnnouncedExpiry(undefined, released).tstp, undefined)
  assert.equal(keepAnnouncedExpiry({ ...active, ends: 0xffff_ffff }, released).tstp, undefined, 'infinite lease')
  assert.equal(keepAnnouncedExpiry(active, { ...released, bindingState: 'reset' }).tstp, 1900)
})
