import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { REPO_ROOT } from '../helpers/dhcp-lab.js'
import { readPcap } from '../helpers/pcap.js'
import { FakePacketSocket } from '../helpers/fake-packet-socket.js'
import { PacketTransport, serverIdentifierOf, sourceAddressFor } from '../../src/io/packet-transport.js'
import type { InboundDatagram, Transport, TransportDrop, TransportHandlers } from '../../src/io/transport.js'
import type { ServedInterface } from '../../src/io/interfaces.js'
import type { ReplyRoute, ReceivingInterface } from '../../src/core/pipeline.js'
import { parseIPv4, prefixToMask } from '../../src/lib/ip.js'
import { buildUdpFrame, decodeUdpFrame } from '../../src/protocol/l2/udp-frame.js'
import { formatMac, parseMac } from '../../src/protocol/l2/ethernet.js'
import { PacketType } from '../../src/protocol/l2/sockaddr.js'
import { toBuffer as encode, createPacket as emptyPacket } from '../../src/protocol/dhcp/packet.js'
import { setMessageType, setServerIdentifier } from '../../src/protocol/dhcp/accessors.js'

const ip = (t: string): number => parseIPv4(t)!

function iface(name: string, address: string, prefix = 24): ServedInterface {
  const a = { address: ip(address), mask: prefixToMask(prefix), prefixLength: prefix }
  return { name, mac: '', addresses: [a], receiving: { name, addresses: [a.address] } }
}

class FakeUdp implements Transport {
  readonly canUnicastToUnconfigured = false
  readonly sent: { route: ReplyRoute; via: string }[] = []
  started = false
  paused = false
  closed = false
  describe(): readonly string[] {
    return []
  }
  async start(): Promise<void> {
    this.started = true
  }
  send(_bytes: Buffer, route: ReplyRoute, via: ReceivingInterface): void {
    this.sent.push({ route, via: via.name })
  }
  pause(): void {
    this.paused = true
  }
  async close(): Promise<void> {
    this.closed = true
  }
}

async function setup(served: ServedInterface[] = [iface('eth0', '198.18.40.1'), iface('eth1', '198.18.41.1')]) {
  const sockets = new Map<string, FakePacketSocket>()
  const udp = new FakeUdp()
  const traces: string[] = []
  let n = 0
  const t = new PacketTransport({
    served,
    host: served,
    udp,
    openSocket: (name) => {
      const s = new FakePacketSocket(name, ++n, parseMac(`02:00:00:00:00:0${n}`))
      sockets.set(name, s)
      return s
    },
    trace: (line) => traces.push(line),
  })
  const got: InboundDatagram[] = []
  const drops: TransportDrop[] = []
  const errors: string[] = []
  const handlers: TransportHandlers = { onDatagram: (d) => got.push(d), onDrop: (d) => drops.push(d), onError: (e, c) => errors.push(`${c}: ${e.message}`) }
  await t.start(handlers)
  return { t, udp, sockets, got, drops, errors, traces, sock: (name: string) => sockets.get(name)! }
}

/** A DHCPDISCOVER as udhcpc sent it in the lab (Ethernet frame from the pcap). */
const udhcpcDiscover = readPcap(join(REPO_ROOT, 'test', 'fixtures', 'packets', 'pcap', 'udhcpc.pcap')).records[0]!.data

function clientFrame(o: { dst?: string; giaddr?: string; src?: string } = {}): Buffer {
  const p = emptyPacket()
  p.op = 1
  p.chaddr = Buffer.concat([parseMac('02:aa:bb:cc:dd:ee'), Buffer.alloc(10)])
  if (o.giaddr !== undefined) p.giaddr = ip(o.giaddr)
  setMessageType(p, 1)
  return buildUdpFrame({
    srcMac: parseMac('02:aa:bb:cc:dd:ee'), dstMac: parseMac('ff:ff:ff:ff:ff:ff'),
    src: ip(o.src ?? '0.0.0.0'), dst: ip(o.dst ?? '255.255.255.255'), srcPort: 68, dstPort: 67, payload: encode(p),
  })
}

test('a captured udhcpc DISCOVER is handed over with its receiving interface', async () => {
  const { got, sock, udp } = await setup()
  assert.equal(udp.started, true)
  sock('eth1').receive(udhcpcDiscover)
  assert.equal(got.length, 1)
  assert.equal(got[0]!.receivedOn.name, 'eth1')
  assert.equal(got[0]!.source, '0.0.0.0')
  assert.equal(got[0]!.sourcePort, 68)
  assert.equal(got[0]!.receivedBroadcast, true)
  assert.equal(got[0]!.data[0], 1)
})

test('relayed requests are left to the UDP socket; unicasts to other hosts are ignored', async () => {
  const { got, sock } = await setup()
  sock('eth0').receive(clientFrame({ giaddr: '198.18.41.254', src: '198.18.41.254', dst: '198.18.40.1' }), { pkttype: PacketType.HOST })
  sock('eth0').receive(clientFrame({ src: '198.18.40.20', dst: '198.18.99.1' }), { pkttype: PacketType.HOST })
  sock('eth0').receive(clientFrame(), { pkttype: PacketType.OTHERHOST })
  sock('eth0').receive(clientFrame(), { pkttype: PacketType.OUTGOING })
  assert.equal(got.length, 0)
  sock('eth0').receive(clientFrame({ src: '198.18.40.20', dst: '198.18.40.1' }), { pkttype: PacketType.HOST })
  sock('eth0').receive(clientFrame({ src: '198.18.40.20', dst: '198.18.40.255' }))
  assert.deepEqual(got.map((d) => [d.source, d.receivedBroadcast]), [['198.18.40.20', false], ['198.18.40.20', true]])
})

test('a frame with a bad UDP checksum is dropped unless the kernel marked it CSUMNOTREADY', async () => {
  const { got, drops, sock } = await setup()
  const f = clientFrame()
  f.writeUInt16BE(0x4242, 40)
  sock('eth0').receive(f)
  assert.equal(got.length, 0)
  assert.match(drops[0]!.reason, /udp checksum/)
  sock('eth0').receive(f, { checksumNotReady: true })
  assert.equal(got.length, 1)
})

test('L2 unicast reply: frame to chaddr at yiaddr, from the interface address and MAC, 67 → 68', async () => {
  const { t, sock, traces } = await setup()
  const reply = emptyPacket()
  setMessageType(reply, 2)
  const bytes = encode(reply, { minLength: 300 })
  const chaddr = parseMac('02:aa:bb:cc:dd:ee')
  t.send(bytes, { kind: 'l2-unicast', address: ip('198.18.41.10'), port: 68, hardware: chaddr, htype: 1 }, iface('eth1', '198.18.41.1').receiving)
  const s = sock('eth1').sent
  assert.equal(s.length, 1)
  assert.equal(formatMac(s[0]!.dst), '02:aa:bb:cc:dd:ee')
  const f = decodeUdpFrame(s[0]!.frame)
  assert.equal(formatMac(f.dstMac), '02:aa:bb:cc:dd:ee')
  assert.equal(formatMac(f.srcMac), formatMac(sock('eth1').mac))
  assert.deepEqual([f.src, f.dst, f.srcPort, f.dstPort], [ip('198.18.41.1'), ip('198.18.41.10'), 67, 68])
  assert.equal(f.checksumVerified, true)
  assert.ok(f.payload.equals(bytes))
  assert.match(traces[0]!, /L2 unicast to 02:aa:bb:cc:dd:ee 198\.18\.41\.10:68/)
  assert.equal(sock('eth0').sent.length, 0)
})

test('broadcast reply: ff:ff:ff:ff:ff:ff and 255.255.255.255; relay and ciaddr replies go through UDP', async () => {
  const { t, sock, udp } = await setup()
  const bytes = encode(emptyPacket(), { minLength: 300 })
  const eth0 = iface('eth0', '198.18.40.1').receiving
  t.send(bytes, { kind: 'broadcast', address: 0xffffffff, port: 68 }, eth0)
  const f = decodeUdpFrame(sock('eth0').sent[0]!.frame)
  assert.equal(formatMac(f.dstMac), 'ff:ff:ff:ff:ff:ff')
  assert.equal(f.dst, 0xffffffff)
  t.send(bytes, { kind: 'relay', address: ip('198.18.41.254'), port: 67 }, eth0)
  t.send(bytes, { kind: 'unicast', address: ip('198.18.40.20'), port: 68 }, eth0)
  assert.deepEqual(udp.sent.map((s) => s.route.kind), ['relay', 'unicast'])
  assert.equal(sock('eth0').sent.length, 1)
  // A hardware type other than Ethernet cannot be addressed at L2: broadcast instead.
  t.send(bytes, { kind: 'l2-unicast', address: ip('198.18.40.9'), port: 68, hardware: Buffer.alloc(16, 1), htype: 32 }, eth0)
  assert.equal(decodeUdpFrame(sock('eth0').sent[1]!.frame).dst, 0xffffffff)
})

test('the reply source is the server identifier when it is on the interface, else the primary address', () => {
  const i = { addresses: [{ address: ip('198.18.40.1'), mask: 0, prefixLength: 24 }, { address: ip('198.18.40.100'), mask: 0, prefixLength: 24 }] }
  assert.equal(sourceAddressFor(i, ip('198.18.40.100')), ip('198.18.40.100'))
  assert.equal(sourceAddressFor(i, ip('198.18.99.1')), ip('198.18.40.1'))
  assert.equal(sourceAddressFor(i, undefined), ip('198.18.40.1'))
  const p = emptyPacket()
  setMessageType(p, 2)
  setServerIdentifier(p, ip('198.18.40.100'))
  assert.equal(serverIdentifierOf(encode(p)), ip('198.18.40.100'))
  assert.equal(serverIdentifierOf(encode(emptyPacket())), undefined)
  assert.equal(serverIdentifierOf(Buffer.alloc(10)), undefined)
})

test('pause stops hand-over; close closes every socket and the UDP transport', async () => {
  const { t, got, sock, sockets, udp } = await setup()
  t.pause()
  sock('eth0').receive(clientFrame())
  assert.equal(got.length, 0)
  assert.equal(udp.paused, true)
  await t.close()
  assert.ok([...sockets.values()].every((s) => s.closed))
  assert.equal(udp.closed, true)
  assert.deepEqual(t.describe().map((l) => l.split('/')[0]), ['LPF', 'LPF'])
})

test('a socket that cannot be opened fails start and closes the ones already open', async () => {
  const opened: FakePacketSocket[] = []
  const t = new PacketTransport({
    served: [iface('eth0', '198.18.40.1'), iface('eth1', '198.18.41.1')],
    host: [],
    udp: new FakeUdp(),
    openSocket: (name) => {
      if (name === 'eth1') throw Object.assign(new Error('if_nametoindex: No such device'), { code: 'ENODEV' })
      const s = new FakePacketSocket(name, 1, parseMac('02:00:00:00:00:01'))
      opened.push(s)
      return s
    },
  })
  await assert.rejects(t.start({ onDatagram: () => {}, onDrop: () => {}, onError: () => {} }), /No such device/)
  assert.equal(opened[0]!.closed, true)
})

test('an interface re-created with a new index (or MAC) gets a new packet socket; a vanished one is reported once', async () => {
  const current = new Map<string, { index: number; mac: Buffer } | undefined>()
  const opened: FakePacketSocket[] = []
  const notices: string[] = []
  const got: InboundDatagram[] = []
  const t = new PacketTransport({
    served: [iface('eth0', '198.18.40.1')],
    host: [],
    udp: new FakeUdp(),
    openSocket: (name) => {
      const info = current.get(name)!
      const s = new FakePacketSocket(name, info.index, info.mac)
      opened.push(s)
      return s
    },
    resolve: (name) => current.get(name),
    notice: (text) => notices.push(text),
  })
  current.set('eth0', { index: 3, mac: parseMac('02:00:00:00:00:03') })
  await t.start({ onDatagram: (d) => got.push(d), onDrop: () => {}, onError: () => {} })
  assert.deepEqual(t.checkInterfaces(), [])
  current.set('eth0', { index: 9, mac: parseMac('02:00:00:00:00:03') })
  assert.deepEqual(t.checkInterfaces(), ['eth0'])
  assert.equal(opened.length, 2)
  assert.equal(opened[0]!.closed, true)
  assert.match(notices[0]!, /index 3 → 9/)
  opened[0]!.receive(clientFrame()) // a late frame on the old socket is not handed over
  opened[1]!.receive(clientFrame())
  assert.equal(got.length, 1)
  current.set('eth0', undefined)
  assert.deepEqual(t.checkInterfaces(), [])
  assert.deepEqual(t.checkInterfaces(), [])
  assert.equal(notices.filter((n) => /is gone/.test(n)).length, 1)
  current.set('eth0', { index: 9, mac: parseMac('02:00:00:00:00:99') })
  assert.deepEqual(t.checkInterfaces(), ['eth0'])
  // Replies now leave from the new MAC.
  t.send(toBufferPacket(), { kind: 'broadcast', address: 0xffffffff, port: 68 }, iface('eth0', '198.18.40.1').receiving)
  assert.equal(formatMac(decodeUdpFrame(opened[2]!.sent[0]!.frame).srcMac), '02:00:00:00:00:99')
  await t.close()
})

function toBufferPacket(): Buffer {
  return encode(emptyPacket(), { minLength: 300 })
}
