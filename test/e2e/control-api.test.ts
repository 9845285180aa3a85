/**
 * The control API of a real hadhcpd in a namespace (198.18.30.0/24), reached over a unix
 * socket (the filesystem is shared, the network is not): a udhcpc lease shows up in
 * `hadhcpd ctl leases`, `ctl release` frees it in the lease file, a broken dhcpd.conf is
 * refused by `ctl reload` with its errors, and the token file is created 0600.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, directConf } from '../helpers/dhcp-lab.js'
import { runCtl } from '../../src/daemon/ctl.js'

const TOOLS = ['ip', 'udhcpc']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
let lab: DhcpLab
let cliNs: string
let conf: string
let leases: string
let socket: string
let token: string

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hap-x-')
  const br = lab.bridge('sw')
  const srvNs = lab.ns('srv')
  cliNs = lab.ns('cli')
  lab.link(br, srvNs, 'hapx-s0', { address: '198.18.30.1/24' })
  lab.link(br, cliNs, 'hapx-c0', { mac: '02:a0:00:00:00:01' })
  conf = lab.file('dhcpd.conf', directConf())
  leases = `${lab.dir}/dhcpd.leases`
  socket = `${lab.dir}/control.sock`
  token = `${lab.dir}/secret/control.token`
  await lab.startServer(srvNs, {
    conf, leases, ifaces: ['hapx-s0'], log: 'server.log',
    args: ['--transport', 'udp', '--control', `unix:${socket}`, '--control-token-file', token],
  })
})

after(async () => {
  if (runnable) await lab.destroy()
})

async function ctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCtl(['--control', `unix:${socket}`, '--token-file', token, ...args], { out: (s) => void (out += s), err: (s) => void (err += s) })
  return { code, out, err }
}

test('the token file is created 0600 in a 0700 directory', (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  assert.equal(statSync(token).mode & 0o777, 0o600)
  assert.equal(statSync(`${lab.dir}/secret`).mode & 0o777, 0o700)
  assert.match(readFileSync(token, 'utf8').trim(), /^[0-9a-f]{64}$/)
})

test('a client lease appears in ctl leases and pools; ctl release frees it', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const hook = lab.hook('udhcpc')
  const r = await lab.run(cliNs, ['udhcpc', '-i', 'hapx-c0', '-f', '-q', '-n', '-t', '4', '-T', '2', '-A', '1', '-s', hook.script], 'udhcpc.out', 20_000)
  assert.equal(r.code, 0, r.output)
  const ip = hook.records().find((h) => h['arg'] === 'bound')?.['ip']
  assert.match(ip ?? '', /^198\.18\.30\.(1\d\d|200)$/)

  const status = await ctl('--json', 'status')
  assert.equal(status.code, 0, status.err)
  assert.deepEqual(JSON.parse(status.out).interfaces, [{ name: 'hapx-s0', transport: 'udp' }])

  const found = await ctl('--json', 'leases', '--mac', '02:a0:00:00:00:01')
  assert.equal(found.code, 0, found.err)
  const page = JSON.parse(found.out) as { total: number; leases: { ip: string; state: string; pool: string }[] }
  assert.equal(page.total, 1)
  assert.deepEqual([page.leases[0]!.ip, page.leases[0]!.state, page.leases[0]!.pool], [ip, 'active', '198.18.30.0/24#0'])

  const pools = await ctl('pools')
  assert.match(pools.out, /198\.18\.30\.0\/24#0\s+198\.18\.30\.100-198\.18\.30\.200\s+-\s+101\s+100\s+0\s+1\s/)

  const rel = await ctl('release', ip!)
  assert.deepEqual([rel.code, rel.out], [0, `${ip}: now free\n`])
  const blocks = readFileSync(leases, 'utf8').split(/(?=^lease )/m).filter((b) => b.startsWith(`lease ${ip} `))
  assert.match(blocks.at(-1) ?? '', /binding state free;/)
  const history = await ctl('--json', 'lease', ip!)
  assert.deepEqual((JSON.parse(history.out) as { history: { state: string }[] }).history.map((h) => h.state).slice(-2), ['active', 'free'])
})

test('ctl reload refuses a broken dhcpd.conf with file:line:col, then accepts the fixed one', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const good = readFileSync(conf, 'utf8')
  writeFileSync(conf, good.replace('range 198.18.30.100 198.18.30.200;', 'range 198.18.30.100 198.18.30.200'))
  const bad = await ctl('reload')
  assert.equal(bad.code, 1)
  assert.match(bad.err, new RegExp(`\\n  ${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `))
  writeFileSync(conf, good)
  const ok = await ctl('reload')
  assert.deepEqual([ok.code, ok.out], [0, 'configuration reloaded\n'])
  const ev = await ctl('--json', 'events')
  const ids = (JSON.parse(ev.out) as { events: { event: string }[] }).events.map((e) => e.event)
  assert.ok(ids.includes('CONFIG_RELOAD_REJECTED') && ids.includes('CONFIG_RELOADED'), ids.join(','))
})

test('a wrong token is refused (exit 3)', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const wrong = lab.file('wrong.token', 'deadbeef\n')
  let err = ''
  const code = await runCtl(['--control', `unix:${socket}`, '--token-file', wrong, 'status'], { out: () => undefined, err: (s) => void (err += s) })
  assert.equal(code, 3)
  assert.match(err, /401/)
})
