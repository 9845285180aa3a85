import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ControlApi, tokenMatches } from '../../src/api/auth.js'
import { EventRing } from '../../src/api/events.js'
import { leasesCsv } from '../../src/api/csv.js'
import type { ApiRequest, ApiResponse } from '../../src/api/types.js'
import { FakeContext, lease, STATUS } from './fake-context.js'

const TOKEN = 'f'.repeat(64)

function setup(): { api: ControlApi; ctx: FakeContext; warnings: string[]; now: { t: number } } {
  const ctx = new FakeContext()
  const warnings: string[] = []
  const now = { t: 1_000_000 }
  const api = new ControlApi({ token: TOKEN, ctx, warn: (id, text) => warnings.push(`${id} ${text}`), now: () => now.t })
  return { api, ctx, warnings, now }
}

function req(method: string, path: string, extra: Partial<ApiRequest> = {}): ApiRequest {
  return { method, path, query: {}, body: undefined, authorization: `Bearer ${TOKEN}`, remote: '127.0.0.1', ...extra }
}

const json = (r: ApiResponse): Record<string, unknown> => r.json as Record<string, unknown>

test('token comparison: exact bearer token only', () => {
  assert.equal(tokenMatches('abc', 'Bearer abc'), true)
  assert.equal(tokenMatches('abc', 'bearer abc'), true)
  assert.equal(tokenMatches('abc', 'Bearer abcd'), false)
  assert.equal(tokenMatches('abc', 'Bearer ab'), false)
  assert.equal(tokenMatches('abc', 'abc'), false)
  assert.equal(tokenMatches('abc', undefined), false)
  assert.equal(tokenMatches('abc', 'Bearer '), false)
})

test('missing or wrong token: 401, counted, one log line per source per minute', async () => {
  const { api, warnings, now } = setup()
  for (const path of ['/api/v1/status', '/metrics', '/api/v1/reload']) {
    const r = await api.handle(req('GET', path, { authorization: undefined }))
    assert.equal(r.status, 401)
    assert.equal(json(r)['error'], 'unauthorized')
  }
  const wrong = await api.handle(req('GET', '/api/v1/status', { authorization: 'Bearer nope' }))
  assert.equal(wrong.status, 401)
  assert.equal(api.unauthorized, 4)
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /CONTROL_UNAUTHORIZED .*missing token from 127\.0\.0\.1/)
  await api.handle(req('GET', '/api/v1/status', { authorization: undefined, remote: '198.18.0.9' }))
  assert.equal(warnings.length, 2)
  now.t += 61_000
  await api.handle(req('GET', '/api/v1/status', { authorization: 'Bearer x' }))
  assert.equal(warnings.length, 3)
  assert.match(warnings[2]!, /wrong token .*\(3 more from there suppressed\)/)
})

test('the dashboard files need no token; / has a fallback page until the dashboard is built in', async () => {
  const { api, ctx } = setup()
  const root = await api.handle(req('GET', '/', { authorization: undefined }))
  assert.equal(root.status, 200)
  assert.match(String(root.text), /\/api\/v1\/status/)
  assert.equal((await api.handle(req('GET', '/dashboard/app.js', { authorization: undefined }))).status, 404)
  ctx.staticAsset = (p) => (p === '/dashboard/app.js' ? { contentType: 'text/javascript', body: 'x()' } : undefined)
  const js = await api.handle(req('GET', '/dashboard/app.js', { authorization: undefined }))
  assert.deepEqual([js.status, js.contentType, js.text], [200, 'text/javascript', 'x()'])
})

test('read routes: status, pools, shared config, events', async () => {
  const { api, ctx } = setup()
  const status = await api.handle(req('GET', '/api/v1/status'))
  assert.equal(status.status, 200)
  assert.deepEqual(status.json, STATUS)
  const pools = json(await api.handle(req('GET', '/api/v1/pools')))
  assert.equal((pools['pools'] as { utilisation: number }[])[0]!.utilisation, 0.1099)
  const shared = json(await api.handle(req('GET', '/api/v1/config/shared')))
  assert.ok(Array.isArray(shared['failoverPeers']))
  ctx.ring.push(0, 'info', 'A', 'a')
  ctx.ring.push(1000, 'warn', 'B', 'b')
  const ev = json(await api.handle(req('GET', '/api/v1/events', { query: { since: '1' } })))
  assert.deepEqual(ev['events'], [{ seq: 2, at: '1970-01-01T00:00:01.000Z', level: 'warn', event: 'B', text: 'b' }])
  const bad = await api.handle(req('GET', '/api/v1/events', { query: { since: '-1' } }))
  assert.equal(bad.status, 400)
  assert.match(String(json(bad)['message']), /since: expected an integer 0…/)
})

test('event ring: bounded, sequence numbers keep counting', () => {
  const r = new EventRing(3)
  for (let i = 0; i < 5; i++) r.push(i, 'info', `E${i}`, '')
  assert.deepEqual(r.since(0).map((e) => e.seq), [3, 4, 5])
  assert.deepEqual(r.since(4).map((e) => e.seq), [5])
  assert.deepEqual(r.since(5), [])
})

test('leases: filters validated, paging, CSV', async () => {
  const { api, ctx } = setup()
  const all = json(await api.handle(req('GET', '/api/v1/leases')))
  assert.deepEqual([all['total'], all['offset'], all['limit']], [2, 0, 100])
  const page = json(await api.handle(req('GET', '/api/v1/leases', { query: { offset: '1', limit: '1' } })))
  assert.deepEqual((page['leases'] as { ip: string }[]).map((l) => l.ip), ['198.18.0.11'])
  assert.equal(page['total'], 2)
  await api.handle(req('GET', '/api/v1/leases', { query: { mac: '02-00-00-00-00-02', state: 'free', subnet: '198.18.0.7/24', hostname: 'print' } }))
  assert.equal(ctx.calls.at(-1), 'leases {"mac":"02:00:00:00:00:02","hostname":"print","state":"free","subnet":"198.18.0.0/24"}')
  for (const [query, field] of [
    [{ ip: '300.1.1.1' }, 'ip'], [{ mac: 'zz' }, 'mac'], [{ state: 'gone' }, 'state'], [{ limit: '1001' }, 'limit'],
    [{ subnet: '198.18.0.0' }, 'subnet'], [{ clientId: '1:2' }, 'clientId'], [{ format: 'xml' }, 'format'], [{ hostnme: 'x' }, 'hostnme'],
  ] as const) {
    const r = await api.handle(req('GET', '/api/v1/leases', { query }))
    assert.equal(r.status, 400, JSON.stringify(query))
    assert.equal(json(r)['field'], field)
    assert.match(String(json(r)['message']), new RegExp(`^${field}: expected `))
  }
  const csv = await api.handle(req('GET', '/api/v1/leases', { query: { format: 'csv' } }))
  assert.equal(csv.contentType, 'text/csv; charset=utf-8')
  const lines = String(csv.text).split('\r\n')
  assert.equal(lines[0], 'ip,state,mac,clientId,hostname,starts,ends,cltt,tstp,tsfp,atsfp,pool')
  assert.equal(lines.length, 4)
})

test('CSV quotes fields that need it and defuses formulas', () => {
  const text = leasesCsv([lease('198.18.0.10', { hostname: 'a,"b"' }), lease('198.18.0.11', { hostname: '=cmd()' })])
  assert.match(text, /,"a,""b""",/)
  assert.match(text, /,"=cmd\(\)",/)
})

test('one lease with its history; unknown lease 404', async () => {
  const { api } = setup()
  const r = json(await api.handle(req('GET', '/api/v1/leases/198.18.0.10')))
  assert.equal((r['lease'] as { ip: string }).ip, '198.18.0.10')
  assert.equal((r['history'] as unknown[]).length, 1)
  assert.equal((await api.handle(req('GET', '/api/v1/leases/198.18.0.99'))).status, 404)
  assert.equal((await api.handle(req('GET', '/api/v1/leases/nope'))).status, 400)
})

test('reload: ok, or 400 with the config errors', async () => {
  const { api, ctx } = setup()
  assert.deepEqual((await api.handle(req('POST', '/api/v1/reload'))).json, { ok: true })
  ctx.reloadResult = { ok: false, errors: ['/etc/dhcp/dhcpd.conf:3:1: expected ;'] }
  const r = await api.handle(req('POST', '/api/v1/reload'))
  assert.equal(r.status, 400)
  assert.equal(json(r)['error'], 'config')
  assert.deepEqual(json(r)['errors'], ['/etc/dhcp/dhcpd.conf:3:1: expected ;'])
  const body = await api.handle(req('POST', '/api/v1/reload', { body: { force: true } }))
  assert.equal(body.status, 400)
  assert.match(String(json(body)['message']), /force: expected no fields/)
})

test('lease actions go to the context; unknown lease 404', async () => {
  const { api, ctx } = setup()
  for (const action of ['release', 'abandon', 'free'] as const) {
    const r = await api.handle(req('POST', `/api/v1/leases/198.18.0.10/${action}`))
    assert.equal(r.status, 200)
    assert.equal(json(r)['ok'], true)
  }
  assert.deepEqual(json(await api.handle(req('DELETE', '/api/v1/leases/198.18.0.10'))), { ok: true })
  assert.equal((await api.handle(req('DELETE', '/api/v1/leases/198.18.0.77'))).status, 404)
  assert.deepEqual(ctx.calls, ['release 198.18.0.10', 'abandon 198.18.0.10', 'free 198.18.0.10', 'delete 198.18.0.10', 'delete 198.18.0.77'])
})

test('partner-down needs the confirmation and says why; 404 for an unknown peer', async () => {
  const { api, ctx } = setup()
  const missing = await api.handle(req('POST', '/api/v1/failover/dhcp-failover/partner-down'))
  assert.equal(missing.status, 400)
  assert.match(String(json(missing)['message']), /partner server is really down.*same addresses/)
  const wrong = await api.handle(req('POST', '/api/v1/failover/dhcp-failover/partner-down', { body: { confirm: 'yes' } }))
  assert.equal(wrong.status, 400)
  assert.match(String(json(wrong)['message']), /got "yes"/)
  assert.deepEqual(ctx.calls, [])
  const ok = await api.handle(req('POST', '/api/v1/failover/dhcp-failover/partner-down', { body: { confirm: 'partner-down' } }))
  assert.deepEqual(ok.json, { ok: true, state: 'partner-down' })
  const unknown = await api.handle(req('POST', '/api/v1/failover/other/partner-down', { body: { confirm: 'partner-down' } }))
  assert.equal(unknown.status, 404)
  delete ctx.partnerDown
  const none = await api.handle(req('POST', '/api/v1/failover/dhcp-failover/partner-down', { body: { confirm: 'partner-down' } }))
  assert.equal(none.status, 409)
})

test('shutdown needs {"confirm":"shutdown"}, says the partner will enter partner-down, and answers with the hand-over', async () => {
  const { api, ctx } = setup()
  const missing = await api.handle(req('POST', '/api/v1/shutdown'))
  assert.equal(missing.status, 400)
  assert.equal(json(missing)['error'], 'confirmation-required')
  assert.match(String(json(missing)['message']), /confirm: expected "shutdown"\. shutdown stops this server.*the partner enters PARTNER-DOWN/)
  const wrong = await api.handle(req('POST', '/api/v1/shutdown', { body: { confirm: 'partner-down' } }))
  assert.equal(wrong.status, 400)
  assert.match(String(json(wrong)['message']), /got "partner-down"/)
  const extra = await api.handle(req('POST', '/api/v1/shutdown', { body: { confirm: 'shutdown', now: true } }))
  assert.equal(extra.status, 400)
  assert.deepEqual(ctx.calls, [])
  assert.equal((await api.handle(req('GET', '/api/v1/shutdown'))).status, 405)
  const ok = await api.handle(req('POST', '/api/v1/shutdown', { body: { confirm: 'shutdown' } }))
  assert.equal(ok.status, 200)
  const body = json(ok) as unknown as { ok: boolean; stopping: boolean; failover: { peer: string; outcome: string; backdated: boolean }[] }
  assert.deepEqual([body.ok, body.stopping, body.failover[0]?.peer, body.failover[0]?.outcome, body.failover[0]?.backdated], [true, true, 'dhcp-failover', 'confirmed', true])
  assert.deepEqual(ctx.calls, ['shutdown'])
  delete ctx.shutdown
  assert.equal((await api.handle(req('POST', '/api/v1/shutdown', { body: { confirm: 'shutdown' } }))).status, 409)
})

test('rebalance, VRRP priority override and step-down', async () => {
  const { api, ctx } = setup()
  assert.deepEqual((await api.handle(req('POST', '/api/v1/failover/dhcp-failover/rebalance'))).json, { ok: true })
  assert.deepEqual((await api.handle(req('POST', '/api/v1/vrrp/VI_1/priority', { body: { priority: 50 } }))).json, { ok: true, effectivePriority: 50 })
  assert.deepEqual((await api.handle(req('POST', '/api/v1/vrrp/VI_1/priority', { body: { priority: null } }))).json, { ok: true, effectivePriority: 99 })
  assert.deepEqual((await api.handle(req('POST', '/api/v1/vrrp/VI_1/step-down'))).json, { ok: true, effectivePriority: 0 })
  for (const body of [{ priority: 0 }, { priority: 255 }, { priority: '5' }, {}, undefined, [1]]) {
    const r = await api.handle(req('POST', '/api/v1/vrrp/VI_1/priority', { body }))
    assert.equal(r.status, 400, JSON.stringify(body))
  }
  const r = await api.handle(req('POST', '/api/v1/vrrp/VI_1/priority', { body: { priority: 300 } }))
  assert.equal(json(r)['message'], 'priority: expected an integer 1…254, or null to clear the override, got 300')
  assert.equal((await api.handle(req('POST', '/api/v1/vrrp/VI_9/step-down'))).status, 404)
  assert.deepEqual(ctx.calls, ['rebalance dhcp-failover', 'vrrp VI_1 50', 'vrrp VI_1 null', 'vrrp VI_1 step-down', 'vrrp VI_9 step-down'])
})

test('metrics: 404 until a metrics provider is attached, then its text', async () => {
  const { api, ctx } = setup()
  const none = await api.handle(req('GET', '/metrics'))
  assert.deepEqual([none.status, json(none)['message']], [404, 'metrics not enabled'])
  ctx.metricsText = () => 'up 1\n'
  const m = await api.handle(req('GET', '/metrics'))
  assert.deepEqual([m.status, m.text], [200, 'up 1\n'])
  assert.match(String(m.contentType), /^text\/plain; version=0\.0\.4/)
})

test('unknown routes 404, wrong method 405', async () => {
  const { api } = setup()
  assert.equal((await api.handle(req('GET', '/api/v1/nothing'))).status, 404)
  assert.equal((await api.handle(req('POST', '/api/v1/status'))).status, 405)
  assert.equal((await api.handle(req('GET', '/api/v1/reload'))).status, 405)
})

test('the event ring keeps state changes and warnings, not per-packet DHCP lines', async () => {
  const { keepInEventRing } = await import('../../src/api/events.js')
  assert.equal(keepInEventRing('info', 'DHCP_ACK'), false)
  assert.equal(keepInEventRing('warn', 'DHCP_NAK'), true)
  assert.equal(keepInEventRing('info', 'FAILOVER_STATE_CHANGE'), true)
  assert.equal(keepInEventRing('debug', 'FAILOVER_STATE_CHANGE'), false)
})

test('a malformed percent escape in the path is a 400', async () => {
  const { api } = setup()
  const r = await api.handle(req('POST', '/api/v1/failover/%zz/rebalance'))
  assert.equal(r.status, 400)
  assert.equal(json(r)['field'], 'peer')
})
