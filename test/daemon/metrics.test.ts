/**
 * Prometheus metrics: each one moves when its behaviour happens (packets through the real
 * pipeline and service, a real journal on the in-memory file system, failover and VRRP
 * snapshots), and every name follows Prometheus conventions.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfig } from '../../src/config/compile.js'
import { memoryReader } from '../../src/config/source-reader.js'
import type { ServerConfig } from '../../src/config/model.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import { Pipeline, type HaFilter } from '../../src/core/pipeline.js'
import type { LeaseChange } from '../../src/core/lease.js'
import { DhcpService } from '../../src/daemon/dhcp-service.js'
import type { FailoverSnapshot } from '../../src/daemon/failover-peer.js'
import { memoryLogger } from '../../src/daemon/logger.js'
import { DaemonMetrics, type MetricsSources } from '../../src/daemon/metrics.js'
import { isConventionalName, METRICS } from '../../src/daemon/metric-names.js'
import type { VrrpInstanceSnapshot } from '../../src/daemon/vrrp.js'
import { LeaseJournal } from '../../src/persistence/journal.js'
import { LeaseDatabase } from '../../src/persistence/lease-database.js'
import { VERSION } from '../../src/daemon/version.js'
import { BOOTREQUEST, MessageType } from '../../src/protocol/dhcp/constants.js'
import { createPacket, toBuffer } from '../../src/protocol/dhcp/packet.js'
import { MemoryFileSystem } from '../helpers/memory-file-system.js'

const CONF = 'authoritative;\nsubnet 198.18.30.0 netmask 255.255.255.0 { range 198.18.30.10 198.18.30.11; }\n'
const IFACE = { name: 'eth0', addresses: [0xc6121e01] }
const SERVER = 0xc6121e01

function compile(text: string): ServerConfig {
  const r = compileConfig('/etc/dhcpd.conf', memoryReader({ '/etc/dhcpd.conf': text }))
  assert.ok(r.config, 'config compiles')
  return r.config
}

function datagram(type: number, mac: number, requested?: number): Buffer {
  const options = [{ code: 53, data: Buffer.from([type]) }]
  if (requested !== undefined) {
    const r = Buffer.alloc(4)
    r.writeUInt32BE(requested)
    const s = Buffer.alloc(4)
    s.writeUInt32BE(SERVER)
    options.push({ code: 50, data: r }, { code: 54, data: s })
  }
  return toBuffer(createPacket({ op: BOOTREQUEST, xid: mac, chaddr: Buffer.from([2, 0, 0, 0, 0, mac]), options }), { minLength: 300 })
}

interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

function samples(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    assert.ok(m, `unparsable exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    out.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return out
}

/** The value of the one sample named `name` whose labels include `labels` (0 when absent). */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const hits = samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  assert.ok(hits.length <= 1, `${name} ${JSON.stringify(labels)} matches ${hits.length} samples`)
  return hits[0]?.value ?? 0
}

function sources(over: Partial<MetricsSources> & { config?: () => ServerConfig } = {}): MetricsSources {
  const config = compile(CONF)
  return { store: new InMemoryLeaseStore(), config: () => config, failover: () => [], vrrp: () => [], ...over }
}

function dhcpSetup(opts: { haFilter?: HaFilter } = {}) {
  const config = compile(CONF)
  const store = new InMemoryLeaseStore()
  let ms = 0
  const metrics = new DaemonMetrics(sources({ store, config: () => config }), { defaultMetrics: false, clock: () => ms, poolCacheMs: 0 })
  const journal = { commit: (_c: readonly LeaseChange[]): Promise<void> => Promise.resolve() }
  const sent: Buffer[] = []
  const pipeline = new Pipeline(config, store, { capabilities: { directUnicast: false }, ...(opts.haFilter ? { haFilter: opts.haFilter } : {}) })
  const service = new DhcpService({
    pipeline, journal, transport: { send: (b: Buffer) => void sent.push(b) }, logger: memoryLogger('error'),
    now: () => Date.UTC(2025, 0, 1), observer: metrics.dhcp,
    // Each reading advances 0.3 ms: arrival → send spans one step.
    monotonic: () => (ms += 0.3),
  })
  const receive = (data: Buffer): void => service.onDatagram({ data, receivedOn: IFACE, source: '0.0.0.0', sourcePort: 68 })
  return { metrics, service, receive, sent }
}

test('packets received, replies sent and request latency follow a DORA', async () => {
  const s = dhcpSetup()
  s.receive(datagram(MessageType.DISCOVER, 1))
  await s.service.drain()
  s.receive(datagram(MessageType.REQUEST, 1, 0xc6121e0a))
  await s.service.drain()
  const text = await s.metrics.metricsText()
  assert.equal(value(text, METRICS.packetsReceived.name, { type: 'discover' }), 1)
  assert.equal(value(text, METRICS.packetsReceived.name, { type: 'request' }), 1)
  assert.equal(value(text, METRICS.packetsReceived.name, { type: 'inform' }), 0, 'series exist before the first packet')
  assert.equal(value(text, METRICS.repliesSent.name, { type: 'offer' }), 1)
  assert.equal(value(text, METRICS.repliesSent.name, { type: 'ack' }), 1)
  assert.equal(value(text, `${METRICS.requestDuration.name}_count`, { type: 'ack' }), 1)
  const sum = value(text, `${METRICS.requestDuration.name}_sum`, { type: 'ack' })
  assert.ok(sum > 0 && sum < 0.01, `latency in seconds, got ${sum}`)
  assert.equal(value(text, `${METRICS.requestDuration.name}_bucket`, { type: 'ack', le: '0.0001' }), 0)
  assert.equal(value(text, `${METRICS.requestDuration.name}_bucket`, { type: 'ack', le: '0.001' }), 1)
  assert.equal(s.sent.length, 2)
})

test('drops are counted by reason: malformed, no free lease, not in scope, load balancing, failover state', async () => {
  let refusal: ReturnType<HaFilter> = { accept: true }
  const s = dhcpSetup({ haFilter: () => refusal })
  s.receive(Buffer.from('not a dhcp packet'))
  for (const mac of [1, 2, 3]) {
    s.receive(datagram(MessageType.DISCOVER, mac))
    await s.service.drain()
    s.receive(datagram(MessageType.REQUEST, mac, 0xc6121e09 + mac))
    await s.service.drain()
  }
  refusal = { accept: false, reason: 'test' }
  s.receive(datagram(MessageType.DISCOVER, 4))
  refusal = { accept: false, reason: 'lb', code: 'load_balanced_to_peer' }
  s.receive(datagram(MessageType.DISCOVER, 5))
  refusal = { accept: false, reason: 'state', code: 'not_serving_failover_state' }
  s.receive(datagram(MessageType.DISCOVER, 6))
  await s.service.drain()
  const text = await s.metrics.metricsText()
  const drops = METRICS.packetsDropped.name
  assert.equal(value(text, drops, { reason: 'malformed' }), 1)
  assert.equal(value(text, METRICS.packetsReceived.name, { type: 'unknown' }), 1)
  assert.ok(value(text, drops, { reason: 'no_free_lease' }) >= 1, 'the third client finds the two-address pool full')
  assert.equal(value(text, drops, { reason: 'not_in_scope' }), 1)
  assert.equal(value(text, drops, { reason: 'load_balanced_to_peer' }), 1)
  assert.equal(value(text, drops, { reason: 'not_serving_failover_state' }), 1)
  assert.equal(value(text, drops, { reason: 'rate_limited' }), 0)
})

test('a client over its in-flight limit is dropped as rate_limited', async () => {
  const s = dhcpSetup()
  // One client's packets queue behind each other; beyond 4 in flight the rest are dropped.
  for (let i = 0; i < 6; i++) s.receive(datagram(MessageType.DISCOVER, 7))
  const text = await s.metrics.metricsText()
  assert.ok(value(text, METRICS.packetsDropped.name, { reason: 'rate_limited' }) >= 1)
})

test('leases by state per pool and utilisation follow the lease store', async () => {
  const config = compile(CONF)
  const store = new InMemoryLeaseStore()
  let ms = 0
  const m = new DaemonMetrics(sources({ store, config: () => config }), { defaultMetrics: false, clock: () => ms, poolCacheMs: 5000 })
  const labels = { subnet: '198.18.30.0/24', pool: '198.18.30.0/24#0' }
  let text = await m.metricsText()
  assert.equal(value(text, METRICS.leases.name, { ...labels, state: 'free' }), 2)
  assert.equal(value(text, METRICS.poolSize.name, labels), 2)
  assert.equal(value(text, METRICS.poolUtilisation.name, labels), 0)
  store.upsert({ address: 0xc6121e0a, bindingState: 'active', starts: 1, ends: 2 ** 31, hardware: { htype: 1, address: Buffer.from('020000000001', 'hex') } })
  text = await m.metricsText()
  assert.equal(value(text, METRICS.leases.name, { ...labels, state: 'active' }), 0, 'counts are reused within the cache window')
  ms += 5000
  text = await m.metricsText()
  assert.equal(value(text, METRICS.leases.name, { ...labels, state: 'active' }), 1)
  assert.equal(value(text, METRICS.leases.name, { ...labels, state: 'free' }), 1)
  assert.equal(value(text, METRICS.poolUtilisation.name, labels), 0.5)
})

test('journal group commits feed the fsync latency and batch size histograms; failures are counted', async () => {
  const fs = new MemoryFileSystem()
  const journal = await LeaseJournal.open(fs, '/leases')
  let ms = 0
  const m = new DaemonMetrics(sources(), { defaultMetrics: false, clock: () => (ms += 2) })
  journal.observer = m.journal
  const lease = (i: number): LeaseChange => ({ address: 0xc6121e0a + i, before: undefined, after: { address: 0xc6121e0a + i, bindingState: 'free' }, reason: 'admin' })
  await Promise.all([journal.append([lease(0)]), journal.append([lease(1), lease(2)])])
  let text = await m.metricsText()
  const fsyncs = value(text, `${METRICS.journalFsyncDuration.name}_count`)
  assert.ok(fsyncs >= 1 && fsyncs <= 2)
  assert.equal(value(text, `${METRICS.journalBatchRecords.name}_sum`), 3, 'three records made durable')
  assert.equal(value(text, `${METRICS.journalFsyncDuration.name}_sum`), fsyncs * 0.002, 'seconds, timed by the observer')
  fs.failNext('datasync')
  await assert.rejects(journal.append([lease(3)]))
  text = await m.metricsText()
  assert.equal(value(text, METRICS.journalFsyncFailures.name), 1)
})

test('failover state as labelled gauges, link, skew, queue depth and binding update counters', async () => {
  let snap: FailoverSnapshot = {
    name: 'dhcp-failover', state: 'communications-interrupted', peerState: 'unknown-state', connected: false, skew: undefined,
    stos: 0, peerStateAt: 0, lastContact: undefined, mclt: 3600, pending: 7, unacked: 0, free: 0, backup: 0,
    updates: { sent: 0, acked: 0, rejected: 0, received: 0, refused: 0 }, queueDepth: 7,
  }
  const m = new DaemonMetrics(sources({ failover: () => [snap] }), { defaultMetrics: false })
  let text = await m.metricsText()
  const peer = { peer: 'dhcp-failover' }
  assert.equal(value(text, METRICS.failoverState.name, { ...peer, state: 'communications-interrupted' }), 1)
  assert.equal(value(text, METRICS.failoverState.name, { ...peer, state: 'normal' }), 0)
  assert.equal(value(text, METRICS.failoverLinkUp.name, peer), 0)
  assert.equal(value(text, METRICS.updateQueueDepth.name, peer), 7)
  assert.ok(!text.includes(`${METRICS.failoverClockSkew.name}{`), 'no skew sample before a handshake measured one')
  snap = { ...snap, state: 'normal', peerState: 'normal', connected: true, skew: -3, queueDepth: 0, updates: { sent: 12, acked: 10, rejected: 2, received: 5, refused: 1 } }
  text = await m.metricsText()
  assert.equal(value(text, METRICS.failoverState.name, { ...peer, state: 'normal' }), 1)
  assert.equal(value(text, METRICS.failoverState.name, { ...peer, state: 'communications-interrupted' }), 0)
  assert.equal(value(text, METRICS.failoverPartnerState.name, { ...peer, state: 'normal' }), 1)
  assert.equal(value(text, METRICS.failoverLinkUp.name, peer), 1)
  assert.equal(value(text, METRICS.failoverClockSkew.name, peer), -3)
  assert.equal(value(text, METRICS.bindingUpdatesSent.name, peer), 12)
  assert.equal(value(text, METRICS.bindingUpdatesAcked.name, peer), 10)
  assert.equal(value(text, METRICS.bindingUpdatesRejected.name, peer), 2)
  assert.equal(value(text, METRICS.bindingUpdatesReceived.name, peer), 5)
  assert.equal(value(text, METRICS.bindingUpdatesRefused.name, peer), 1)
})

test('VRRP state, transitions, priorities and adverts dropped by reason', async () => {
  let snap: VrrpInstanceSnapshot = {
    name: 'VI_1', state: 'backup', priority: 100, configuredPriority: 100,
    counters: { advertsSent: 0, advertsReceived: 4, advertsDiscarded: 0, transitions: 1 }, discards: new Map(),
  }
  const m = new DaemonMetrics(sources({ vrrp: () => [snap] }), { defaultMetrics: false })
  let text = await m.metricsText()
  const inst = { vrrp_instance: 'VI_1' }
  assert.equal(value(text, METRICS.vrrpState.name, { ...inst, state: 'backup' }), 1)
  assert.equal(value(text, METRICS.vrrpState.name, { ...inst, state: 'master' }), 0)
  snap = { ...snap, state: 'master', priority: 50, counters: { advertsSent: 9, advertsReceived: 4, advertsDiscarded: 3, transitions: 2 }, discards: new Map([['ttl', 2], ['auth-pass', 1]]) }
  text = await m.metricsText()
  assert.equal(value(text, METRICS.vrrpState.name, { ...inst, state: 'master' }), 1)
  assert.equal(value(text, METRICS.vrrpState.name, { ...inst, state: 'backup' }), 0)
  assert.equal(value(text, METRICS.vrrpTransitions.name, inst), 2)
  assert.equal(value(text, METRICS.vrrpPriority.name, inst), 50)
  assert.equal(value(text, METRICS.vrrpConfiguredPriority.name, inst), 100)
  assert.equal(value(text, METRICS.vrrpAdvertsSent.name, inst), 9)
  assert.equal(value(text, METRICS.vrrpAdvertsReceived.name, inst), 4)
  assert.equal(value(text, METRICS.vrrpAdvertsDropped.name, { ...inst, reason: 'ttl' }), 2)
  assert.equal(value(text, METRICS.vrrpAdvertsDropped.name, { ...inst, reason: 'auth_pass' }), 1)
})

test('names follow Prometheus conventions; default process metrics carry the prefix; own registry', async () => {
  const m = new DaemonMetrics(sources())
  const text = await m.metricsText()
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (t) types.set(t[1]!, t[2]!)
  }
  assert.ok(types.has('hadhcpd_process_cpu_user_seconds_total'), 'default metrics, prefixed')
  for (const name of types.keys()) assert.ok(isConventionalName(name), `${name}: snake_case with the hadhcpd_ prefix`)
  for (const spec of Object.values(METRICS)) {
    assert.equal(types.get(spec.name), spec.type, `${spec.name} registered as ${spec.type}`)
    // (prom-client's own nodejs_active_resources_total gauge breaks this rule; ours keep it.)
    assert.equal(spec.name.endsWith('_total'), spec.type === 'counter', `${spec.name}: _total exactly on counters`)
    if (/duration|latency|skew/.test(spec.name)) assert.ok(spec.name.endsWith('_seconds'), `${spec.name}: durations in seconds`)
    assert.ok(!/_ms$|_milliseconds|_percent/.test(spec.name), `${spec.name}: base units`)
  }
  assert.match(m.contentType, /^text\/plain; version=0\.0\.4/)
  assert.equal(value(text, METRICS.buildInfo.name, { version: VERSION }), 1)
  const { register } = await import('prom-client')
  assert.equal(register.getSingleMetric(METRICS.packetsReceived.name), undefined, 'not on the global registry')
  // Two instances in one process (tests, embedding) do not collide.
  assert.ok((await new DaemonMetrics(sources()).metricsText()).includes(METRICS.packetsReceived.name))
})

test('no label collides with the labels Prometheus attaches to every target (job, instance)', () => {
  for (const spec of Object.values(METRICS)) {
    for (const l of spec.labels) {
      assert.ok(!['job', 'instance', 'le', 'quantile'].includes(l) || (l === 'le' && spec.type === 'histogram'), `${spec.name}: label ${l}`)
      assert.match(l, /^[a-z][a-z0-9_]*$/)
    }
  }
})

test('wired as compose wires it: an ACK moves packets, latency, journal and pool metrics together', async () => {
  const config = compile(CONF)
  const fs = new MemoryFileSystem()
  const db = await LeaseDatabase.open(fs, '/var/lib/dhcp/dhcpd.leases', { now: 1_735_689_600 })
  const metrics = new DaemonMetrics({ store: db.store, config: () => config, failover: () => [], vrrp: () => [] }, { defaultMetrics: false, poolCacheMs: 0 })
  db.journal.observer = metrics.journal
  const pipeline = new Pipeline(config, db.store, { capabilities: { directUnicast: false } })
  const service = new DhcpService({
    pipeline, journal: db, transport: { send: () => undefined }, logger: memoryLogger('error'),
    now: () => Date.UTC(2025, 0, 1), observer: metrics.dhcp,
  })
  const receive = (data: Buffer): void => service.onDatagram({ data, receivedOn: IFACE, source: '0.0.0.0', sourcePort: 68 })
  const before = value(await metrics.metricsText(), `${METRICS.journalFsyncDuration.name}_count`)
  receive(datagram(MessageType.DISCOVER, 1))
  await service.drain()
  receive(datagram(MessageType.REQUEST, 1, 0xc6121e0a))
  await service.drain()
  const text = await metrics.metricsText()
  assert.equal(value(text, METRICS.repliesSent.name, { type: 'ack' }), 1)
  assert.equal(value(text, `${METRICS.requestDuration.name}_count`, { type: 'ack' }), 1)
  assert.equal(value(text, `${METRICS.journalFsyncDuration.name}_count`), before + 1, 'the ACK\'s lease change: one fsync')
  assert.equal(value(text, METRICS.leases.name, { subnet: '198.18.30.0/24', pool: '198.18.30.0/24#0', state: 'active' }), 1)
  assert.equal(value(text, METRICS.poolUtilisation.name, { subnet: '198.18.30.0/24', pool: '198.18.30.0/24#0' }), 0.5)
  await db.close()
})
