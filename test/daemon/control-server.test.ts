/** Starting the daemon's control API: token creation, the listening line, default vs explicit failures. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startControlApi } from '../../src/daemon/control-server.js'
import { memoryLogger } from '../../src/daemon/logger.js'
import { FakeContext } from '../api/fake-context.js'

function tmp(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-cs-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('creates the token, listens, logs where', async (t) => {
  const dir = tmp(t)
  const log = memoryLogger()
  const tokenFile = join(dir, 'state', 'control.token')
  const r = await startControlApi({ address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, tokenFile, explicit: true, tls: undefined }, new FakeContext(), log)
  assert.ok(r.ok && r.server !== undefined)
  t.after(() => r.server?.close())
  assert.equal(statSync(tokenFile).mode & 0o777, 0o600)
  assert.deepEqual(log.lines.map((l) => l.id), ['CONTROL_TOKEN_CREATED', 'CONTROL_LISTENING'])
  assert.equal(log.lines[1]!.text, `Control API listening on http://127.0.0.1:${r.server.port}`)
})

test('--control none: nothing is opened or created', async (t) => {
  const dir = tmp(t)
  const log = memoryLogger()
  const r = await startControlApi({ address: { kind: 'none' }, tokenFile: join(dir, 'token'), explicit: true, tls: undefined }, new FakeContext(), log)
  assert.deepEqual(r, { ok: true, server: undefined, api: undefined })
  assert.throws(() => statSync(join(dir, 'token')))
})

test('an unusable token path disables the API with default settings, and is fatal when given explicitly', async (t) => {
  const dir = tmp(t)
  const blocker = join(dir, 'file')
  writeFileSync(blocker, 'x')
  const settings = { address: { kind: 'tcp' as const, host: '127.0.0.1', port: 0 }, tokenFile: join(blocker, 'control.token'), tls: undefined }
  const soft = memoryLogger()
  const r1 = await startControlApi({ ...settings, explicit: false }, new FakeContext(), soft)
  assert.deepEqual(r1, { ok: true, server: undefined, api: undefined })
  assert.equal(soft.lines[0]!.id, 'CONTROL_DISABLED')
  const hard = memoryLogger()
  const r2 = await startControlApi({ ...settings, explicit: true }, new FakeContext(), hard)
  assert.equal(r2.ok, false)
  assert.equal(hard.lines[0]!.id, 'CONTROL_FAILED')
  assert.match(hard.lines[0]!.text, /control API token file .*control\.token/)
})

test('an address in use: fatal when explicit', async (t) => {
  const dir = tmp(t)
  const first = await startControlApi({ address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, tokenFile: join(dir, 't'), explicit: true, tls: undefined }, new FakeContext(), memoryLogger())
  assert.ok(first.ok && first.server !== undefined)
  t.after(() => first.server?.close())
  const log = memoryLogger()
  const second = await startControlApi({ address: { kind: 'tcp', host: '127.0.0.1', port: first.server.port! }, tokenFile: join(dir, 't'), explicit: true, tls: undefined }, new FakeContext(), log)
  assert.equal(second.ok, false)
  assert.match(log.lines.at(-1)!.text, /can't listen on http:\/\/127\.0\.0\.1:\d+: .*EADDRINUSE/)
})
