import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  auxStatus, decodeSockaddrIn, decodeSockaddrLl, encodeAuxdata, encodeSockaddrIn, encodeSockaddrLl, parseControlMessages,
  ETH_P_IP, PACKET_AUXDATA, SOL_PACKET, TP_STATUS_CSUMNOTREADY,
} from '../../../src/protocol/l2/sockaddr.js'
import { toReceivedFrame } from '../../../src/io/raw-socket.js'

test('sockaddr_ll layout: family, protocol (network order), ifindex, halen, addr', () => {
  const b = encodeSockaddrLl({ protocol: ETH_P_IP, ifindex: 7, addr: Buffer.from('0200deadbeef', 'hex') })
  assert.equal(b.toString('hex'), '1100' + '0800' + '07000000' + '0000' + '00' + '06' + '0200deadbeef0000')
  const d = decodeSockaddrLl(b)
  assert.deepEqual([d.protocol, d.ifindex, d.addr.toString('hex')], [ETH_P_IP, 7, '0200deadbeef'])
})

test('sockaddr_ll as the kernel fills it: pkttype at byte 10', () => {
  const b = Buffer.from('1100080003000000010001066a1b2c3d4e5f0000', 'hex')
  const d = decodeSockaddrLl(b)
  assert.deepEqual([d.ifindex, d.hatype, d.pkttype, d.addr.toString('hex')], [3, 1, 1, '6a1b2c3d4e5f'])
})

test('sockaddr_in layout', () => {
  const b = encodeSockaddrIn(0xc6122801, 68)
  assert.equal(b.toString('hex'), '0200' + '0044' + 'c6122801' + '0000000000000000')
  assert.deepEqual(decodeSockaddrIn(b), { address: 0xc6122801, port: 68 })
})

test('PACKET_AUXDATA control message: tp_status, and frames flagged CSUMNOTREADY', () => {
  const control = encodeAuxdata(0x9, 342) // TP_STATUS_USER | TP_STATUS_CSUMNOTREADY, as seen on veth
  const msgs = parseControlMessages(control)
  assert.equal(msgs.length, 1)
  assert.deepEqual([msgs[0]!.level, msgs[0]!.type], [SOL_PACKET, PACKET_AUXDATA])
  assert.equal(auxStatus(control), 9)
  assert.equal(auxStatus(Buffer.alloc(0)), undefined)
  const f = toReceivedFrame({ data: Buffer.alloc(60), address: encodeSockaddrLl({ protocol: ETH_P_IP, ifindex: 4 }), control })
  assert.equal(f.checksumNotReady, true)
  assert.equal(f.ifindex, 4)
  const g = toReceivedFrame({ data: Buffer.alloc(60), address: encodeSockaddrLl({ protocol: ETH_P_IP, ifindex: 4 }), control: encodeAuxdata(1, 60) })
  assert.equal(g.checksumNotReady, false)
  assert.equal(TP_STATUS_CSUMNOTREADY, 8)
})

test('a truncated control buffer yields no messages', () => {
  const control = encodeAuxdata(1, 60).subarray(0, 20)
  assert.deepEqual(parseControlMessages(control), [])
})
