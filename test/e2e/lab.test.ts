/**
 * Smoke test of `npm run lab` (the Quick start's main job): runs the compiled lab with
 * `--no-wait` on its own prefix (hls-x-) and checks the narrated milestones in order (pair NORMAL,
 * every client's lease, the VIP moving after the SIGKILL, the survivor renewing, recovery), then
 * that nothing is left behind: no namespace with the prefix, no process it started (every PID the
 * lab printed is gone), no scratch directory.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { e2eCanRun, findTool } from '../helpers/e2e.js'
import { REPO_ROOT } from '../../src/lab/dhcp-lab.js'
import { listNamespaces } from '../../src/lab/netns.js'
import { LAB_TOOLS, MILESTONES } from '../../src/lab/ha-lab.js'
import { processAlive } from '../../src/daemon/pid-file.js'

const PREFIX = 'hls-x-'
const MAIN = join(REPO_ROOT, 'dist', 'src', 'lab', 'main.js')
/** Generous: the lab takes ~35 s on an idle machine; CI machines are shared. */
const BOUND_MS = 150_000


async function runLab(args: readonly string[]): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  // Past the bound, SIGTERM (by PID): the lab must still clean up after itself.
  const timer = setTimeout(() => child.kill('SIGTERM'), BOUND_MS)
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)))
  clearTimeout(timer)
  return { code, out, err, ms: performance.now() - started }
}

test('npm run lab --no-wait: pair NORMAL, leases, VIP moved, survivor renewed, recovery; nothing left afterwards', { timeout: BOUND_MS + 60_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: [...LAB_TOOLS] })) return
  const r = await runLab(['--no-wait', '--prefix', PREFIX, '--control-port', '0'])
  const all = `${r.out}\n${r.err}`
  t.diagnostic(`lab run time with --no-wait: ${(r.ms / 1000).toFixed(1)} s`)
  assert.equal(r.code, 0, all)
  assert.ok(r.ms < BOUND_MS, `finished within ${BOUND_MS / 1000} s`)

  // The milestones, in the order of the story.
  let at = -1
  for (const m of [MILESTONES.normal, MILESTONES.leases, MILESTONES.vipMoved, MILESTONES.survivorRenewed, MILESTONES.recovered]) {
    const i = r.out.indexOf(m)
    assert.ok(i > at, `"${m}" after the previous milestone in:\n${all}`)
    at = i
  }
  for (const name of ['DHCPc', 'laptop', 'phone', 'printer']) {
    assert.match(r.out, new RegExp(`lease: ${name} \\([0-9a-f:]{17}\\) → 198\\.18\\.10\\.\\d+ from node[12]`), `${name} got a lease`)
  }
  assert.match(r.out, /lease: DHCPc \(08:00:27:d9:45:96\) → 198\.18\.10\.9 from/, "seed 001's fixed address")
  assert.match(r.out, /node[12]: failover normal → communications-interrupted/)
  const moved = /VIP moved: 198\.18\.11\.246 is on (node[12]) ([\d.]+) s after the kill/.exec(r.out)
  assert.ok(moved, 'the VIP move is timed')
  t.diagnostic(`VIP moved to ${moved[1]} ${moved[2]} s after the SIGKILL`)
  assert.match(r.out, new RegExp(`renewal: \\S+ → 198\\.18\\.10\\.\\d+ by ${moved[1]}`), 'the survivor renewed a client')
  assert.match(r.out, /lab removed\./)

  // Nothing left: namespaces, processes (every PID the lab printed), scratch files.
  assert.deepEqual(listNamespaces().filter((n) => n.startsWith(PREFIX)), [])
  const pids = [...r.out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]))
  assert.ok(pids.length >= 8, `the lab printed the PIDs it started: ${pids.join(' ')}`)
  assert.deepEqual(pids.filter(processAlive), [], 'no process the lab started is still running')
  const dir = /files and logs: (\/\S+)/.exec(r.out)?.[1]
  assert.ok(dir !== undefined && dir.includes(PREFIX))
  assert.equal(existsSync(dir), false, `${dir} removed`)
})

test('Ctrl-C while the lab runs removes everything; leftovers of a crashed run with the prefix are removed on start', { timeout: 120_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: [...LAB_TOOLS] })) return
  // A crashed run's leftovers: a namespace with the prefix and a scratch dir whose owner is gone.
  spawnSync('ip', ['netns', 'add', `${PREFIX}node1`])
  const stale = mkdtempSync(join(tmpdir(), PREFIX))
  writeFileSync(join(stale, 'lab-owner.pid'), '999999999\n')
  const child = spawn(process.execPath, [MAIN, '--prefix', PREFIX, '--control-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { out += c.toString() })
  const closed = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)))
  const deadline = Date.now() + 90_000
  while (!out.includes('lease: ') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200))
  assert.match(out, /lease: /, out)
  assert.equal(existsSync(stale), false, 'the stale scratch dir was removed on start')
  child.kill('SIGINT')
  const code = await closed
  assert.equal(code, 130, out)
  assert.match(out, /Ctrl-C: stopping the lab/)
  assert.deepEqual(listNamespaces().filter((n) => n.startsWith(PREFIX)), [])
  const pids = [...out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]))
  assert.ok(pids.length >= 3, out)
  assert.deepEqual(pids.filter(processAlive), [])
  const dir = /files and logs: (\/\S+)/.exec(out)?.[1]
  assert.ok(dir !== undefined)
  assert.equal(existsSync(dir), false)
})

test('npm run lab refuses clearly when not root', { timeout: 30_000 }, (t) => {
  const setpriv = findTool('setpriv')
  if (!e2eCanRun(t, { root: true, tools: ['setpriv'] }) || setpriv === undefined) return
  const r = spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, MAIN, '--no-wait', '--prefix', PREFIX], { encoding: 'utf8', timeout: 20_000 })
  if (/EACCES|permission denied/i.test(r.stderr) && !/must run as root/.test(r.stderr)) {
    t.skip('the build directory is not readable by nobody here')
    return
  }
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /not root/)
  assert.match(r.stderr, /sudo npm run lab/)
  assert.deepEqual(listNamespaces().filter((n) => n.startsWith(PREFIX)), [])
})
