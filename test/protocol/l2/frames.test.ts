import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../../helpers/dhcp-lab.js'
import { readPcap } from '../../helpers/pcap.js'
import { runBpf } from '../../helpers/bpf-interpreter.js'
import { DecodeError } from '../../../src/lib/errors.js'
import { finish, internetChecksum, pseudoHeaderSum } from '../../../src/protocol/l2/checksum.js'
import { buildUdpFrame, decodeUdpFrame } from '../../../src/protocol/l2/udp-frame.js'
import { decodeIpv4 } from '../../../src/protocol/l2/ipv4.js'
import { DHCP_SERVER_FILTER, dhcpServerFilter, echoReplyFilter, encodeBpf } from '../../../src/protocol/l2/bpf.js'
import { decodeIcmp, decodeIcmpDatagram, encodeEcho } from '../../../src/protocol/l2/icmp.js'
import { formatMac, parseMac } from '../../../src/protocol/l2/ethernet.js'
import { decode as decodeDhcp } from '../../../src/protocol/dhcp/packet.js'

const PCAP_DIR = join(REPO_ROOT, 'test', 'fixtures', 'packets', 'pcap')
const pcaps = readdirSync(PCAP_DIR).filter((f) => f.endsWith('.pcap')).sort()

test('the lab captures are Ethernet pcaps with DHCP frames', () => {
  assert.ok(pcaps.length >= 5, `pcaps: ${pcaps.join(', ')}`)
  for (const f of pcaps) assert.equal(readPcap(join(PCAP_DIR, f)).linkType, 1, f)
})

for (const file of pcaps) {
  test(`captured frames decode, filter and round-trip: ${file}`, () => {
    const { records } = readPcap(join(PCAP_DIR, file))
    assert.ok(records.length > 0)
    let complete = 0
    let partial = 0
    let accepted = 0
    let relayed = 0
    for (const r of records) {
      const where = `${file} #${r.index}`
      // Frames the capturing host's own kernel sent (dhclient's unicast RELEASE, ISC dhcpd's
      // replies through its UDP socket, dhcrelay) were captured before checksum offload: their
      // UDP checksum field holds only the folded pseudo-header sum — what PACKET_AUXDATA
      // reports as TP_STATUS_CSUMNOTREADY on a live socket.
      const unfinished = isUnfinished(r.data)
      if (unfinished) assert.throws(() => decodeUdpFrame(r.data), (e: unknown) => e instanceof DecodeError && e.field === 'udp checksum', where)
      const f = decodeUdpFrame(r.data, { checksumNotReady: unfinished })
      assert.ok(f.dstPort === 67 || f.dstPort === 68, `${where}: port ${f.dstPort}`)
      // The UDP payload is a DHCP message.
      const dhcp = decodeDhcp(f.payload, 0, f.payload.length).value
      if (f.dstPort === 68) assert.equal(dhcp.op, 2, where)
      else assert.ok(dhcp.op === 1 || dhcp.giaddr !== 0, where) // replies to a relay go to port 67 too
      // The filter accepts exactly the unrelayed frames sent to the server port.
      const verdict = runBpf(DHCP_SERVER_FILTER, r.data)
      const direct = f.dstPort === 67 && dhcp.giaddr === 0
      assert.equal(verdict > 0, direct, `${where}: BPF verdict ${verdict} for port ${f.dstPort}, giaddr ${dhcp.giaddr}`)
      if (direct) accepted++
      else if (f.dstPort === 67) relayed++
      // Re-encoding the decoded fields gives the captured bytes (up to any Ethernet padding).
      if (f.ip.headerLength !== 20) continue
      const again = buildUdpFrame({
        srcMac: f.srcMac, dstMac: f.dstMac, src: f.src, dst: f.dst, srcPort: f.srcPort, dstPort: f.dstPort,
        payload: f.payload, ttl: f.ttl, tos: f.ip.tos, id: f.ip.id, flagsFragment: f.ip.flagsFragment,
      })
      const original = r.data.subarray(0, 14 + f.ip.totalLength)
      if (original.readUInt16BE(40) === 0 || unfinished) again.writeUInt16BE(original.readUInt16BE(40), 40)
      assert.ok(again.equals(original), `${where}: round trip differs`)
      assert.equal(f.checksumVerified, original.readUInt16BE(40) !== 0 && !unfinished, where)
      if (!unfinished) complete++
      else partial++
    }
    assert.equal(complete + partial, records.length)
    // relayed.pcap was taken on the server's link (relay ↔ server); the others on a client's.
    if (file === 'relayed.pcap') assert.ok(relayed > 0 && accepted === 0, `${file}: relayed frames dropped by the filter`)
    else assert.ok(accepted > 0, `${file}: direct requests pass the filter`)
  })
}

test('the captures hold both finished and unfinished (offloaded) UDP checksums', () => {
  let unfinished = 0
  let total = 0
  for (const file of pcaps) for (const r of readPcap(join(PCAP_DIR, file)).records) {
    total++
    if (isUnfinished(r.data)) unfinished++
  }
  assert.ok(unfinished > 0 && unfinished < total, `${unfinished} of ${total}`)
})

/** The UDP checksum field holds the folded, uninverted pseudo-header sum (CHECKSUM_PARTIAL). */
function isUnfinished(frame: Buffer): boolean {
  const ihl = (frame[14]! & 0x0f) * 4
  const u = 14 + ihl
  const field = frame.readUInt16BE(u + 6)
  if (field === 0) return false
  const pseudo = (~finish(pseudoHeaderSum(frame.readUInt32BE(26), frame.readUInt32BE(30), 17, frame.readUInt16BE(u + 4)))) & 0xffff
  return field === pseudo
}

function sampleFrame(payload: Buffer = Buffer.from('hello, dhcp')): Buffer {
  return buildUdpFrame({
    srcMac: parseMac('02:00:00:00:00:01'), dstMac: parseMac('ff:ff:ff:ff:ff:ff'),
    src: 0, dst: 0xffffffff, srcPort: 68, dstPort: 67, payload,
  })
}

test('IPv4 header checksum matches an independently captured header (keepalived advert)', () => {
  const hdr = Buffer.from('45c000280001000 0ff70e274c612320be0000012'.replace(/ /g, ''), 'hex')
  assert.equal(internetChecksum(hdr), 0)
  hdr.writeUInt16BE(0, 10)
  assert.equal(internetChecksum(hdr), 0xe274)
})

test('a built frame has ISC dhcpd\'s IP header shape and valid checksums', () => {
  const f = sampleFrame()
  assert.equal(f.length, 14 + 20 + 8 + 11)
  assert.equal(f.readUInt16BE(12), 0x0800)
  assert.equal(f[14], 0x45)
  assert.equal(f[15], 0x10, 'TOS low delay')
  assert.equal(f[22], 128, 'TTL 128')
  assert.equal(internetChecksum(f, 14, 34), 0)
  const d = decodeUdpFrame(f)
  assert.equal(d.checksumVerified, true)
  assert.equal(d.payload.toString(), 'hello, dhcp')
  assert.equal(formatMac(d.srcMac), '02:00:00:00:00:01')
})

test('a UDP checksum that computes to 0 is sent as 0xffff and verifies', () => {
  const probe = sampleFrame(Buffer.alloc(2))
  const c = probe.readUInt16BE(40)
  const payload = Buffer.alloc(2)
  payload.writeUInt16BE(c)
  const f = sampleFrame(payload)
  assert.equal(f.readUInt16BE(40), 0xffff)
  assert.equal(decodeUdpFrame(f).checksumVerified, true)
})

test('a bad UDP checksum is rejected unless the kernel says it is not ready (CSUMNOTREADY)', () => {
  const f = sampleFrame()
  f.writeUInt16BE(0x1234, 40) // what an unfinished offloaded checksum looks like: garbage
  assert.throws(() => decodeUdpFrame(f), (e: unknown) => e instanceof DecodeError && e.field === 'udp checksum')
  const d = decodeUdpFrame(f, { checksumNotReady: true })
  assert.equal(d.checksumVerified, false)
  assert.equal(d.payload.toString(), 'hello, dhcp')
})

test('UDP checksum 0 means none', () => {
  const f = sampleFrame()
  f.writeUInt16BE(0, 40)
  assert.equal(decodeUdpFrame(f).checksumVerified, false)
})

test('Ethernet padding after the IP datagram is ignored', () => {
  const f = Buffer.concat([sampleFrame(), Buffer.alloc(20)])
  assert.equal(decodeUdpFrame(f).payload.toString(), 'hello, dhcp')
})

const malformed: { name: string; mutate: (f: Buffer) => Buffer; field: string }[] = [
  { name: 'short frame', mutate: (f) => f.subarray(0, 10), field: 'ethernet header' },
  { name: 'not IPv4', mutate: (f) => (f.writeUInt16BE(0x86dd, 12), f), field: 'ethertype' },
  { name: 'IP version 6', mutate: (f) => ((f[14] = 0x65), f), field: 'ipv4 version' },
  { name: 'bad IP header checksum', mutate: (f) => ((f[22] = 1), f), field: 'ipv4 checksum' },
  { name: 'IP total length past the frame', mutate: (f) => f.subarray(0, f.length - 3), field: 'ipv4 total length' },
]
for (const c of malformed) {
  test(`malformed frame: ${c.name}`, () => {
    assert.throws(() => decodeUdpFrame(c.mutate(sampleFrame())), (e: unknown) => e instanceof DecodeError && e.field === c.field)
  })
}

test('fragments and non-UDP datagrams are refused', () => {
  const frag = sampleFrame()
  frag.writeUInt16BE(0x2000, 20)
  frag.writeUInt16BE(0, 24)
  frag.writeUInt16BE(internetChecksum(frag, 14, 34), 24)
  assert.throws(() => decodeUdpFrame(frag), (e: unknown) => e instanceof DecodeError && e.field === 'ipv4 fragment')
  const tcp = sampleFrame()
  tcp[23] = 6
  tcp.writeUInt16BE(0, 24)
  tcp.writeUInt16BE(internetChecksum(tcp, 14, 34), 24)
  assert.throws(() => decodeUdpFrame(tcp), (e: unknown) => e instanceof DecodeError && e.field === 'ipv4 protocol')
})

test('BPF program: tcpdump -dd bytes, and the port variant', () => {
  const bytes = encodeBpf(DHCP_SERVER_FILTER)
  // tcpdump -y EN10MB -dd 'ip and udp dst port 67 and udp[32:4] = 0' (tcpdump 4.99, Debian 12)
  const tcpdump = [
    [0x28, 0, 0, 0x0c], [0x15, 0, 10, 0x800], [0x30, 0, 0, 0x17], [0x15, 0, 8, 0x11], [0x28, 0, 0, 0x14],
    [0x45, 6, 0, 0x1fff], [0xb1, 0, 0, 0x0e], [0x48, 0, 0, 0x10], [0x15, 0, 3, 0x43], [0x40, 0, 0, 0x2e],
    [0x15, 0, 1, 0], [0x6, 0, 0, 0x40000], [0x6, 0, 0, 0],
  ]
  assert.deepEqual(DHCP_SERVER_FILTER.map((x) => [x.code, x.jt, x.jf, x.k]), tcpdump)
  assert.equal(bytes.length, 13 * 8)
  // { 0x28, 0, 0, 0x0000000c } little-endian
  assert.equal(bytes.subarray(0, 8).toString('hex'), '280000000c000000')
  assert.equal(bytes.subarray(96, 104).toString('hex'), '0600000000000000')
  const f = sampleFrame(Buffer.alloc(300))
  assert.ok(runBpf(DHCP_SERVER_FILTER, f) > 0)
  const relayed = Buffer.from(f)
  relayed.writeUInt32BE(0xc6122901, 14 + 20 + 8 + 24)
  assert.equal(runBpf(DHCP_SERVER_FILTER, relayed), 0, 'relayed (giaddr set): left to the UDP socket')
  assert.equal(runBpf(DHCP_SERVER_FILTER, sampleFrame()), 0, 'too short to hold a giaddr')
  assert.equal(runBpf(dhcpServerFilter(6767), f), 0)
  f.writeUInt16BE(6767, 36)
  assert.ok(runBpf(dhcpServerFilter(6767), f) > 0)
  assert.equal(runBpf(DHCP_SERVER_FILTER, Buffer.alloc(10)), 0, 'short frames are dropped')
})

test('ICMP echo request has ISC\'s shape (8-byte header, 20 zero bytes) and checksum', () => {
  const e = encodeEcho({ id: 0, seq: 0 })
  assert.equal(e.length, 28)
  assert.equal(e.readUInt16BE(2), 0xf7ff) // ~0x0800
  const d = decodeIcmp(e, 0, e.length)
  assert.deepEqual([d.type, d.code, d.id, d.seq, d.payload.length], [8, 0, 0, 0, 20])
  const e2 = encodeEcho({ id: 0xbeef, seq: 513 })
  assert.equal(internetChecksum(e2), 0)
})

test('an ICMP echo reply datagram (with its IP header) decodes', () => {
  const icmp = encodeEcho({ type: 0, id: 0x1234, seq: 7 })
  const ip = Buffer.alloc(20)
  ip[0] = 0x45
  ip.writeUInt16BE(20 + icmp.length, 2)
  ip[8] = 64
  ip[9] = 1
  ip.writeUInt32BE(0xc6122801, 12)
  ip.writeUInt32BE(0xc6122802, 16)
  ip.writeUInt16BE(internetChecksum(ip), 10)
  const d = decodeIcmpDatagram(Buffer.concat([ip, icmp]))
  assert.equal(decodeIpv4(Buffer.concat([ip, icmp]), 0, 48).value.ttl, 64)
  assert.deepEqual([d.src, d.icmp.type, d.icmp.id, d.icmp.seq], [0xc6122801, 0, 0x1234, 7])
  const bad = Buffer.concat([ip, icmp])
  bad[25] = (bad[25] ?? 0) ^ 1
  assert.throws(() => decodeIcmpDatagram(bad), DecodeError)
})

test('ICMP filter: echo replies with our identifier only (IP header included, any IHL)', () => {
  const datagram = (type: number, id: number, ihl = 5): Buffer => {
    const icmp = encodeEcho({ type, id, seq: 1 })
    const ip = Buffer.alloc(ihl * 4)
    ip[0] = 0x40 | ihl
    ip[9] = 1
    return Buffer.concat([ip, icmp])
  }
  const f = echoReplyFilter(0x1234)
  assert.ok(runBpf(f, datagram(0, 0x1234)) > 0)
  assert.ok(runBpf(f, datagram(0, 0x1234, 6)) > 0, 'with IP options')
  assert.equal(runBpf(f, datagram(0, 0x4321)), 0, 'another pinger')
  assert.equal(runBpf(f, datagram(8, 0x1234)), 0, 'an echo request')
  assert.equal(runBpf(f, datagram(3, 0x1234)), 0, 'destination unreachable')
  assert.equal(encodeBpf(f).length, 7 * 8)
})
