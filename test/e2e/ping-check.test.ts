/**
 * ping-check against a squatter: two addresses of a three-address pool (198.18.41.100-102)
 * are configured by hand on another host of the link. Real clients never receive them: the
 * server pings before offering, abandons what answers (ISC's log line) and offers the free
 * one; once only squatted addresses remain, the next client gets no offer at all.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, waitForLog } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'

const TOOLS = ['ip', 'udhcpc']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
let lab: DhcpLab
let cliNs: string
let server: LabProcess
let leases: string

const CONF = `authoritative;
ddns-update-style none;
default-lease-time 600;
max-lease-time 600;
ping-check true;
ping-timeout-ms 300;
subnet 198.18.41.0 netmask 255.255.255.0 {
  range 198.18.41.100 198.18.41.102;
}
`

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hrw-q-')
  const br = lab.bridge('sw')
  const srvNs = lab.ns('srv')
  cliNs = lab.ns('cli')
  const squatter = lab.ns('sq')
  lab.link(br, srvNs, 'hrwq-s0', { address: '198.18.41.1/24' })
  lab.link(br, cliNs, 'hrwq-c0', { mac: '02:4f:00:00:00:01' })
  lab.link(br, squatter, 'hrwq-q0', { address: '198.18.41.100/24' })
  lab.ip(squatter, ['addr', 'add', '198.18.41.102/24', 'dev', 'hrwq-q0'])
  leases = `${lab.dir}/dhcpd.leases`
  server = await lab.startServer(srvNs, { conf: lab.file('dhcpd.conf', CONF), leases, ifaces: ['hrwq-s0'], log: 'server.log' })
})

after(async () => {
  if (runnable) await lab.destroy()
})

async function udhcpc(mac: string, name: string): Promise<{ code: number | null; ip: string | undefined }> {
  lab.ip(cliNs, ['link', 'set', 'hrwq-c0', 'address', mac])
  const hook = lab.hook(name)
  const r = await lab.run(cliNs, ['udhcpc', '-i', 'hrwq-c0', '-f', '-q', '-n', '-t', '3', '-T', '2', '-A', '1', '-s', hook.script], `${name}.out`, 20_000)
  return { code: r.code, ip: hook.records().find((h) => h['arg'] === 'bound')?.['ip'] }
}

test('a client is offered the free address, never a squatted one', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  await waitForLog(server, /Using the packet \(AF_PACKET\) transport/)
  const first = await udhcpc('02:4f:00:00:00:01', 'first')
  assert.equal(first.code, 0)
  assert.equal(first.ip, '198.18.41.101')
  await waitForLog(server, /Abandoning IP address 198\.18\.41\.100: pinged before offer/)
  assert.doesNotMatch(server.output(), /DHCPOFFER on 198\.18\.41\.10[02] /)
})

test('with only squatted addresses left, the next client gets nothing', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const second = await udhcpc('02:4f:00:00:00:02', 'second')
  assert.notEqual(second.code, 0)
  assert.equal(second.ip, undefined)
  await waitForLog(server, /Abandoning IP address 198\.18\.41\.102: pinged before offer/)
  assert.doesNotMatch(server.output(), /DHCPOFFER on 198\.18\.41\.10[02] /)
  assert.doesNotMatch(server.output(), /DHCPACK on 198\.18\.41\.10[02] /)
  const file = readFileSync(leases, 'utf8')
  for (const a of ['198.18.41.100', '198.18.41.102']) {
    const blocks = file.split(/(?=^lease )/m).filter((b) => b.startsWith(`lease ${a} `))
    assert.match(blocks.at(-1) ?? '', /binding state abandoned;/, `${a} is abandoned in the lease file`)
  }
})

test('DISCOVERs retransmitted during a 3 s ping-check start no second check', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const br = lab.bridge('swr')
  const srv = lab.ns('rsrv')
  const cli = lab.ns('rcli')
  lab.link(br, srv, 'hrwq-s1', { address: '198.18.41.1/24' })
  lab.link(br, cli, 'hrwq-c1', { mac: '02:4f:00:00:01:01' })
  const slow = await lab.startServer(srv, {
    conf: lab.file('slow.conf', CONF.replace('ping-timeout-ms 300;', 'ping-timeout 3;')),
    leases: `${lab.dir}/slow.leases`,
    ifaces: ['hrwq-s1'],
    log: 'slow.log',
    env: { HADHCPD_LOG_LEVEL: 'debug' },
  })
  // udhcpc repeats its DISCOVER every second (-T 1) while the server pings for three.
  const hook = lab.hook('slow')
  const r = await lab.run(cli, ['udhcpc', '-i', 'hrwq-c1', '-f', '-q', '-n', '-t', '8', '-T', '1', '-A', '1', '-s', hook.script], 'slow.out', 25_000)
  assert.equal(r.code, 0, `${r.output}\n${slow.output()}`)
  assert.equal(hook.records().find((h) => h['arg'] === 'bound')?.['ip'], '198.18.41.100')
  await waitForLog(slow, /DHCPACK on 198\.18\.41\.100 to 02:4f:00:00:01:01/)
  assert.match(slow.output(), /ping-check of 198\.18\.41\.100 in progress, retransmission dropped/)
  assert.equal(slow.output().match(/DHCPOFFER on /g)?.length, 1, 'one offer, after one check')
})
