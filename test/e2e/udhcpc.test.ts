/**
 * busybox udhcpc against hadhcpd on a direct link (198.18.30.0/24): a lease, its release
 * (-R), and the host reservation of seed 001 (`host DHCPc { hardware ethernet
 * 08:00:27:d9:45:96; fixed-address 10.0.10.9; }` rewritten to 198.18.30.9).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, directConf, waitFor, waitForLog } from '../helpers/dhcp-lab.js'

const TOOLS = ['ip', 'udhcpc']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
let lab: DhcpLab
let srvNs: string
let cliNs: string
let leases: string
let serverLog: () => string

const SEED_001_HOST = `
group {
  host DHCPc {
    hardware ethernet 08:00:27:d9:45:96;
    fixed-address 198.18.30.9;
  }
}`

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hde-u-')
  const br = lab.bridge('sw')
  srvNs = lab.ns('srv')
  cliNs = lab.ns('cli')
  lab.link(br, srvNs, 'hdeu-s0', { address: '198.18.30.1/24' })
  lab.link(br, cliNs, 'hdeu-c0', { mac: '02:de:00:00:00:01' })
  const conf = lab.file('dhcpd.conf', directConf(SEED_001_HOST))
  leases = `${lab.dir}/dhcpd.leases`
  const srv = await lab.startServer(srvNs, { conf, leases, ifaces: ['hdeu-s0'], log: 'server.log' })
  serverLog = () => srv.output()
})

after(async () => {
  if (runnable) await lab.destroy()
})

const udhcpc = (iface: string, script: string, extra: string[] = []): string[] =>
  ['udhcpc', '-i', iface, '-f', '-q', '-n', '-t', '4', '-T', '2', '-A', '1', '-s', script, ...extra]

test('udhcpc obtains a lease, renews it (SIGUSR1) and releases it (SIGUSR2)', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  // busybox 1.35 with -q exits without sending the -R release, so run it as a daemon in the
  // foreground and drive it with its signals. The hook puts the address on the interface:
  // renew and release are unicast from the bound address.
  const hook = lab.hook('udhcpc-obtain', true)
  const client = lab.start(cliNs, ['udhcpc', '-i', 'hdeu-c0', '-f', '-t', '4', '-T', '2', '-A', '1', '-s', hook.script], 'udhcpc-obtain.out')
  const bound = await waitFor('udhcpc bound', 15_000, () => hook.records().find((h) => h['arg'] === 'bound'))
  const ip = bound['ip']!
  assert.match(ip, /^198\.18\.30\.(1\d\d|200)$/)
  assert.equal(bound['serverid'], '198.18.30.1')
  const esc = ip.replace(/\./g, '\\.')
  await waitForLog({ output: serverLog }, new RegExp(`DHCPACK on ${esc} to 02:de:00:00:00:01 via hdeu-s0`))

  client.signalGroup('SIGUSR1')
  const renewed = await waitFor('udhcpc renew', 10_000, () => hook.records().find((h) => h['arg'] === 'renew'))
  assert.equal(renewed['ip'], ip, 'renewal keeps the address')
  await waitForLog({ output: serverLog }, new RegExp(`DHCPREQUEST for ${esc} from 02:de:00:00:00:01 via hdeu-s0`))

  client.signalGroup('SIGUSR2')
  await waitFor('DHCPRELEASE in the server log', 5000, () => (serverLog().includes(`DHCPRELEASE of ${ip} from 02:de:00:00:00:01`) ? true : undefined))
  await waitForLog({ output: serverLog }, new RegExp(`DHCPRELEASE of ${esc} from 02:de:00:00:00:01 via hdeu-s0 \\(found\\)`))
  await client.stop(2000)
  const file = readFileSync(leases, 'utf8')
  const blocks = file.split(/(?=^lease )/m).filter((b) => b.startsWith(`lease ${ip} `))
  assert.match(blocks.at(-1) ?? '', /binding state free;/, 'the last record of the address says free')
})

test('udhcpc -q obtains a lease and exits', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  lab.ip(cliNs, ['link', 'set', 'hdeu-c0', 'address', '02:de:00:00:00:02'])
  const hook = lab.hook('udhcpc-q')
  const r = await lab.run(cliNs, udhcpc('hdeu-c0', hook.script), 'udhcpc-q.out', 20_000)
  assert.equal(r.code, 0, r.output)
  const bound = hook.records().find((h) => h['arg'] === 'bound')
  assert.match(bound?.['ip'] ?? '', /^198\.18\.30\.(1\d\d|200)$/)
  await waitForLog({ output: serverLog }, /DHCPACK on \S+ to 02:de:00:00:00:02 via hdeu-s0/)
})

test('host reservation from seed 001 gets its fixed address', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  lab.ip(cliNs, ['link', 'set', 'hdeu-c0', 'address', '08:00:27:d9:45:96'])
  try {
    const hook = lab.hook('udhcpc-host')
    const r = await lab.run(cliNs, udhcpc('hdeu-c0', hook.script), 'udhcpc-host.out', 20_000)
    assert.equal(r.code, 0, r.output)
    const bound = hook.records().find((h) => h['arg'] === 'bound')
    assert.equal(bound?.['ip'], '198.18.30.9')
    await waitForLog({ output: serverLog }, /DHCPACK on 198\.18\.30\.9 to 08:00:27:d9:45:96/)
  } finally {
    lab.ip(cliNs, ['link', 'set', 'hdeu-c0', 'address', '02:de:00:00:00:01'])
  }
})
