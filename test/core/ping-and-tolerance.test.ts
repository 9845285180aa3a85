import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode, toBuffer } from '../../src/protocol/dhcp/packet.js'
import { Bench, clientDatagram, compile, seed001, summarize } from './harness.js'
import { BASIC } from './confs.js'

const MAC = '08:00:27:d9:45:96'

test('ping-check: a probe is requested before offering a dynamic address (ISC default on)', () => {
  const b = new Bench(compile(BASIC))
  const d = b.send({ type: 'DISCOVER', mac: MAC })
  assert.deepEqual(d.probe, { address: 0x0a000a64, timeoutMs: 1000 })
})

test('ping-check false and fixed addresses: no probe; ping-timeout is honoured', () => {
  assert.equal(new Bench(compile(`ping-check false;\n${BASIC}`)).send({ type: 'DISCOVER', mac: MAC }).probe, undefined)
  assert.equal(new Bench(seed001(true)).send({ type: 'DISCOVER', mac: MAC }).probe, undefined)
  assert.equal(new Bench(compile(`ping-timeout 3;\n${BASIC}`)).send({ type: 'DISCOVER', mac: MAC }).probe?.timeoutMs, 3000)
})

test('no probe for the client\'s own active lease; its expired lease is probed after a minute (ISC ping-cltt-secs)', () => {
  const b = new Bench(compile(BASIC))
  b.dora({ mac: MAC })
  b.clock.advance(30_000)
  assert.equal(b.send({ type: 'DISCOVER', mac: MAC }).probe, undefined)
  b.clock.advance(60_000)
  assert.equal(b.send({ type: 'DISCOVER', mac: MAC }).probe, undefined, 'still active: never pinged (dhcpd.conf(5) "neither static nor active")')
  b.clock.advance(30 * 86_400_000)
  assert.ok(b.send({ type: 'DISCOVER', mac: MAC }).probe, 'expired, last seen long ago')
})

test('a ping answer abandons the address and the retried DISCOVER gets another one', () => {
  const b = new Bench(compile(BASIC))
  const first = b.send({ type: 'DISCOVER', mac: MAC })
  const conflict = b.pipeline.reportConflict(first.probe!.address, b.clock.now())
  assert.equal(conflict.changes[0]?.after?.bindingState, 'abandoned')
  assert.deepEqual(conflict.events.map((e) => e.text), ['Abandoning IP address 10.0.10.100: pinged before offer'])
  assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC }))?.yiaddr, '10.0.10.101')
})

test('a malformed advisory option (host name of NULs) is ignored, not fatal', () => {
  const b = new Bench(compile(BASIC))
  const bytes = clientDatagram({ type: 'DISCOVER', mac: MAC })
  const p = decode(bytes, 0, bytes.length).value
  p.options = [...p.options, { code: 12, data: Buffer.from([0, 0]) }]
  const d = b.pipeline.handle({ datagram: toBuffer(p, { minLength: 300 }), receivedOn: b.iface, now: b.clock.now() })
  assert.equal(summarize(d)?.type, 'OFFER')
  assert.equal(d.events[0]?.id, 'DHCP_OPTION_IGNORED')
})

test('a malformed decisive option (3-byte requested address) drops the packet', () => {
  const b = new Bench(compile(BASIC))
  const bytes = clientDatagram({ type: 'REQUEST', mac: MAC, requested: '10.0.10.100' })
  const p = decode(bytes, 0, bytes.length).value
  p.options = p.options.map((o) => (o.code === 50 ? { code: 50, data: o.data.subarray(0, 3) } : o))
  const d = b.pipeline.handle({ datagram: toBuffer(p, { minLength: 300 }), receivedOn: b.iface, now: b.clock.now() })
  assert.equal(d.reply, undefined)
  assert.equal(d.events[0]?.id, 'DHCP_PACKET_DROPPED')
})

test('ping-cltt-secs: how long after its last transaction a previous owner\'s released lease goes unpinged', () => {
  for (const [conf, pinged] of [['', true], ['ping-cltt-secs 7200;\n', false]] as const) {
    const b = new Bench(compile(`${conf}${BASIC}`))
    const { ack } = b.dora({ mac: MAC })
    b.send({ type: 'RELEASE', mac: MAC, ciaddr: ack!.yiaddr, serverId: ack!.serverId! })
    b.clock.advance(90_000)
    const d = b.send({ type: 'DISCOVER', mac: MAC })
    assert.equal(d.probe !== undefined, pinged, `${conf || 'default 60 s'}: 90 s after the release`)
  }
})
