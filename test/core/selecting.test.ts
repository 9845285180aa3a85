import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bench, compile, summarize, texts } from './harness.js'
import { BASIC, NOT_AUTHORITATIVE } from './confs.js'

const MAC = '08:00:27:d9:45:96'
const OURS = '10.0.10.251'

const selecting = [
  { name: 'free pool address without an offer', conf: BASIC, requested: '10.0.10.101', want: 'ACK' },
  { name: 'address in our subnet outside the pools, authoritative', conf: BASIC, requested: '10.0.10.50', want: 'NAK' },
  { name: 'address in our subnet outside the pools, not authoritative (ISC: unknown lease)', conf: NOT_AUTHORITATIVE, requested: '10.0.10.50', want: undefined },
  { name: 'address on another served network, authoritative', conf: BASIC, requested: '192.168.5.12', want: 'NAK' },
  { name: 'address on another served network, not authoritative', conf: NOT_AUTHORITATIVE, requested: '192.168.5.12', want: undefined },
] as const

for (const c of selecting) {
  test(`SELECTING with our server id: ${c.name} → ${c.want ?? 'silent'}`, () => {
    const b = new Bench(compile(c.conf))
    assert.equal(summarize(b.send({ type: 'REQUEST', mac: MAC, requested: c.requested, serverId: OURS }))?.type, c.want)
  })
}

test('DISCOVER from a network we do not serve: silent, ISC wording', () => {
  const b = new Bench(compile(BASIC), { iface: { name: 'eth9', addresses: ['198.51.100.2'] } })
  const d = b.send({ type: 'DISCOVER', mac: MAC })
  assert.equal(d.reply, undefined)
  assert.deepEqual(texts(d), ['DHCPDISCOVER from 08:00:27:d9:45:96 via eth9: unknown network segment'])
})

test('INIT-REBOOT relayed from a network we do not serve, for an address of ours: NAK to the relay when authoritative', () => {
  const b = new Bench(compile(BASIC))
  const d = b.send({ type: 'REQUEST', mac: MAC, requested: '10.0.10.100', giaddr: '198.51.100.1' })
  const s = summarize(d)
  assert.equal(s?.type, 'NAK')
  assert.equal(s?.route, 'relay 198.51.100.1:67')
  assert.match(texts(d)[0]!, /via 198\.51\.100\.1: wrong network$/)
  const quiet = new Bench(compile(NOT_AUTHORITATIVE)).send({ type: 'REQUEST', mac: MAC, requested: '10.0.10.100', giaddr: '198.51.100.1' })
  assert.equal(quiet.reply, undefined)
  assert.match(texts(quiet)[0]!, /ignored \(not authoritative\)$/)
})

test('the ACK keeps client identity, hostname and times in the committed lease', () => {
  const b = new Bench(compile(BASIC))
  const id = Buffer.from('01080027d94596', 'hex')
  b.dora({ mac: MAC, clientId: id, hostname: 'DHCPc', leaseTime: 1000 })
  const lease = b.store.get(0x0a000a64)!
  const now = b.clock.now() / 1000
  assert.equal(lease.bindingState, 'active')
  assert.equal(lease.nextBindingState, 'free')
  assert.deepEqual([lease.starts, lease.ends, lease.cltt], [now, now + 1000, now])
  assert.deepEqual(lease.uid, id)
  assert.deepEqual(lease.hardware, { htype: 1, address: Buffer.from('080027d94596', 'hex') })
  assert.equal(lease.clientHostname, 'DHCPc')
})

const inform = [
  { name: 'authoritative, ciaddr in a served subnet', conf: BASIC, ciaddr: '10.0.10.77', want: 'ACK' },
  { name: 'authoritative, relayed, ciaddr of another served subnet', conf: BASIC, ciaddr: '192.168.5.77', giaddr: '172.16.1.1', want: 'ACK' },
  { name: 'not authoritative (ISC stays silent)', conf: NOT_AUTHORITATIVE, ciaddr: '10.0.10.77', want: undefined },
  { name: 'ciaddr in no served subnet', conf: BASIC, ciaddr: '203.0.113.7', want: undefined },
] as const

for (const c of inform) {
  test(`DHCPINFORM: ${c.name} → ${c.want ?? 'silent'}`, () => {
    const b = new Bench(compile(c.conf))
    const d = b.send({ type: 'INFORM', mac: MAC, ciaddr: c.ciaddr, ...('giaddr' in c ? { giaddr: c.giaddr } : {}) })
    assert.equal(summarize(d)?.type, c.want)
  })
}
