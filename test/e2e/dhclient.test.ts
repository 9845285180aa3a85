/**
 * ISC dhclient against hadhcpd on a direct link (198.18.30.0/24), 20 s leases:
 * obtain, renew (unicast REQUEST at T1 = 10 s, a second ACK), release (-r), NAK for a stale
 * lease from another network (authoritative), and INIT-REBOOT after a server restart (the
 * lease survived in dhcpd.leases, so the REQUEST is ACKed without a DISCOVER).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DHCLIENT_CONF, DhcpLab, directConf, waitFor, waitForLog, type HookRecord } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'

const TOOLS = ['ip', 'dhclient']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
const IFACE = 'hdec-c0'
let lab: DhcpLab
let srvNs: string
let cliNs: string
let conf: string
let leases: string
let dhclientConf: string
let server: LabProcess

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hde-c-')
  const br = lab.bridge('sw')
  srvNs = lab.ns('srv')
  cliNs = lab.ns('cli')
  lab.link(br, srvNs, 'hdec-s0', { address: '198.18.30.1/24' })
  lab.link(br, cliNs, IFACE, { mac: '02:de:00:00:01:01' })
  conf = lab.file('dhcpd.conf', directConf('', 20))
  leases = `${lab.dir}/dhcpd.leases`
  dhclientConf = lab.file('dhclient.conf', DHCLIENT_CONF)
  server = await lab.startServer(srvNs, { conf, leases, ifaces: ['hdec-s0'], log: 'server.log' })
})

after(async () => {
  if (runnable) await lab.destroy()
})

function dhclient(name: string, script: string, extra: string[] = []): string[] {
  return ['dhclient', '-4', '-d', '-v', '-cf', dhclientConf, '-sf', script, '-lf', `${lab.dir}/${name}.leases`, '-pf', `${lab.dir}/${name}.pid`, ...extra, IFACE]
}

const bound = (records: HookRecord[]): HookRecord | undefined =>
  records.find((r) => ['BOUND', 'REBOOT'].includes(r['reason'] ?? ''))

const esc = (s: string): string => s.replace(/\./g, '\\.')

test('dhclient obtains, renews (second ACK at T1) and releases (-r)', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const hook = lab.hook('dhclient-a', true)
  const client = lab.start(cliNs, dhclient('a', hook.script), 'dhclient-a.out')
  try {
    const b = await waitFor('dhclient BOUND', 20_000, () => bound(hook.records()))
    const ip = b['new_ip_address']!
    assert.match(ip, /^198\.18\.30\.(1\d\d|200)$/)
    assert.equal(b['new_dhcp_server_identifier'], '198.18.30.1')
    assert.equal(b['new_dhcp_lease_time'], '20')
    // T1 = 10 s: a RENEWING REQUEST, unicast from the bound address, and a second ACK.
    const renew = await waitFor('dhclient RENEW', 20_000, () => hook.records().find((r) => r['reason'] === 'RENEW'))
    assert.equal(renew['new_ip_address'], ip)
    const ackCount = (): number => (server.output().match(new RegExp(`DHCPACK on ${esc(ip)} to 02:de:00:00:01:01`, 'g')) ?? []).length
    await waitFor('a second DHCPACK', 5000, () => (ackCount() >= 2 ? true : undefined))
    // -r: stops the running dhclient (pid file) and sends DHCPRELEASE.
    const r = await lab.run(cliNs, dhclient('a', hook.script, ['-r']), 'dhclient-a-release.out', 15_000)
    assert.equal(r.code, 0, r.output)
    await waitFor('DHCPRELEASE', 5000, () => (server.output().includes(`DHCPRELEASE of ${ip} from 02:de:00:00:01:01`) ? true : undefined))
    await waitForLog(server, new RegExp(`DHCPRELEASE of ${esc(ip)} from 02:de:00:00:01:01 via hdec-s0 \\(found\\)`))
  } finally {
    await client.stop(2000)
    lab.ip(cliNs, ['addr', 'flush', 'dev', IFACE])
  }
})

test('authoritative: a stale lease from another network is NAKed, then the client gets a new one', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  lab.ip(cliNs, ['link', 'set', IFACE, 'address', '02:de:00:00:01:02'])
  lab.file('nak.leases', `lease {
  interface "${IFACE}";
  fixed-address 198.18.99.50;
  option subnet-mask 255.255.255.0;
  option dhcp-server-identifier 198.18.99.1;
  option dhcp-lease-time 86400;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
`)
  const hook = lab.hook('dhclient-nak')
  const client = lab.start(cliNs, dhclient('nak', hook.script), 'dhclient-nak.out')
  try {
    await waitFor('DHCPNAK in the server log', 15_000, () => (server.output().includes('DHCPNAK on 198.18.99.50 to 02:de:00:00:01:02') ? true : undefined))
    const b = await waitFor('dhclient BOUND after the NAK', 25_000, () => bound(hook.records()))
    assert.match(b['new_ip_address'] ?? '', /^198\.18\.30\./)
  } finally {
    await client.stop(2000)
  }
})

test('INIT-REBOOT after a server restart gets the same address (lease survived in dhcpd.leases)', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  lab.ip(cliNs, ['link', 'set', IFACE, 'address', '02:de:00:00:01:03'])
  const hook1 = lab.hook('dhclient-r1')
  const first = lab.start(cliNs, dhclient('r', hook1.script), 'dhclient-r1.out')
  const b1 = await waitFor('first BOUND', 20_000, () => bound(hook1.records()))
  await first.stop(2000) // SIGTERM: dhclient exits without releasing, its lease file keeps the lease
  const ip = b1['new_ip_address']!

  const status = await server.stop(5000)
  assert.equal(status.code, 0, 'SIGTERM is a clean exit')
  server = await lab.startServer(srvNs, { conf, leases, ifaces: ['hdec-s0'], log: 'server-2.log' })

  const hook2 = lab.hook('dhclient-r2')
  const second = lab.start(cliNs, dhclient('r', hook2.script), 'dhclient-r2.out')
  try {
    const b2 = await waitFor('BOUND/REBOOT after restart', 20_000, () => bound(hook2.records()))
    assert.equal(b2['new_ip_address'], ip)
    assert.equal(b2['reason'], 'REBOOT', 'dhclient used INIT-REBOOT')
    await waitForLog(server, new RegExp(`DHCPACK on ${esc(ip)} to 02:de:00:00:01:03`))
    const log = server.output()
    assert.match(log, new RegExp(`DHCPREQUEST for ${esc(ip)} from 02:de:00:00:01:03`))
    assert.match(log, new RegExp(`DHCPACK on ${esc(ip)} to 02:de:00:00:01:03`))
    assert.doesNotMatch(log, /DHCPDISCOVER from 02:de:00:00:01:03/, 'no DISCOVER was needed')
  } finally {
    await second.stop(2000)
  }
})
