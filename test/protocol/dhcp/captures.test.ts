/**
 * Every real packet captured in our namespace lab (test/fixtures/packets/*.hex, see the README
 * there) must decode, re-encode byte-exactly, and agree with Wireshark's dissection that is
 * stored in the fixture's header — an independent decoder, so these expectations never come
 * from our own codec.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES_DIR, parseHexFixture } from '../../helpers/fixtures.js'
import { decode, encodingLength, encode } from '../../../src/protocol/dhcp/packet.js'
import {
  messageType,
  requestedAddress,
  serverIdentifier,
  clientIdentifier,
  parameterRequestList,
  relayAgentInformation,
  hostName,
  maxMessageSize,
  leaseTime,
} from '../../../src/protocol/dhcp/accessors.js'
import { circuitId } from '../../../src/protocol/dhcp/relay-agent.js'
import { formatIPv4 } from '../../../src/lib/ip.js'

const dir = join(FIXTURES_DIR, 'packets')
const files = readdirSync(dir).filter((f) => f.endsWith('.hex') && !f.startsWith('codec-'))

/** What tshark said about the packet, read from the fixture's `#` header. */
interface Dissection {
  xid?: number
  ciaddr?: string
  yiaddr?: string
  giaddr?: string
  hops?: number
  optionCodes: number[]
  requested?: string
  serverId?: string
  circuitIdHex?: string
}

function readDissection(text: string): Dissection {
  const d: Dissection = { optionCodes: [] }
  let inDhcp = false
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('#')) continue
    const line = raw.slice(1).trim()
    if (line.startsWith('Dynamic Host Configuration Protocol')) inDhcp = true
    if (!inDhcp) continue
    let m: RegExpMatchArray | null
    if ((m = line.match(/^Transaction ID: 0x([0-9a-f]+)$/))) d.xid = parseInt(m[1]!, 16)
    else if ((m = line.match(/^Client IP address: ([0-9.]+)$/))) d.ciaddr = m[1]!
    else if ((m = line.match(/^Your \(client\) IP address: ([0-9.]+)$/))) d.yiaddr = m[1]!
    else if ((m = line.match(/^Relay agent IP address: ([0-9.]+)$/))) d.giaddr = m[1]!
    else if ((m = line.match(/^Hops: (\d+)$/))) d.hops = Number(m[1])
    else if ((m = line.match(/^Option: \((\d+)\)/)) && m[1] !== '255') d.optionCodes.push(Number(m[1]))
    else if ((m = line.match(/^Requested IP Address: ([0-9.]+)$/))) d.requested = m[1]!
    else if ((m = line.match(/^DHCP Server Identifier: ([0-9.]+)$/))) d.serverId = m[1]!
    else if ((m = line.match(/^Agent Circuit ID: ([0-9a-f]+)$/))) d.circuitIdHex = m[1]!
  }
  return d
}

test('the lab captured fixtures from all three clients, a relay and ISC dhcpd', () => {
  for (const prefix of ['dhclient-', 'udhcpc-', 'dhcpcd-', 'relayed-', 'isc-offer-', 'isc-ack-', 'nak-']) {
    assert.ok(files.some((f) => f.startsWith(prefix)), `a fixture starting with ${prefix}`)
  }
})

for (const file of files) {
  test(`capture ${file}: decodes, matches tshark, re-encodes byte-exactly`, () => {
    const text = readFileSync(join(dir, file), 'utf8')
    const bytes = parseHexFixture(text, file)
    const want = readDissection(text)
    const { value: p, offset } = decode(bytes, 0, bytes.length)
    assert.equal(offset, bytes.length)

    if (want.xid !== undefined) assert.equal(p.xid, want.xid, 'xid')
    if (want.ciaddr !== undefined) assert.equal(formatIPv4(p.ciaddr), want.ciaddr, 'ciaddr')
    if (want.yiaddr !== undefined) assert.equal(formatIPv4(p.yiaddr), want.yiaddr, 'yiaddr')
    if (want.giaddr !== undefined) assert.equal(formatIPv4(p.giaddr), want.giaddr, 'giaddr')
    if (want.hops !== undefined) assert.equal(p.hops, want.hops, 'hops')
    const codes = p.options.map((o) => o.code).filter((c) => c !== 0)
    assert.deepEqual(codes, want.optionCodes, 'options in wire order')
    const req = requestedAddress(p)
    assert.equal(req === undefined ? undefined : formatIPv4(req), want.requested, 'requested address')
    const sid = serverIdentifier(p)
    assert.equal(sid === undefined ? undefined : formatIPv4(sid), want.serverId, 'server identifier')
    const rai = relayAgentInformation(p)
    if (want.circuitIdHex !== undefined) {
      assert.ok(rai, 'option 82 present')
      assert.equal(circuitId(rai)?.toString('hex'), want.circuitIdHex, 'circuit-id')
    }

    // Every typed accessor works on real traffic (absent → undefined, never a throw).
    assert.ok(messageType(p) !== undefined)
    clientIdentifier(p)
    parameterRequestList(p)
    hostName(p)
    maxMessageSize(p)
    leaseTime(p)

    const again = Buffer.alloc(encodingLength(p))
    assert.equal(encode(p, again, 0), again.length)
    assert.ok(again.equals(bytes), 'byte-exact round trip (options keep wire order, trailing pad kept)')
  })
}
