import { test } from 'node:test'
import assert from 'node:assert/strict'
import { errnoCode, loadNative, rawCapability } from '../../src/io/native.js'
import { NativeRawSocket } from '../../src/io/raw-socket.js'
import { AF_INET, AF_PACKET, IPPROTO_ICMP, SOCK_RAW } from '../../src/protocol/l2/sockaddr.js'

// These touch no network: sockets are opened and closed, never bound or used to send.
test('the addon is built and loads', (t) => {
  const load = loadNative()
  if (!load.ok) {
    if (process.env['CI'] === 'true') assert.fail(load.reason)
    t.skip(load.reason)
    return
  }
  const info = load.addon.ifinfo('lo')
  assert.ok(info.index > 0)
  assert.equal(info.mac.length, 6)
  assert.throws(() => load.addon.ifinfo('hrw-nonexistent'), (e: unknown) => errnoCode(e) === 'ENODEV')
  assert.throws(() => load.addon.socket(12345, SOCK_RAW, 0), (e: unknown) => errnoCode(e) === 'EAFNOSUPPORT')
})

test('raw sockets open when the process has CAP_NET_RAW; closed sockets refuse calls', (t) => {
  const load = loadNative()
  if (!load.ok) {
    t.skip(load.reason)
    return
  }
  const cap = rawCapability(load.addon)
  if (!cap.ok) {
    assert.match(cap.reason, /CAP_NET_RAW/)
    return
  }
  const icmp = new NativeRawSocket(load.addon, AF_INET, SOCK_RAW, IPPROTO_ICMP)
  icmp.start(() => {}, () => {})
  icmp.unref()
  icmp.stop()
  icmp.close()
  icmp.close()
  assert.throws(() => icmp.send(Buffer.alloc(8)), (e: unknown) => errnoCode(e) === 'EBADF')
  const pkt = new NativeRawSocket(load.addon, AF_PACKET, SOCK_RAW, 0)
  assert.throws(() => pkt.attachFilter(Buffer.alloc(3)), RangeError)
  pkt.close()
})
