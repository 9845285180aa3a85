import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildRelayAgentInfo, relayAgentInfo, type RelayAgentInfo } from '../../../src/protocol/dhcp/relay-agent.js'
import { clientFqdn, FqdnFlag, hasFqdnFlag, type ClientFqdn } from '../../../src/protocol/dhcp/fqdn.js'
import { parseIPv4 } from '../../../src/lib/ip.js'
import { bytes, ip, tlv } from '../../helpers/bytes.js'
import { roundTrip } from '../../helpers/round-trip.js'

const agentCases: { name: string; info: RelayAgentInfo; wire: Buffer }[] = [
  { name: 'empty', info: { subOptions: [] }, wire: bytes() },
  {
    name: 'all known + unknown kept in order',
    info: buildRelayAgentInfo({
      circuitId: Buffer.from('eth0/1/3'),
      remoteId: Buffer.from([0, 6, 1, 2, 3, 4, 5, 6]),
      linkSelection: parseIPv4('10.8.0.0')!,
      serverIdOverride: parseIPv4('10.8.0.1')!,
      others: [{ code: 9, data: Buffer.from([0, 0, 0x0d, 0xe9, 0]) }],
    }),
    wire: bytes(tlv(1, 'eth0/1/3'), tlv(2, 0, 6, 1, 2, 3, 4, 5, 6), tlv(5, ip('10.8.0.0')), tlv(11, ip('10.8.0.1')), tlv(9, 0, 0, 0x0d, 0xe9, 0)),
  },
]
for (const c of agentCases) {
  test(`relay agent info: ${c.name}`, () => {
    const back = roundTrip(relayAgentInfo, c.info, c.wire)
    assert.deepEqual(back.subOptions.map((s) => [s.code, s.data.toString('hex')]), c.info.subOptions.map((s) => [s.code, s.data.toString('hex')]))
  })
}

test('relay agent info: sub-option over 255 bytes is an EncodeError', () => {
  assert.throws(() => relayAgentInfo.encode({ subOptions: [{ code: 1, data: Buffer.alloc(256) }] }, Buffer.alloc(300), 0), { code: 'ERR_ENCODE' })
})

const fqdnCases: { name: string; f: ClientFqdn; wire: Buffer }[] = [
  { name: 'wire form, fully qualified', f: { flags: FqdnFlag.E | FqdnFlag.S, rcode1: 0, rcode2: 0, name: 'pc.corp.example', fullyQualified: true },
    wire: bytes(0x05, 0, 0, 2, 'pc', 4, 'corp', 7, 'example', 0) },
  { name: 'wire form, partial name (RFC 4702 §2.3.1)', f: { flags: FqdnFlag.E, rcode1: 0, rcode2: 0, name: 'pc', fullyQualified: false },
    wire: bytes(0x04, 0, 0, 2, 'pc') },
  { name: 'wire form, empty partial name', f: { flags: FqdnFlag.E, rcode1: 0, rcode2: 0, name: '', fullyQualified: false }, wire: bytes(4, 0, 0) },
  { name: 'wire form, root only', f: { flags: FqdnFlag.E, rcode1: 0, rcode2: 0, name: '', fullyQualified: true }, wire: bytes(4, 0, 0, 0) },
  { name: 'ASCII form (deprecated), with dot', f: { flags: 0, rcode1: 255, rcode2: 255, name: 'pc.example', fullyQualified: true },
    wire: bytes(0, 255, 255, 'pc.example.') },
  { name: 'ASCII form, N flag, no dot', f: { flags: FqdnFlag.N, rcode1: 0, rcode2: 0, name: 'pc', fullyQualified: false }, wire: bytes(8, 0, 0, 'pc') },
  { name: 'MBZ bits kept', f: { flags: 0xf4, rcode1: 1, rcode2: 2, name: 'a', fullyQualified: true }, wire: bytes(0xf4, 1, 2, 1, 'a', 0) },
]
for (const c of fqdnCases) {
  test(`client fqdn: ${c.name}`, () => {
    assert.deepEqual(roundTrip(clientFqdn, c.f, c.wire), c.f)
  })
}

test('client fqdn flag helper', () => {
  const f: ClientFqdn = { flags: FqdnFlag.S | FqdnFlag.E, rcode1: 0, rcode2: 0, name: '', fullyQualified: false }
  assert.equal(hasFqdnFlag(f, FqdnFlag.S), true)
  assert.equal(hasFqdnFlag(f, FqdnFlag.N), false)
})
