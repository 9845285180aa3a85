/**
 * hadhcpd paired with a live ISC dhcpd 4.4.3 over the failover protocol, seed 001's layout
 * (failover peer "ha-dhcp", split 128 on the primary, one pool with `failover peer`) rewritten
 * into 198.18.70.0/24 with a small MCLT: (a) hadhcpd primary + ISC secondary and (b) ISC primary
 * + hadhcpd secondary both reach NORMAL on both sides; then the ISC node is killed and hadhcpd
 * moves to communications-interrupted.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { e2eCanRun, findTool } from '../helpers/e2e.js'
import { DhcpLab, waitForLog } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'

const TOOLS = ['ip', 'dhcpd']
const NAME = 'ha-dhcp'

function peerBlock(role: 'primary' | 'secondary', self: string, other: string): string {
  return `failover peer "${NAME}" {
  ${role};
  address ${self};
  port 678;
  peer address ${other};
  peer port 678;
  max-response-delay 30;
  max-unacked-updates 10;
  mclt 60;
${role === 'primary' ? '  split 128;\n' : ''}  load balance max seconds 3;
}
`
}

const SHARED = `ddns-update-style none;
authoritative;
subnet 198.18.70.0 netmask 255.255.255.0 {
  default-lease-time         600;
  max-lease-time             600;
  option routers             198.18.70.254;
  option broadcast-address   198.18.70.255;
  option subnet-mask         255.255.255.0;
  option domain-search       "domain.com";
  option domain-name-servers 198.18.70.253;
  pool {
    failover peer "${NAME}";
    range 198.18.70.10 198.18.70.40;
  }
}
`

interface Pair {
  lab: DhcpLab
  ours: LabProcess
  isc: LabProcess
  iscLeases: string
}

/** Two servers on one bridge: .1 is the primary, .2 the secondary. */
async function startPair(prefix: string, oursRole: 'primary' | 'secondary'): Promise<Pair> {
  const lab = new DhcpLab(prefix)
  const br = lab.bridge('sw')
  const pNs = lab.ns('p')
  const sNs = lab.ns('s')
  lab.link(br, pNs, 'hfo-p0', { address: '198.18.70.1/24' })
  lab.link(br, sNs, 'hfo-s0', { address: '198.18.70.2/24' })
  const shared = lab.file('dhcpd.conf.SHARED', SHARED)
  const conf = (role: 'primary' | 'secondary'): string => {
    const [self, other] = role === 'primary' ? ['198.18.70.1', '198.18.70.2'] : ['198.18.70.2', '198.18.70.1']
    return lab.file(`${role}.conf`, `${peerBlock(role, self, other)}\ninclude "${shared}";\n`)
  }
  const iscRole = oursRole === 'primary' ? 'secondary' : 'primary'
  const iscLeases = lab.file('isc.leases', '')
  const dhcpd = findTool('dhcpd') ?? 'dhcpd'
  const [oursNs, oursIf, iscNs, iscIf] = oursRole === 'primary' ? [pNs, 'hfo-p0', sNs, 'hfo-s0'] : [sNs, 'hfo-s0', pNs, 'hfo-p0']
  const isc = lab.start(iscNs, [dhcpd, '-4', '-f', '-d', '-cf', conf(iscRole), '-lf', iscLeases, '-pf', `${lab.dir}/isc.pid`, iscIf], 'isc.log')
  const ours = await lab.startServer(oursNs, { conf: conf(oursRole), leases: `${lab.dir}/ours.leases`, ifaces: [oursIf], log: 'ours.log' })
  return { lab, ours, isc, iscLeases }
}

const diag = (p: Pair): string => `--- hadhcpd ---\n${p.ours.output()}\n--- ISC dhcpd ---\n${p.isc.output()}`

async function bothNormal(p: Pair): Promise<void> {
  try {
    await waitForLog(p.isc, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 60_000)
    await waitForLog(p.ours, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 10_000)
    await waitForLog(p.ours, new RegExp(`failover peer ${NAME}: peer moves from [a-z-]+ to normal`), 10_000)
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${diag(p)}`)
  }
}

async function killIscExpectInterrupted(p: Pair): Promise<void> {
  await p.isc.stop(3000)
  try {
    await waitForLog(p.ours, new RegExp(`failover peer ${NAME}: I move from normal to communications-interrupted`), 40_000)
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${diag(p)}`)
  }
}

test('failover with ISC dhcpd (a): hadhcpd primary + ISC secondary reach NORMAL; ISC killed → communications-interrupted', { timeout: 120_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const p = await startPair('hfo-a-', 'primary')
  try {
    await bothNormal(p)
    assert.match(p.isc.output(), /Both servers normal|I move from [a-z-]+ to normal/)
    t.diagnostic(p.isc.output().split('\n').filter((l) => /failover peer|Both servers/.test(l)).join(' | '))
    await killIscExpectInterrupted(p)
  } finally {
    await p.lab.destroy()
  }
})

test('failover with ISC dhcpd (b): ISC primary + hadhcpd secondary reach NORMAL; ISC killed → communications-interrupted', { timeout: 120_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const p = await startPair('hfo-b-', 'secondary')
  try {
    await bothNormal(p)
    t.diagnostic(p.isc.output().split('\n').filter((l) => /failover peer|Both servers/.test(l)).join(' | '))
    await killIscExpectInterrupted(p)
  } finally {
    await p.lab.destroy()
  }
})
