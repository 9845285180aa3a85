import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeRawSocket } from '../helpers/fake-packet-socket.js'
import { IcmpPinger } from '../../src/io/pinger.js'
import { decodeIcmp, encodeEcho } from '../../src/protocol/l2/icmp.js'
import { internetChecksum } from '../../src/protocol/l2/checksum.js'
import { decodeSockaddrIn } from '../../src/protocol/l2/sockaddr.js'

const A = 0xc6122864 // 198.18.40.100
const B = 0xc6122865

/** An echo reply as a raw ICMP socket delivers it: IPv4 header + ICMP. */
function reply(src: number, id: number, seq: number, type = 0): Buffer {
  const icmp = encodeEcho({ type, id, seq })
  const ip = Buffer.alloc(20)
  ip[0] = 0x45
  ip.writeUInt16BE(20 + icmp.length, 2)
  ip[8] = 64
  ip[9] = 1
  ip.writeUInt32BE(src, 12)
  ip.writeUInt32BE(0xc6122801, 16)
  ip.writeUInt16BE(internetChecksum(ip), 10)
  return Buffer.concat([ip, icmp])
}

function sentEcho(s: FakeRawSocket, i: number) {
  const m = s.sent[i]!
  return { to: decodeSockaddrIn(m.sockaddr!).address, echo: decodeIcmp(m.data, 0, m.data.length) }
}

test('one echo in ISC\'s shape; a matching reply answers the probe', async () => {
  const s = new FakeRawSocket()
  const p = new IcmpPinger(s, { id: 0x4242 })
  const result = p.probe(A, 5_000)
  const { to, echo } = sentEcho(s, 0)
  assert.equal(to, A)
  assert.deepEqual([echo.type, echo.code, echo.id, echo.payload.length], [8, 0, 0x4242, 20])
  assert.ok(echo.payload.every((b) => b === 0))
  s.receive(reply(A, 0x4242, echo.seq))
  assert.equal(await result, 'answered')
  assert.equal(p.outstanding, 0)
  p.close()
})

test('replies are matched on (source, id, sequence); anything else is ignored', async () => {
  const s = new FakeRawSocket()
  const p = new IcmpPinger(s, { id: 7 })
  const result = p.probe(A, 50)
  const seq = sentEcho(s, 0).echo.seq
  s.receive(reply(B, 7, seq)) // another host
  s.receive(reply(A, 8, seq)) // another pinger's id
  s.receive(reply(A, 7, seq + 1)) // an old sequence
  s.receive(reply(A, 7, seq, 8)) // an echo request, not a reply
  s.receive(Buffer.from('garbage'))
  assert.equal(await result, 'silent')
  p.close()
})

test('many probes run at once; a second probe of the same address shares the first', async () => {
  const s = new FakeRawSocket()
  const p = new IcmpPinger(s, { id: 1 })
  const probes = Array.from({ length: 200 }, (_, i) => p.probe(0xc6122900 + i, 100))
  const again = p.probe(0xc6122900, 100)
  assert.equal(s.sent.length, 200, 'no second echo for an address already being probed')
  assert.equal(p.outstanding, 200)
  // Every tenth address answers.
  for (let i = 0; i < 200; i += 10) s.receive(reply(0xc6122900 + i, 1, sentEcho(s, i).echo.seq))
  const results = await Promise.all(probes)
  assert.equal(results.filter((r) => r === 'answered').length, 20)
  assert.equal(await again, 'answered')
  p.close()
})

test('a send failure counts as silent (ISC offers when it cannot ping) and is reported', async () => {
  const s = new FakeRawSocket()
  s.sendError = Object.assign(new Error('sendto: No buffer space available'), { code: 'ENOBUFS' })
  const errors: string[] = []
  const p = new IcmpPinger(s, { onError: (e) => errors.push(e.message) })
  assert.equal(await p.probe(A, 5_000), 'silent')
  assert.equal(errors.length, 1)
  p.close()
})

test('close settles outstanding probes as silent and closes the socket', async () => {
  const s = new FakeRawSocket()
  const p = new IcmpPinger(s)
  const r = p.probe(A, 60_000)
  p.close()
  assert.equal(await r, 'silent')
  assert.equal(s.closed, true)
  assert.equal(await p.probe(B, 10), 'silent')
})
