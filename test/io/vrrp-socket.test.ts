/**
 * The VRRP sockets' options are keepalived's (strace, docs §3.1), in multicast and unicast
 * mode; packets of another VRID are dropped silently; sends go to sockaddr_in(dst).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeRawSocket } from '../helpers/fake-packet-socket.js'
import {
  VrrpSockets, encodeIpMreqn, deviceName, IP_ADD_MEMBERSHIP, IP_HDRINCL, IP_MULTICAST_ALL, IP_MULTICAST_IF, IP_MULTICAST_LOOP, IP_TOS, VRRP_GROUP,
} from '../../src/io/vrrp-socket.js'
import { AF_INET, IPPROTO_IP, SOCK_RAW, SOL_SOCKET, SO_BINDTODEVICE, decodeSockaddrIn } from '../../src/protocol/l2/sockaddr.js'
import { V2_P99_FRAME } from '../protocol/vrrp/vectors.js'

function open(unicast: boolean, vrid = 51): { recv: FakeRawSocket; send: FakeRawSocket; opened: number[][]; sockets: VrrpSockets } {
  const made: FakeRawSocket[] = []
  const opened: number[][] = []
  const sockets = new VrrpSockets({
    open: (d, t, p) => {
      opened.push([d, t, p])
      const s = new FakeRawSocket()
      made.push(s)
      return s
    },
    ifname: 'eth2', ifindex: 7, unicast, vrid,
  })
  return { recv: made[0]!, send: made[1]!, opened, sockets }
}

test('ip_mreqn is group, address, ifindex (12 bytes)', () => {
  assert.deepEqual([...encodeIpMreqn(VRRP_GROUP, 7)], [224, 0, 0, 18, 0, 0, 0, 0, 7, 0, 0, 0])
  assert.deepEqual([...deviceName('eth2')], [0x65, 0x74, 0x68, 0x32, 0])
})

test('multicast mode: keepalived\'s receive and send socket options', () => {
  const { recv, send, opened } = open(false)
  assert.deepEqual(opened, [[AF_INET, SOCK_RAW, 112], [AF_INET, SOCK_RAW, 112]])
  assert.deepEqual(recv.options.map((o) => [o.level, o.name]), [
    [SOL_SOCKET, SO_BINDTODEVICE], [IPPROTO_IP, IP_MULTICAST_ALL], [IPPROTO_IP, IP_ADD_MEMBERSHIP],
  ])
  assert.deepEqual(recv.options[2]!.value, encodeIpMreqn(VRRP_GROUP, 7))
  assert.equal(recv.options[1]!.value, 0)
  assert.deepEqual(send.options.map((o) => [o.level, o.name, Buffer.isBuffer(o.value) ? 'buf' : o.value]), [
    [IPPROTO_IP, IP_HDRINCL, 1], [IPPROTO_IP, IP_TOS, 0xc0], [IPPROTO_IP, IP_MULTICAST_LOOP, 0],
    [IPPROTO_IP, IP_MULTICAST_IF, 'buf'], [IPPROTO_IP, IP_MULTICAST_ALL, 0], [SOL_SOCKET, SO_BINDTODEVICE, 'buf'],
  ])
})

test('unicast_peer mode joins no group', () => {
  const { recv } = open(true)
  assert.ok(!recv.options.some((o) => o.name === IP_ADD_MEMBERSHIP))
})

test('received packets keep their IPv4 header (TTL for the runner); other VRIDs are dropped', () => {
  const { recv, sockets } = open(false)
  const got: Buffer[] = []
  sockets.start((p) => got.push(p), () => {})
  const ip = V2_P99_FRAME.subarray(14) // doc §3.1: VRID 51
  recv.receive(Buffer.from(ip))
  const other = Buffer.from(ip)
  other[21] = 52
  recv.receive(other)
  assert.equal(got.length, 1)
  assert.equal(got[0]![8], 255)
  const { sockets: s2, recv: r2 } = open(false, 52)
  const got2: Buffer[] = []
  s2.start((p) => got2.push(p), () => {})
  r2.receive(Buffer.from(ip))
  assert.equal(got2.length, 0)
})

test('sendIpPacket sends the whole packet to sockaddr_in(dst); errors are counted, not thrown', () => {
  const { send, sockets } = open(false)
  const packet = Buffer.from(V2_P99_FRAME.subarray(14))
  assert.equal(sockets.sendIpPacket(packet, VRRP_GROUP), undefined)
  assert.deepEqual(send.sent[0]!.data, packet)
  assert.equal(decodeSockaddrIn(send.sent[0]!.sockaddr!).address, VRRP_GROUP)
  send.sendError = Object.assign(new Error('sendto: Network is unreachable'), { code: 'ENETUNREACH' })
  assert.match(sockets.sendIpPacket(packet, VRRP_GROUP)!.message, /unreachable/)
  assert.equal(sockets.sendErrors, 1)
  sockets.close()
  assert.ok(send.closed)
  assert.equal(sockets.sendIpPacket(packet, VRRP_GROUP), undefined)
})
