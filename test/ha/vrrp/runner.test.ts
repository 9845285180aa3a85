/**
 * The instance runner with fake ports on a ManualClock: the doc §3 config sends keepalived's
 * exact packet, receives keepalived's adverts, counts and rate-limits discards.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/lib/clock.js'
import { loadKeepalivedConfig } from '../../../src/config/keepalived/index.js'
import { memoryReader } from '../../../src/config/source-reader.js'
import { VrrpInstanceRunner, type VrrpLogRecord } from '../../../src/ha/vrrp/runner.js'
import type { VrrpTimer } from '../../../src/ha/vrrp/machine.js'
import { encodeVrrpIpHeader } from '../../../src/protocol/vrrp/ip-header.js'
import { A, B, GROUP, V2_P0, V2_P90, V2_P99, V2_P99_FRAME } from '../../protocol/vrrp/vectors.js'

const DOC_CONF = [
  'vrrp_instance VI_1 {',
  '    state MASTER',
  '    interface eth0',
  '    virtual_router_id 51',
  '    priority 99',
  '    advert_int 1',
  '    authentication { auth_type PASS  auth_pass 1111 }',
  '    virtual_ipaddress { 198.18.50.100/24 }',
  '}',
].join('\n')

class Harness {
  readonly clock = new ManualClock(1_000_000)
  readonly timers = new Map<VrrpTimer, number>()
  readonly sent: { at: number; packet: Buffer; dst: number }[] = []
  readonly vipOps: string[] = []
  readonly logs: VrrpLogRecord[] = []
  readonly runner: VrrpInstanceRunner

  constructor(conf = DOC_CONF, interfaceAddress = A) {
    const inst = loadKeepalivedConfig('k.conf', memoryReader({ 'k.conf': conf })).config.instances[0]!
    this.runner = new VrrpInstanceRunner(inst, {
      clock: this.clock,
      timers: { arm: (n, d) => this.timers.set(n, this.clock.now() + d), cancel: (n) => this.timers.delete(n) },
      sender: { sendIpPacket: (packet, dst) => this.sent.push({ at: this.clock.now(), packet, dst }) },
      vips: {
        add: (i) => this.vipOps.push(`add ${i.virtualAddresses.length}`),
        remove: (i) => this.vipOps.push(`remove ${i.virtualAddresses.length}`),
        sendGratuitousArps: (_i, count) => this.vipOps.push(`garp ${count}`),
      },
      log: (r) => this.logs.push(r),
      interfaceAddress,
    })
  }

  /** Advances the clock, firing due timers in order. */
  advance(ms: number): void {
    const end = this.clock.now() + ms
    for (;;) {
      const due = [...this.timers].filter(([, at]) => at <= end).sort((x, y) => x[1] - y[1])[0]
      if (!due) break
      this.timers.delete(due[0])
      this.clock.set(due[1])
      this.runner.timerFired(due[0])
    }
    this.clock.set(end)
  }
}

/** An IPv4 packet around `vrrp` from `src`, header built by the (separately tested) header encoder. */
function packetFrom(src: number, vrrp: Buffer, ttl = 255): Buffer {
  const p = Buffer.alloc(20 + vrrp.length)
  encodeVrrpIpHeader({ src, dst: GROUP, id: 7, payloadLength: vrrp.length }, p, 0)
  vrrp.copy(p, 20)
  if (ttl !== 255) {
    p[8] = ttl // the receive side does not check the IP header checksum
  }
  return p
}

test('alone: stale VIPs removed at start, MASTER after 3.613 s, first packet is keepalived\'s byte for byte', () => {
  const h = new Harness()
  h.runner.start()
  assert.equal(h.runner.state, 'backup')
  assert.deepEqual(h.vipOps, ['remove 1'])
  assert.equal(h.logs[0]?.message, '(VI_1) Entering BACKUP STATE (init)')
  h.advance(3613.28125)
  assert.equal(h.runner.state, 'master')
  assert.deepEqual(h.vipOps, ['remove 1', 'add 1', 'garp 5'])
  assert.equal(h.sent.length, 1)
  assert.equal(h.sent[0]!.dst, GROUP)
  assert.equal(h.sent[0]!.packet.toString('hex'), V2_P99_FRAME.subarray(14).toString('hex'))
  h.advance(5000)
  assert.deepEqual(h.vipOps.slice(3), ['garp 5'])
  assert.equal(h.sent.length, 6)
  assert.equal(h.sent[1]!.packet.readUInt16BE(4), 2, 'IP ID counts up')
})

test('a higher-priority keepalived peer\'s advert keeps us BACKUP; its priority 0 hands over after our skew', () => {
  const conf = DOC_CONF.replace('priority 99', 'priority 90').replace('state MASTER', 'state BACKUP')
  const h = new Harness(conf, B)
  h.runner.start()
  for (let t = 0; t < 10; t++) {
    h.advance(1000)
    h.runner.receive(packetFrom(A, V2_P99))
  }
  assert.equal(h.runner.state, 'backup')
  assert.equal(h.runner.counters.advertsReceived, 10)
  h.runner.receive(packetFrom(A, V2_P0))
  h.advance(648)
  assert.equal(h.runner.state, 'backup')
  h.advance(0.4375)
  assert.equal(h.runner.state, 'master')
  const mine = h.sent[0]!.packet
  assert.equal(mine.subarray(20).toString('hex'), V2_P90.toString('hex'), 'priority 90 advert, keepalived\'s bytes')
  assert.equal(mine.readUInt32BE(12), B)
})

test('discards are counted per reason and logged once per minute', () => {
  const h = new Harness()
  h.runner.start()
  for (let i = 0; i < 5; i++) h.runner.receive(packetFrom(B, V2_P90, 64))
  h.runner.receive(Buffer.from([0x45, 0x00]))
  assert.equal(h.runner.counters.advertsDiscarded, 6)
  assert.deepEqual([...h.runner.discardTotals()], [['ttl', 5], ['malformed', 1]])
  assert.deepEqual(h.logs.filter((l) => l.event === 'VRRP_ADVERT_DISCARDED').map((l) => l.message), [
    '(VI_1) invalid TTL/HL. Received 64 and expect 255',
    '(VI_1) ip header at byte 0: needs 20 bytes, has 2',
  ])
  h.advance(60_000)
  h.runner.receive(packetFrom(B, V2_P90, 64))
  assert.equal(h.logs.filter((l) => l.event === 'VRRP_ADVERT_DISCARDED').at(-1)?.message,
    '(VI_1) invalid TTL/HL. Received 64 and expect 255 (4 more since the last report)')
})

test('stop as MASTER: priority 0 packet (keepalived\'s bytes), VIPs removed, timers cancelled', () => {
  const h = new Harness()
  h.runner.start()
  h.advance(4000)
  h.runner.stop()
  assert.equal(h.sent.at(-1)!.packet.subarray(20).toString('hex'), V2_P0.toString('hex'))
  assert.equal(h.vipOps.at(-1), 'remove 1')
  assert.equal(h.timers.size, 0)
  assert.equal(h.runner.state, 'init')
})

test('unicast peers: one packet per peer, each with its own destination and checksum', () => {
  const conf = DOC_CONF.replace('    virtual_ipaddress', '    unicast_src_ip 198.18.50.11\n    unicast_peer {\n        198.18.50.12\n        198.18.50.13\n    }\n    virtual_ipaddress')
  const h = new Harness(conf, 0x0a000001)
  h.runner.start()
  h.advance(3613.28125)
  assert.deepEqual(h.sent.map((s) => [s.dst, s.packet.readUInt32BE(12), s.packet.readUInt32BE(16)]), [[B, A, B], [0xc612320d, A, 0xc612320d]])
})

test('health FAULT as MASTER: priority 0 out, VIPs removed, FAULT', () => {
  const h = new Harness()
  h.runner.start()
  h.advance(4000)
  h.runner.setHealth({ priority: 99, fault: true })
  assert.equal(h.runner.state, 'fault')
  assert.equal(h.sent.at(-1)!.packet[20 + 2], 0)
  assert.equal(h.vipOps.at(-1), 'remove 1')
})

test('our own advert looped back is discarded, not answered', () => {
  const h = new Harness()
  h.runner.start()
  h.advance(4000)
  const sent = h.sent.length
  h.runner.receive(h.sent[0]!.packet)
  assert.equal(h.sent.length, sent)
  assert.deepEqual([...h.runner.discardTotals()], [['own-advert', 1]])
})

test('reconfigure (SIGHUP): a MASTER swaps its VIPs and announces them; new auth is what it sends and expects', () => {
  const h = new Harness()
  h.runner.start()
  h.advance(3700)
  assert.equal(h.runner.state, 'master')
  const vipsBefore = h.vipOps.length
  const next = loadKeepalivedConfig('k.conf', memoryReader({ 'k.conf': DOC_CONF.replace('auth_pass 1111', 'auth_pass 2222').replace('virtual_ipaddress { 198.18.50.100/24 }', 'virtual_ipaddress {\n 198.18.50.100/24\n 198.18.50.101/24\n }') })).config.instances[0]!
  h.runner.reconfigure(next)
  assert.equal(h.runner.state, 'master')
  assert.deepEqual(h.vipOps.slice(vipsBefore), ['remove 1', 'add 2', 'garp 5'])
  assert.ok(h.logs.some((l) => l.event === 'VRRP_VIPS_RELOADED'))
  h.sent.length = 0
  h.advance(1000)
  const vrrp = h.sent[0]!.packet.subarray(20)
  assert.equal(vrrp[3], 2, 'two addresses advertised')
  assert.equal(vrrp.subarray(16, 20).toString(), '2222')
  // An advert with the old password is now a counted auth mismatch.
  h.runner.receive(packetFrom(B, V2_P90))
  assert.equal(h.runner.counters.advertsDiscarded, 1)
})

test('reconfigure with a lower priority (SIGHUP): a BACKUP peer\'s higher advert then wins', () => {
  const h = new Harness()
  h.runner.start()
  h.advance(3700)
  const next = loadKeepalivedConfig('k.conf', memoryReader({ 'k.conf': DOC_CONF.replace('priority 99', 'priority 80') })).config.instances[0]!
  h.runner.reconfigure(next)
  h.runner.setHealth({ priority: next.priority, fault: false })
  assert.equal(h.runner.effectivePriority, 80)
  h.runner.receive(packetFrom(B, V2_P90))
  assert.equal(h.runner.state, 'backup')
})
