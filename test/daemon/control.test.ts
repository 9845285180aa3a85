/**
 * The daemon's ControlContext over real parts: a compiled dhcpd.conf, a lease database on disk,
 * the pipeline's engine and a failover driver with an unconnected transport. Also the HTTP
 * adapter in front of it, in-process.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileConfig } from '../../src/config/compile.js'
import { memoryReader } from '../../src/config/source-reader.js'
import type { ServerConfig } from '../../src/config/model.js'
import type { LeaseChange } from '../../src/core/lease.js'
import { Pipeline } from '../../src/core/pipeline.js'
import { LeaseDatabase } from '../../src/persistence/lease-database.js'
import { nodeFileSystem } from '../../src/persistence/node-file-system.js'
import { FailoverPeerDriver } from '../../src/daemon/failover-peer.js'
import { relationshipRanges } from '../../src/daemon/failover-bindings.js'
import { DaemonControl, sharedConfigOf } from '../../src/daemon/control.js'
import { loadConfig } from '../../src/daemon/config-load.js'
import { memoryLogger } from '../../src/daemon/logger.js'
import { EventRing } from '../../src/api/events.js'
import { comparePair } from '../../src/api/pair-check.js'
import { ControlApi } from '../../src/api/auth.js'
import { ControlHttpServer } from '../../src/api/http-server.js'
import { ControlClient } from '../../src/api/client.js'
import { parseIPv4 } from '../../src/lib/ip.js'

const NOW = 1_800_000_000

function conf(role: 'primary' | 'secondary'): string {
  const [me, other] = role === 'primary' ? ['198.18.90.1', '198.18.90.2'] : ['198.18.90.2', '198.18.90.1']
  return `failover peer "pair" {
  ${role};
  address ${me}; port 647; peer address ${other}; peer port 647;
  max-response-delay 30; max-unacked-updates 10; load balance max seconds 3;
  ${role === 'primary' ? 'mclt 600; split 128;' : ''}
}
subnet 198.18.90.0 netmask 255.255.255.0 {
  pool { failover peer "pair"; range 198.18.90.10 198.18.90.19; }
}
subnet 198.18.91.0 netmask 255.255.255.0 {
  range 198.18.91.10 198.18.91.14;
}
`
}

const compile = (text: string): ServerConfig => compileConfig('dhcpd.conf', memoryReader({ 'dhcpd.conf': text })).config

async function setup(t: import('node:test').TestContext): Promise<{ control: DaemonControl; db: LeaseDatabase; committed: LeaseChange[]; driver: FailoverPeerDriver; leaseFile: string; dir: string; pastStartup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-control-'))
  const leaseFile = join(dir, 'dhcpd.leases')
  const now = { ms: NOW * 1000 }
  const config = compile(conf('primary'))
  const db = await LeaseDatabase.open(nodeFileSystem, leaseFile, { now: NOW })
  const log = memoryLogger()
  const driver = new FailoverPeerDriver(config.failoverPeers.get('pair')!, db, log, relationshipRanges(config, 'pair'), {
    clock: () => Math.floor(now.ms / 1000),
    transport: () => ({ start: async () => undefined, setLinked: () => undefined, close: async () => undefined }),
    pollMs: 0,
  })
  await driver.start()
  const pipeline = new Pipeline(config, db.store, { capabilities: { directUnicast: false } })
  const committed: LeaseChange[] = []
  const events = new EventRing()
  events.push(now.ms, 'info', 'TEST', 'hello')
  const control = new DaemonControl({
    version: '9.9.9', now: () => now.ms, startedAt: now.ms - 5000, configFile: '/nonexistent/dhcpd.conf', leaseFile,
    config: () => config, configLoadedAt: () => now.ms, interfaces: () => [{ name: 'eth9', transport: 'udp' }],
    store: db.store, engine: () => pipeline.engine,
    commit: async (changes) => {
      await db.commit(changes)
      committed.push(...changes)
      driver.leasesCommitted(changes)
    },
    peers: [driver], vrrp: undefined, events, reload: () => ({ ok: false, errors: ['x:1:1: bad'] }),
  })
  // An active lease in each subnet.
  const active = (ip: string, mac: number, host: string) => ({
    address: parseIPv4(ip)!, bindingState: 'active' as const, starts: NOW - 10, ends: NOW + 3600, cltt: NOW - 10, tstp: NOW + 5400, tsfp: NOW + 5400, atsfp: NOW + 5400, // acknowledged, as a binding from the peer
    hardware: { htype: 1, address: Buffer.from([2, 0, 0, 0, 0, mac]) }, clientHostname: host,
  })
  await control['s'].commit(pipeline.engine.commit([active('198.18.90.10', 1, 'laptop'), active('198.18.91.10', 2, 'printer')], 'allocate'))
  committed.length = 0
  t.after(async () => {
    await driver.stop()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  /** STARTUP lasts 15 s; partner-down is refused until it ends (leaving STARTUP keeps the old STOS). */
  const pastStartup = async (): Promise<void> => {
    now.ms += 16_000
    driver.poll()
    await driver.settled()
  }
  return { control, db, committed, driver, leaseFile, dir, pastStartup }
}

test('status, pools and lease queries from the real store', async (t) => {
  const { control } = await setup(t)
  const s = control.status()
  assert.equal(s.version, '9.9.9')
  assert.equal(s.uptimeSeconds, 5)
  assert.match(s.config.sha256, /^[0-9a-f]{64}$/)
  assert.equal(s.failover.length, 1)
  const f = s.failover[0]!
  assert.deepEqual([f.peer, f.role, f.state, f.connected, f.mclt, f.split], ['pair', 'primary', 'startup', false, 600, 128])
  assert.deepEqual(f.poolBalance, { free: 9, backup: 0 })
  const pools = control.pools()
  assert.deepEqual(pools.map((p) => [p.id, p.total, p.free, p.active, p.utilisation, p.failoverPeer]), [
    ['198.18.90.0/24#0', 10, 9, 1, 0.1, 'pair'],
    ['198.18.91.0/24#0', 5, 4, 1, 0.2, null],
  ])
  assert.deepEqual(control.leases({}).map((l) => l.ip), ['198.18.90.10', '198.18.91.10'])
  assert.deepEqual(control.leases({ mac: '02:00:00:00:00:02' }).map((l) => l.ip), ['198.18.91.10'])
  assert.deepEqual(control.leases({ hostname: 'LAP' }).map((l) => l.ip), ['198.18.90.10'])
  assert.deepEqual(control.leases({ subnet: '198.18.91.0/24', state: 'active' }).map((l) => l.ip), ['198.18.91.10'])
  assert.deepEqual(control.leases({ ip: '198.18.90.10', state: 'free' }), [])
  const l = control.lease('198.18.90.10')!
  assert.deepEqual([l.state, l.mac, l.hostname, l.pool, l.ends], ['active', '02:00:00:00:00:01', 'laptop', '198.18.90.0/24#0', new Date((NOW + 3600) * 1000).toISOString()])
  assert.deepEqual(control.events(0).map((e) => e.event), ['TEST'])
})

test('lease actions are journalled (and handed to the failover peer); history comes from the lease file', async (t) => {
  const { control, committed, db } = await setup(t)
  const released = await control.leaseAction('198.18.90.10', 'release')
  assert.ok(released.ok)
  // In a failover pool a release is RELEASED (free once the peer knows), outside it FREE.
  assert.equal(released.lease.state, 'released')
  // As a DHCPRELEASE: not acknowledged by the peer yet (freed on its BNDACK, never by time alone).
  assert.equal(released.lease.atsfp, null)
  const plain = await control.leaseAction('198.18.91.10', 'release')
  assert.ok(plain.ok && plain.lease.state === 'free')
  const again = await control.leaseAction('198.18.91.10', 'release')
  assert.ok(!again.ok && again.status === 409)
  const abandoned = await control.leaseAction('198.18.90.12', 'abandon')
  assert.ok(abandoned.ok && abandoned.lease.state === 'abandoned')
  const freed = await control.leaseAction('198.18.90.12', 'free')
  assert.ok(freed.ok && freed.lease.state === 'free')
  const outside = await control.leaseAction('198.18.92.1', 'abandon')
  assert.ok(!outside.ok && outside.status === 409)
  assert.deepEqual(committed.map((c) => `${c.after?.bindingState ?? 'removed'} ${c.reason}`), ['released admin', 'free admin', 'abandoned admin', 'free admin'])
  assert.ok((await control.deleteLease('198.18.91.10')).ok)
  assert.equal(db.store.get(parseIPv4('198.18.91.10')!), undefined)
  assert.equal((await control.deleteLease('198.18.91.10') as { status?: number }).status, 404)
  // A failover address is set FREE instead of forgotten: the peer must hear of it.
  assert.ok((await control.deleteLease('198.18.90.10')).ok)
  assert.equal(db.store.get(parseIPv4('198.18.90.10')!)?.bindingState, 'free')
  const history = await control.leaseHistory('198.18.90.10')
  // (RELEASED may be written twice: the second record keeps the potential expiry announced while active.)
  assert.deepEqual([...new Set(history.map((h) => h.state))], ['active', 'released', 'free'])
  assert.equal(history[0]!.mac, '02:00:00:00:00:01')
})

test('partner-down moves the relationship; rebalance needs NORMAL; unknown peer 404', async (t) => {
  const { control, driver, pastStartup } = await setup(t)
  const early = await control.partnerDown('pair')
  assert.ok(!early.ok && early.status === 409 && early.error === 'in-startup', JSON.stringify(early))
  await pastStartup()
  const rb = await control.rebalance('pair')
  assert.ok(!rb.ok && rb.status === 409 && /NORMAL/.test(rb.message))
  assert.equal((await control.rebalance('nope') as { status?: number }).status, 404)
  assert.equal((await control.partnerDown('nope') as { status?: number }).status, 404)
  const pd = await control.partnerDown('pair')
  assert.deepEqual(pd, { ok: true, state: 'partner-down' })
  assert.equal(driver.state, 'partner-down')
  assert.equal(control.status().failover[0]!.state, 'partner-down')
})

test('partner-down twice: the second is a 409 that says since when', async (t) => {
  const { control, pastStartup } = await setup(t)
  await pastStartup()
  assert.ok((await control.partnerDown('pair')).ok)
  const again = await control.partnerDown('pair')
  assert.ok(!again.ok && again.status === 409 && again.error === 'already-partner-down' && /already in partner-down since/.test(again.message), JSON.stringify(again))
})

test('VRRP override without VRRP: 404', async (t) => {
  const { control } = await setup(t)
  const r = control.vrrpOverride('VI_1', 50)
  assert.ok(!r.ok && r.status === 404 && /--vrrp-config/.test(r.message))
})

test('shared config: the primary and the secondary of one pair compare equal; a changed range does not', () => {
  const p = sharedConfigOf(compile(conf('primary')))
  const s = sharedConfigOf(compile(conf('secondary')))
  assert.equal(p.failoverPeers[0]!.primary, '198.18.90.1:647')
  assert.equal(s.failoverPeers[0]!.primary, '198.18.90.1:647')
  assert.equal(s.failoverPeers[0]!.mclt, null)
  assert.deepEqual(comparePair(p, s), [])
  const drift = sharedConfigOf(compile(conf('secondary').replace('198.18.90.19', '198.18.90.29')))
  assert.deepEqual(comparePair(p, drift), [{ what: 'subnet 198.18.90.0/24 pool #0 ranges', local: '198.18.90.10-198.18.90.19', peer: '198.18.90.10-198.18.90.29' }])
})

test('config reload errors come back one per line with file:line:col', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-reload-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'dhcpd.conf')
  writeFileSync(file, 'subnet 198.18.0.0 netmask 255.255.255.0 {\n  range 198.18.0.10 198.18.0.20\n}\n')
  const r = loadConfig(file)
  assert.ok(!r.ok)
  assert.ok(r.list.length >= 1)
  assert.match(r.list[0]!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `))
})

test('HTTP adapter in front of the daemon context', async (t) => {
  const { control } = await setup(t)
  const api = new ControlApi({ token: 'tok', ctx: control, warn: () => undefined, now: () => 0 })
  const server = new ControlHttpServer({ api, address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, onError: (e) => assert.fail(String(e)) })
  await server.listen()
  t.after(() => server.close())
  const client = new ControlClient({ address: { kind: 'tcp', host: '127.0.0.1', port: server.port! }, token: 'tok' })
  const pools = await client.get('/api/v1/pools')
  assert.ok(pools.kind === 'response' && pools.status === 200)
  assert.equal((pools.json as { pools: unknown[] }).pools.length, 2)
  const rel = await client.request('POST', '/api/v1/leases/198.18.91.10/release')
  assert.ok(rel.kind === 'response' && rel.status === 200, rel.kind === 'response' ? rel.text : rel.message)
  const reload = await client.request('POST', '/api/v1/reload')
  assert.ok(reload.kind === 'response' && reload.status === 400)
  assert.deepEqual((reload.json as { errors: string[] }).errors, ['x:1:1: bad'])
})

test('shutdown: refused without the signal layer\'s hook; with it, the drivers\' hand-over as the API view', async (t) => {
  const { control, driver, pastStartup } = await setup(t)
  const none = await control.shutdown()
  assert.ok(!none.ok && none.status === 409 && none.error === 'not-supported', JSON.stringify(none))
  await pastStartup()
  // The unconnected driver: nothing to announce, a plain stop (the saved state stays).
  control.onShutdown = async () => [await driver.gracefulStop(100)]
  const r = await control.shutdown()
  assert.ok(r.ok, JSON.stringify(r))
  assert.equal(r.stopping, true)
  assert.equal(r.message, 'hadhcpd is stopping; pair not handed over (the partner sees the link drop)')
  const [f] = r.failover
  assert.deepEqual(
    [f?.peer, f?.outcome, f?.confirmed, f?.previousState, f?.recordedState, f?.backdated, f?.waitedMs],
    ['pair', 'not-connected', false, 'recover', 'recover', false, 0],
  )
  assert.match(f?.recordedStateSince ?? '', /^\d{4}-\d\d-\d\dT/)
  assert.match(f?.message ?? '', /not handed over \(no link to the peer/)
})
