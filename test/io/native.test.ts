import { test } from 'node:test'
import { spawnSync } from 'node:child_process'
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

test('a missing addon is reported with a clear reason, and auto falls back to UDP', () => {
  const script = `
    const { nativeForRawSockets } = await import(${JSON.stringify(new URL('../../src/io/native.js', import.meta.url).href)})
    const { chooseTransport } = await import(${JSON.stringify(new URL('../../src/io/transport-choice.js', import.meta.url).href)})
    const load = nativeForRawSockets()
    const d = chooseTransport('auto', () => (load.ok ? { ok: true } : { ok: false, reason: load.reason }))
    console.log(JSON.stringify({ ok: load.ok, reason: load.ok ? '' : load.reason, kind: d.kind, why: d.why }))
  `
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, HADHCPD_NATIVE_ADDON: '/nonexistent/raw_socket.node' },
    encoding: 'utf8',
  })
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout) as { ok: boolean; reason: string; kind: string; why: string }
  assert.equal(out.ok, false)
  assert.match(out.reason, /not built .*\/nonexistent\/raw_socket\.node missing; run npm install or npm run build:native/)
  assert.equal(out.kind, 'udp')
  assert.match(out.why, /not built.*broadcast/)
})
