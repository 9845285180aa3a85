import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkConnect, checkConnectAck } from '../../../src/ha/failover/handshake.js'
import type { ConnectAckView, ConnectView } from '../../../src/protocol/failover/messages.js'

const NOW = 1_800_000_000
const good: ConnectView = {
  relationshipName: 'fo-test', maxUnacked: 10, receiveTimer: 30, vendorClass: 'isc-4.4.3-P1',
  protocolVersion: 1, tlsRequest: 0, mclt: 60, hba: Buffer.alloc(32, 0xff),
}
const ctx = { now: NOW, knownNames: new Set(['fo-test']), alreadyLinked: () => false }

const connects: [string, Partial<ConnectView>, number, Partial<typeof ctx>, number | undefined, string | undefined][] = [
  ['accepted', {}, NOW, {}, undefined, undefined],
  ['skew of exactly 60 s is fine', {}, NOW - 60, {}, undefined, undefined],
  ['missing name', { relationshipName: undefined }, NOW, {}, 8, 'missing relationship-name'],
  ['unknown name (case-sensitive)', { relationshipName: 'FO-test' }, NOW, {}, 8, 'unknown failover relationship name'],
  ['skew 61 s', {}, NOW + 61, {}, 4, 'time offset too large'],
  ['skew −120 s', {}, NOW - 120, {}, 4, 'time offset too large'],
  ['missing HBA', { hba: undefined }, NOW, {}, 18, 'invalid HBA'],
  ['short HBA', { hba: Buffer.alloc(16) }, NOW, {}, 18, 'invalid HBA'],
  ['already linked', {}, NOW, { alreadyLinked: () => true }, 7, 'already connected'],
  ['no MCLT', { mclt: undefined }, NOW, {}, 5, 'no MCLT provided'],
  ['checks in ISC order: name before skew', { relationshipName: 'x' }, NOW + 999, {}, 8, 'unknown failover relationship name'],
]
for (const [name, patch, time, c, reason, message] of connects) {
  test(`CONNECT check (§1.5): ${name}`, () => {
    const v = checkConnect({ ...good, ...patch }, time, { ...ctx, ...c })
    if (reason === undefined) {
      assert.equal(v.accept, true)
      return
    }
    assert.ok(!v.accept)
    assert.deepEqual([v.reason, v.message], [reason, message])
    assert.equal(v.log, `Failover CONNECT from ${patch.relationshipName === undefined && 'relationshipName' in patch ? '(unknown)' : (patch.relationshipName ?? 'fo-test')}: ${message}`)
  })
}

const ack: ConnectAckView = {
  relationshipName: 'fo-test', maxUnacked: 10, receiveTimer: 30, vendorClass: 'isc-4.4.3-P1',
  protocolVersion: 1, tlsReply: undefined, rejectReason: undefined, message: undefined,
}
test('CONNECTACK checks (§1.5)', () => {
  const c = { now: NOW, name: 'fo-test', alreadyLinked: false }
  assert.deepEqual(checkConnectAck(ack, NOW + 3, c), { accept: true, skew: 3 })
  const rej = checkConnectAck({ ...ack, rejectReason: 7, message: 'already connected' }, NOW, c)
  assert.ok(!rej.accept)
  assert.equal(rej.log, 'Failover CONNECT to fo-test rejected: Connection rejected, duplicate connection.')
  assert.equal(rej.disconnect, false)
  const mism = checkConnectAck({ ...ack, relationshipName: 'other' }, NOW, c)
  assert.ok(!mism.accept && mism.reason === 8 && mism.disconnect === true)
  assert.equal(!mism.accept && mism.message, 'remote failover relationship name other does not match')
  const none = checkConnectAck({ ...ack, relationshipName: undefined }, NOW, c)
  assert.ok(!none.accept && none.reason === 8)
  const dup = checkConnectAck(ack, NOW, { ...c, alreadyLinked: true })
  assert.ok(!dup.accept && dup.reason === 7)
  const skew = checkConnectAck(ack, NOW + 61, c)
  assert.ok(!skew.accept && skew.reason === 4)
})
