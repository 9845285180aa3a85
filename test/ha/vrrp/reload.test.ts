/** SIGHUP plan for keepalived.conf: what is applied in place and what needs a restart. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadKeepalivedConfig } from '../../../src/config/keepalived/index.js'
import { memoryReader } from '../../../src/config/source-reader.js'
import { planReload } from '../../../src/ha/vrrp/reload.js'

const conf = (o: { priority?: number; vip?: string; vrid?: number; pass?: string; iface?: string; extra?: string; name?: string } = {}): string => `
vrrp_instance ${o.name ?? 'VI_1'} {
    state BACKUP
    interface ${o.iface ?? 'eth0'}
    virtual_router_id ${o.vrid ?? 51}
    priority ${o.priority ?? 90}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass ${o.pass ?? '1111'}
    }
    virtual_ipaddress {
        ${o.vip ?? '198.18.50.100/32'}
    }
${o.extra ?? ''}}
`
const load = (text: string) => loadKeepalivedConfig('k.conf', memoryReader({ 'k.conf': text })).config

test('reload: an unchanged file applies nothing', () => {
  const p = planReload(load(conf()), load(conf()))
  assert.deepEqual(p.instances.map((i) => [i.applied, i.restartNeeded]), [[[], []]])
  assert.deepEqual([p.added, p.removed], [[], []])
})

test('reload: priority, auth, VIPs and track_interface are applied', () => {
  const p = planReload(load(conf()), load(conf({ priority: 120, pass: 'abcd', vip: '198.18.50.101/32', extra: '    track_interface {\n        eth1 weight -30\n    }\n' })))
  const r = p.instances[0]!
  assert.deepEqual(r.applied, ['priority', 'authentication', 'virtual_ipaddress', 'track_interface'])
  assert.deepEqual(r.restartNeeded, [])
  assert.equal(r.instance.priority, 120)
  assert.equal(r.instance.authPass, 'abcd')
  assert.equal(r.instance.virtualAddresses[0]?.address, 0xc6123265)
})

test('reload: interface and VRID changes are reported and keep the running values', () => {
  const p = planReload(load(conf()), load(conf({ vrid: 52, iface: 'eth9', priority: 91 })))
  const r = p.instances[0]!
  assert.deepEqual(r.restartNeeded, ['interface', 'virtual_router_id'])
  assert.deepEqual(r.applied, ['priority'])
  assert.equal(r.instance.virtualRouterId, 51)
  assert.equal(r.instance.interface, 'eth0')
  assert.equal(r.instance.priority, 91)
})

test('reload: added and removed instances are reported, not started or stopped', () => {
  const p = planReload(load(conf()), load(conf({ name: 'VI_2' })))
  assert.deepEqual([p.added, p.removed, p.instances.length], [['VI_2'], ['VI_1'], 0])
})
