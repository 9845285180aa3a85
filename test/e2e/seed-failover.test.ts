/**
 * Seed 000's primary config (failover peer "oob", 16 ranges in one failover pool,
 * ping-check) rewritten from 10.223.0.0/20 into 198.18.0.0/20. Its `authorized;` typo is
 * written as `authoritative;` (dhcpd rejects the typo). The peer never answers; like dhcpd, a
 * server with no recorded state would sit in RECOVER and serve nothing, so the lease file is
 * pre-seeded as operators do for a lone server (`my state partner-down;`, failover-protocol.md
 * §3.2). After the 15 s STARTUP the primary allocates free addresses, and lease times are capped
 * at the MCLT (3600 s) beyond what the peer knows.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, waitForLog } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'

const TOOLS = ['ip', 'udhcpc']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
let lab: DhcpLab
let cliNs: string
let server: LabProcess

const ranges = Array.from({ length: 16 }, (_, i) => `      range 198.18.${i}.11 198.18.${i}.240;`).join('\n')
const SEED_000_PRIMARY = `ddns-update-style interim;
log-facility local6;
authoritative;
ping-check true;
ping-timeout 3;
default-lease-time 86400;
max-lease-time 86400;

failover peer "oob" {
  primary;
  split 128;
  mclt 3600;
  address 198.18.0.244;
  port 647;
  peer address 198.18.0.245;
  peer port 647;
  max-response-delay 60;
  max-unacked-updates 10;
  load balance max seconds 3;
}

subnet 198.18.0.0 netmask 255.255.240.0 {
  option routers 198.18.0.247;
  option broadcast-address 198.18.15.255;
  option subnet-mask 255.255.240.0;

  pool {
          failover peer "oob";
${ranges}
    }
}
`

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hde-f-')
  const br = lab.bridge('sw')
  const srvNs = lab.ns('srv')
  cliNs = lab.ns('cli')
  lab.link(br, srvNs, 'hdef-s0', { address: '198.18.0.244/20' })
  lab.link(br, cliNs, 'hdef-c0', { mac: '02:de:00:00:03:01' })
  const conf = lab.file('dhcpd.conf', SEED_000_PRIMARY)
  const leases = lab.file('dhcpd.leases', 'failover peer "oob" state {\n  my state partner-down;\n  partner state communications-interrupted;\n}\n')
  server = await lab.startServer(srvNs, { conf, leases, ifaces: ['hdef-s0'], log: 'server.log' })
})

after(async () => {
  if (runnable) await lab.destroy()
})

test('seed 000 (failover primary, 16 ranges): a client gets a lease from the failover pool', { timeout: 60_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const hook = lab.hook('udhcpc')
  const r = await lab.run(cliNs, ['udhcpc', '-i', 'hdef-c0', '-f', '-q', '-n', '-t', '15', '-T', '2', '-A', '1', '-s', hook.script], 'udhcpc.out', 45_000)
  assert.equal(r.code, 0, `${r.output}\n${server.output()}`)
  const b = hook.records().find((h) => h['arg'] === 'bound')
  const ip = b?.['ip'] ?? ''
  const m = /^198\.18\.(\d+)\.(\d+)$/.exec(ip)
  assert.ok(m, `bound to ${ip}`)
  assert.ok(Number(m[1]) <= 15 && Number(m[2]) >= 11 && Number(m[2]) <= 240, `${ip} lies in one of the 16 ranges`)
  assert.equal(b?.['mask'], '20')
  assert.equal(b?.['router'] ?? '198.18.0.247', '198.18.0.247')
  assert.equal(b?.['lease'], '3600', 'lease time capped at the MCLT while the peer is unreachable')
  await waitForLog(server, new RegExp(`DHCPACK on ${ip.replace(/\./g, '\\.')} to 02:de:00:00:03:01 via hdef-s0`))
})
