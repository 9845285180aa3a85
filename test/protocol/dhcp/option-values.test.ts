import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeOptionValue,
  encodeOptionValue,
  optionValueLength,
  writeOptionValue,
} from '../../../src/protocol/dhcp/option-values.js'
import { optionByName, type FieldType, type ArrayKind, type OptionDef, type OptionValue } from '../../../src/protocol/dhcp/option-defs.js'
import { bytes, hex, ip, u16, u32 } from '../../helpers/bytes.js'

function std(name: string): OptionDef {
  const d = optionByName(name)
  if (!d) throw new Error(`no option ${name}`)
  return d
}
function custom(fields: readonly FieldType[], array: ArrayKind = 'none'): OptionDef {
  return { code: 250, name: `custom-${fields.join('-')}`, space: 'dhcp', fields, array, rfc: 'test' }
}

interface Case {
  name: string
  def: OptionDef
  value: OptionValue
  wire: Buffer
  /** When decoding normalises (e.g. trailing dot), the expected decoded value. */
  decoded?: OptionValue
}

const cases: Case[] = [
  { name: 'ip-address', def: std('subnet-mask'), value: ['255.255.255.0'], wire: bytes(ip('255.255.255.0')) },
  { name: 'ip-address array', def: std('routers'), value: ['10.0.0.1', '10.0.0.2'], wire: bytes(ip('10.0.0.1'), ip('10.0.0.2')) },
  { name: 'int32 negative', def: std('time-offset'), value: [-3600], wire: hex('ff ff f1 f0') },
  { name: 'uint8', def: std('default-ip-ttl'), value: [64], wire: hex('40') },
  { name: 'uint16', def: std('boot-size'), value: [512], wire: hex('02 00') },
  { name: 'uint32', def: std('dhcp-lease-time'), value: [86400], wire: bytes(u32(86400)) },
  { name: 'uint16 array', def: std('path-mtu-plateau-table'), value: [68, 1500], wire: bytes(u16(68), u16(1500)) },
  { name: 'int8', def: custom(['int8']), value: [-1], wire: hex('ff') },
  { name: 'int16', def: custom(['int16']), value: [-2], wire: hex('ff fe') },
  { name: 'boolean true', def: std('ip-forwarding'), value: [true], wire: hex('01') },
  { name: 'boolean false', def: std('ip-forwarding'), value: [false], wire: hex('00') },
  { name: 'text', def: std('host-name'), value: ['pc-17'], wire: bytes('pc-17') },
  { name: 'empty text', def: std('domain-name'), value: [''], wire: bytes() },
  { name: 'string', def: std('dhcp-client-identifier'), value: [hex('01 00 11 22 33 44 55')], wire: hex('01 00 11 22 33 44 55') },
  { name: 'record array', def: std('policy-filter'), value: ['10.0.0.0', '255.0.0.0', '192.168.0.0', '255.255.0.0'],
    wire: bytes(ip('10.0.0.0'), ip('255.0.0.0'), ip('192.168.0.0'), ip('255.255.0.0')) },
  { name: 'array last, one repeat', def: std('slp-directory-agent'), value: [true, '1.2.3.4', '5.6.7.8'], wire: bytes(1, ip('1.2.3.4'), ip('5.6.7.8')) },
  { name: 'array last, zero repeats', def: std('slp-directory-agent'), value: [false], wire: hex('00') },
  { name: 'uint16 last, empty', def: std('name-service-search'), value: [], wire: bytes() },
  { name: 'boolean then text', def: std('slp-service-scope'), value: [true, 'lab'], wire: bytes(1, 'lab') },
  { name: 'domain-name', def: custom(['domain-name']), value: ['example.org'], wire: bytes(7, 'example', 3, 'org', 0) },
  { name: 'domain-name root', def: custom(['domain-name']), value: [''], wire: hex('00') },
  { name: 'domain-name trailing dot', def: custom(['domain-name']), value: ['a.b.'], wire: bytes(1, 'a', 1, 'b', 0), decoded: ['a.b'] },
  { name: 'domain-name escaped dot', def: custom(['domain-name']), value: ['a\\.b.c'], wire: bytes(3, 'a.b', 1, 'c', 0) },
  { name: 'domain-name array', def: custom(['domain-name'], 'all'), value: ['a', 'b.c'], wire: bytes(1, 'a', 0, 1, 'b', 1, 'c', 0) },
  { name: 'domain-list (no compression)', def: std('bcms-controller-names'), value: [['eng.apple.com', 'marketing.apple.com']],
    wire: bytes(3, 'eng', 5, 'apple', 3, 'com', 0, 9, 'marketing', 5, 'apple', 3, 'com', 0) },
  {
    // RFC 3397 §2 example: "eng.apple.com." and "marketing.apple.com." (option data only).
    name: 'domain-search RFC 3397 §2 example',
    def: std('domain-search'),
    value: [['eng.apple.com', 'marketing.apple.com']],
    wire: hex(`
      03 65 6e 67 05 61 70 70 6c 65 03 63 6f 6d 00   # 3 "eng" 5 "apple" 3 "com" 0
      09 6d 61 72 6b 65 74 69 6e 67 c0 04            # 9 "marketing" pointer to offset 4 ("apple")
    `),
  },
  { name: 'domain-search whole-name reuse', def: std('domain-search'), value: [['a.b', 'a.b']], wire: bytes(1, 'a', 1, 'b', 0, 0xc0, 0) },
  { name: 'domain-list-compressed after a fixed field (pointers from option start)', def: custom(['uint8', 'domain-list-compressed']),
    value: [7, ['x.y', 'z.y']], wire: bytes(7, 1, 'x', 1, 'y', 0, 1, 'z', 0xc0, 3) },
  {
    // RFC 3442 §5 example descriptors, each followed by a router.
    name: 'classless routes, RFC 3442 widths 0/8/16/24/25/32',
    def: std('classless-static-routes'),
    value: [
      { destination: '0.0.0.0', prefixLength: 0, router: '10.0.0.1' },
      { destination: '10.0.0.0', prefixLength: 8, router: '10.0.0.2' },
      { destination: '10.17.0.0', prefixLength: 16, router: '10.0.0.3' },
      { destination: '10.27.129.0', prefixLength: 24, router: '10.0.0.4' },
      { destination: '10.229.0.128', prefixLength: 25, router: '10.0.0.5' },
      { destination: '10.198.122.47', prefixLength: 32, router: '10.0.0.6' },
    ],
    wire: hex(`
      00             0a 00 00 01   # 0            -> 10.0.0.1
      08 0a          0a 00 00 02   # 8.10         -> 10.0.0.2
      10 0a 11       0a 00 00 03   # 16.10.17     -> 10.0.0.3
      18 0a 1b 81    0a 00 00 04   # 24.10.27.129 -> 10.0.0.4
      19 0a e5 00 80 0a 00 00 05   # 25.10.229.0.128 -> 10.0.0.5
      20 0a c6 7a 2f 0a 00 00 06   # 32.10.198.122.47 -> 10.0.0.6
    `),
  },
  { name: 'encapsulation', def: std('relay-agent-information'), value: [hex('01 02 aa bb')], wire: hex('01 02 aa bb') },
  { name: 'empty', def: custom(['empty']), value: [], wire: bytes() },
]

for (const c of cases) {
  test(`option value: ${c.name}`, () => {
    const enc = encodeOptionValue(c.def, c.value)
    assert.equal(enc.toString('hex'), c.wire.toString('hex'))
    assert.equal(optionValueLength(c.def, c.value), c.wire.length)
    // At a non-zero offset: same bytes (compression pointers stay relative to the option start).
    const big = Buffer.alloc(c.wire.length + 9, 0xee)
    assert.equal(writeOptionValue(c.def, c.value, big, 5), 5 + c.wire.length)
    assert.equal(big.subarray(5, 5 + c.wire.length).toString('hex'), c.wire.toString('hex'))
    assert.deepEqual(decodeOptionValue(c.def, c.wire), c.decoded ?? c.value)
  })
}

const encodeErrors: { name: string; def: OptionDef; value: OptionValue; message: RegExp }[] = [
  { name: 'uint8 range', def: std('default-ip-ttl'), value: [300], message: /uint8 out of range: 300/ },
  { name: 'int16 range', def: custom(['int16']), value: [40000], message: /int16 out of range: 40000/ },
  { name: 'non-integer', def: std('boot-size'), value: [1.5], message: /uint16 expects an integer/ },
  { name: 'bad address', def: std('subnet-mask'), value: ['255.255.0'], message: /not an IPv4 address/ },
  { name: 'too many atoms', def: std('subnet-mask'), value: ['1.1.1.1', '2.2.2.2'], message: /expected 1 value/ },
  { name: 'array needs one', def: std('routers'), value: [], message: /positive multiple of 1/ },
  { name: 'record array partial', def: std('policy-filter'), value: ['1.1.1.1'], message: /positive multiple of 2/ },
  { name: 'boolean type', def: std('ip-forwarding'), value: [1], message: /boolean expects/ },
  { name: 'host bits', def: std('classless-static-routes'), value: [{ destination: '10.0.0.1', prefixLength: 8, router: '1.1.1.1' }], message: /host bits/ },
  { name: 'prefix range', def: std('classless-static-routes'), value: [{ destination: '0.0.0.0', prefixLength: 33, router: '1.1.1.1' }], message: /prefix length out of range/ },
  { name: 'label too long', def: std('domain-search'), value: [['a'.repeat(64) + '.com']], message: /label longer than 63/ },
  { name: 'empty label', def: std('domain-search'), value: [['a..b']], message: /empty label/ },
  { name: 'name too long', def: custom(['domain-name']), value: [Array(5).fill('x'.repeat(60)).join('.')], message: /longer than 255/ },
  { name: 'greedy not last', def: custom(['text'], 'all'), value: ['a', 'b'], message: /must be the last value/ },
]

for (const c of encodeErrors) {
  test(`encode error: ${c.name}`, () => {
    assert.throws(() => encodeOptionValue(c.def, c.value), (e: unknown) => {
      assert.ok(e instanceof Error && 'code' in e && e.code === 'ERR_ENCODE', String(e))
      assert.match(e.message, c.message)
      return true
    })
  })
}

const decodeErrors: { name: string; def: OptionDef; data: Buffer; offset: number }[] = [
  { name: 'short address', def: std('subnet-mask'), data: hex('ff ff ff'), offset: 0 },
  { name: 'trailing bytes', def: std('subnet-mask'), data: hex('ff ff ff 00 01'), offset: 4 },
  { name: 'partial array element', def: std('routers'), data: hex('0a 00 00 01 0a'), offset: 4 },
  { name: 'partial record', def: std('policy-filter'), data: hex('0a 00 00 01 0a 00 00 02 0a 00 00 03'), offset: 12 },
  { name: 'empty array', def: std('routers'), data: hex(''), offset: 0 },
  { name: 'empty option with data', def: custom(['empty']), data: hex('00'), offset: 0 },
  { name: 'route width > 32', def: std('classless-static-routes'), data: hex('21 0a 00 00 00 00 01 01 01 01'), offset: 0 },
  { name: 'route truncated', def: std('classless-static-routes'), data: hex('00 0a 00 00 01 18 0a 00'), offset: 5 },
  { name: 'name truncated', def: std('domain-search'), data: bytes(3, 'com'), offset: 4 },
  { name: 'label past end', def: std('domain-search'), data: bytes(5, 'com'), offset: 0 },
  { name: 'pointer to itself', def: std('domain-search'), data: hex('c0 00'), offset: 0 },
  { name: 'forward pointer', def: std('domain-search'), data: bytes(0xc0, 2, 1, 'a', 0), offset: 0 },
  { name: 'pointer loop', def: std('domain-search'), data: bytes(1, 'a', 0xc0, 0), offset: 2 },
  { name: 'truncated pointer', def: std('domain-search'), data: bytes(1, 'a', 0, 0xc0), offset: 3 },
  { name: 'pointer in uncompressed list', def: std('bcms-controller-names'), data: bytes(1, 'a', 0, 0xc0, 0), offset: 3 },
  { name: 'extended label type', def: std('domain-search'), data: hex('40 00'), offset: 0 },
]

for (const c of decodeErrors) {
  test(`decode error: ${c.name}`, () => {
    assert.throws(() => decodeOptionValue(c.def, c.data, 100), { code: 'ERR_DECODE', offset: 100 + c.offset })
  })
}

test('domain-search decode follows chained backward pointers', () => {
  // "a.b.c" then "x" + ptr→"b.c", then "y" + ptr→"x"-name (pointer to a pointer).
  const data = bytes(1, 'a', 1, 'b', 1, 'c', 0, 1, 'x', 0xc0, 2, 1, 'y', 0xc0, 7)
  assert.deepEqual(decodeOptionValue(std('domain-search'), data), [['a.b.c', 'x.b.c', 'y.x.b.c']])
})

test('domain names longer than 255 octets via pointers are rejected', () => {
  const label = bytes(63, 'x'.repeat(63))
  // 4 labels of 63 = 256 wire octets + root: build with chained pointers.
  const data = bytes(label, 0, label, 0xc0, 0, label, 0xc0, 65, label, 0xc0, 131)
  assert.throws(() => decodeOptionValue(std('domain-search'), data), { code: 'ERR_DECODE' })
})

test('classless route decode drops insignificant bits (RFC 3442 §2)', () => {
  assert.deepEqual(decodeOptionValue(std('classless-static-routes'), hex('14 0a 01 ff 01 02 03 04')), [
    { destination: '10.1.240.0', prefixLength: 20, router: '1.2.3.4' },
  ])
})

test('boolean decode treats any non-zero octet as true', () => {
  assert.deepEqual(decodeOptionValue(std('ip-forwarding'), hex('02')), [true])
})
