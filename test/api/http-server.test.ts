import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { ControlApi } from '../../src/api/auth.js'
import { ControlHttpServer, MAX_BODY_BYTES } from '../../src/api/http-server.js'
import { ControlClient } from '../../src/api/client.js'
import { loadOrCreateToken } from '../../src/api/token-file.js'
import { parseControlAddress } from '../../src/api/address.js'
import { FakeContext } from './fake-context.js'

const TOKEN = 'a1'.repeat(32)

function api(): ControlApi {
  return new ControlApi({ token: TOKEN, ctx: new FakeContext(), warn: () => undefined, now: () => 0 })
}

test('token file: created with 32 random bytes hex, mode 0600, directory 0700; reused after', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-token-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'sub', 'control.token')
  const first = loadOrCreateToken(path)
  assert.equal(first.created, true)
  assert.match(first.token, /^[0-9a-f]{64}$/)
  assert.equal(statSync(path).mode & 0o777, 0o600)
  assert.equal(statSync(join(dir, 'sub')).mode & 0o777, 0o700)
  assert.equal(first.warning, undefined)
  const again = loadOrCreateToken(path)
  assert.deepEqual([again.created, again.token], [false, first.token])
  chmodSync(path, 0o644)
  assert.match(loadOrCreateToken(path).warning ?? '', /mode 0644/)
  writeFileSync(path, '\n')
  assert.throws(() => loadOrCreateToken(path), /empty/)
})

test('--control addresses', () => {
  assert.deepEqual(parseControlAddress('127.0.0.1:8067'), { kind: 'tcp', host: '127.0.0.1', port: 8067 })
  assert.deepEqual(parseControlAddress('[::1]:80'), { kind: 'tcp', host: '::1', port: 80 })
  assert.deepEqual(parseControlAddress('unix:/run/h.sock'), { kind: 'unix', path: '/run/h.sock' })
  assert.deepEqual(parseControlAddress('none'), { kind: 'none' })
  for (const bad of ['8067', 'host:0', 'host:70000', 'unix:', '']) assert.equal(typeof parseControlAddress(bad), 'string', bad)
})

test('HTTP on TCP: auth, JSON bodies, body limit, bad JSON', async (t) => {
  const server = new ControlHttpServer({ api: api(), address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, onError: (e) => assert.fail(String(e)) })
  await server.listen()
  t.after(() => server.close())
  const address = { kind: 'tcp' as const, host: '127.0.0.1', port: server.port! }
  const client = new ControlClient({ address, token: TOKEN })
  const status = await client.get('/api/v1/status')
  assert.equal(status.kind, 'response')
  if (status.kind !== 'response') return
  assert.equal(status.status, 200)
  assert.equal((status.json as { version: string }).version, '0.1.0')
  const bad = await new ControlClient({ address, token: 'wrong' }).get('/api/v1/status')
  assert.equal(bad.kind === 'response' && bad.status, 401)
  const prio = await client.request('POST', '/api/v1/vrrp/VI_1/priority', { priority: 10 })
  assert.deepEqual(prio.kind === 'response' && prio.json, { ok: true, effectivePriority: 10 })
  const big = await client.request('POST', '/api/v1/reload', { pad: 'x'.repeat(MAX_BODY_BYTES) })
  assert.equal(big.kind === 'response' && big.status, 413)
  const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/vrrp/VI_1/priority`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{nope' })
  assert.equal(res.status, 400)
  assert.match(((await res.json()) as { message: string }).message, /^body: expected JSON/)
  const csv = await fetch(`http://127.0.0.1:${server.port}/api/v1/leases?format=csv`, { headers: { authorization: `Bearer ${TOKEN}` } })
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8')
})

test('HTTP on a unix socket; stale socket file replaced', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-sock-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'control.sock')
  const first = new ControlHttpServer({ api: api(), address: { kind: 'unix', path }, onError: () => undefined })
  await first.listen()
  const client = new ControlClient({ address: { kind: 'unix', path }, token: TOKEN })
  const r = await client.get('/api/v1/pools')
  assert.equal(r.kind === 'response' && r.status, 200)
  await first.close()
  const down = await client.get('/api/v1/pools')
  assert.equal(down.kind, 'unreachable')
})

test('HTTPS with a self-signed certificate (openssl)', async (t) => {
  if (spawnSync('openssl', ['version']).status !== 0) {
    t.skip('openssl not installed')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-tls-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' })
  assert.equal(gen.status, 0, gen.stderr)
  const server = new ControlHttpServer({ api: api(), address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, tls: { certFile, keyFile }, onError: () => undefined })
  await server.listen()
  t.after(() => server.close())
  const address = { kind: 'tcp' as const, host: '127.0.0.1', port: server.port! }
  const pinned = await new ControlClient({ address, token: TOKEN, tls: { ca: readFileSync(certFile) } }).get('/api/v1/status')
  assert.equal(pinned.kind === 'response' && pinned.status, 200)
  const untrusted = await new ControlClient({ address, token: TOKEN, tls: {} }).get('/api/v1/status')
  assert.equal(untrusted.kind, 'unreachable')
  const plain = await new ControlClient({ address, token: TOKEN }).get('/api/v1/status')
  assert.notEqual(plain.kind === 'response' && plain.status, 200)
})
