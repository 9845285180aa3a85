/**
 * The daemon's VRRP service over a fake addon (no root): sockets opened with keepalived's
 * options, a 255 owner advertising at once, journal health lowering the advertised priority,
 * and stop sending priority 0 and removing the VIP (with `ip` replaced by /bin/true).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { VrrpService } from '../../src/daemon/vrrp.js'
import { HealthTrackingJournal } from '../../src/daemon/journal-health.js'
import type { Logger } from '../../src/daemon/logger.js'
import type { NativeAddon, NativeHandle, RecvCallback } from '../../src/io/native.js'
import { loadKeepalivedConfig } from '../../src/config/keepalived/index.js'
import { memoryReader } from '../../src/config/source-reader.js'
import { parseIPv4 } from '../../src/lib/ip.js'
import { decodeSockaddrIn } from '../../src/protocol/l2/sockaddr.js'
import { DaemonMetrics } from '../../src/daemon/metrics.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { ServerConfig } from '../../src/config/model.js'

interface FakeHandle { id: number; domain: number; type: number; protocol: number; closed: boolean }

class FakeAddon {
  readonly handles: FakeHandle[] = []
  readonly sent: { h: FakeHandle; data: Buffer; to: Buffer | undefined }[] = []
  readonly options: { h: FakeHandle; level: number; name: number }[] = []
  readonly receivers = new Map<number, RecvCallback>()
  readonly api: NativeAddon = {
    socket: (domain, type, protocol) => {
      const h: FakeHandle = { id: this.handles.length, domain, type, protocol, closed: false }
      this.handles.push(h)
      return h as unknown as NativeHandle
    },
    setsockopt: (h, level, name) => void this.options.push({ h: h as unknown as FakeHandle, level, name }),
    attachFilter: () => {},
    bind: () => {},
    sendto: (h, data, to) => {
      this.sent.push({ h: h as unknown as FakeHandle, data: Buffer.from(data), to })
      return data.length
    },
    recvStart: (h, cb) => void this.receivers.set((h as unknown as FakeHandle).id, cb),
    recvStop: (h) => void this.receivers.delete((h as unknown as FakeHandle).id),
    ref: () => {},
    unref: () => {},
    close: (h) => void ((h as unknown as FakeHandle).closed = true),
    ifinfo: (name) => {
      if (name !== 'eth2') throw Object.assign(new Error('ifinfo: No such device'), { errno: 19 })
      return { index: 7, mac: Buffer.from([2, 0xfa, 0, 0, 0, 1]) }
    },
  }
}

const silent: Logger = { enabled: () => false, log: () => {}, flush: () => {} } as unknown as Logger
const config = (priority: number): ReturnType<typeof loadKeepalivedConfig>['config'] => loadKeepalivedConfig('k.conf', memoryReader({
  'k.conf': `vrrp_instance VI_1 {\n state MASTER\n interface eth2\n virtual_router_id 51\n priority ${priority}\n advert_int 1\n authentication {\n  auth_type PASS\n  auth_pass 1111\n }\n virtual_ipaddress {\n  198.18.60.246/32\n }\n}\n`,
})).config
const host = [{ name: 'eth2', mac: '02:fa:00:00:00:01', addresses: [{ address: parseIPv4('198.18.60.11')!, mask: 0xffffff00, prefixLength: 24 }] }]
const vrrpPriorities = (a: FakeAddon): number[] => a.sent.filter((s) => s.h.protocol === 112).map((s) => s.data[20 + 2]!)

test('owner advertises at once; an unhealthy journal lowers the advertised priority; stop sends 0 and removes the VIP', async () => {
  const addon = new FakeAddon()
  const opened = VrrpService.open({ config: config(255), addon: addon.api, host, log: silent, ipPath: '/bin/true' })
  assert.ok(opened.ok)
  const svc = opened.service
  // receive + send raw 112 sockets, one AF_PACKET socket for GARPs opened up front
  assert.deepEqual(addon.handles.map((h) => [h.domain, h.type, h.protocol]), [[2, 3, 112], [2, 3, 112], [17, 3, 0]])
  svc.start()
  assert.deepEqual(svc.states(), [{ name: 'VI_1', state: 'master', priority: 255 }])
  assert.deepEqual(vrrpPriorities(addon), [255])
  assert.equal(decodeSockaddrIn(addon.sent[0]!.to!).address, 0xe0000012)

  let fail = true
  const journal = new HealthTrackingJournal({ commit: async () => { if (fail) throw new Error('EIO') } })
  journal.onChange((healthy) => svc.setServiceHealth({ transportUp: true, leaseStoreHealthy: healthy }))
  await assert.rejects(journal.commit([]))
  assert.equal(journal.healthy, false)
  assert.equal(svc.states()[0]!.priority, 155)
  fail = false
  await journal.commit([])
  assert.equal(svc.states()[0]!.priority, 255)

  await svc.vips.idle()
  const sentBefore = addon.sent.length
  await svc.stop()
  const after = addon.sent.slice(sentBefore).filter((s) => s.h.protocol === 112)
  assert.deepEqual(after.map((s) => s.data[22]), [0])
  assert.ok(svc.vips.stats.removes >= 2) // start-up clean-up + stop
  assert.ok(svc.vips.stats.adds >= 1)
  assert.ok(addon.handles.every((h) => h.closed))
  assert.match(svc.summary(), /^VRRP: VI_1 init: \d+ adverts sent, 0 received, 0 discarded, \d+ transitions; VIPs 1 added, 2 removed \(ip median [\d.]+ ms, max [\d.]+ ms\), \d+ gratuitous ARPs, 0 failures$/)
})

test('a missing interface is reported and nothing stays open', () => {
  const addon = new FakeAddon()
  const bad = loadKeepalivedConfig('k.conf', memoryReader({ 'k.conf': 'vrrp_instance VI_1 {\n interface eth9\n virtual_router_id 51\n priority 90\n virtual_ipaddress {\n  198.18.60.246/32\n }\n}\n' })).config
  const r = VrrpService.open({ config: bad, addon: addon.api, host, log: silent })
  assert.equal(r.ok, false)
  assert.match(r.ok ? '' : r.reason, /VI_1: interface eth9: ifinfo: No such device/)
  assert.ok(addon.handles.every((h) => h.closed))
})

test('operator override: a priority is advertised, step-down sends 0 and drops to FAULT, clearing restores', async () => {
  const addon = new FakeAddon()
  const opened = VrrpService.open({ config: config(255), addon: addon.api, host, log: silent, ipPath: '/bin/true' })
  assert.ok(opened.ok)
  const svc = opened.service
  svc.start()
  assert.equal(svc.setOverride('VI_9', 10), undefined)
  assert.equal(svc.setOverride('VI_1', 120), 120)
  let v = svc.views()[0]!
  assert.deepEqual([v.state, v.configuredPriority, v.effectivePriority, v.priorityOverride, v.healthReasons], ['MASTER', 255, 120, 120, ['operator-priority']])
  assert.deepEqual([v.vips, v.holdsVip, v.masterAddress], [['198.18.60.246/32'], true, '198.18.60.11'])
  const before = addon.sent.length
  assert.equal(svc.setOverride('VI_1', 'step-down'), 0)
  assert.deepEqual(addon.sent.slice(before).filter((s) => s.h.protocol === 112).map((s) => s.data[22]), [0])
  v = svc.views()[0]!
  assert.deepEqual([v.state, v.effectivePriority, v.priorityOverride, v.holdsVip], ['FAULT', 0, 'step-down', false])
  assert.equal(svc.setOverride('VI_1', undefined), 255)
  v = svc.views()[0]!
  assert.deepEqual([v.state, v.priorityOverride, v.healthReasons], ['MASTER', null, []])
  await svc.stop()
})

test('metrics read the running instances: state, priorities, adverts sent, discards by reason', async () => {
  const addon = new FakeAddon()
  const opened = VrrpService.open({ config: config(255), addon: addon.api, host, log: silent, ipPath: '/bin/true' })
  assert.ok(opened.ok)
  const svc = opened.service
  const metrics = new DaemonMetrics({ store: new InMemoryLeaseStore(), config: () => ({ subnets: [], failoverPeers: new Map() }) as unknown as ServerConfig, failover: () => [], vrrp: () => svc.snapshot() }, { defaultMetrics: false })
  svc.start()
  // A short packet on the receive socket (handle 0): discarded as malformed.
  addon.receivers.get(0)?.(undefined, Buffer.from([0x45, 0, 0]), Buffer.alloc(16), undefined)
  const text = await metrics.metricsText()
  const line = (prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix))
  assert.equal(line('hadhcpd_vrrp_state{vrrp_instance="VI_1",state="master"}'), 'hadhcpd_vrrp_state{vrrp_instance="VI_1",state="master"} 1')
  assert.equal(line('hadhcpd_vrrp_state{vrrp_instance="VI_1",state="backup"}'), 'hadhcpd_vrrp_state{vrrp_instance="VI_1",state="backup"} 0')
  assert.equal(line('hadhcpd_vrrp_effective_priority{'), 'hadhcpd_vrrp_effective_priority{vrrp_instance="VI_1"} 255')
  assert.match(line('hadhcpd_vrrp_adverts_sent_total{') ?? '', /} [1-9]\d*$/)
  assert.match(line('hadhcpd_vrrp_transitions_total{') ?? '', /} [1-9]\d*$/)
  assert.equal(line('hadhcpd_vrrp_adverts_dropped_total{'), 'hadhcpd_vrrp_adverts_dropped_total{vrrp_instance="VI_1",reason="malformed"} 1')
  await svc.vips.idle()
  await svc.stop()
})

test('links: the instance\'s interface down → FAULT (priority 0 sent, VIP dropped); back up → BACKUP again', async () => {
  const addon = new FakeAddon()
  const opened = VrrpService.open({ config: config(255), addon: addon.api, host, log: silent, ipPath: '/bin/true' })
  assert.ok(opened.ok)
  const svc = opened.service
  svc.setLinks(new Set(['lo', 'eth2']))
  svc.start()
  assert.equal(svc.states()[0]!.state, 'master')
  svc.setLinks(new Set(['lo']))
  assert.equal(svc.states()[0]!.state, 'fault')
  assert.equal(vrrpPriorities(addon).at(-1), 0)
  svc.setLinks(new Set(['lo', 'eth2']))
  assert.equal(svc.states()[0]!.state, 'master', 'a 255 owner comes back as MASTER at once')
  await svc.stop()
})

test('reload (SIGHUP): a new priority is advertised; a VRID change is reported and not applied', async () => {
  const addon = new FakeAddon()
  const lines: string[] = []
  const log = { enabled: () => true, log: (_l: string, id: string, text: string) => lines.push(`${id} ${text}`), flush: () => {} } as unknown as Logger
  const opened = VrrpService.open({ config: config(255), addon: addon.api, host, log, ipPath: '/bin/true' })
  assert.ok(opened.ok)
  const svc = opened.service
  svc.start()
  const changed = loadKeepalivedConfig('k.conf', memoryReader({
    'k.conf': `vrrp_instance VI_1 {\n state MASTER\n interface eth2\n virtual_router_id 52\n priority 120\n advert_int 1\n authentication {\n  auth_type PASS\n  auth_pass 1111\n }\n virtual_ipaddress {\n  198.18.60.246/32\n }\n}\n`,
  })).config
  const plan = svc.reload(changed)
  assert.deepEqual(plan.instances[0]!.applied, ['priority'])
  assert.deepEqual(plan.instances[0]!.restartNeeded, ['virtual_router_id'])
  assert.deepEqual(svc.states(), [{ name: 'VI_1', state: 'master', priority: 120 }])
  assert.equal(svc.runningConfig.instances[0]!.virtualRouterId, 51)
  assert.ok(lines.some((l) => l.startsWith('VRRP_RELOAD_NEEDS_RESTART VI_1: virtual_router_id changed')))
  assert.ok(lines.some((l) => l.startsWith('VRRP_RELOADED VI_1: applied priority (priority 120, effective 120, state MASTER)')))
  await svc.stop()
})
