import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadNative } from '../../src/io/native.js'
import { UnixDatagramSocket } from '../../src/io/unix-datagram.js'

// AF_UNIX only, in a temporary directory: no network.
test('an AF_UNIX datagram goes through the addon to a socket bound in a temp dir', async (t) => {
  const load = loadNative()
  if (!load.ok) {
    if (process.env['CI'] === 'true') assert.fail(load.reason)
    t.skip(load.reason)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-unix-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'log')
  const bound = UnixDatagramSocket.bindTo(path)
  assert.ok(bound.ok, bound.ok ? '' : bound.reason)
  const got: string[] = []
  const arrived = new Promise<void>((resolve) => bound.socket.receive((d) => {
    got.push(d.toString())
    if (got.length === 2) resolve()
  }, (err) => assert.fail(err)))
  const sender = UnixDatagramSocket.connectTo(path)
  assert.ok(sender.ok, sender.ok ? '' : sender.reason)
  assert.equal(sender.socket.send(Buffer.from('<30>one')), undefined)
  assert.equal(sender.socket.send(Buffer.from('<30>two')), undefined)
  await arrived
  assert.deepEqual(got, ['<30>one', '<30>two'], 'datagram boundaries kept, nothing added')
  bound.socket.close()
  const err = sender.socket.send(Buffer.from('gone'))
  assert.ok(err !== undefined && ['ECONNREFUSED', 'ENOENT'].includes((err as NodeJS.ErrnoException).code ?? ''), String(err))
  sender.socket.close()

  const missing = UnixDatagramSocket.connectTo(join(dir, 'none'))
  assert.ok(!missing.ok && missing.reason.includes('ENOENT'))
  writeFileSync(join(dir, 'file'), '')
  const notSocket = UnixDatagramSocket.connectTo(join(dir, 'file'))
  assert.ok(!notSocket.ok && notSocket.reason.includes('not a socket'))
})
