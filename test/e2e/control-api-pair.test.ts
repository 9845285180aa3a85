/**
 * The control API on a real hadhcpd failover pair (198.18.31.0/24, primary .2, secondary .3),
 * each reached over its own unix socket: pair-check finds the two configurations equal, a
 * release made through the primary's API reaches the secondary as a BNDUPD, rebalance is the
 * primary's job, and with the primary stopped the secondary is put in PARTNER-DOWN by
 * `ctl partner-down --yes` (and refused without it).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { runCtl } from '../../src/daemon/ctl.js'

const TOOLS = ['ip', 'udhcpc']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
let lab: DhcpLab
let cliNs: string
let primary: LabProcess
const sock = { p: '', s: '' }
const token = { p: '', s: '' }

function conf(role: 'primary' | 'secondary'): string {
  const [me, other] = role === 'primary' ? ['198.18.31.2', '198.18.31.3'] : ['198.18.31.3', '198.18.31.2']
  return `authoritative;
default-lease-time 600;
max-lease-time 600;
failover peer "pair" {
  ${role};
  address ${me};
  port 647;
  peer address ${other};
  peer port 647;
  max-response-delay 30;
  max-unacked-updates 10;
  load balance max seconds 3;
${role === 'primary' ? '  mclt 60;\n  split 128;\n' : ''}}
subnet 198.18.31.0 netmask 255.255.255.0 {
  pool {
    failover peer "pair";
    range 198.18.31.10 198.18.31.40;
  }
}
`
}

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hap-x-')
  const br = lab.bridge('sw')
  const pNs = lab.ns('p')
  const sNs = lab.ns('s')
  cliNs = lab.ns('cli')
  lab.link(br, pNs, 'hapx-p0', { address: '198.18.31.2/24' })
  lab.link(br, sNs, 'hapx-s0', { address: '198.18.31.3/24' })
  lab.link(br, cliNs, 'hapx-c0', { mac: '02:a0:00:00:01:01' })
  for (const [k, role, ns, iface] of [['p', 'primary', pNs, 'hapx-p0'], ['s', 'secondary', sNs, 'hapx-s0']] as const) {
    sock[k] = `${lab.dir}/${k}.sock`
    token[k] = `${lab.dir}/${k}.token`
    const proc = await lab.startServer(ns, {
      conf: lab.file(`${k}.conf`, conf(role)), leases: `${lab.dir}/${k}.leases`, ifaces: [iface], log: `${k}.log`,
      args: ['--control', `unix:${sock[k]}`, '--control-token-file', token[k]],
    })
    if (k === 'p') primary = proc
  }
})

after(async () => {
  if (runnable) await lab.destroy()
})

async function ctl(node: 'p' | 's', ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCtl(['--control', `unix:${sock[node]}`, '--token-file', token[node], ...args], { out: (s) => void (out += s), err: (s) => void (err += s) })
  return { code, out, err }
}

/** Polls the async `check` every 300 ms until it returns true (bounded by `timeoutMs`). */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

async function failover(node: 'p' | 's'): Promise<{ state: string; partnerState: string; connected: boolean }> {
  const r = await ctl(node, '--json', 'status')
  assert.equal(r.code, 0, r.err)
  return (JSON.parse(r.out) as { failover: { state: string; partnerState: string; connected: boolean }[] }).failover[0]!
}

test('the pair reaches NORMAL and pair-check finds no difference', { timeout: 90_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  await until('both NORMAL', 75_000, async () => {
    const [p, s] = [await failover('p'), await failover('s')]
    return p.state === 'normal' && s.state === 'normal' && p.connected
  })
  const pc = await ctl('p', 'pair-check', '--peer', `unix:${sock.s}`, '--peer-token-file', token.s)
  assert.equal(pc.code, 0, pc.out + pc.err)
  assert.match(pc.out, /agree on subnets, pools, ranges and failover parameters/)
})

test('a release through the primary API reaches the secondary', { timeout: 60_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const hook = lab.hook('udhcpc')
  const r = await lab.run(cliNs, ['udhcpc', '-i', 'hapx-c0', '-f', '-q', '-n', '-t', '6', '-T', '2', '-A', '1', '-s', hook.script], 'udhcpc.out', 30_000)
  assert.equal(r.code, 0, r.output)
  const ip = hook.records().find((h) => h['arg'] === 'bound')?.['ip'] ?? ''
  assert.match(ip, /^198\.18\.31\.(1\d|2\d|3\d|40)$/)
  const leaseOn = async (node: 'p' | 's'): Promise<string | undefined> => {
    const l = await ctl(node, '--json', 'lease', ip)
    return l.code === 0 ? (JSON.parse(l.out) as { lease: { state: string } }).lease.state : undefined
  }
  await until('the lease on both nodes', 10_000, async () => (await leaseOn('p')) === 'active' && (await leaseOn('s')) === 'active')
  const rel = await ctl('p', 'release', ip)
  assert.equal(rel.code, 0, rel.err)
  assert.match(rel.out, new RegExp(`^${ip.replace(/\./g, '\\.')}: now (released|free)\\n$`))
  // The secondary stores the peer's RELEASED as FREE; once it has acknowledged that, the primary
  // frees the lease and, when the client's MAC hashes to the secondary, hands it over as BACKUP
  // (MAC affinity) within milliseconds: any of these states means the release reached it.
  await until('the release on the secondary', 10_000, async () => ['released', 'free', 'backup'].includes((await leaseOn('s')) ?? ''))
})

test('rebalance runs on either node in NORMAL (as ISC, each side checks its own balance)', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  assert.equal((await ctl('p', 'rebalance', 'pair')).code, 0)
  assert.equal((await ctl('s', 'rebalance', 'pair')).code, 0)
})

test('with the primary stopped, partner-down needs --yes and then moves the secondary', { timeout: 60_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  await primary.stop(5000)
  await until('the secondary in communications-interrupted', 45_000, async () => (await failover('s')).state === 'communications-interrupted')
  const no = await ctl('s', 'partner-down', 'pair')
  assert.equal(no.code, 2)
  assert.equal((await failover('s')).state, 'communications-interrupted')
  const yes = await ctl('s', 'partner-down', 'pair', '--yes')
  assert.deepEqual([yes.code, yes.out], [0, 'failover peer pair: partner-down\n'])
  assert.equal((await failover('s')).state, 'partner-down')
  const unknown = await ctl('s', 'partner-down', 'nope', '--yes')
  assert.equal(unknown.code, 1)
})
