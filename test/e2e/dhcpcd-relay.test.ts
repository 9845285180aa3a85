/**
 * dhcpcd on the direct link, and a client behind ISC dhcrelay:
 *
 *   cli (hder-c1, no address) ── br-b ── relay (hder-r1 198.18.31.1/24 | hder-r0 198.18.30.254/24) ── br-a ── srv (hder-s0 198.18.30.1/24)
 *   dcd (hder-d0, dhcpcd)     ── br-a
 *
 * The relayed client must get an address of 198.18.31.0/24 (selected by giaddr 198.18.31.1).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, directConf, waitFor, waitForLog } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'

const runnable = missingRequirements({ root: true, tools: ['ip'] }).length === 0
let lab: DhcpLab
let srvNs: string
let relayNs: string
let cliNs: string
let dcdNs: string
let server: LabProcess

const RELAYED_SUBNET = `
subnet 198.18.31.0 netmask 255.255.255.0 {
  option routers 198.18.31.1;
  range 198.18.31.100 198.18.31.200;
}`

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hde-r-')
  const a = lab.bridge('swa')
  const b = lab.bridge('swb')
  srvNs = lab.ns('srv')
  relayNs = lab.ns('relay')
  cliNs = lab.ns('cli')
  dcdNs = lab.ns('dcd')
  lab.link(a, srvNs, 'hder-s0', { address: '198.18.30.1/24' })
  lab.link(a, relayNs, 'hder-r0', { address: '198.18.30.254/24' })
  lab.link(b, relayNs, 'hder-r1', { address: '198.18.31.1/24' })
  lab.link(b, cliNs, 'hder-c1', { mac: '02:de:00:00:02:01' })
  lab.link(a, dcdNs, 'hder-d0', { mac: '02:de:00:00:02:02' })
  lab.ip(srvNs, ['route', 'add', '198.18.31.0/24', 'via', '198.18.30.254'])
  const conf = lab.file('dhcpd.conf', directConf(RELAYED_SUBNET))
  server = await lab.startServer(srvNs, { conf, leases: `${lab.dir}/dhcpd.leases`, ifaces: ['hder-s0'], log: 'server.log' })
})

after(async () => {
  if (!runnable) return
  rmSync('/var/lib/dhcpcd/hder-d0.lease', { force: true })
  await lab.destroy()
})

test('dhcpcd obtains a lease', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: ['ip', 'dhcpcd'] })) return
  // Pitfalls (docs/raw-sockets-vrrp-clients.md §4): a unique interface name, its lease file on
  // the shared filesystem removed before and after, --noconfigure, never -T.
  rmSync('/var/lib/dhcpcd/hder-d0.lease', { force: true })
  const hook = lab.hook('dhcpcd')
  const empty = lab.file('dhcpcd.conf', '')
  const r = await lab.run(dcdNs, ['dhcpcd', '-4', '-1', '-B', '-d', '--noconfigure', '-f', empty, '-c', hook.script, '-L', '-A', '-K', '-t', '15', 'hder-d0'], 'dhcpcd.out', 25_000)
  assert.equal(r.code, 0, r.output)
  const b = hook.records().find((h) => h['reason'] === 'BOUND')
  assert.match(b?.['new_ip_address'] ?? '', /^198\.18\.30\.(1\d\d|200)$/, JSON.stringify(hook.records()))
  await waitForLog(server, /DHCPACK on 198\.18\.30\.\d+ to 02:de:00:00:02:02 via hder-s0/)
})

test('a client behind dhcrelay gets a lease from the subnet its giaddr selects', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: ['ip', 'dhcrelay', 'udhcpc'] })) return
  const relay = lab.start(relayNs, ['dhcrelay', '-4', '-d', '-iu', 'hder-r0', '-id', 'hder-r1', '198.18.30.1'], 'dhcrelay.out')
  await waitFor('dhcrelay listening', 10_000, () => (/Sending on|Listening on/.test(relay.output()) ? true : undefined))
  const hook = lab.hook('relayed')
  const r = await lab.run(cliNs, ['udhcpc', '-i', 'hder-c1', '-f', '-q', '-n', '-t', '5', '-T', '2', '-A', '1', '-s', hook.script], 'relayed.out', 25_000)
  assert.equal(r.code, 0, `${r.output}\n${relay.output()}`)
  const b = hook.records().find((h) => h['arg'] === 'bound')
  assert.match(b?.['ip'] ?? '', /^198\.18\.31\.(1\d\d|200)$/)
  assert.equal(b?.['serverid'], '198.18.30.1')
  await waitForLog(server, /DHCPACK on 198\.18\.31\.\d+ to 02:de:00:00:02:01 via 198\.18\.31\.1/)
  await relay.stop(2000)
})
