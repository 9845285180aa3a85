/**
 * The engine under the failover pool policy (ha/failover/failover-pool-policy.ts): a secondary
 * allocates only its BACKUP addresses until PARTNER-DOWN + MCLT, then the primary's never-used
 * FREE addresses too (after the allocator looks at them again); the MCLT rule still limits the
 * lease time; the client's own active lease is renewed in every serving state.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bench, T0, compile } from './harness.js'
import { failoverPoolPolicy, type RelationshipView } from '../../src/ha/failover/failover-pool-policy.js'
import { standalonePoolPolicy } from '../../src/core/pool-policy.js'

const CONF = `failover peer "p" { secondary; address 10.0.10.252; peer address 10.0.10.251; max-response-delay 60; max-unacked-updates 10; load balance max seconds 3; }
default-lease-time 600; max-lease-time 600;
subnet 10.0.10.0 netmask 255.255.255.0 { pool { failover peer "p"; range 10.0.10.10 10.0.10.13; } }`

test('secondary in PARTNER-DOWN: own BACKUP first, the primary\'s FREE addresses only after STOS + MCLT, lease times under the MCLT rule', () => {
  const config = compile(CONF)
  const t0 = Math.floor(T0 / 1000)
  let view: RelationshipView = { state: 'communications-interrupted', role: 'secondary', stos: t0, mclt: 60 }
  const b = new Bench(config, { poolPolicy: failoverPoolPolicy(() => view, standalonePoolPolicy(config.failoverPeers)) })
  b.store.upsert({ address: 0x0a000a0d, bindingState: 'backup', starts: t0 - 100, tstp: t0 - 100, tsfp: t0 - 100 }, 'peer-update')
  b.pipeline.engine.noteExternalChange({ address: 0x0a000a0d, before: undefined, after: b.store.get(0x0a000a0d) })
  const first = b.dora({ mac: '02:00:00:00:00:01' }).ack
  assert.equal(first?.yiaddr, '10.0.10.13', 'the BACKUP address')
  assert.equal(first?.leaseTime, 60, 'a new lease gets MCLT (§4.1)')
  assert.equal(b.dora({ mac: '02:00:00:00:00:02' }).ack, undefined, 'COMMUNICATIONS-INTERRUPTED: the primary\'s FREE addresses are not ours')

  b.clock.advance(10_000)
  view = { ...view, state: 'partner-down', stos: t0 + 10 }
  assert.equal(b.dora({ mac: '02:00:00:00:00:02' }).ack, undefined, 'PARTNER-DOWN before STOS + MCLT')
  // the client of the BACKUP address renews in PARTNER-DOWN
  const renewed = b.send({ type: 'REQUEST', mac: '02:00:00:00:00:01', ciaddr: '10.0.10.13' })
  assert.equal(renewed.reply !== undefined, true, 'renewal answered')

  b.clock.advance(60_000)
  b.pipeline.engine.rescanFreeAddresses()
  const taken = ['02', '03', '04'].map((n) => b.dora({ mac: `02:00:00:00:00:${n}` }).ack)
  assert.deepEqual(taken.map((a) => a?.yiaddr), ['10.0.10.10', '10.0.10.11', '10.0.10.12'])
  assert.ok(taken.every((a) => a?.leaseTime === 60), 'still MCLT-limited in PARTNER-DOWN (ISC 4.4.3)')
  assert.equal(b.dora({ mac: '02:00:00:00:00:05' }).ack, undefined, 'pool exhausted')
})
