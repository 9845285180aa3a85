/** "No usable transport" from link state and receiving-socket failures. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TransportHealth } from '../../src/daemon/transport-health.js'
import { LinkWatcher, type LinkSnapshot } from '../../src/io/link-watch.js'

const snap = (up: string[], v4 = up): LinkSnapshot => ({ up: new Set(up), withIpv4: new Set(v4) })

test('transport health: usable until a served link is down or loses its address', () => {
  const h = new TransportHealth(['eth0', 'eth1'])
  assert.equal(h.usable, true)
  h.setLinks(snap(['lo', 'eth0', 'eth1', 'eth9']))
  assert.equal(h.usable, true)
  h.setLinks(snap(['eth0']))
  assert.deepEqual(h.problems(), ['eth1 is down'])
  h.setLinks(snap(['eth0', 'eth1'], ['eth0']))
  assert.deepEqual(h.problems(), ['eth1 has no IPv4 address'])
  h.setLinks(snap(['eth0', 'eth1', 'eth2'], ['eth0', 'eth1']))
  assert.equal(h.usable, true, 'an unserved interface does not matter')
})

test('transport health: a failed receiving socket counts until a datagram arrives on it', () => {
  const h = new TransportHealth(['eth0'])
  h.setLinks(snap(['eth0']))
  assert.equal(h.socketWorked('eth0'), false)
  h.socketFailed('eth0')
  assert.deepEqual(h.problems(), ['the socket on eth0 failed'])
  assert.equal(h.socketWorked('eth0'), true)
  assert.equal(h.usable, true)
  h.socketFailed('*')
  assert.deepEqual(h.problems(), ['the wildcard socket failed'])
  h.setLinks(snap(['eth0']))
  assert.equal(h.usable, true, 'a link change clears socket failures (the packet transport reopens its sockets)')
})

test('link watcher: reports each change once, ignores read errors', () => {
  const reads: (LinkSnapshot | Error)[] = [snap(['a']), snap(['a']), snap(['a', 'b']), new Error('netlink'), snap(['a', 'b']), snap(['b'])]
  const seen: string[] = []
  const w = new LinkWatcher({
    intervalMs: 1000,
    read: () => {
      const r = reads.shift()!
      if (r instanceof Error) throw r
      return r
    },
    onChange: (now, before) => seen.push(`${[...before.up].join('+')} → ${[...now.up].join('+')}`),
  })
  for (let i = 0; i < 5; i++) w.poll()
  assert.deepEqual(seen, ['a → a+b', 'a+b → b'])
})
