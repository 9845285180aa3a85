import { test } from 'node:test'
import assert from 'node:assert/strict'
import { joinOption, optionArea, splitOption, tlv, type OptionArea } from '../../../src/protocol/dhcp/options.js'
import { bytes, hex, tlv as tlvBytes, zeros } from '../../helpers/bytes.js'
import { roundTrip } from '../../helpers/round-trip.js'

const PAD_ENTRY = { code: 0, data: Buffer.alloc(0) }

const areas: { name: string; area: OptionArea; wire: Buffer }[] = [
  { name: 'empty, no End', area: { options: [], end: false, trailer: Buffer.alloc(0) }, wire: bytes() },
  { name: 'End only', area: { options: [], end: true, trailer: Buffer.alloc(0) }, wire: hex('ff') },
  {
    name: 'options, pad, End, zero trailer',
    area: {
      options: [{ code: 53, data: hex('01') }, PAD_ENTRY, { code: 61, data: hex('01 aa bb cc dd ee ff') }],
      end: true,
      trailer: Buffer.alloc(4),
    },
    wire: hex(`
      35 01 01                  # 53 message type DISCOVER
      00                        # pad
      3d 07 01 aa bb cc dd ee ff  # 61 client id
      ff                        # end
      00 00 00 00               # trailer
    `),
  },
  { name: 'no End, last TLV ends at the area end', area: { options: [{ code: 12, data: bytes('h') }], end: false, trailer: Buffer.alloc(0) }, wire: hex('0c 01 68') },
  { name: 'zero-length option', area: { options: [{ code: 80, data: Buffer.alloc(0) }], end: true, trailer: Buffer.alloc(0) }, wire: hex('50 00 ff') },
  { name: 'non-zero trailer after End', area: { options: [], end: true, trailer: hex('de ad') }, wire: hex('ff de ad') },
]

for (const c of areas) {
  test(`option area: ${c.name}`, () => {
    const decoded = roundTrip(optionArea, c.area, c.wire)
    assert.deepEqual(
      decoded.options.map((o) => [o.code, o.data.toString('hex')]),
      c.area.options.map((o) => [o.code, o.data.toString('hex')]),
    )
    assert.equal(decoded.end, c.area.end)
  })
}

test('RFC 3396: a 300-byte value is split into 255 + 45 and joined back', () => {
  const data = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff))
  const wire = bytes(119, 255, data.subarray(0, 255), 119, 45, data.subarray(255), 255)
  const area: OptionArea = { options: [{ code: 119, data }], end: true, trailer: Buffer.alloc(0) }
  assert.equal(tlv.encodingLength(119, data), 304)
  const decoded = roundTrip(optionArea, area, wire)
  assert.equal(decoded.options.length, 2, 'each wire TLV is kept')
  const joined = joinOption([decoded.options], 119)
  assert.ok(joined)
  assert.equal(joined.parts, 2)
  assert.ok(joined.data.equals(data))
  assert.deepEqual(splitOption(119, data).map((o) => o.data.length), [255, 45])
})

test('RFC 3396: exactly 510 bytes → two full fragments; empty value → one empty TLV', () => {
  assert.deepEqual(splitOption(43, Buffer.alloc(510)).map((o) => o.data.length), [255, 255])
  assert.equal(tlv.encodingLength(43, Buffer.alloc(510)), 514)
  const buf = Buffer.alloc(2)
  assert.equal(tlv.encode(43, Buffer.alloc(0), buf, 0), 2)
  assert.equal(buf.toString('hex'), '2b00')
})

test('RFC 3396: joining across lists keeps list order (options, file, sname)', () => {
  const a = [{ code: 77, data: bytes('ab') }, { code: 1, data: hex('ffffff00') }]
  const b = [{ code: 77, data: bytes('cd') }]
  const c = [{ code: 77, data: bytes('ef') }]
  assert.equal(joinOption([a, b, c], 77)?.data.toString(), 'abcdef')
  assert.equal(joinOption([a, b, c], 2), undefined)
})

const bad: { name: string; buf: Buffer; end?: number; offset: number }[] = [
  { name: 'lone code at end', buf: hex('35 01 01 33'), offset: 3 },
  { name: 'length past end', buf: hex('35 05 01 02'), offset: 0 },
  { name: 'length past the given end (bytes after end are not read)', buf: hex('35 03 01 02 03'), end: 4, offset: 0 },
  { name: 'second option truncated after pads', buf: hex('00 00 0c 02 41'), offset: 2 },
]
for (const c of bad) {
  test(`option area decode error: ${c.name}`, () => {
    const big = Buffer.concat([Buffer.from(zeros(5)), c.buf])
    assert.throws(() => optionArea.decode(big, 5, 5 + (c.end ?? c.buf.length)), { code: 'ERR_DECODE', offset: 5 + c.offset })
  })
}

test('encode rejects End as an entry and data on Pad', () => {
  assert.throws(() => optionArea.encode({ options: [{ code: 255, data: Buffer.alloc(0) }], end: true, trailer: Buffer.alloc(0) }, Buffer.alloc(10), 0), { code: 'ERR_ENCODE' })
  assert.throws(() => tlv.encode(0, hex('01'), Buffer.alloc(10), 0), { code: 'ERR_ENCODE' })
})

test('tlv helper in test/helpers agrees with the RFC layout', () => {
  assert.equal(tlvBytes(53, 1).toString('hex'), '350101')
})
