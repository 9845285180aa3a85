import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPacket, decode, encode, encodingLength, packet, toBuffer } from '../../../src/protocol/dhcp/packet.js'
import { encodeReply, overload } from '../../../src/protocol/dhcp/overload.js'
import * as acc from '../../../src/protocol/dhcp/accessors.js'
import { parseIPv4 } from '../../../src/lib/ip.js'
import { bytes, hex, ip, message, tlv, zeros } from '../../helpers/bytes.js'
import { readHexFixture } from '../../helpers/fixtures.js'
import { roundTrip } from '../../helpers/round-trip.js'

const addr = (s: string): number => parseIPv4(s)!
const MAC = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]

test('readHexFixture: comments and whitespace are ignored', () => {
  const buf = readHexFixture('packets/codec-handmade-discover.hex')
  assert.equal(buf.length, 300)
  const expected = message(
    { op: 1, xid: 0x12345678, flags: 0x8000, chaddr: MAC },
    bytes(tlv(53, 1), tlv(61, 1, MAC), tlv(55, 1, 3, 6, 15), tlv(12, 'pc'), 255, zeros(37)),
  )
  assert.equal(buf.toString('hex'), expected.toString('hex'))
})

test('decode a hand-made DISCOVER fixture, byte-exact round trip', () => {
  const buf = readHexFixture('packets/codec-handmade-discover.hex')
  const p = roundTrip(packet, decode(buf, 0, buf.length).value, buf)
  assert.equal(p.op, 1)
  assert.equal(p.xid, 0x12345678)
  assert.equal(p.flags, 0x8000)
  assert.equal(acc.hardwareAddress(p).toString('hex'), '001122334455')
  assert.equal(acc.messageType(p), 1)
  assert.equal(acc.clientIdentifier(p)?.toString('hex'), '01001122334455')
  assert.deepEqual([...acc.parameterRequestList(p)!], [1, 3, 6, 15])
  assert.equal(acc.hostName(p), 'pc')
  assert.equal(p.trailer.length, 37)
})

const packets: { name: string; wire: Buffer; check?: (p: ReturnType<typeof decode>['value']) => void }[] = [
  {
    name: 'relayed REQUEST, all header fields set, no End',
    wire: message(
      { op: 1, htype: 1, hlen: 6, hops: 1, xid: 0xdeadbeef, secs: 3, flags: 0, ciaddr: '10.0.8.23', yiaddr: '0.0.0.0',
        siaddr: '10.0.0.2', giaddr: '10.0.8.1', chaddr: MAC, sname: bytes('srv'), file: bytes('pxelinux.0') },
      bytes(tlv(53, 3), tlv(50, ip('10.0.8.23')), tlv(54, ip('10.0.0.2')), tlv(82, tlv(1, 'eth0/1/3'), tlv(2, 'r1'))),
    ),
    check: (p) => {
      assert.equal(p.hops, 1)
      assert.equal(p.secs, 3)
      assert.equal(p.ciaddr, addr('10.0.8.23'))
      assert.equal(p.siaddr, addr('10.0.0.2'))
      assert.equal(p.giaddr, addr('10.0.8.1'))
      assert.equal(p.end, false)
      assert.equal(acc.requestedAddress(p), addr('10.0.8.23'))
      assert.equal(acc.serverIdentifier(p), addr('10.0.0.2'))
      assert.equal(p.file.toString('latin1').replace(/\0+$/, ''), 'pxelinux.0')
      assert.equal(p.extraOptions.length, 0, 'no option 52: file is not options')
    },
  },
  { name: 'no options at all', wire: message({}, bytes()) },
  { name: 'pads between options and after End', wire: message({}, bytes(tlv(53, 1), 0, 0, tlv(57, 0x05, 0xdc), 255, zeros(50))) },
  {
    name: 'overload 3: options in file then sname, joined in RFC 2131 §4.1 order',
    wire: message(
      { file: bytes(tlv(12, 'ho'), tlv(77, 'B'), 255), sname: bytes(tlv(77, 'C'), 0, 255) },
      bytes(tlv(53, 1), tlv(52, 3), tlv(77, 'A'), 255),
    ),
    check: (p) => {
      assert.equal(acc.overload(p), 3)
      assert.equal(acc.hostName(p), 'ho')
      assert.equal(acc.userClass(p)?.raw.toString(), 'ABC')
      assert.equal(p.extraOptions.filter((o) => o.code !== 0).length, 3)
    },
  },
  {
    name: 'overload 2: only sname carries options',
    wire: message({ sname: bytes(tlv(51, 0, 0, 0x0e, 0x10), 255), file: bytes('boot.img') }, bytes(tlv(52, 2), 255)),
    check: (p) => {
      assert.equal(acc.leaseTime(p), 3600)
      assert.equal(acc.overload(p), 2)
    },
  },
]

for (const c of packets) {
  test(`packet: ${c.name}`, () => {
    const p = roundTrip(packet, decode(c.wire, 0, c.wire.length).value, c.wire)
    c.check?.(p)
    // Decoding from the middle of a larger buffer, with bytes after `end`.
    const big = Buffer.concat([Buffer.alloc(11, 0x77), c.wire, Buffer.alloc(9, 0x35)])
    const r = decode(big, 11, 11 + c.wire.length)
    assert.equal(r.offset, 11 + c.wire.length)
    assert.equal(toBuffer(r.value).toString('hex'), c.wire.toString('hex'))
  })
}

const malformed: { name: string; wire: Buffer; offset: number; field?: string }[] = [
  { name: 'empty', wire: bytes(), offset: 0 },
  { name: 'shorter than the header', wire: Buffer.alloc(239), offset: 0 },
  { name: 'bad cookie', wire: Buffer.concat([message({}, bytes(), false), hex('63 82 53 64')]), offset: 236 },
  { name: 'truncated option', wire: message({}, bytes(tlv(53, 1), 55, 4, 1, 3)), offset: 243 },
  { name: 'option header cut', wire: message({}, bytes(tlv(53, 1), 55)), offset: 243 },
  { name: 'overload length 2', wire: message({}, bytes(tlv(52, 1, 1), 255)), offset: 240, field: 'option 52 (dhcp-option-overload)' },
  { name: 'overload value 4', wire: message({}, bytes(tlv(52, 4), 255)), offset: 242 },
  { name: 'overloaded file malformed', wire: message({ file: bytes(12, 200) }, bytes(tlv(52, 1), 255)), offset: 108 },
  { name: 'overloaded sname malformed', wire: message({ sname: bytes(zeros(62), 12, 5) }, bytes(tlv(52, 2), 255)), offset: 44 + 62 },
]
for (const c of malformed) {
  test(`packet decode error: ${c.name}`, () => {
    const shifted = Buffer.concat([Buffer.alloc(3), c.wire])
    assert.throws(() => decode(shifted, 3, shifted.length), (e: unknown) => {
      assert.ok(e instanceof Error)
      assert.equal((e as { code?: string }).code, 'ERR_DECODE')
      assert.equal((e as { offset?: number }).offset, 3 + c.offset, String(e))
      if (c.field) assert.equal((e as { field?: string }).field, c.field)
      return true
    })
  })
}

test('encode pads to minLength and encodingLength agrees', () => {
  const p = createPacket({ xid: 7, chaddr: Buffer.from(MAC) })
  acc.setMessageType(p, 2)
  assert.equal(encodingLength(p), 244)
  assert.equal(encodingLength(p, { minLength: 300 }), 300)
  const buf = toBuffer(p, { minLength: 300 })
  const expected = message({ op: 2, xid: 7, chaddr: MAC }, bytes(tlv(53, 2), 255, zeros(300 - 244)))
  assert.equal(buf.toString('hex'), expected.toString('hex'))
  const at = Buffer.alloc(320, 0xaa)
  assert.equal(encode(p, at, 10, { minLength: 300 }), 310)
  assert.ok(at.subarray(10, 310).equals(expected))
})

test('encode rejects oversized fields and out-of-range header values', () => {
  assert.throws(() => toBuffer(createPacket({ sname: Buffer.alloc(65) })), { code: 'ERR_ENCODE', field: 'sname' })
  assert.throws(() => toBuffer(createPacket({ chaddr: Buffer.alloc(17) })), { code: 'ERR_ENCODE', field: 'chaddr' })
  assert.throws(() => toBuffer(createPacket({ secs: 70000 })), { code: 'ERR_ENCODE', field: 'secs' })
})

test('encodeReply: fits → padded to 300, no overload', () => {
  const p = createPacket({ xid: 1 })
  acc.setMessageType(p, 5)
  acc.setServerIdentifier(p, addr('10.0.0.1'))
  const buf = encodeReply(p, { maxSize: 548 })
  assert.equal(buf.toString('hex'), message({ op: 2, xid: 1 }, bytes(tlv(53, 5), tlv(54, ip('10.0.0.1')), 255, zeros(300 - 250))).toString('hex'))
})

test('encodeReply: overflow moves options into file, pinned options stay, option 52 follows 53', () => {
  const p = createPacket({ xid: 2 })
  const vendor = Buffer.alloc(100, 0x41)
  const domain = Buffer.alloc(30, 0x62)
  p.options = [
    { code: 53, data: hex('05') },
    { code: 1, data: hex('ff ff ff 00') },
    { code: 3, data: hex('0a 00 00 01') },
    { code: 43, data: vendor },
    { code: 15, data: domain },
    { code: 82, data: bytes(tlv(1, 'x')) },
  ]
  // Options field capacity at 300 bytes: 60 - End - option 52 = 56; pinned 53 and 82 take 3 + 5.
  const buf = encodeReply(p, { maxSize: 300 })
  const expected = message(
    { op: 2, xid: 2, file: bytes(tlv(43, vendor), 255) },
    bytes(tlv(53, 5), tlv(52, 1), tlv(1, 0xff, 0xff, 0xff, 0), tlv(3, 10, 0, 0, 1), tlv(15, domain), tlv(82, tlv(1, 'x')), 255),
  )
  assert.equal(buf.length, 300)
  assert.equal(buf.toString('hex'), Buffer.concat([expected, Buffer.alloc(300 - expected.length)]).toString('hex'))
  const back = decode(buf, 0, buf.length).value
  assert.ok(acc.getOption(back, 43)?.data.equals(vendor))
})

test('encodeReply: uses sname after file, and keeps repeated codes in area order', () => {
  const p = createPacket()
  p.options = [
    { code: 53, data: hex('02') },
    { code: 77, data: Buffer.alloc(120, 1) }, // → file (too big for the options field)
    { code: 77, data: Buffer.alloc(5, 2) },   // must not go back to the options field
    { code: 60, data: Buffer.alloc(40, 3) },  // fits in the options field (53 - 42 = 11 left)
    { code: 12, data: Buffer.alloc(10, 4) },  // 12 bytes: not in the options field (11), not in file (5) → sname
  ]
  const fitted = overload(p, 300)
  const buf = toBuffer(fitted)
  const back = decode(buf, 0, buf.length).value
  assert.equal(acc.overload(back), 3)
  assert.deepEqual(back.options.map((o) => o.code), [53, 52, 60])
  assert.deepEqual(back.extraOptions.map((o) => o.code), [77, 77, 12])
  const joined = acc.getOption(back, 77)?.data
  assert.ok(joined?.equals(Buffer.concat([Buffer.alloc(120, 1), Buffer.alloc(5, 2)])))
  assert.ok(acc.getOption(back, 60)?.data.equals(Buffer.alloc(40, 3)))
  assert.ok(acc.getOption(back, 12)?.data.equals(Buffer.alloc(10, 4)))
  assert.ok(buf.length <= 300)
})

test('encodeReply: too large even with overload → EncodeError; non-empty file is not used', () => {
  const p = createPacket()
  p.options = [{ code: 53, data: hex('02') }, { code: 43, data: Buffer.alloc(200) }]
  assert.throws(() => encodeReply(p, { maxSize: 300 }), { code: 'ERR_ENCODE' })
  const q = createPacket({ file: bytes('boot') })
  q.options = [{ code: 53, data: hex('02') }, { code: 43, data: Buffer.alloc(40) }, { code: 60, data: Buffer.alloc(40) }]
  const buf = encodeReply(q, { maxSize: 300 })
  assert.equal(acc.overload(decode(buf, 0, buf.length).value), 2)
  assert.throws(() => encodeReply(q, { maxSize: 299 - 60 }), { code: 'ERR_ENCODE' })
})
