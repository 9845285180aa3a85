import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as acc from '../../../src/protocol/dhcp/accessors.js'
import { decode, toBuffer, createPacket } from '../../../src/protocol/dhcp/packet.js'
import { optionByName } from '../../../src/protocol/dhcp/option-defs.js'
import { circuitId, linkSelection, remoteId, serverIdOverride } from '../../../src/protocol/dhcp/relay-agent.js'
import { FqdnFlag } from '../../../src/protocol/dhcp/fqdn.js'
import { parseIPv4 } from '../../../src/lib/ip.js'
import { bytes, hex, ip, message, tlv } from '../../helpers/bytes.js'

const addr = (s: string): number => parseIPv4(s)!
/** Decodes a message whose options field is `opts` (option data starts at byte 240). */
const pkt = (...opts: Buffer[]) => {
  const wire = message({}, bytes(...opts, 255))
  return decode(wire, 0, wire.length).value
}
type P = ReturnType<typeof pkt>

const getters: { name: string; get: (p: P) => unknown; wire: Buffer; want: unknown }[] = [
  { name: 'messageType', get: acc.messageType, wire: tlv(53, 3), want: 3 },
  { name: 'requestedAddress', get: acc.requestedAddress, wire: tlv(50, ip('10.1.2.3')), want: addr('10.1.2.3') },
  { name: 'serverIdentifier', get: acc.serverIdentifier, wire: tlv(54, ip('10.0.0.1')), want: addr('10.0.0.1') },
  { name: 'subnetSelection', get: acc.subnetSelection, wire: tlv(118, ip('10.9.0.0')), want: addr('10.9.0.0') },
  { name: 'clientIdentifier', get: (p) => acc.clientIdentifier(p)?.toString('hex'), wire: tlv(61, 1, 2, 3), want: '010203' },
  { name: 'parameterRequestList', get: (p) => [...(acc.parameterRequestList(p) ?? [])], wire: tlv(55, 1, 121, 3), want: [1, 121, 3] },
  { name: 'maxMessageSize', get: acc.maxMessageSize, wire: tlv(57, 0x05, 0xdc), want: 1500 },
  { name: 'leaseTime', get: acc.leaseTime, wire: tlv(51, 0xff, 0xff, 0xff, 0xff), want: 0xffffffff },
  { name: 'hostName', get: acc.hostName, wire: tlv(12, 'laptop'), want: 'laptop' },
  { name: 'hostName with trailing NUL', get: acc.hostName, wire: tlv(12, 'laptop', 0), want: 'laptop' },
  { name: 'vendorClassIdentifier', get: (p) => acc.vendorClassIdentifier(p)?.toString(), wire: tlv(60, 'MSFT 5.0'), want: 'MSFT 5.0' },
  { name: 'userClass RFC 3004', get: (p) => acc.userClass(p)?.instances?.map(String), wire: tlv(77, 3, 'abc', 2, 'de'), want: ['abc', 'de'] },
  { name: 'userClass plain text', get: (p) => acc.userClass(p)?.instances, wire: tlv(77, 'iPXE'), want: undefined },
  { name: 'overload', get: acc.overload, wire: tlv(52, 1), want: 1 },
  {
    name: 'relayAgentInformation',
    get: (p) => {
      const r = acc.relayAgentInformation(p)
      if (!r) return undefined
      return [circuitId(r)?.toString(), remoteId(r)?.toString(), linkSelection(r), serverIdOverride(r), r.subOptions.map((s) => s.code)]
    },
    wire: tlv(82, tlv(1, 'ge-0/0/1'), tlv(2, 'sw9'), tlv(5, ip('10.5.0.0')), tlv(11, ip('10.0.0.9')), tlv(151, 'x')),
    want: ['ge-0/0/1', 'sw9', addr('10.5.0.0'), addr('10.0.0.9'), [1, 2, 5, 11, 151]],
  },
  {
    name: 'clientFqdn wire form',
    get: acc.clientFqdn,
    wire: tlv(81, FqdnFlag.S | FqdnFlag.E, 0, 0, 4, 'host', 7, 'example', 0),
    want: { flags: 5, rcode1: 0, rcode2: 0, name: 'host.example', fullyQualified: true },
  },
  { name: 'typed option via table', get: (p) => acc.getTypedOption(p, optionByName('routers')!), wire: tlv(3, ip('10.0.0.1')), want: ['10.0.0.1'] },
  { name: 'RFC 3396 joined', get: (p) => acc.hostName(p), wire: bytes(tlv(12, 'ab'), tlv(1, 255, 0, 0, 0), tlv(12, 'cd')), want: 'abcd' },
]

for (const c of getters) {
  test(`accessor: ${c.name}`, () => {
    assert.deepEqual(c.get(pkt(c.wire)), c.want)
    assert.deepEqual(c.get(pkt()), c.name.startsWith('parameterRequestList') ? [] : undefined, 'absent → undefined')
  })
}

// Option data starts at 242 (option code at 240) when the malformed option comes first.
const malformed: { name: string; get: (p: P) => unknown; wire: Buffer; offset: number }[] = [
  { name: 'messageType length 2', get: acc.messageType, wire: tlv(53, 1, 1), offset: 240 },
  { name: 'requestedAddress length 3', get: acc.requestedAddress, wire: tlv(50, 10, 0, 0), offset: 240 },
  { name: 'serverIdentifier length 0', get: acc.serverIdentifier, wire: tlv(54), offset: 240 },
  { name: 'subnetSelection length 5', get: acc.subnetSelection, wire: tlv(118, 1, 2, 3, 4, 5), offset: 240 },
  { name: 'clientIdentifier empty', get: acc.clientIdentifier, wire: tlv(61), offset: 240 },
  { name: 'maxMessageSize length 1', get: acc.maxMessageSize, wire: tlv(57, 5), offset: 240 },
  { name: 'leaseTime length 2', get: acc.leaseTime, wire: tlv(51, 0, 1), offset: 240 },
  { name: 'hostName only NUL', get: acc.hostName, wire: tlv(12, 0, 0), offset: 240 },
  { name: 'vendorClass empty', get: acc.vendorClassIdentifier, wire: tlv(60), offset: 240 },
  { name: 'userClass empty', get: acc.userClass, wire: tlv(77), offset: 240 },
  { name: 'relay agent sub-option truncated', get: acc.relayAgentInformation, wire: tlv(82, 1, 4, 'ab'), offset: 242 },
  { name: 'relay agent second sub-option truncated', get: acc.relayAgentInformation, wire: tlv(82, tlv(1, 'a'), 2), offset: 245 },
  { name: 'link-selection length 3', get: (p) => linkSelection(acc.relayAgentInformation(p)!), wire: tlv(82, tlv(1, 'a'), tlv(5, 1, 2, 3)), offset: 245 },
  { name: 'fqdn too short', get: acc.clientFqdn, wire: tlv(81, 4, 0), offset: 242 },
  { name: 'fqdn label past end', get: acc.clientFqdn, wire: tlv(81, 4, 0, 0, 9, 'abc'), offset: 245 },
  { name: 'fqdn bytes after root', get: acc.clientFqdn, wire: tlv(81, 4, 0, 0, 1, 'a', 0, 1), offset: 248 },
  { name: 'fqdn pointer', get: acc.clientFqdn, wire: tlv(81, 4, 0, 0, 0xc0, 0), offset: 245 },
  { name: 'typed routers length 5', get: (p) => acc.getTypedOption(p, optionByName('routers')!), wire: tlv(3, 1, 2, 3, 4, 5), offset: 246 },
]

for (const c of malformed) {
  test(`accessor malformed: ${c.name}`, () => {
    const p = pkt(c.wire)
    assert.throws(() => c.get(p), { code: 'ERR_DECODE', offset: c.offset })
  })
}

test('setOption replaces all instances in place; new options go before option 82', () => {
  const p = createPacket()
  p.options = [{ code: 53, data: hex('02') }, { code: 12, data: bytes('a') }, { code: 12, data: bytes('b') }, { code: 82, data: tlv(1, 'c') }]
  acc.setOption(p, 12, bytes('z'))
  acc.setLeaseTime(p, 600)
  assert.deepEqual(p.options.map((o) => o.code), [53, 12, 51, 82])
  assert.equal(acc.hostName(p), 'z')
  acc.removeOption(p, 12)
  assert.deepEqual(p.options.map((o) => o.code), [53, 51, 82])
})

test('createReply copies header identity and echoes option 82 last; setters build a full ACK', () => {
  const req = pkt(tlv(53, 3), tlv(61, 1, 2, 3), tlv(82, tlv(1, 'port7')))
  req.xid = 99
  req.flags = 0x8000
  req.giaddr = addr('10.0.8.1')
  const reply = acc.createReply(req, { messageType: 5, serverIdentifier: addr('10.0.0.2'), echoClientId: true })
  reply.yiaddr = addr('10.0.8.50')
  acc.setLeaseTime(reply, 3600)
  acc.setRenewalTime(reply, 1800)
  acc.setRebindingTime(reply, 3150)
  acc.setSubnetMask(reply, addr('255.255.255.0'))
  acc.setTypedOption(reply, optionByName('routers')!, ['10.0.8.1'])
  acc.setClientFqdn(reply, { flags: FqdnFlag.S | FqdnFlag.O | FqdnFlag.E, rcode1: 255, rcode2: 255, name: 'h.example', fullyQualified: true })
  acc.setMessage(reply, 'ok')
  const wire = toBuffer(reply)
  const expected = message(
    { op: 2, xid: 99, flags: 0x8000, giaddr: '10.0.8.1', yiaddr: '10.0.8.50' },
    bytes(
      tlv(53, 5), tlv(54, ip('10.0.0.2')), tlv(61, 1, 2, 3),
      tlv(51, 0, 0, 0x0e, 0x10), tlv(58, 0, 0, 0x07, 0x08), tlv(59, 0, 0, 0x0c, 0x4e), tlv(1, 255, 255, 255, 0), tlv(3, ip('10.0.8.1')),
      tlv(81, 7, 255, 255, 1, 'h', 7, 'example', 0), tlv(56, 'ok'),
      tlv(82, tlv(1, 'port7')), 255,
    ),
  )
  assert.equal(wire.toString('hex'), expected.toString('hex'))
})

test('hardwareAddress honours hlen', () => {
  const p = createPacket({ hlen: 6, chaddr: Buffer.from('00112233445566778899aabbccddeeff', 'hex') })
  assert.equal(acc.hardwareAddress(p).toString('hex'), '001122334455')
})

test('malformed option joined from several TLVs (RFC 3396) reports the first TLV offset', () => {
  const wire = message({ file: bytes(tlv(81, 0x40), 255) }, bytes(tlv(52, 1), tlv(81, 4, 0, 0), 255))
  const p = decode(wire, 0, wire.length).value
  assert.throws(() => acc.clientFqdn(p), { code: 'ERR_DECODE', offset: 243 })
  const q = pkt(tlv(82, 1, 3, 'a'), tlv(82, 'bc', tlv(5, 1, 2)))
  assert.throws(() => linkSelection(acc.relayAgentInformation(q)!), { code: 'ERR_DECODE', offset: 240 })
  assert.equal(circuitId(acc.relayAgentInformation(q)!)?.toString(), 'abc')
})
