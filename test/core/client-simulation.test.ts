/**
 * Property test: many clients doing random things on a small pool over simulated days.
 * Invariants checked after every message:
 *  - an ACKed or OFFERed address lies in a pool range of the client's network;
 *  - no address is ACKed to a client while another client holds an unexpired lease on it;
 *  - no address is OFFERed while another client's lease on it is unexpired;
 *  - an abandoned address is offered only by reclaiming it, when nothing is free;
 *  - the store's lease for an ACKed address names the ACKed client.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Prng } from '../helpers/prng.js'
import { addr, Bench, compile, summarize } from './harness.js'

const PLAIN = `authoritative;
default-lease-time 300; max-lease-time 600; min-lease-time 60;
subnet 10.9.0.0 netmask 255.255.255.0 { range 10.9.0.10 10.9.0.29; }`

/** The same 20 addresses split over a shared network, two pools with permits, relayed. */
const SHARED = `authoritative;
default-lease-time 300; max-lease-time 600; min-lease-time 60;
shared-network floor {
  subnet 10.9.0.0 netmask 255.255.255.224 {
    pool { deny known-clients; range 10.9.0.10 10.9.0.19; }
    pool { allow known-clients; range 10.9.0.20 10.9.0.24; }
  }
  subnet 10.9.0.32 netmask 255.255.255.224 { range 10.9.0.40 10.9.0.44; }
}
subnet 10.9.0.64 netmask 255.255.255.224 { }
host k1 { hardware ethernet 02:00:00:00:00:01; }
host k2 { hardware ethernet 02:00:00:00:00:02; }
host k3 { hardware ethernet 02:00:00:00:00:03; }`

interface Held {
  client: string
  ends: number
}

const scenarios = [
  { name: 'one subnet, local', conf: PLAIN, relay: {} },
  { name: 'shared network with permit pools, relayed', conf: SHARED, relay: { giaddr: '10.9.0.33' } },
] as const

for (const scenario of scenarios) for (const seed of [1, 2, 3, 42, 2024]) {
  test(`random client behaviour keeps leases exclusive (${scenario.name}, seed ${seed})`, () => {
    const rng = new Prng(seed)
    const b = new Bench(compile(scenario.conf), { iface: { name: 'eth0', addresses: ['10.9.0.65'] } })
    const sid = '10.9.0.65'
    const relay = scenario.relay
    const macs = Array.from({ length: 30 }, (_, i) => `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`)
    const bound = new Map<string, string>() // client → address it believes it has
    const held = new Map<string, Held>() // address → who holds it until when (our model)
    const nowS = (): number => Math.floor(b.clock.now() / 1000)
    const inPool = (a: string): boolean =>
      (addr(a) >= addr('10.9.0.10') && addr(a) <= addr('10.9.0.29')) || (addr(a) >= addr('10.9.0.40') && addr(a) <= addr('10.9.0.44'))
    const ownedByOther = (a: string, mac: string): boolean => {
      const h = held.get(a)
      return h !== undefined && h.client !== mac && h.client !== 'abandoned' && h.ends > nowS()
    }

    const lastOffered = new Map<number, number>() // address → when offered (s)
    const offeredWithinHold = (a: number): boolean => (lastOffered.get(a) ?? -1e9) > nowS() - 60
    for (let step = 0; step < 3000; step++) {
      b.clock.advance(rng.int(20_000))
      if (rng.bool(0.05)) b.pipeline.reclaimExpired(b.clock.now(), 5)
      const mac = rng.pick(macs)
      const mine = bound.get(mac)
      const action = rng.int(6)
      if (action <= 1 || mine === undefined) {
        const discover = b.send({ type: 'DISCOVER', mac, ...relay, ...(rng.bool(0.3) ? { requested: `10.9.0.${10 + rng.int(40)}` } : {}) })
        const offer = summarize(discover)
        if (offer === undefined) continue
        if (held.get(offer.yiaddr)?.client === 'abandoned') {
          held.delete(offer.yiaddr) // reclaimed: from now on an ordinary offered address
          lastOffered.delete(addr(offer.yiaddr))
          assert.ok(discover.events.some((e) => e.id === 'DHCP_ABANDONED_RECLAIMED'), `step ${step}: abandoned ${offer.yiaddr} offered without reclaiming`)
          const known = mac.endsWith(':01') || mac.endsWith(':02') || mac.endsWith(':03')
          const inKnownPool = (a: number): boolean => a >= addr('10.9.0.20') && a <= addr('10.9.0.24')
          const inUnknownPool = (a: number): boolean => a >= addr('10.9.0.10') && a <= addr('10.9.0.19')
          const permitted = (a: number): boolean =>
            scenario.conf === PLAIN || (known ? !inUnknownPool(a) : !inKnownPool(a))
          const free = [...b.store.leases()].filter((l) => l.bindingState === 'free' && permitted(l.address)).map((l) => l.address)
          assert.deepEqual(free.filter((a) => !offeredWithinHold(a)), [], `step ${step}: abandoned address reclaimed while free leases exist`)
        }
        assert.ok(inPool(offer.yiaddr), `offer ${offer.yiaddr} outside the pool`)
        assert.ok(!ownedByOther(offer.yiaddr, mac), `step ${step}: offered ${offer.yiaddr} held by ${held.get(offer.yiaddr)?.client}`)
        lastOffered.set(addr(offer.yiaddr), nowS())
        if (rng.bool(0.8)) {
          const ack = summarize(b.send({ type: 'REQUEST', mac, ...relay, requested: offer.yiaddr, serverId: sid }))
          if (ack?.type === 'ACK') {
            assert.ok(!ownedByOther(ack.yiaddr, mac), `step ${step}: ACKed ${ack.yiaddr} held by another client`)
            if (mine !== undefined && mine !== ack.yiaddr) held.delete(mine)
            held.set(ack.yiaddr, { client: mac, ends: nowS() + ack.leaseTime! })
            bound.set(mac, ack.yiaddr)
          }
        }
      } else if (action === 2) {
        const ack = summarize(b.send({ type: 'REQUEST', mac, ...relay, ciaddr: mine }))
        if (ack?.type === 'ACK') {
          assert.equal(ack.yiaddr, mine)
          assert.ok(!ownedByOther(mine, mac), `step ${step}: renewed ${mine} held by another client`)
          held.set(mine, { client: mac, ends: nowS() + ack.leaseTime! })
        } else if (ack?.type === 'NAK') bound.delete(mac)
      } else if (action === 3) {
        const ack = summarize(b.send({ type: 'REQUEST', mac, ...relay, requested: mine }))
        if (ack?.type === 'ACK') {
          assert.ok(!ownedByOther(mine, mac), `step ${step}: INIT-REBOOT ACKed ${mine} held by another client`)
          held.set(mine, { client: mac, ends: nowS() + ack.leaseTime! })
        } else bound.delete(mac)
      } else if (action === 4) {
        b.send({ type: 'RELEASE', mac, ciaddr: mine })
        if (held.get(mine)?.client === mac) held.delete(mine)
        bound.delete(mac)
      } else if (rng.bool(0.1)) {
        b.send({ type: 'DECLINE', mac, ...relay, requested: mine })
        held.set(mine, { client: 'abandoned', ends: Number.MAX_SAFE_INTEGER })
        bound.delete(mac)
      }
      for (const [a, h] of held) {
        if (h.client === 'abandoned' || h.ends <= nowS()) continue
        const lease = b.store.get(addr(a))
        assert.equal(lease?.bindingState, 'active', `step ${step}: ${a} should be active for ${h.client}`)
        assert.equal(lease?.hardware?.address.toString('hex'), h.client.replaceAll(':', ''))
      }
    }
  })
}
