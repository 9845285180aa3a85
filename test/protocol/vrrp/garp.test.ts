/** Gratuitous ARP frame against keepalived's bytes (doc §3.1). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EncodeError } from '../../../src/lib/errors.js'
import { GARP_FRAME_LENGTH, encodeGarp, garpFrame } from '../../../src/protocol/vrrp/garp.js'
import { GARP_B, MAC_B, VIP } from './vectors.js'

test('gratuitous ARP equals keepalived\'s 42 bytes', () => {
  assert.equal(garpFrame(MAC_B, VIP).toString('hex'), GARP_B.toString('hex'))
  assert.equal(GARP_B.length, GARP_FRAME_LENGTH)
})

test('encodeGarp at an offset touches only its 42 bytes', () => {
  const buf = Buffer.alloc(60, 0xee)
  assert.equal(encodeGarp(MAC_B, VIP, buf, 9), 9 + 42)
  assert.ok(buf.subarray(9, 51).equals(GARP_B))
  assert.ok(buf.subarray(0, 9).every((b) => b === 0xee) && buf.subarray(51).every((b) => b === 0xee))
})

test('encodeGarp rejects a 5-byte MAC and a short buffer', () => {
  assert.throws(() => garpFrame(MAC_B.subarray(0, 5), VIP), EncodeError)
  assert.throws(() => encodeGarp(MAC_B, VIP, Buffer.alloc(41), 0), EncodeError)
})
