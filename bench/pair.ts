/**
 * `npm run bench:pair`: throughput of a failover PAIR (issue 5 §4), beside a single hadhcpd,
 * an ISC dhcpd 4.4 failover pair and a Kea 2.2 HA load-balancing pair, in the same run and the
 * same lab (bench/pair-topology.ts). Method as docs/benchmarking.md: perfdhcp broadcasts from
 * its own namespace to the segment both peers listen on; every step starts from a fresh config
 * and an empty lease DB (pairs seeded NORMAL/NORMAL), waits until the pair is synchronised
 * (NORMAL + pool balanced / LOAD-BALANCING) and a probe is answered by BOTH nodes, then runs the
 * load and reads the CPU of both processes and the OFFER/ACK lines each node logged.
 * Needs root; removes its `hbp-x-*` namespaces on exit, error or SIGINT/SIGTERM.
 */
import { mkdirSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildLab, canRunLab, type Lab, type LabProcess } from '../src/lab/netns.js'
import { STOP_BELOW_COMPLETION_PCT } from './ladder.js'
import { backupAddressCount, countOccurrences, FAILOVER_NAME, ioSyscalls, pairLoadArgv, pairProbeArgv } from './pair-configs.js'
import { PAIR_KIND_TABLE, MARKERS, type NodeLaunch, type PairKind } from './pair-kinds.js'
import { PAIR_USAGE, parsePairOptions, type PairOptions } from './pair-options.js'
import { pairMarkdown, summarizePairStep, type PairRun, type PairStep } from './pair-report.js'
import { isCompleteReport, parsePerfdhcpOutput } from './perfdhcp-output.js'
import { isPerfdhcpSuccess, SIMULATED_CLIENTS } from './perfdhcp.js'
import { clockTicksPerSecond, foreignBusyPct, processGroupTicks, readCpuTimes } from './proc-stat.js'
import { measureFsyncMs, samplePressure, stallPct } from './pressure.js'
import { percentile } from './stats.js'
import { PAIR_CLIENT, PAIR_LAB } from './pair-topology.js'

const READY_TIMEOUT_MS = 20_000
const SYNC_TIMEOUT_MS = 300_000
const PROBE_ATTEMPTS = 8
const STOP_GRACE_MS = 10_000
const LOAD_SLACK_MS = 30_000
const PROBE_MAC = '02:ab:fe:00:00:00'
const TMPFS_MAGIC = 0x01021994

class NotReady extends Error {}

const live = new Set<LabProcess>()
let lab: Lab | undefined
let disposable: string | undefined

function log(msg: string): void {
  process.stderr.write(`[bench:pair ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}

function emergencyCleanup(): void {
  for (const p of live) p.killGroupNow()
  live.clear()
  try {
    lab?.destroy()
  } catch (err) {
    log(`cleanup: ${String(err)}`)
  }
  if (disposable !== undefined) rmSync(disposable, { recursive: true, force: true })
  disposable = undefined
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** Text appended to `path` since byte `from`. */
function readFrom(path: string, from: number): string {
  const size = sizeOf(path)
  if (size <= from) return ''
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(size - from)
    readSync(fd, buf, 0, buf.length, from)
    return buf.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

function tail(text: string, lines = 10): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean, procs: readonly LabProcess[]): Promise<number> {
  const start = Date.now()
  for (;;) {
    if (check()) return Date.now() - start
    const dead = procs.find((p) => !p.running)
    if (dead !== undefined) throw new NotReady(`${what}: a server exited:\n${tail(dead.output())}`)
    if (Date.now() - start > timeoutMs) throw new NotReady(`${what}: not within ${timeoutMs} ms`)
    await sleep(250)
  }
}

interface Started {
  readonly launches: NodeLaunch[]
  readonly procs: LabProcess[]
  /** ms from start to synchronised (pairs) or ready (single). */
  readonly syncMs: number
}

/** Starts the nodes and waits until they serve as a pair (or as a single node). */
async function startNodes(l: Lab, kind: PairKind, stepDir: string, opts: PairOptions): Promise<Started> {
  const launches = kind.prepare(stepDir, opts.serverCpu, new Date())
  const procs: LabProcess[] = []
  const t0 = Date.now()
  for (const n of launches) {
    mkdirSync(join(n.outputPath, '..'), { recursive: true })
    const p = l.run(n.node.ns, n.argv, { output: { kind: 'file', path: n.outputPath }, ...(n.env === undefined ? {} : { env: n.env }) })
    live.add(p)
    procs.push(p)
  }
  const marks = MARKERS[kind.family]
  await waitFor('readiness line', READY_TIMEOUT_MS, () => launches.every((n) => readText(n.logPath).includes(marks.ready)), procs)
  if (kind.paired) {
    if (kind.family === 'kea') {
      const lb = /HA_STATE_TRANSITION .*to LOAD-BALANCING state/
      await waitFor('both Kea peers in LOAD-BALANCING', SYNC_TIMEOUT_MS, () => launches.every((n) => lb.test(readText(n.logPath))), procs)
    } else {
      const normal = new RegExp(`failover peer ${FAILOVER_NAME}: I move from [a-z-]+ to normal`)
      await waitFor('both peers NORMAL', SYNC_TIMEOUT_MS, () => launches.every((n) => normal.test(readText(n.logPath))), procs)
      // Pool balancing: the primary hands half the FREE leases to the secondary as BACKUP,
      // one BNDUPD each; the secondary serves its hash half only from those.
      const [primary, secondary] = launches as [NodeLaunch, NodeLaunch]
      let lts = 0
      await waitFor('primary balancing line', SYNC_TIMEOUT_MS, () => {
        const m = /balancing pool .*lts (\d+)/.exec(readText(primary.logPath))
        if (m?.[1] !== undefined) lts = Number(m[1])
        return m !== null
      }, procs)
      await waitFor(`${lts} BACKUP leases in the secondary's lease file`, SYNC_TIMEOUT_MS,
        () => backupAddressCount(readText(secondary.leasePath)) >= lts, procs)
    }
  }
  const syncMs = Date.now() - t0
  await probeBoth(l, kind, launches, procs, stepDir)
  return { launches, procs, syncMs }
}

/** A short probe over 64 MACs must get ACKs, and every node must have logged one. */
async function probeBoth(l: Lab, kind: PairKind, launches: readonly NodeLaunch[], procs: readonly LabProcess[], stepDir: string): Promise<void> {
  const marks = MARKERS[kind.family]
  const before = launches.map((n) => sizeOf(n.logPath))
  let last = ''
  for (let attempt = 1; attempt <= PROBE_ATTEMPTS; attempt++) {
    const argv = [...pairProbeArgv(PAIR_CLIENT.iface, PROBE_MAC)]
    argv[argv.indexOf('-R') + 1] = '64'
    const p = l.run(PAIR_CLIENT.ns, argv, { output: { kind: 'capture', maxBytes: 1 << 20 } })
    live.add(p)
    await p.waitForExit(10_000)
    await p.stop(2_000)
    live.delete(p)
    last = p.stdout + p.stderr
    await sleep(300) // log flush
    const acked = launches.map((n, i) => countOccurrences(readFrom(n.logPath, before[i] ?? 0), marks.ack))
    if (acked.every((a) => a > 0)) return
    if (procs.some((pr) => !pr.running)) break
  }
  writeFileSync(join(stepDir, 'probe.out'), last)
  throw new NotReady(`probe: not every node answered in ${PROBE_ATTEMPTS} attempts:\n${tail(last)}`)
}

async function stopAll(procs: readonly LabProcess[]): Promise<void> {
  await Promise.all(procs.map(async (p) => {
    await p.stop(STOP_GRACE_MS)
    live.delete(p)
  }))
}

async function runStep(l: Lab, kind: PairKind, rate: number, repeat: number, opts: PairOptions, workdir: string, ticksPerS: number): Promise<PairRun> {
  const stepDir = join(workdir, `${kind.name}-${rate}-r${repeat}`)
  rmSync(stepDir, { recursive: true, force: true })
  mkdirSync(stepDir, { recursive: true })
  let procs: LabProcess[] = []
  try {
    const started = await startNodes(l, kind, stepDir, opts)
    procs = started.procs
    const { launches } = started
    const marks = MARKERS[kind.family]
    const logFrom = launches.map((n) => sizeOf(n.logPath))
    const pinnedCpu = /^\d+$/.test(opts.serverCpu) ? Number(opts.serverCpu) : undefined
    const coreBefore = pinnedCpu === undefined ? undefined : readCpuTimes(pinnedCpu)
    const ticksBefore = procs.map((p) => processGroupTicks(p.pid))
    const ioBefore = procs.map((p) => ioSyscalls(readText(`/proc/${p.pid}/io`)))
    const pressureBefore = samplePressure()
    const out = join(stepDir, 'perfdhcp.out')
    const load = l.run(PAIR_CLIENT.ns, pairLoadArgv({ rate, durationS: opts.durationS, clientCpu: opts.clientCpu, iface: PAIR_CLIENT.iface, clients: SIMULATED_CLIENTS }), { output: { kind: 'file', path: out } })
    live.add(load)
    const status = await load.waitForExit(opts.durationS * 1000 + LOAD_SLACK_MS)
    const ticksAfter = procs.map((p) => processGroupTicks(p.pid))
    const ioAfter = procs.map((p) => ioSyscalls(readText(`/proc/${p.pid}/io`)))
    const pressureAfter = samplePressure()
    const coreAfter = pinnedCpu === undefined ? undefined : readCpuTimes(pinnedCpu)
    if (status === undefined) {
      await load.stop(2000)
      live.delete(load)
      throw new Error('perfdhcp did not finish')
    }
    live.delete(load)
    const dead = procs.find((p) => !p.running)
    if (dead !== undefined) throw new Error(`a server exited during the load:\n${tail(dead.output())}`)
    await sleep(1000) // let async loggers flush
    const text = readText(out)
    const report = parsePerfdhcpOutput(text)
    if (!isPerfdhcpSuccess(status.code) || !isCompleteReport(report)) throw new Error(`perfdhcp failed (exit ${String(status.code)}):\n${tail(text)}`)
    const logs = launches.map((n, i) => readFrom(n.logPath, logFrom[i] ?? 0))
    const dO = report.exchanges['DISCOVER-OFFER']
    const rA = report.exchanges['REQUEST-ACK']
    const discovers = dO.sent ?? 0
    const acks = rA.received ?? 0
    const cpuMsPerNode = procs.map((_, i) => (((ticksAfter[i] ?? 0) - (ticksBefore[i] ?? 0)) * 1000) / ticksPerS)
    const serverCpuMs = cpuMsPerNode.reduce((a, b) => a + b, 0)
    const serverTicks = ticksAfter.reduce((a, b) => a + b, 0) - ticksBefore.reduce((a, b) => a + b, 0)
    const ioDelta = (k: 'reads' | 'writes'): number | undefined => {
      let sum = 0
      for (let i = 0; i < procs.length; i++) {
        const a = ioAfter[i]
        const b = ioBefore[i]
        if (a === undefined || b === undefined) return undefined
        sum += a[k] - b[k]
      }
      return sum
    }
    const syscallsR = ioDelta('reads')
    const syscallsW = ioDelta('writes')
    return {
      kind: kind.name,
      offeredRate: rate,
      repeat,
      durationS: opts.durationS,
      syncMs: started.syncMs,
      discoversSent: discovers,
      offersReceived: dO.received ?? 0,
      requestsSent: rA.sent ?? 0,
      acksReceived: acks,
      dropsDO: dO.drops ?? 0,
      dropsRA: rA.drops ?? 0,
      orphansDO: dO.orphans ?? 0,
      orphansRA: rA.orphans ?? 0,
      sentRate: discovers / opts.durationS,
      achievedRate: acks / opts.durationS,
      completionPct: discovers > 0 ? (100 * acks) / discovers : 0,
      doP99: percentile(dO.latenciesMs, 99),
      raP99: percentile(rA.latenciesMs, 99),
      serverCpuMs,
      cpuMsPerNode,
      cpuMsPerDora: acks > 0 ? serverCpuMs / acks : undefined,
      readSyscallsPerDora: syscallsR !== undefined && acks > 0 ? syscallsR / acks : undefined,
      writeSyscallsPerDora: syscallsW !== undefined && acks > 0 ? syscallsW / acks : undefined,
      offersPerNode: logs.map((t) => countOccurrences(t, marks.offer)),
      acksPerNode: logs.map((t) => countOccurrences(t, marks.ack)),
      loadavg1: loadavg()[0] ?? 0,
      foreignPctOnServerCpu: coreBefore !== undefined && coreAfter !== undefined ? foreignBusyPct(coreBefore, coreAfter, serverTicks) : undefined,
      cpuPressurePct: stallPct(pressureBefore, pressureAfter, 'cpu'),
    }
  } finally {
    await stopAll(procs.length > 0 ? procs : [...live])
    if (!opts.keepWorkdir) rmSync(stepDir, { recursive: true, force: true })
  }
}

function describe(r: PairRun): string {
  return `${r.kind} ${r.offeredRate}/s #${r.repeat}: ${r.achievedRate.toFixed(1)} DORA/s, ${r.completionPct.toFixed(2)} %, ` +
    `CPU ${r.cpuMsPerDora?.toFixed(3) ?? '–'} ms/DORA (both), read/write syscalls per DORA ${r.readSyscallsPerDora?.toFixed(2) ?? '–'}/${r.writeSyscallsPerDora?.toFixed(2) ?? '–'}, ACKs per node ${r.acksPerNode.join('/')}, ` +
    `OFFERs per node ${r.offersPerNode.join('/')} vs perfdhcp ${r.offersReceived} received, ACKs received ${r.acksReceived}, orphans DO/RA ${r.orphansDO}/${r.orphansRA}, ` +
    `sync ${(r.syncMs / 1000).toFixed(1)} s, others on srv CPU ${r.foreignPctOnServerCpu?.toFixed(0) ?? '–'} %, load ${r.loadavg1.toFixed(2)}`
}

export interface PairKindOutcome {
  kind: string
  label: string
  durability: string
  steps: PairStep[]
  skipped?: string
}

async function runKind(l: Lab, kind: PairKind, opts: PairOptions, workdir: string, ticksPerS: number, runs: PairRun[]): Promise<PairKindOutcome> {
  const outcome: PairKindOutcome = { kind: kind.name, label: kind.label, durability: kind.durability, steps: [] }
  const why = kind.unavailableReason()
  if (why !== undefined) {
    outcome.skipped = why
    log(`skipping ${kind.name}: ${why}`)
    return outcome
  }
  for (const rate of opts.rates) {
    const stepRuns: PairRun[] = []
    for (let repeat = 1; repeat <= opts.repeats; repeat++) {
      try {
        const r = await runStep(l, kind, rate, repeat, opts, workdir, ticksPerS)
        log(describe(r))
        stepRuns.push(r)
        runs.push(r)
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err)
        outcome.skipped = `${err instanceof NotReady ? 'not ready' : 'aborted'} at ${rate}/s: ${msg.split('\n')[0]}`
        log(`${kind.name}: ${msg}`)
        return outcome
      }
    }
    const step = summarizePairStep(stepRuns)
    outcome.steps.push(step)
    if ((step.completionPct ?? 0) < STOP_BELOW_COMPLETION_PCT) {
      log(`${kind.name}: completion ${step.completionPct?.toFixed(1)} % < ${STOP_BELOW_COMPLETION_PCT} % at ${rate}/s, ladder stops`)
      break
    }
  }
  return outcome
}

async function main(): Promise<number> {
  let opts: PairOptions
  try {
    opts = parsePairOptions(process.argv.slice(2), process.env)
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${PAIR_USAGE}`)
    return 2
  }
  if (opts.help) {
    process.stdout.write(PAIR_USAGE)
    return 0
  }
  const check = canRunLab(['perfdhcp', 'taskset', 'getconf'])
  if (!check.ok) {
    log(`cannot run the benchmark lab: ${check.reason}`)
    return 2
  }
  const workdir = opts.workdir ?? mkdtempSync(join(tmpdir(), 'hbp-bench-'))
  mkdirSync(workdir, { recursive: true })
  if (opts.workdir === undefined && !opts.keepWorkdir) disposable = workdir
  try {
    if (statfsSync(workdir).type === TMPFS_MAGIC) log(`WARNING: ${workdir} is on tmpfs; fsync is free there and the fsyncing servers look too good`)
  } catch {
    // statfs unsupported: no warning
  }
  const ticksPerS = clockTicksPerSecond()
  const fsyncMs = measureFsyncMs(workdir)
  const startedAt = new Date()
  log(`kinds ${opts.kinds.join(',')}, rates ${opts.rates.join(' ')}, ${opts.durationS} s/step, ${opts.repeats} repeat(s), ` +
    `servers on CPU ${opts.serverCpu || 'any'} (both peers of a pair share it), perfdhcp on CPU ${opts.clientCpu || 'any'}, ` +
    `fsync ${fsyncMs.toFixed(2)} ms, load ${loadavg()[0]?.toFixed(2)}, workdir ${workdir}`)
  const outcomes: PairKindOutcome[] = []
  const runs: PairRun[] = []
  try {
    lab = buildLab(PAIR_LAB)
    for (const k of opts.kinds) outcomes.push(await runKind(lab, PAIR_KIND_TABLE[k], opts, workdir, ticksPerS, runs))
  } finally {
    emergencyCleanup()
    lab = undefined
  }
  const header = `## Failover pair results ${startedAt.toISOString()} (${opts.durationS} s per step, ${opts.repeats} repeat(s), ` +
    `servers on CPU ${opts.serverCpu || 'any'}, perfdhcp on CPU ${opts.clientCpu || 'any'}, fsync ${fsyncMs.toFixed(2)} ms, ` +
    `loadavg at end ${loadavg()[0]?.toFixed(2)})`
  process.stdout.write(`\n${header}\n\n${pairMarkdown(outcomes)}\n`)
  mkdirSync(opts.resultsDir, { recursive: true })
  const file = join(opts.resultsDir, `pair-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: opts, fsyncMs, lab: PAIR_LAB, outcomes, runs }, null, 2)}\n`)
  log(`results written to ${file}`)
  return 0
}

function onSignal(signal: NodeJS.Signals): void {
  log(`${signal}: stopping servers and removing namespaces`)
  emergencyCleanup()
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15))
}
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)

main().then((code) => {
  process.exitCode = code
}, (err: unknown) => {
  emergencyCleanup()
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  process.exitCode = 1
})
