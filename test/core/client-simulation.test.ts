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

const CONF = `authoritative;
default-lease-time 300; max-lease-time 600; min-lease-time 60;
subnet 10.9.0.0 netmask 255.255.255.0 { range 10.9.0.10 10.9.0.29; }`

interface Held {
  client: string
  ends: number
}

for (const seed of [1, 2, 3, 42, 2024]) {
  test(`random client behaviour keeps leases exclusive (seed ${seed})`, () => {
    const rng = new Prng(seed)
    const b = new Bench(compile(CONF), { iface: { name: 'eth0', addresses: ['10.9.0.1'] } })
    const macs = Array.from({ length: 30 }, (_, i) => `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`)
    const bound = new Map<string, string>() // client → address it believes it has
    const held = new Map<string, Held>() // address → who holds it until when (our model)
    const nowS = (): number => Math.floor(b.clock.now() / 1000)
    const inPool = (a: string): boolean => addr(a) >= addr('10.9.0.10') && addr(a) <= addr('10.9.0.29')
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
        const discover = b.send({ type: 'DISCOVER', mac, ...(rng.bool(0.3) ? { requested: `10.9.0.${10 + rng.int(25)}` } : {}) })
        const offer = summarize(discover)
        if (offer === undefined) continue
        if (held.get(offer.yiaddr)?.client === 'abandoned') {
          held.delete(offer.yiaddr) // reclaimed: from now on an ordinary offered address
          lastOffered.delete(addr(offer.yiaddr))
          assert.ok(discover.events.some((e) => e.id === 'DHCP_ABANDONED_RECLAIMED'), `step ${step}: abandoned ${offer.yiaddr} offered without reclaiming`)
          const free = [...b.store.leases()].filter((l) => l.bindingState === 'free').map((l) => l.address)
          assert.deepEqual(free.filter((a) => !offeredWithinHold(a)), [], `step ${step}: abandoned address reclaimed while free leases exist`)
        }
        assert.ok(inPool(offer.yiaddr), `offer ${offer.yiaddr} outside the pool`)
        assert.ok(!ownedByOther(offer.yiaddr, mac), `step ${step}: offered ${offer.yiaddr} held by ${held.get(offer.yiaddr)?.client}`)
        lastOffered.set(addr(offer.yiaddr), nowS())
        if (rng.bool(0.8)) {
          const ack = summarize(b.send({ type: 'REQUEST', mac, requested: offer.yiaddr, serverId: '10.9.0.1' }))
          if (ack?.type === 'ACK') {
            assert.ok(!ownedByOther(ack.yiaddr, mac), `step ${step}: ACKed ${ack.yiaddr} held by another client`)
            if (mine !== undefined && mine !== ack.yiaddr) held.delete(mine)
            held.set(ack.yiaddr, { client: mac, ends: nowS() + ack.leaseTime! })
            bound.set(mac, ack.yiaddr)
          }
        }
      } else if (action === 2) {
        const ack = summarize(b.send({ type: 'REQUEST', mac, ciaddr: mine }))
        if (ack?.type === 'ACK') {
          assert.equal(ack.yiaddr, mine)
          assert.ok(!ownedByOther(mine, mac), `step ${step}: renewed ${mine} held by another client`)
          held.set(mine, { client: mac, ends: nowS() + ack.leaseTime! })
        } else if (ack?.type === 'NAK') bound.delete(mac)
      } else if (action === 3) {
        const ack = summarize(b.send({ type: 'REQUEST', mac, requested: mine }))
        if (ack?.type === 'ACK') {
          assert.ok(!ownedByOther(mine, mac), `step ${step}: INIT-REBOOT ACKed ${mine} held by another client`)
          held.set(mine, { client: mac, ends: nowS() + ack.leaseTime! })
        } else bound.delete(mac)
      } else if (action === 4) {
        b.send({ type: 'RELEASE', mac, ciaddr: mine })
        if (held.get(mine)?.client === mac) held.delete(mine)
        bound.delete(mac)
      } else if (rng.bool(0.1)) {
        b.send({ type: 'DECLINE', mac, requested: mine })
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
