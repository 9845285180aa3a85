/**
 * The AF_PACKET transport with real clients (dhclient, udhcpc, dhcpcd) on a direct link,
 * 198.18.40.0/24: each gets a lease, and the OFFER/ACK reach it as L2 unicast frames (to its
 * MAC, IP destination = yiaddr), checked on a capture taken in the client's namespace and in
 * the server's reply-route log. A second server namespace serves two links (198.18.40.0/24
 * and 198.18.41.0/24) and hands each client an address of its own link's subnet.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, rmSync } from 'node:fs'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, DHCLIENT_CONF, waitFor, waitForLog } from '../helpers/dhcp-lab.js'
import { readPcap } from '../helpers/pcap.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { decodeUdpFrame } from '../../src/protocol/l2/udp-frame.js'
import { formatMac } from '../../src/protocol/l2/ethernet.js'
import { formatIPv4 } from '../../src/lib/ip.js'

const TOOLS = ['ip', 'tcpdump', 'dhclient', 'udhcpc', 'dhcpcd']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
let lab: DhcpLab
let cliNs: string
let server: LabProcess
const DHCPCD_IF = 'hrwp-d0'

function conf(subnets: readonly string[]): string {
  return `authoritative;
ddns-update-style none;
default-lease-time 600;
max-lease-time 600;
ping-check false;
${subnets.map((n) => `subnet ${n}.0 netmask 255.255.255.0 {
  option routers ${n}.1;
  range ${n}.100 ${n}.150;
}`).join('\n')}
`
}

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hrw-p-')
  const br = lab.bridge('sw')
  const srvNs = lab.ns('srv')
  cliNs = lab.ns('cli')
  lab.link(br, srvNs, 'hrwp-s0', { address: '198.18.40.1/24' })
  lab.link(br, cliNs, 'hrwp-c0', { mac: '02:4e:00:00:00:01' })
  server = await lab.startServer(srvNs, {
    conf: lab.file('dhcpd.conf', conf(['198.18.40'])),
    leases: `${lab.dir}/dhcpd.leases`,
    ifaces: ['hrwp-s0'],
    log: 'server.log',
    env: { HADHCPD_LOG_LEVEL: 'debug' },
    args: ['--transport', 'packet'],
  })
})

after(async () => {
  if (!runnable) return
  rmSync(`/var/lib/dhcpcd/${DHCPCD_IF}.lease`, { force: true })
  await lab.destroy()
})

/** Captures UDP port 68 in the client namespace while `body` runs; returns the frames. */
async function captured(ns: string, iface: string, name: string, body: () => Promise<void>): Promise<Buffer[]> {
  const file = `${lab.dir}/${name}.pcap`
  const dump = lab.start(ns, ['tcpdump', '-i', iface, '--immediate-mode', '-U', '-n', '-w', file, 'udp port 68'], `${name}.tcpdump`)
  await waitFor('tcpdump listening', 10_000, () => (/listening on/.test(dump.output()) ? true : undefined))
  try {
    await body()
  } finally {
    await new Promise((r) => setTimeout(r, 300))
    await dump.stop(2000)
  }
  return existsSync(file) ? readPcap(file).records.map((r) => r.data) : []
}

/** The server's replies in a capture: all L2 unicast to `mac`, IP destination = the lease. */
function assertUnicastReplies(frames: readonly Buffer[], mac: string, address: string): void {
  const replies = frames.map((f) => decodeUdpFrame(f)).filter((f) => f.srcPort === 67 && f.dstPort === 68)
  assert.ok(replies.length >= 2, `OFFER and ACK captured (${replies.length} replies)`)
  for (const r of replies) {
    assert.equal(formatMac(r.dstMac), mac, 'destination MAC is the client\'s')
    assert.equal(formatIPv4(r.dst), address, 'IP destination is yiaddr')
    assert.equal(formatIPv4(r.src), '198.18.40.1')
    assert.equal(r.checksumVerified, true, 'the UDP checksum we computed verifies')
  }
}

test('the server says it runs the packet transport', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  await waitForLog(server, /Using the packet \(AF_PACKET\) transport/)
  await waitForLog(server, /Listening on LPF\/hrwp-s0\/[0-9a-f:]{17}\/198\.18\.40\.0\/24/)
})

test('udhcpc gets a lease by L2 unicast', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const mac = '02:4e:00:00:00:01'
  lab.ip(cliNs, ['link', 'set', 'hrwp-c0', 'address', mac])
  const hook = lab.hook('udhcpc')
  let code: number | null = null
  const frames = await captured(cliNs, 'hrwp-c0', 'udhcpc', async () => {
    const r = await lab.run(cliNs, ['udhcpc', '-i', 'hrwp-c0', '-f', '-q', '-n', '-t', '4', '-T', '2', '-A', '1', '-s', hook.script], 'udhcpc.out', 20_000)
    code = r.code
  })
  assert.equal(code, 0)
  const ip = hook.records().find((h) => h['arg'] === 'bound')?.['ip'] ?? ''
  assert.match(ip, /^198\.18\.40\.1[0-5]\d$/)
  assertUnicastReplies(frames, mac, ip)
  await waitForLog(server, new RegExp(`reply via hrwp-s0: L2 unicast to ${mac} ${ip.replace(/\./g, '\\.')}:68`))
})

test('a renewal sent by the client\'s kernel (checksum left to offload on the veth) is accepted', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  // udhcpc renews from an ordinary UDP socket: the frame leaves the client's kernel with a
  // partial checksum, and the server's packet socket sees TP_STATUS_CSUMNOTREADY.
  const mac = '02:4e:00:00:00:04'
  lab.ip(cliNs, ['link', 'set', 'hrwp-c0', 'address', mac])
  const hook = lab.hook('renew', true)
  const client = lab.start(cliNs, ['udhcpc', '-i', 'hrwp-c0', '-f', '-t', '4', '-T', '2', '-A', '1', '-s', hook.script], 'renew.out')
  try {
    const bound = await waitFor('udhcpc bound', 15_000, () => hook.records().find((h) => h['arg'] === 'bound'))
    const ip = bound['ip'] ?? ''
    client.signalGroup('SIGUSR1')
    const renewed = await waitFor('udhcpc renew', 10_000, () => hook.records().find((h) => h['arg'] === 'renew'))
    assert.equal(renewed['ip'], ip)
    const esc = ip.replace(/\./g, '\\.')
    await waitForLog(server, new RegExp(`frame on hrwp-s0 from ${esc}:68: UDP checksum left to offload`))
    await waitForLog(server, new RegExp(`DHCPREQUEST for ${esc} from ${mac} via hrwp-s0`))
    assert.doesNotMatch(server.output(), /malformed frame/)
  } finally {
    await client.stop(2000)
    lab.ip(cliNs, ['addr', 'flush', 'dev', 'hrwp-c0'])
  }
})

test('dhclient gets a lease by L2 unicast', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const mac = '02:4e:00:00:00:02'
  lab.ip(cliNs, ['link', 'set', 'hrwp-c0', 'address', mac])
  const hook = lab.hook('dhclient')
  const cf = lab.file('dhclient.conf', DHCLIENT_CONF)
  let client: LabProcess | undefined
  let ip = ''
  const frames = await captured(cliNs, 'hrwp-c0', 'dhclient', async () => {
    client = lab.start(cliNs, ['dhclient', '-4', '-1', '-d', '-v', '-cf', cf, '-sf', hook.script, '-lf', `${lab.dir}/dhclient.leases`, '-pf', `${lab.dir}/dhclient.pid`, 'hrwp-c0'], 'dhclient.out')
    const b = await waitFor('dhclient BOUND', 20_000, () => hook.records().find((r) => r['reason'] === 'BOUND'))
    ip = b['new_ip_address'] ?? ''
  })
  await client?.stop(2000)
  assert.match(ip, /^198\.18\.40\.1[0-5]\d$/)
  assertUnicastReplies(frames, mac, ip)
})

test('dhcpcd gets a lease by L2 unicast', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  // dhcpcd keeps its lease file on the shared filesystem, named after the interface.
  const mac = '02:4e:00:00:00:03'
  lab.ip(cliNs, ['link', 'set', 'hrwp-c0', 'name', DHCPCD_IF])
  lab.ip(cliNs, ['link', 'set', DHCPCD_IF, 'address', mac])
  lab.ip(cliNs, ['link', 'set', DHCPCD_IF, 'up'])
  rmSync(`/var/lib/dhcpcd/${DHCPCD_IF}.lease`, { force: true })
  const hook = lab.hook('dhcpcd')
  const empty = lab.file('dhcpcd.conf', '')
  let code: number | null = null
  let out = ''
  const frames = await captured(cliNs, DHCPCD_IF, 'dhcpcd', async () => {
    const r = await lab.run(cliNs, ['dhcpcd', '-4', '-1', '-B', '-d', '--noconfigure', '-f', empty, '-c', hook.script, '-L', '-A', '-K', '-t', '15', DHCPCD_IF], 'dhcpcd.out', 25_000)
    code = r.code
    out = r.output
  })
  rmSync(`/var/lib/dhcpcd/${DHCPCD_IF}.lease`, { force: true })
  assert.equal(code, 0, out)
  const ip = hook.records().find((h) => h['reason'] === 'BOUND')?.['new_ip_address'] ?? ''
  assert.match(ip, /^198\.18\.40\.1[0-5]\d$/)
  assertUnicastReplies(frames, mac, ip)
})

test('one server on two links serves each client from its own link\'s subnet', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const brA = lab.bridge('swa')
  const brB = lab.bridge('swb')
  const srv = lab.ns('msrv')
  const a = lab.ns('mca')
  const b = lab.ns('mcb')
  lab.link(brA, srv, 'hrwm-s0', { address: '198.18.40.1/24' })
  lab.link(brB, srv, 'hrwm-s1', { address: '198.18.41.1/24' })
  lab.link(brA, a, 'hrwm-a0', { mac: '02:4e:00:00:01:0a' })
  lab.link(brB, b, 'hrwm-b0', { mac: '02:4e:00:00:01:0b' })
  const multi = await lab.startServer(srv, {
    conf: lab.file('multi.conf', conf(['198.18.40', '198.18.41'])),
    leases: `${lab.dir}/multi.leases`,
    ifaces: ['hrwm-s0', 'hrwm-s1'],
    log: 'multi.log',
  })
  const get = async (ns: string, iface: string, name: string): Promise<Record<string, string>> => {
    const hook = lab.hook(name)
    const r = await lab.run(ns, ['udhcpc', '-i', iface, '-f', '-q', '-n', '-t', '4', '-T', '2', '-A', '1', '-s', hook.script], `${name}.out`, 20_000)
    assert.equal(r.code, 0, `${r.output}\n${multi.output()}`)
    return hook.records().find((h) => h['arg'] === 'bound') ?? {}
  }
  const [ra, rb] = await Promise.all([get(a, 'hrwm-a0', 'multi-a'), get(b, 'hrwm-b0', 'multi-b')])
  assert.match(ra['ip'] ?? '', /^198\.18\.40\.1[0-5]\d$/)
  assert.equal(ra['serverid'], '198.18.40.1')
  assert.match(rb['ip'] ?? '', /^198\.18\.41\.1[0-5]\d$/)
  assert.equal(rb['serverid'], '198.18.41.1')
  await waitForLog(multi, /DHCPACK on 198\.18\.40\.\d+ to 02:4e:00:00:01:0a via hrwm-s0/)
  await waitForLog(multi, /DHCPACK on 198\.18\.41\.\d+ to 02:4e:00:00:01:0b via hrwm-s1/)
})

test('an interface deleted and created again is served again (new index, packet socket reopened)', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const br = lab.bridge('swr')
  const srv = lab.ns('rsrv')
  const cli = lab.ns('rcli')
  lab.link(br, srv, 'hrwr-s0', { address: '198.18.40.1/24' })
  lab.link(br, cli, 'hrwr-c0', { mac: '02:4e:00:00:02:01' })
  const s = await lab.startServer(srv, {
    conf: lab.file('recreate.conf', conf(['198.18.40'])),
    leases: `${lab.dir}/recreate.leases`,
    ifaces: ['hrwr-s0'],
    log: 'recreate.log',
  })
  const before = lab.ip(srv, ['-o', 'link', 'show', 'hrwr-s0']).split(':')[0]
  lab.ip(srv, ['link', 'del', 'hrwr-s0'])
  lab.link(br, srv, 'hrwr-s0', { address: '198.18.40.1/24' })
  const after = lab.ip(srv, ['-o', 'link', 'show', 'hrwr-s0']).split(':')[0]
  assert.notEqual(after, before, 'the new interface has a new index')
  await waitForLog(s, /interface hrwr-s0 changed \(index \d+ → \d+.*packet socket reopened/, 12_000)
  const hook = lab.hook('recreated')
  const r = await lab.run(cli, ['udhcpc', '-i', 'hrwr-c0', '-f', '-q', '-n', '-t', '4', '-T', '2', '-A', '1', '-s', hook.script], 'recreated.out', 20_000)
  assert.equal(r.code, 0, `${r.output}\n${s.output()}`)
  assert.match(hook.records().find((h) => h['arg'] === 'bound')?.['ip'] ?? '', /^198\.18\.40\.1[0-5]\d$/)
})
