/**
 * hadhcpd paired with a live ISC dhcpd 4.4.3 over the failover protocol, seed 001's layout
 * (failover peer "ha-dhcp", split 128 on the primary, one pool with `failover peer`) rewritten
 * into 198.18.70.0/24 with a small MCLT: (a) hadhcpd primary + ISC secondary and (b) ISC primary
 * + hadhcpd secondary both reach NORMAL on both sides; then the ISC node is killed and hadhcpd
 * moves to communications-interrupted, where in (a) a new lease carries `rewind binding state
 * free;` and `dhcpd -T` reads that file. In between, a udhcpc client gets a lease and its binding
 * reaches the other server's lease file (BNDUPD/BNDACK in both directions). At the end of each,
 * `hadhcpd ctl shutdown` hands the relationship over for planned maintenance: ISC moves to
 * partner-down at once, hadhcpd records `my state recover` (STOS backdated by MCLT), and once
 * restarted it recovers from ISC without RECOVER-WAIT: both NORMAL again.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { e2eCanRun, findTool } from '../helpers/e2e.js'
import { DhcpLab, waitForLog } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { copyFileSync, readFileSync } from 'node:fs'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'
import { runCtl } from '../../src/daemon/ctl.js'
import type { ShutdownView } from '../../src/api/types.js'

const TOOLS = ['ip', 'dhcpd', 'udhcpc']
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
  oursNs: string
  oursConf: string
  oursIf: string
  iscNs: string
  iscArgv: string[]
  cliNs: string
  oursLeases: string
  ours: LabProcess
  isc: LabProcess
  iscLeases: string
}

/** hadhcpd's control API on a unix socket in the lab's directory (`hadhcpd ctl` reaches it from the host). */
const controlArgs = (lab: DhcpLab): string[] => ['--control', `unix:${lab.dir}/ours.sock`, '--control-token-file', `${lab.dir}/ours.token`]

async function ctl(p: Pair, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCtl(['--control', `unix:${p.lab.dir}/ours.sock`, '--token-file', `${p.lab.dir}/ours.token`, ...args], { out: (s) => void (out += s), err: (s) => void (err += s) })
  return { code, out, err }
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
  const iscArgv = [dhcpd, '-4', '-f', '-d', '-cf', conf(iscRole), '-lf', iscLeases, '-pf', `${lab.dir}/isc.pid`, iscIf]
  const isc = lab.start(iscNs, iscArgv, 'isc.log')
  const oursLeases = `${lab.dir}/ours.leases`
  const oursConf = conf(oursRole)
  const ours = await lab.startServer(oursNs, { conf: oursConf, leases: oursLeases, ifaces: [oursIf], log: 'ours.log', args: controlArgs(lab) })
  const cliNs = lab.ns('c')
  return { lab, oursNs, oursConf, oursIf, iscNs, iscArgv, ours, isc, iscLeases, oursLeases, cliNs }
}

/**
 * A client MAC whose RFC 3074 bucket (split 128) belongs to `owner`, whether the hash key is the
 * MAC or udhcpc's client-identifier (01 + MAC).
 */
function macServedBy(owner: 'primary' | 'secondary', seed: number): string {
  const hba = hbaFromSplit(128)
  for (let i = seed; ; i++) {
    const mac = Buffer.from([0x02, 0x70, 0x00, 0x00, (i >> 8) & 0xff, i & 0xff])
    if (bucketOwner(hba, mac) === owner && bucketOwner(hba, Buffer.concat([Buffer.from([1]), mac])) === owner) {
      return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':')
    }
  }
}

/** Runs udhcpc once in a fresh client interface with `mac`; returns the bound address. */
async function getLease(p: Pair, iface: string, mac: string): Promise<string> {
  p.lab.link({ ns: `${p.lab.prefix}sw`, dev: 'hdebr0' }, p.cliNs, iface, { mac })
  const hook = p.lab.hook(`udhcpc-${iface}`)
  const r = await p.lab.run(p.cliNs, ['udhcpc', '-i', iface, '-f', '-q', '-n', '-t', '6', '-T', '2', '-A', '1', '-s', hook.script], `${iface}.out`, 30_000)
  assert.equal(r.code, 0, `${r.output}\n${diag(p)}`)
  const ip = hook.records().find((h) => h['arg'] === 'bound')?.['ip'] ?? ''
  assert.match(ip, /^198\.18\.70\.\d+$/)
  return ip
}

/** Waits until `file` holds an active lease block for `ip` naming `mac`. */
async function leaseInFile(p: Pair, file: string, ip: string, mac: string): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const text = readFileSync(file, 'utf8')
    const blocks = text.split(/\n(?=lease )/).filter((b) => b.startsWith(`lease ${ip} {`))
    const last = blocks[blocks.length - 1] ?? ''
    if (/binding state active;/.test(last) && last.includes(`hardware ethernet ${mac};`)) return
    if (Date.now() > deadline) throw new Error(`no active lease ${ip} for ${mac} in ${file}:\n${text}\n${diag(p)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Waits until hadhcpd's lease file holds BACKUP leases (ISC's pool balancing); returns their addresses. */
async function waitForBackup(p: Pair): Promise<string[]> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const latest = new Map<string, string>()
    for (const b of readFileSync(p.oursLeases, 'utf8').split(/\n(?=lease )/)) {
      const m = /^lease (\S+) \{[^}]*?binding state (\w+);/.exec(b)
      if (m?.[1] !== undefined && m[2] !== undefined) latest.set(m[1], m[2])
    }
    const backup = [...latest].filter(([, st]) => st === 'backup').map(([a]) => a)
    if (backup.length > 0) return backup
    if (Date.now() > deadline) throw new Error(`no BACKUP lease reached hadhcpd\n${diag(p)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Restarts ISC dhcpd on its lease file (saved NORMAL): both sides return to NORMAL. */
async function restartIscBackToNormal(p: Pair): Promise<void> {
  p.isc = p.lab.start(p.iscNs, p.iscArgv, 'isc2.log')
  try {
    await waitForLog(p.isc, new RegExp(`failover peer ${NAME}: I move from startup to normal`), 40_000)
    await waitForLog(p.ours, new RegExp(`failover peer ${NAME}: I move from communications-interrupted to normal`), 10_000)
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${diag(p)}`)
  }
}

/**
 * Restarts hadhcpd on its lease file: it starts from the saved NORMAL (STARTUP, STATE with the
 * startup flag) and both sides return to NORMAL, as §1.7 observed for two ISC servers.
 */
async function restartOursBackToNormal(p: Pair): Promise<void> {
  await p.ours.stop(5000)
  try {
    await waitForLog(p.isc, new RegExp(`failover peer ${NAME}: I move from normal to communications-interrupted`), 40_000)
    p.ours = await p.lab.startServer(p.oursNs, { conf: p.oursConf, leases: p.oursLeases, ifaces: [p.oursIf], log: 'ours2.log', args: controlArgs(p.lab) })
    await waitForLog(p.ours, new RegExp(`failover peer ${NAME}: I move from normal to startup`), 5_000)
    await waitForLog(p.ours, new RegExp(`failover peer ${NAME}: I move from startup to normal`), 30_000)
    await waitForLog(p.isc, new RegExp(`failover peer ${NAME}: I move from communications-interrupted to normal`), 10_000)
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${diag(p)}`)
  }
}

/**
 * Planned maintenance (failover-protocol.md §3.4, as ISC's OMAPI shutdown): `hadhcpd ctl
 * shutdown` moves hadhcpd to SHUTDOWN, ISC moves to partner-down at once, hadhcpd exits 0 with
 * `my state recover` backdated by MCLT in its lease file; restarted, it recovers from ISC
 * (UPDREQALL) without RECOVER-WAIT and both return to NORMAL.
 */
async function gracefulStopOursThenBackToNormal(t: TestContext, p: Pair): Promise<void> {
  const iscBefore = p.isc.output().length
  const iscSays = (re: RegExp): boolean => re.test(p.isc.output().slice(iscBefore))
  const t0 = performance.now()
  // ISC's move is watched while the API call runs (it answers after the hand-over).
  let iscPartnerDownMs: number | undefined
  const watch = (async () => {
    while (iscPartnerDownMs === undefined && performance.now() - t0 < 10_000) {
      if (iscSays(new RegExp(`failover peer ${NAME}: I move from normal to partner-down`))) iscPartnerDownMs = performance.now() - t0
      else await new Promise((r) => setTimeout(r, 20))
    }
  })()
  const r = await ctl(p, '--json', 'shutdown')
  await watch
  assert.equal(r.code, 0, `${r.out}${r.err}\n${diag(p)}`)
  const answer = JSON.parse(r.out) as ShutdownView & { ok: boolean }
  const f = answer.failover[0]
  assert.ok(f !== undefined && f.peer === NAME, r.out)
  assert.equal(f.outcome, 'confirmed', `${f.message}\n${diag(p)}`)
  assert.equal(f.partnerState, 'partner-down')
  assert.equal(f.recordedState, 'recover')
  assert.equal(f.backdated, true, f.message)
  assert.ok(iscPartnerDownMs !== undefined && iscPartnerDownMs < 5000, `ISC did not move to partner-down within 5 s\n${diag(p)}`)
  assert.ok(iscSays(new RegExp(`failover peer ${NAME}: peer moves from normal to shutdown`)), diag(p))
  t.diagnostic(`ctl shutdown → ISC partner-down in ${Math.round(iscPartnerDownMs)} ms (hadhcpd: STATE shutdown → peer's partner-down ${f.waitedMs} ms)`)
  const exit = await p.ours.waitForExit(10_000)
  assert.deepEqual(exit, { code: 0, signal: null }, diag(p))
  const states = readFileSync(p.oursLeases, 'utf8').split(/\n(?=failover peer )/).filter((b) => b.startsWith(`failover peer "${NAME}" state {`))
  const last = states[states.length - 1] ?? ''
  assert.match(last, /my state recover at \d+ \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d;/, last)
  assert.match(last, /partner state partner-down at /, last)
  assert.match(p.ours.output(), new RegExp(`failover peer ${NAME}: I move from normal to shutdown\n[\\s\\S]*failover peer ${NAME}: I move from shutdown to recover`))
  // Restart: RECOVER from the lease file, UPDREQALL answered by ISC, no RECOVER-WAIT, NORMAL.
  const t1 = performance.now()
  p.ours = await p.lab.startServer(p.oursNs, { conf: p.oursConf, leases: p.oursLeases, ifaces: [p.oursIf], log: 'ours3.log', args: controlArgs(p.lab) })
  try {
    await waitForLog(p.ours, new RegExp(`failover peer ${NAME}: I move from recover-done to normal`), 30_000)
    await waitForLog(p.isc, new RegExp(`failover peer ${NAME}: I move from partner-down to normal`), 10_000)
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${diag(p)}`)
  }
  assert.doesNotMatch(p.ours.output(), /recover-wait/)
  t.diagnostic(`restarted hadhcpd back in NORMAL after ${Math.round(performance.now() - t1)} ms (the whole step: ${Math.round(performance.now() - t0)} ms)`)
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

test('failover with ISC dhcpd (a): hadhcpd primary + ISC secondary reach NORMAL, clients served and bindings replicated; ISC killed → communications-interrupted; ISC restarted, then hadhcpd restarted → NORMAL; ctl shutdown → ISC partner-down, restart → NORMAL', { timeout: 150_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const p = await startPair('hfo-a-', 'primary')
  try {
    await bothNormal(p)
    assert.match(p.isc.output(), /Both servers normal|I move from [a-z-]+ to normal/)
    t.diagnostic(p.isc.output().split('\n').filter((l) => /failover peer|Both servers/.test(l)).join(' | '))
    // A failover connection from an address that is not the peer's is refused, the link stays.
    p.lab.link({ ns: `${p.lab.prefix}sw`, dev: 'hdebr0' }, p.cliNs, 'hfo-x0', { address: '198.18.70.3/24' })
    const probe = "const s=require('net').connect({host:'198.18.70.1',port:678,localAddress:'198.18.70.3'});s.on('close',()=>{console.log('closed');process.exit(0)});s.on('error',()=>{});setTimeout(()=>process.exit(2),5000)"
    const r = await p.lab.run(p.cliNs, [process.execPath, '-e', probe], 'probe.out', 10_000)
    assert.equal(r.code, 0, r.output)
    await waitForLog(p.ours, /failover: listener: no matching state \(connection from 198\.18\.70\.3\)/)
    assert.doesNotMatch(p.ours.output(), /I move from normal to/)
    // hadhcpd (primary) serves a primary-bucket client; ISC learns the binding by BNDUPD.
    const mac = macServedBy('primary', 1)
    const ip = await getLease(p, 'hfo-c1', mac)
    await leaseInFile(p, p.iscLeases, ip, mac)
    assert.match(p.ours.output(), new RegExp(`DHCPACK on ${ip.replace(/\./g, '\\.')} to ${mac}`))
    // hadhcpd's pool balancing gave ISC BACKUP leases; a secondary-bucket client gets one from
    // ISC, and hadhcpd stores the binding from ISC's BNDUPD.
    const mac2 = macServedBy('secondary', 1)
    const ip2 = await getLease(p, 'hfo-c2', mac2)
    await leaseInFile(p, p.oursLeases, ip2, mac2)
    assert.match(p.isc.output(), new RegExp(`DHCPACK on ${ip2.replace(/\./g, '\\.')} to ${mac2}`))
    await killIscExpectInterrupted(p)
    await rewindLineReadByIsc(p)
    await restartIscBackToNormal(p)
    await restartOursBackToNormal(p)
    await gracefulStopOursThenBackToNormal(t, p)
  } finally {
    await p.lab.destroy()
  }
})

/**
 * In COMMUNICATIONS-INTERRUPTED hadhcpd hands out an address of its own pool without telling the
 * (dead) peer: its lease block says `rewind binding state free;` (§4.4), and `dhcpd -T` reads a copy
 * of hadhcpd's lease file with that line.
 */
async function rewindLineReadByIsc(p: Pair): Promise<void> {
  const mac = macServedBy('primary', 1000)
  const ip = await getLease(p, 'hfo-c3', mac)
  await leaseInFile(p, p.oursLeases, ip, mac)
  const text = readFileSync(p.oursLeases, 'utf8')
  const last = text.split(/\n(?=lease )/).filter((b) => b.startsWith(`lease ${ip} {`)).at(-1) ?? ''
  assert.match(last, /\n {2}binding state active;\n {2}next binding state expired;\n {2}rewind binding state free;\n/, last)
  const copy = `${p.lab.dir}/ours-copy.leases`
  copyFileSync(p.oursLeases, copy)
  const check = await p.lab.run(p.oursNs, [findTool('dhcpd') ?? 'dhcpd', '-4', '-T', '-cf', p.oursConf, '-lf', copy], 'rewind-T.out', 20_000)
  assert.equal(check.code, 0, check.output)
  assert.match(check.output, /Lease file test successful/, check.output)
}

test('failover with ISC dhcpd (b): ISC primary + hadhcpd secondary reach NORMAL, clients served and bindings replicated; ISC killed → communications-interrupted; ISC restarted, then hadhcpd restarted → NORMAL; ctl shutdown → ISC partner-down, restart → NORMAL', { timeout: 150_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const p = await startPair('hfo-b-', 'secondary')
  try {
    await bothNormal(p)
    t.diagnostic(p.isc.output().split('\n').filter((l) => /failover peer|Both servers/.test(l)).join(' | '))
    // ISC (primary) serves a primary-bucket client; hadhcpd stores the binding from its BNDUPD.
    const mac = macServedBy('primary', 1)
    const ip = await getLease(p, 'hfo-c1', mac)
    await leaseInFile(p, p.oursLeases, ip, mac)
    assert.match(p.isc.output(), new RegExp(`DHCPACK on ${ip.replace(/\./g, '\\.')} to ${mac}`))
    // ISC's pool balancing hands BACKUP leases to hadhcpd; a secondary-bucket client gets one
    // from hadhcpd, and ISC learns the binding by BNDUPD.
    const backup = await waitForBackup(p)
    const mac2 = macServedBy('secondary', 1)
    const ip2 = await getLease(p, 'hfo-c2', mac2)
    assert.ok(backup.includes(ip2), `${ip2} was one of the BACKUP leases ${backup.join(' ')}`)
    await leaseInFile(p, p.iscLeases, ip2, mac2)
    assert.match(p.ours.output(), new RegExp(`DHCPACK on ${ip2.replace(/\./g, '\\.')} to ${mac2}`))
    await killIscExpectInterrupted(p)
    await restartIscBackToNormal(p)
    await restartOursBackToNormal(p)
    await gracefulStopOursThenBackToNormal(t, p)
  } finally {
    await p.lab.destroy()
  }
})
