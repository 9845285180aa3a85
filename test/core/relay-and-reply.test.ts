import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode } from '../../src/protocol/dhcp/packet.js'
import * as acc from '../../src/protocol/dhcp/accessors.js'
import { Bench, compile, summarize } from './harness.js'
import { BASIC } from './confs.js'
import { bytes, ip } from '../helpers/bytes.js'

const MAC = '08:00:27:d9:45:96'

const agent = (...subs: Buffer[]): Buffer => Buffer.concat(subs)
const circuitId = bytes(1, 4, 'eth7')
const linkSelection = (dotted: string): Buffer => bytes(5, 4, ip(dotted))
const serverIdOverride = (dotted: string): Buffer => bytes(11, 4, ip(dotted))

const selection = [
  { name: 'giaddr selects the relayed subnet', msg: { giaddr: '192.168.5.1' }, want: '192.168.5.10' },
  { name: 'link-selection beats giaddr (RFC 3527)', msg: { giaddr: '192.168.5.1', relayAgent: agent(circuitId, linkSelection('172.16.2.0')) }, want: '172.16.1.10' },
  { name: 'option 118 beats giaddr (RFC 3011)', msg: { giaddr: '192.168.5.1', subnetSelection: '10.0.10.0' }, want: '10.0.10.100' },
  { name: 'receiving interface for a local client', msg: {}, want: '10.0.10.100' },
  { name: 'giaddr on a network we do not serve: silent', msg: { giaddr: '198.51.100.1' }, want: undefined },
] as const

for (const c of selection) {
  test(`subnet selection: ${c.name}`, () => {
    const b = new Bench(compile(BASIC))
    assert.equal(summarize(b.send({ type: 'DISCOVER', mac: MAC, ...c.msg }))?.yiaddr, c.want)
  })
}

test('shared network: all its subnets’ pools are candidates', () => {
  const b = new Bench(compile(BASIC))
  const got = ['01', '02', '03', '04'].map((n) => b.dora({ mac: `02:00:00:00:00:${n}`, giaddr: '172.16.2.1' }).ack?.yiaddr)
  assert.deepEqual(got, ['172.16.1.10', '172.16.2.10', '172.16.2.11', undefined])
})

test('relayed reply: goes to giaddr:67, option 82 echoed last and unchanged', () => {
  const b = new Bench(compile(BASIC))
  const relay = agent(circuitId, bytes(2, 3, 'r-1'))
  const d = b.send({ type: 'DISCOVER', mac: MAC, giaddr: '192.168.5.1', relayAgent: relay, prl: [3, 1] })
  const s = summarize(d)
  assert.equal(s?.route, 'relay 192.168.5.1:67')
  assert.deepEqual(s?.optionCodes, [53, 54, 51, 58, 59, 3, 1, 82])
  const p = decode(d.reply!.bytes, 0, d.reply!.bytes.length).value
  assert.deepEqual(acc.getOption(p, 82)?.data, relay)
  assert.equal(p.giaddr, 0xc0a80501)
  assert.equal(p.hops, 1)
})

test('server-id-override (RFC 5107) becomes the server identifier and is accepted in SELECTING', () => {
  const b = new Bench(compile(BASIC))
  const relay = agent(circuitId, serverIdOverride('192.168.5.1'))
  const offer = summarize(b.send({ type: 'DISCOVER', mac: MAC, giaddr: '192.168.5.1', relayAgent: relay }))
  assert.equal(offer?.serverId, '192.168.5.1')
  const ack = summarize(b.send({ type: 'REQUEST', mac: MAC, giaddr: '192.168.5.1', relayAgent: relay, requested: offer!.yiaddr, serverId: '192.168.5.1' }))
  assert.equal(ack?.type, 'ACK')
})

test('configured server-identifier is used and recognised', () => {
  const b = new Bench(compile(`server-identifier 10.0.10.5;\n${BASIC}`))
  const offer = summarize(b.send({ type: 'DISCOVER', mac: MAC }))
  assert.equal(offer?.serverId, '10.0.10.5')
  assert.equal(summarize(b.send({ type: 'REQUEST', mac: MAC, requested: offer!.yiaddr, serverId: '10.0.10.5' }))?.type, 'ACK')
})

test('options follow the parameter request list order; unrequested options are left out', () => {
  const b = new Bench(compile(BASIC))
  const s = summarize(b.send({ type: 'DISCOVER', mac: MAC, prl: [15, 6, 3, 1, 99] }))
  assert.deepEqual(s?.optionCodes, [53, 54, 51, 58, 59, 15, 6, 3, 1])
})

test('without a parameter request list every configured option is sent, by code', () => {
  const b = new Bench(compile(BASIC))
  assert.deepEqual(summarize(b.send({ type: 'DISCOVER', mac: MAC }))?.optionCodes, [53, 54, 51, 58, 59, 3, 6, 15, 1])
})

test('client identifier is echoed (RFC 6842) before option 82', () => {
  const b = new Bench(compile(BASIC))
  const id = Buffer.from('01080027d94596', 'hex')
  const d = b.send({ type: 'DISCOVER', mac: MAC, clientId: id, prl: [1], giaddr: '192.168.5.1', relayAgent: circuitId })
  assert.deepEqual(summarize(d)?.optionCodes, [53, 54, 51, 58, 59, 1, 61, 82])
})

test('NAK carries only 53, 54, 61 and 82, with yiaddr 0', () => {
  const b = new Bench(compile(BASIC))
  const d = b.send({ type: 'REQUEST', mac: MAC, requested: '192.168.5.15', clientId: Buffer.from('01aa', 'hex'), prl: [1, 3, 6] })
  const s = summarize(d)
  assert.equal(s?.type, 'NAK')
  assert.deepEqual(s?.optionCodes, [53, 54, 61])
  assert.equal(s?.yiaddr, '0.0.0.0')
})

const bigConf = `
authoritative;
subnet 10.0.10.0 netmask 255.255.255.0 {
  range 10.0.10.100 10.0.10.110;
  option domain-name-servers ${Array.from({ length: 40 }, (_, i) => `10.1.0.${i + 1}`).join(', ')};
  option ntp-servers ${Array.from({ length: 20 }, (_, i) => `10.2.0.${i + 1}`).join(', ')};
  option domain-name "${'a'.repeat(60)}.example";
}`

test('a reply larger than 548 bytes is overloaded into file/sname (option 52)', () => {
  const b = new Bench(compile(bigConf))
  const d = b.send({ type: 'DISCOVER', mac: MAC, prl: [1, 6, 42, 15] })
  const p = decode(d.reply!.bytes, 0, d.reply!.bytes.length).value
  assert.ok(d.reply!.bytes.length <= 548, `reply is ${d.reply!.bytes.length} bytes`)
  assert.ok(acc.overload(p) !== undefined, 'option 52 present')
  assert.equal(acc.getOption(p, 6)?.data.length, 160)
  assert.equal(acc.getOption(p, 42)?.data.length, 80)
  assert.equal(acc.getOption(p, 15)?.data.length, 68)
})

test('option 57 lets the reply grow without overload', () => {
  const b = new Bench(compile(bigConf))
  const d = b.send({ type: 'DISCOVER', mac: MAC, prl: [1, 6, 42, 15], maxSize: 1500 })
  const p = decode(d.reply!.bytes, 0, d.reply!.bytes.length).value
  assert.equal(acc.overload(p), undefined)
  assert.ok(d.reply!.bytes.length > 548)
})

test('option 57 below 576 is treated as 576 (RFC 2132 §9.10 minimum)', () => {
  const b = new Bench(compile(bigConf))
  const d = b.send({ type: 'DISCOVER', mac: MAC, prl: [1, 6, 42, 15], maxSize: 300 })
  assert.ok(d.reply!.bytes.length <= 548)
  assert.equal(acc.getOption(decode(d.reply!.bytes, 0, d.reply!.bytes.length).value, 42)?.data.length, 80)
})

test('next-server, filename and server-name fill siaddr, file and sname', () => {
  const b = new Bench(compile(`next-server 10.0.10.2; filename "pxelinux.0"; server-name "boot";\n${BASIC}`))
  const d = b.send({ type: 'DISCOVER', mac: MAC })
  const p = decode(d.reply!.bytes, 0, d.reply!.bytes.length).value
  assert.equal(p.siaddr, 0x0a000a02)
  assert.equal(p.file.toString('latin1').replace(/\0+$/, ''), 'pxelinux.0')
  assert.equal(p.sname.toString('latin1').replace(/\0+$/, ''), 'boot')
  assert.equal(p.xid, 0x1234abcd)
})

test('broadcast flag and L2 unicast capability decide the route of an OFFER', () => {
  const noL2 = new Bench(compile(BASIC))
  assert.equal(summarize(noL2.send({ type: 'DISCOVER', mac: MAC }))?.route, 'broadcast 255.255.255.255:68')
  const l2 = new Bench(compile(BASIC), { directUnicast: true })
  const d = l2.send({ type: 'DISCOVER', mac: MAC })
  assert.equal(summarize(d)?.route, 'l2-unicast 10.0.10.100:68')
  assert.equal(summarize(l2.send({ type: 'DISCOVER', mac: '02:00:00:00:00:01', flags: 0x8000 }))?.route, 'broadcast 255.255.255.255:68')
})

test('options that cannot fit even with overload are dropped from the end of the list, with a warning', () => {
  const huge = `authoritative;
subnet 10.0.10.0 netmask 255.255.255.0 {
  range 10.0.10.100 10.0.10.110;
  option domain-name-servers ${Array.from({ length: 60 }, (_, i) => `10.1.0.${i + 1}`).join(', ')};
  option ntp-servers ${Array.from({ length: 60 }, (_, i) => `10.2.0.${i + 1}`).join(', ')};
  option nis-servers ${Array.from({ length: 60 }, (_, i) => `10.3.0.${i + 1}`).join(', ')};
}`
  const b = new Bench(compile(huge))
  const d = b.send({ type: 'DISCOVER', mac: MAC, prl: [1, 6, 42, 41] })
  assert.ok(d.reply!.bytes.length <= 548)
  const p = decode(d.reply!.bytes, 0, d.reply!.bytes.length).value
  assert.equal(acc.getOption(p, 6)?.data.length, 240)
  assert.equal(acc.getOption(p, 41), undefined)
  assert.ok(d.events.some((e) => e.id === 'DHCP_REPLY_TRUNCATED'))
})

test('a server-identifier set in a host scope is sent to that client and accepted back', () => {
  const b = new Bench(compile(`${BASIC}\nhost special { hardware ethernet ${MAC}; server-identifier 10.0.10.7; }`))
  const offer = summarize(b.send({ type: 'DISCOVER', mac: MAC }))
  assert.equal(offer?.serverId, '10.0.10.7')
  assert.equal(summarize(b.send({ type: 'REQUEST', mac: MAC, requested: offer!.yiaddr, serverId: '10.0.10.7' }))?.type, 'ACK')
})
