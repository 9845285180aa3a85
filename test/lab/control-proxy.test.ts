import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startControlProxy, startControlProxyNear } from '../../src/lab/control-proxy.js'

/** A stand-in control API on a unix socket that echoes what it received. */
async function unixEchoServer(path: string): Promise<{ close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization ?? null, body: Buffer.concat(chunks).toString() })
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-node': 'node1' })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return { close: () => new Promise((resolve) => server.close(() => resolve())) }
}

test('the proxy forwards method, path, query, headers and body to the unix socket and streams the answer back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-proxy-'))
  const sock = join(dir, 'node1.sock')
  const upstream = await unixEchoServer(sock)
  const proxy = await startControlProxy(0, sock)
  try {
    assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    const r = await fetch(`${proxy.url}api/v1/leases?mac=02:00:00:00:00:01`, { headers: { authorization: 'Bearer abc' } })
    assert.equal(r.status, 200)
    assert.equal(r.headers.get('x-node'), 'node1')
    assert.deepEqual(await r.json(), { method: 'GET', url: '/api/v1/leases?mac=02:00:00:00:00:01', auth: 'Bearer abc', body: '' })
    const p = await fetch(`${proxy.url}api/v1/actions/reload`, { method: 'POST', body: '{"confirm":true}', headers: { 'content-type': 'application/json' } })
    assert.deepEqual(await p.json(), { method: 'POST', url: '/api/v1/actions/reload', auth: null, body: '{"confirm":true}' })
    assert.equal((await fetch(`${proxy.url}missing`)).status, 404, 'upstream status codes pass through')
  } finally {
    await proxy.close()
    await upstream.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a node that is down is a 502 with a JSON error, and the proxy keeps serving', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-proxy-'))
  const sock = join(dir, 'absent.sock')
  const proxy = await startControlProxy(0, sock)
  try {
    const r = await fetch(`${proxy.url}api/v1/status`)
    assert.equal(r.status, 502)
    const body = await r.json() as { error: string; message: string }
    assert.equal(body.error, 'bad_gateway')
    assert.match(body.message, /absent\.sock/)
    const upstream = await unixEchoServer(sock)
    assert.equal((await fetch(`${proxy.url}api/v1/status`)).status, 200, 'works once the node is back')
    await upstream.close()
  } finally {
    await proxy.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('startControlProxyNear moves to the next port when one is taken', async () => {
  const first = await startControlProxy(0, '/nonexistent.sock')
  try {
    const next = await startControlProxyNear(first.port, '/nonexistent.sock', 5)
    assert.notEqual(next.port, first.port)
    assert.ok(next.port > first.port && next.port < first.port + 5)
    await next.close()
  } finally {
    await first.close()
  }
})
