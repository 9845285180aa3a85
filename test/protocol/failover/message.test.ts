import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DecodeError, EncodeError } from '../../../src/lib/errors.js'
import { MessageType, Opt, RejectReason, rejectReasonText } from '../../../src/protocol/failover/constants.js'
import { FAILOVER_OPTIONS, isOptionAllowed, optionDef } from '../../../src/protocol/failover/option-defs.js'
import { decode, encode, encodingLength, toBuffer, type FailoverMessage } from '../../../src/protocol/failover/message.js'
import {
  bareMessage, bndackMessage, bndupdMessage, connectAckMessage, connectMessage, disconnectMessage, poolRespMessage,
  stateMessage, viewBinding, viewConnect, viewConnectAck, viewDisconnect, viewPoolResp, viewState,
} from '../../../src/protocol/failover/messages.js'
import { hex } from '../../helpers/bytes.js'
import { VECTORS } from './vectors.js'

const T = 0x6b047ee9
const HBA128 = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.alloc(16, 0)])
const ip = (s: string): number => s.split('.').reduce((a, p) => a * 256 + Number(p), 0)

/** encode ⇄ decode, encodingLength, and encoding at an offset (dns-packet `testEncoder`). */
function roundTrip(msg: FailoverMessage): Buffer {
  const wire = toBuffer(msg)
  assert.equal(wire.length, encodingLength(msg))
  const { value, offset } = decode(wire, 0, wire.length)
  assert.equal(offset, wire.length)
  assert.ok(toBuffer(value).equals(wire), 're-encodes byte for byte')
  const padded = Buffer.alloc(wire.length + 7, 0xaa)
  assert.equal(encode(msg, padded, 3), 3 + wire.length)
  assert.ok(padded.subarray(3, 3 + wire.length).equals(wire))
  const again = decode(padded, 3, 3 + wire.length)
  assert.equal(again.offset, 3 + wire.length)
  return wire
}

const vectorCases: { name: string; wire: Buffer; build: () => FailoverMessage; check: (m: FailoverMessage) => void }[] = [
  {
    name: 'CONNECT (P→S) fo-test, mclt 60, split 128',
    wire: VECTORS.connect,
    build: () => connectMessage({ time: T, xid: 0, relationshipName: 'fo-test', maxUnacked: 10, receiveTimer: 30, vendorClass: 'isc-4.4.3-P1', mclt: 60, hba: HBA128 }),
    check: (m) => {
      assert.equal(m.type, MessageType.CONNECT)
      assert.deepEqual({ ...viewConnect(m), hba: viewConnect(m).hba?.toString('hex') }, {
        relationshipName: 'fo-test', maxUnacked: 10, receiveTimer: 30, vendorClass: 'isc-4.4.3-P1',
        protocolVersion: 1, tlsRequest: 0, mclt: 60, hba: HBA128.toString('hex'),
      })
    },
  },
  {
    name: 'CONNECTACK (S→P) accept',
    wire: VECTORS.connectAck,
    build: () => connectAckMessage({ time: T, xid: 0, relationshipName: 'fo-test', maxUnacked: 10, receiveTimer: 30, vendorClass: 'isc-4.4.3-P1', tlsReply: 0 }),
    check: (m) => {
      assert.deepEqual(viewConnectAck(m), {
        relationshipName: 'fo-test', maxUnacked: 10, receiveTimer: 30, vendorClass: 'isc-4.4.3-P1',
        protocolVersion: 1, tlsReply: 0, rejectReason: undefined, message: undefined,
      })
    },
  },
  {
    name: 'STATE recover + STARTUP',
    wire: VECTORS.stateRecoverStartup,
    build: () => stateMessage({ time: T, xid: 0, serverState: 6, startup: true, stos: T }),
    check: (m) => assert.deepEqual(viewState(m), { serverState: 6, startup: true, stos: T }),
  },
  {
    name: 'UPDREQALL xid 3',
    wire: VECTORS.updreqall,
    build: () => bareMessage(MessageType.UPDREQALL, { time: T, xid: 3 }),
    check: (m) => assert.deepEqual([m.type, m.xid, m.options.length], [7, 3, 0]),
  },
  {
    name: 'UPDDONE xid 4',
    wire: VECTORS.upddone,
    build: () => bareMessage(MessageType.UPDDONE, { time: T, xid: 4 }),
    check: (m) => assert.deepEqual([m.type, m.xid], [8, 4]),
  },
  {
    name: 'CONTACT xid 0x25',
    wire: VECTORS.contact,
    build: () => bareMessage(MessageType.CONTACT, { time: 0x6b047ef3, xid: 0x25 }),
    check: (m) => assert.deepEqual([m.type, m.time, m.xid], [11, 0x6b047ef3, 0x25]),
  },
  {
    name: 'BNDUPD ACTIVE 10.99.0.110',
    wire: VECTORS.bndupdActive,
    build: () => bndupdMessage({ time: 0x6b047f30, xid: 0x2c }, {
      address: ip('10.99.0.110'), status: 2, clientId: hex('01020000000001'), chaddr: hex('01020000000001'),
      ends: 0x6b047f6c, potentialExpiry: 0x6b0481a6, stos: 0x6b047f30, cltt: 0x6b047f30,
    }),
    check: (m) => {
      const b = viewBinding(m)
      assert.equal(b.address, ip('10.99.0.110'))
      assert.equal(b.status, 2)
      assert.equal(b.clientId?.toString('hex'), '01020000000001')
      assert.equal(b.chaddr?.toString('hex'), '01020000000001')
      assert.deepEqual([b.ends, b.potentialExpiry, b.stos, b.cltt, b.ipFlags], [0x6b047f6c, 0x6b0481a6, 0x6b047f30, 0x6b047f30, undefined])
      // 0x6b047f6c − 0x6b047f30 = 60 = MCLT; tstp − stos = 630 = 600 + 60/2 (§1.5, §4.1)
      assert.equal(b.ends! - b.stos!, 60)
      assert.equal(b.potentialExpiry! - b.stos!, 630)
    },
  },
  {
    name: 'BNDACK success',
    wire: VECTORS.bndackActive,
    build: () => bndackMessage({ time: 0x6b047f32, xid: 0x2c }, ip('10.99.0.110')),
    check: (m) => assert.deepEqual([viewBinding(m).address, viewBinding(m).rejectReason], [ip('10.99.0.110'), undefined]),
  },
  {
    name: 'BNDUPD BACKUP (pool balance)',
    wire: VECTORS.bndupdBackup,
    build: () => bndupdMessage({ time: T, xid: 0x1c }, { address: ip('10.99.0.101'), status: 7, ends: 0, potentialExpiry: T, stos: T }),
    check: (m) => {
      const b = viewBinding(m)
      assert.deepEqual([b.status, b.ends, b.potentialExpiry, b.stos, b.clientId, b.chaddr, b.cltt], [7, 0, T, T, undefined, undefined, undefined])
    },
  },
  {
    name: 'BNDACK reject 16',
    wire: VECTORS.bndackReject,
    build: () => bndackMessage({ time: T, xid: 4 }, ip('10.99.0.100'), 16, 'incoming update is less critical than outgoing update'),
    check: (m) => {
      const b = viewBinding(m)
      assert.deepEqual([b.address, b.rejectReason, b.message], [ip('10.99.0.100'), 16, 'incoming update is less critical than outgoing update'])
    },
  },
]

for (const c of vectorCases) {
  test(`§1.8 vector decodes: ${c.name}`, () => {
    const { value, offset } = decode(c.wire, 0, c.wire.length)
    assert.equal(offset, c.wire.length)
    assert.equal(value.options.reduce((n, o) => n + 4 + o.data.length, 12), c.wire.length)
    c.check(value)
  })
  test(`§1.8 vector byte-exact from the builder: ${c.name}`, () => {
    const built = roundTrip(c.build())
    assert.equal(built.toString('hex'), c.wire.toString('hex'))
  })
}

test('option table: 29 options, codes in order, ISC sizes (§1.4.2, §0.3, §0.4)', () => {
  assert.equal(FAILOVER_OPTIONS.length, 29)
  FAILOVER_OPTIONS.forEach((d, i) => assert.equal(d.code, i + 1))
  const sizes: [number, number | undefined][] = [
    [Opt.DDNS, 0], [Opt.IP_FLAGS, 2], [Opt.HASH_BUCKET_ASSIGNMENT, 32], [Opt.TLS_REPLY, 1], [Opt.TLS_REQUEST, 1],
    [Opt.ASSIGNED_IP_ADDRESS, 4], [Opt.MCLT, 4], [Opt.BINDING_STATUS, 1], [Opt.RELATIONSHIP_NAME, undefined],
    [Opt.CLIENT_HARDWARE_ADDRESS, undefined], [Opt.DELAYED_SERVICE_PARAMETER, 1],
  ]
  for (const [code, size] of sizes) assert.equal(optionDef(code)?.size, size, optionDef(code)?.name)
  assert.equal(optionDef(0), undefined)
  assert.equal(optionDef(30), undefined)
  assert.equal(optionDef(10)?.name, 'delayed-service')
})

test('allow-list (§1.4.3)', () => {
  assert.ok(isOptionAllowed(MessageType.CONNECT, Opt.HASH_BUCKET_ASSIGNMENT))
  assert.ok(!isOptionAllowed(MessageType.CONNECTACK, Opt.HASH_BUCKET_ASSIGNMENT))
  assert.ok(isOptionAllowed(MessageType.BNDACK, Opt.REJECT_REASON))
  assert.ok(!isOptionAllowed(MessageType.BNDUPD, Opt.REJECT_REASON))
  assert.ok(!isOptionAllowed(MessageType.CONTACT, Opt.MESSAGE))
  assert.ok(!isOptionAllowed(MessageType.BNDUPD, Opt.DELAYED_SERVICE_PARAMETER))
})

const bad: { name: string; wire: Buffer; field: string; offset: number; reason?: RegExp }[] = [
  { name: 'length below 12', wire: hex('000b 0b 0c 00000000 000000'), field: 'message length', offset: 0 },
  { name: 'length above 2048', wire: hex('0801 0b 0c 00000000 00000000'), field: 'message length', offset: 0 },
  { name: 'truncated header', wire: hex('000c 0b 0c 0000'), field: 'message header', offset: 0 },
  { name: 'length past end', wire: hex('0010 0b 0c 00000000 00000000 00'), field: 'message', offset: 0 },
  { name: 'payload offset 8 (§0.1)', wire: hex('0011 0a 08 00000000 00000000 0018 0001 02'), field: 'payload offset', offset: 3 },
  { name: 'payload offset past length', wire: hex('000c 0b 0d 00000000 00000000'), field: 'payload offset', offset: 3 },
  { name: 'invalid message type with options', wire: hex('0011 0d 0c 00000000 00000000 0018 0001 02'), field: 'message type', offset: 2, reason: /invalid message type: 13/ },
  { name: 'overflow at option code', wire: hex('000d 0a 0c 00000000 00000000 00'), field: 'option', offset: 12, reason: /option code/ },
  { name: 'overflow at length', wire: hex('000f 0a 0c 00000000 00000000 001800'), field: 'option', offset: 12, reason: /length/ },
  { name: 'overflow at data', wire: hex('0011 0a 0c 00000000 00000000 0018 0002 02'), field: 'option', offset: 12, reason: /data/ },
  { name: 'duplicate assigned-IP (batched BNDUPD, §0.2)', wire: hex('001c 03 0c 00000000 00000001 0002 0004 0a000001 0002 0004 0a000002'), field: 'option assigned-IP-address', offset: 20, reason: /duplicate option assigned-IP-address/ },
  { name: 'DDNS with a body (§0.3)', wire: hex('0017 03 0c 00000000 00000001 0009 0007 00010203040506'), field: 'option DDNS', offset: 12, reason: /option size \(7:0\), option DDNS/ },
  { name: 'IP-flags of 1 byte (§0.4)', wire: hex('0011 03 0c 00000000 00000001 000c 0001 01'), field: 'option IP-flags', offset: 12, reason: /\(1:2\)/ },
  { name: 'short HBA in CONNECT', wire: hex('0014 05 0c 00000000 00000000 000b 0004 ffffffff'), field: 'option hash-bucket-assignment', offset: 12 },
]
for (const c of bad) {
  test(`decode rejects: ${c.name}`, () => {
    assert.throws(() => decode(c.wire, 0, c.wire.length), (e: unknown) => {
      assert.ok(e instanceof DecodeError)
      assert.equal(e.code, 'ERR_DECODE')
      assert.equal(e.field, c.field)
      assert.equal(e.offset, c.offset)
      if (c.reason) assert.match(e.reason, c.reason)
      return true
    })
  })
}

test('what dhcpd skips is kept raw, in order: unknown codes, options not allowed in the message, type > 12 without options', () => {
  const wire = hex('001d 0b 0c 00000000 00000007  0000 0000  001e 0002 abcd  0010 0003 686921') // CONTACT with 0, 30 and message
  const { value } = decode(wire, 0, wire.length)
  assert.deepEqual(value.options.map((o) => [o.code, o.data.toString('hex')]), [[0, ''], [30, 'abcd'], [16, '686921']])
  assert.ok(toBuffer(value).equals(wire))
  // not allowed in STATE → no size check, no duplicate check (dhcpd skips before checking)
  const st = hex('0016 0a 0c 00000000 00000000 0002 0001 01 0002 0001 02')
  assert.equal(decode(st, 0, st.length).value.options.length, 2)
  const t13 = hex('000c 0d 0c 00000000 00000000')
  assert.equal(decode(t13, 0, t13.length).value.type, 13)
})

test('extra header bytes between 12 and the payload offset are kept', () => {
  const wire = hex('0014 0b 10 00000001 00000002 deadbeef 0010 0000')
  const { value } = decode(wire, 0, wire.length)
  assert.equal(value.extraHeader?.toString('hex'), 'deadbeef')
  assert.ok(toBuffer(value).equals(wire))
})

test('encoder refuses what dhcpd would reject', () => {
  assert.throws(() => toBuffer({ type: 3, time: 0, xid: 1, options: [{ code: Opt.DDNS, data: Buffer.from([1]) }] }), EncodeError)
  assert.throws(() => toBuffer({ type: 3, time: 0, xid: 1, options: [{ code: Opt.IP_FLAGS, data: Buffer.from([1]) }] }), EncodeError)
  assert.throws(() => toBuffer({ type: 16, time: 0, xid: 0, options: [{ code: Opt.MESSAGE, data: Buffer.alloc(2040) }] }), EncodeError)
  assert.throws(() => toBuffer({ type: 11, time: -1, xid: 0, options: [] }), EncodeError)
  assert.throws(() => toBuffer(connectMessage({ time: 0, xid: 0, relationshipName: 'x', maxUnacked: 10, receiveTimer: 30, vendorClass: 'v', mclt: 60, hba: Buffer.alloc(31) })), EncodeError)
  // exactly 2048 bytes is fine
  const max: FailoverMessage = { type: 11, time: 0, xid: 0, options: [{ code: Opt.MESSAGE, data: Buffer.alloc(2048 - 16) }] }
  assert.equal(toBuffer(max).length, 2048)
})

test('other builders round-trip and read back', () => {
  const d = decode(toBuffer(disconnectMessage({ time: 5, xid: 9 }, RejectReason.INVALID_PARTNER)), 0).value
  assert.deepEqual(viewDisconnect(d), { rejectReason: 8, message: 'Connection rejected, invalid failover partner.' })
  const r = decode(toBuffer(connectAckMessage({ time: 1, xid: 2, relationshipName: 'x', vendorClass: 'hadhcpd', rejectReason: 7 })), 0).value
  assert.deepEqual([viewConnectAck(r).rejectReason, viewConnectAck(r).message, viewConnectAck(r).maxUnacked], [7, rejectReasonText(7), undefined])
  const p = decode(toBuffer(poolRespMessage({ time: 1, xid: 3 }, 12)), 0).value
  assert.equal(viewPoolResp(p).addressesTransferred, 12)
  roundTrip(bndupdMessage({ time: 1, xid: 1 }, { address: 1, status: 2, chaddr: hex('0102'), ends: 1, potentialExpiry: 2, stos: 3, ipFlags: 2 }))
  assert.equal(rejectReasonText(99), 'Undefined-99: This reason code is not defined in the protocol standard.')
})
