import { test } from 'node:test'
import assert from 'node:assert/strict'
import { contactInterval, dueLinkActions, nextLinkDeadline, type LinkTimes } from '../../../src/ha/failover/link-timers.js'

const T = 1_800_000_000
const up: LinkTimes = { connectedAt: T, establishedAt: T + 1, lastSent: T + 1, lastReceived: T + 1, peerReceiveTimer: 30, maxResponseDelay: 20 }

test('CONTACT every receive-timer / 3 s (observed: every 10 s for 30)', () => {
  assert.equal(contactInterval(30), 10)
  assert.equal(contactInterval(20), 6)
  assert.equal(contactInterval(0), 1, 'never 0')
  assert.deepEqual(dueLinkActions(up, T + 10), [])
  assert.deepEqual(dueLinkActions(up, T + 11), ['send-contact'])
  assert.equal(nextLinkDeadline(up), T + 11)
})

test('receive timeout after max-response-delay of silence wins over CONTACT', () => {
  assert.deepEqual(dueLinkActions({ ...up, lastSent: T + 20 }, T + 21), ['receive-timeout'])
  assert.deepEqual(dueLinkActions({ ...up, lastSent: T + 20, lastReceived: T + 15 }, T + 21), [])
  assert.equal(nextLinkDeadline({ ...up, lastSent: T + 20, lastReceived: T + 15 }), T + 30)
})

test('link startup: 15 s for CONNECT/CONNECTACK', () => {
  const starting: LinkTimes = { ...up, establishedAt: undefined }
  assert.deepEqual(dueLinkActions(starting, T + 14), [])
  assert.deepEqual(dueLinkActions(starting, T + 15), ['startup-timeout'])
  assert.equal(nextLinkDeadline(starting), T + 15)
})
