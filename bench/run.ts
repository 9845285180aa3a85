/**
 * `npm run bench`: DHCPv4 throughput/latency/CPU ladder for ISC dhcpd, Kea and hadhcpd,
 * following docs/benchmarking.md. Needs root; builds its own `hbn-*` namespaces and
 * removes them on exit, error or SIGINT/SIGTERM.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildLab, canRunLab, type Lab, type LabProcess } from '../src/lab/netns.js'
import { stopsLadder } from './ladder.js'
import { USAGE, parseOptions, type BenchOptions } from './options.js'
import { isCompleteReport, parsePerfdhcpOutput } from './perfdhcp-output.js'
import { isPerfdhcpSuccess, loadArgv, probeArgv } from './perfdhcp.js'
import { clockTicksPerSecond, foreignBusyPct, processGroupTicks, readCpuTimes } from './proc-stat.js'
import { measureFsyncMs, samplePressure, stallPct } from './pressure.js'
import { ratioSection, stepTable, summaryTable, type KindOutcome } from './report.js'
import { stepRunFromReport, summarizeStep, type LoadMode, type ServerKindName, type StepRun } from './results.js'
import { DHCPD, KEA, hadhcpdKind, type ServerKind } from './servers.js'
import { BENCH_LAB, CLIENT, SERVER } from './topology.js'

const READY_TIMEOUT_MS = 15_000
const PROBE_ATTEMPTS = 5
const PROBE_TIMEOUT_MS = 10_000
const STOP_GRACE_MS = 10_000
/** Extra time perfdhcp may take beyond -p (exit wait, report, archive dump). */
const LOAD_SLACK_MS = 30_000
const TMPFS_MAGIC = 0x01021994

/** The server never became ready (log marker or probe): the kind is skipped. */
class ServerNotReady extends Error {}

/** Processes started by this run, killed on abnormal exit. */
const live = new Set<LabProcess>()
let lab: Lab | undefined
/** Scratch dir to remove on exit (unset when the user asked to keep it or chose it). */
let disposableWorkdir: string | undefined
/** Set by the signal handler. */
let stopping = false

function track(p: LabProcess): LabProcess {
  live.add(p)
  return p
}

async function stopTracked(p: LabProcess): Promise<void> {
  await p.stop(STOP_GRACE_MS)
  live.delete(p)
}

function emergencyCleanup(): void {
  for (const p of live) p.killGroupNow()
  live.clear()
  try {
    lab?.destroy()
  } catch (err) {
    console.error(`cleanup: ${String(err)}`)
  }
  if (disposableWorkdir !== undefined) rmSync(disposableWorkdir, { recursive: true, force: true })
  disposableWorkdir = undefined
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}

function tail(text: string, lines = 8): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

interface StepSpec {
  kind: ServerKind
  mode: LoadMode
  rate: number
  repeat: number
}

async function probe(l: Lab, stepDir: string): Promise<string> {
  let last = ''
  for (let attempt = 1; attempt <= PROBE_ATTEMPTS; attempt++) {
    const p = track(l.run(CLIENT.ns, probeArgv(), { output: { kind: 'capture', maxBytes: 1 << 20 } }))
    const status = await p.waitForExit(PROBE_TIMEOUT_MS)
    if (status === undefined) await stopTracked(p)
    live.delete(p)
    last = p.stdout + p.stderr
    const acks = parsePerfdhcpOutput(last).exchanges['REQUEST-ACK'].received ?? 0
    if (acks >= 1) return `probe ok (attempt ${attempt})`
  }
  writeFileSync(join(stepDir, 'probe.out'), last)
  throw new ServerNotReady(`readiness probe got no ACK in ${PROBE_ATTEMPTS} attempts:\n${tail(last)}`)
}

async function runStep(l: Lab, opts: BenchOptions, workdir: string, spec: StepSpec, ticksPerS: number): Promise<StepRun> {
  const stepDir = join(workdir, `${spec.kind.name}-${spec.mode}-${spec.rate}-r${spec.repeat}`)
  rmSync(stepDir, { recursive: true, force: true })
  mkdirSync(stepDir, { recursive: true }) // fresh config and empty lease DB per step
  const launch = spec.kind.prepare({ stepDir, serverCpu: opts.serverCpu })
  const server = track(l.run(SERVER.ns, launch.argv, {
    output: { kind: 'file', path: launch.outputPath },
    ...(launch.env === undefined ? {} : { env: launch.env }),
  }))
  try {
    const ready = await server.waitForOutput(launch.ready.pattern, READY_TIMEOUT_MS, launch.ready.file)
    if (!ready.found) {
      throw new ServerNotReady(`${ready.reason}:\n${tail(server.output())}`)
    }
    await probe(l, stepDir)

    const perfdhcpOut = join(stepDir, 'perfdhcp.out')
    const argv = loadArgv({
      rate: spec.rate, durationS: opts.durationS, mode: spec.mode, timestamps: opts.timestamps, clientCpu: opts.clientCpu,
    })
    const pinnedCpu = /^\d+$/.test(opts.serverCpu) ? Number(opts.serverCpu) : undefined
    const coreBefore = pinnedCpu === undefined ? undefined : readCpuTimes(pinnedCpu)
    const ticksBefore = processGroupTicks(server.pid)
    const pressureBefore = samplePressure()
    const load = track(l.run(CLIENT.ns, argv, { output: { kind: 'file', path: perfdhcpOut } }))
    const status = await load.waitForExit(opts.durationS * 1000 + LOAD_SLACK_MS)
    const ticksAfter = processGroupTicks(server.pid)
    const pressureAfter = samplePressure()
    const coreAfter = pinnedCpu === undefined ? undefined : readCpuTimes(pinnedCpu)
    if (status === undefined) {
      await stopTracked(load)
      throw new Error(`perfdhcp did not finish within ${opts.durationS * 1000 + LOAD_SLACK_MS} ms`)
    }
    live.delete(load)
    if (!server.running) throw new Error(`server exited during the load:\n${tail(server.output())}`)
    const text = readFileSync(perfdhcpOut, 'utf8')
    const report = parsePerfdhcpOutput(text)
    if (!isPerfdhcpSuccess(status.code) || !isCompleteReport(report)) {
      throw new Error(`perfdhcp failed (exit ${status.code ?? status.signal}):\n${tail(text)}`)
    }
    return stepRunFromReport(report, {
      kind: spec.kind.name,
      mode: spec.mode,
      offeredRate: spec.rate,
      repeat: spec.repeat,
      durationS: opts.durationS,
      serverCpuMs: ((ticksAfter - ticksBefore) * 1000) / ticksPerS,
      perfdhcpExitCode: status.code,
      loadavg1: loadavg()[0] ?? 0,
      foreignPctOnServerCpu: coreBefore !== undefined && coreAfter !== undefined
        ? foreignBusyPct(coreBefore, coreAfter, ticksAfter - ticksBefore)
        : undefined,
      cpuPressurePct: stallPct(pressureBefore, pressureAfter, 'cpu'),
      ioPressurePct: stallPct(pressureBefore, pressureAfter, 'io'),
    })
  } finally {
    await stopTracked(server)
    if (!opts.keepWorkdir) rmSync(stepDir, { recursive: true, force: true })
  }
}

function describeRun(r: StepRun): string {
  return `${r.kind} ${r.mode} ${r.offeredRate}/s #${r.repeat}: ${r.achievedRate.toFixed(1)} DORA/s, ` +
    `${r.completionPct.toFixed(2)} % complete, RA p99 ${r.requestAck.p99?.toFixed(2) ?? '–'} ms, ` +
    `CPU ${r.cpuMsPerDora?.toFixed(3) ?? '–'} ms/DORA, ` +
    `others on server CPU ${r.foreignPctOnServerCpu?.toFixed(0) ?? '–'} %, ` +
    `CPU/IO stall ${r.cpuPressurePct?.toFixed(0) ?? '–'}/${r.ioPressurePct?.toFixed(0) ?? '–'} %, load ${r.loadavg1.toFixed(2)}`
}

async function runKind(l: Lab, opts: BenchOptions, workdir: string, kind: ServerKind, ticksPerS: number, runs: StepRun[]): Promise<KindOutcome> {
  const outcome: KindOutcome = { kind: kind.name, label: kind.label, durability: kind.durability, steps: [] }
  const unavailable = kind.unavailableReason()
  if (unavailable !== undefined) {
    outcome.skipped = unavailable
    log(`skipping ${kind.name}: ${unavailable}`)
    return outcome
  }
  for (const mode of opts.modes) {
    for (const rate of opts.rates[kind.name]) {
      const stepRuns: StepRun[] = []
      for (let repeat = 1; repeat <= opts.repeats; repeat++) {
        try {
          const r = await runStep(l, opts, workdir, { kind, mode, rate, repeat }, ticksPerS)
          log(describeRun(r))
          stepRuns.push(r)
          runs.push(r)
        } catch (err) {
          const first = outcome.steps.length === 0 && stepRuns.length === 0
          if (err instanceof ServerNotReady) {
            outcome.skipped = kind.name.startsWith('hadhcpd') && first
              ? `hadhcpd daemon not available yet (server never became ready: ${err.message.split('\n')[0]})`
              : `server not ready at ${mode} ${rate}/s: ${err.message.split('\n')[0]}`
            log(`skipping ${kind.name}: ${err.message}`)
            return outcome
          }
          if (stopping) throw err
          // Anything else (perfdhcp failed, server died, ...): keep what we have, go on
          // with the next kind, and say why in the report.
          const why = err instanceof Error ? err.message : String(err)
          outcome.skipped = `aborted at ${mode} ${rate}/s repeat ${repeat}: ${why.split('\n')[0]}`
          log(`${kind.name}: ${why}`)
          return outcome
        }
      }
      const summary = summarizeStep(stepRuns)
      outcome.steps.push(summary)
      if (stopsLadder(summary)) {
        log(`${kind.name} ${mode}: completion ${summary.completionPct?.toFixed(1)} % < 80 % at ${rate}/s, ladder stops`)
        break
      }
    }
  }
  return outcome
}

function kindsFor(opts: BenchOptions): ServerKind[] {
  const all: Record<ServerKindName, ServerKind> = {
    dhcpd: DHCPD,
    kea: KEA,
    hadhcpd: hadhcpdKind(opts.hadhcpdReadyLine),
    'hadhcpd-udp': hadhcpdKind(opts.hadhcpdReadyLine, 'udp'),
  }
  return opts.kinds.map((k) => all[k])
}

function prepareWorkdir(opts: BenchOptions): string {
  const dir = opts.workdir ?? mkdtempSync(join(tmpdir(), 'hbn-bench-'))
  mkdirSync(dir, { recursive: true })
  try {
    if (statfsSync(dir).type === TMPFS_MAGIC) {
      log(`WARNING: ${dir} is on tmpfs; fsync is free there and dhcpd numbers will be too good`)
    }
  } catch {
    // statfs unsupported: no warning
  }
  return dir
}

async function main(): Promise<number> {
  let opts: BenchOptions
  try {
    opts = parseOptions(process.argv.slice(2), process.env)
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`)
    return 2
  }
  if (opts.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const check = canRunLab(['perfdhcp', 'taskset', 'getconf'])
  if (!check.ok) {
    log(`cannot run the benchmark lab: ${check.reason}`)
    return 2
  }
  const kinds = kindsFor(opts)
  const workdir = prepareWorkdir(opts)
  if (!opts.keepWorkdir && opts.workdir === undefined) disposableWorkdir = workdir
  const ticksPerS = clockTicksPerSecond()
  const fsyncMs = measureFsyncMs(workdir)
  log(`one 256-byte write+fsync in ${workdir}: ${fsyncMs.toFixed(3)} ms (reference VM: ~0.57 ms)`)
  const startedAt = new Date()
  log(`kinds ${opts.kinds.join(',')}, modes ${opts.modes.join(',')}, ${opts.durationS} s/step, ` +
    `${opts.repeats} repeat(s), server CPU ${opts.serverCpu || 'any'}, perfdhcp CPU ${opts.clientCpu || 'any'}, workdir ${workdir}`)

  const outcomes: KindOutcome[] = []
  const runs: StepRun[] = []
  try {
    // buildLab first removes leftovers of this same spec (an aborted earlier run); it
    // does not touch other `hbn-*` namespaces (e2e tests may be using them).
    lab = buildLab(BENCH_LAB)
    for (const kind of kinds) outcomes.push(await runKind(lab, opts, workdir, kind, ticksPerS, runs))
  } finally {
    emergencyCleanup()
    lab = undefined
  }

  const finishedAt = new Date()
  const markdown = [
    `## Results ${startedAt.toISOString()} (${opts.durationS} s per step, ${opts.repeats} repeat(s), ` +
      `fsync ${fsyncMs.toFixed(2)} ms, loadavg at end ${loadavg()[0]?.toFixed(2)})`,
    '',
    summaryTable(outcomes),
    '',
    stepTable(outcomes),
    '',
    ratioSection(outcomes),
    '',
  ].join('\n')
  process.stdout.write(`\n${markdown}`)

  mkdirSync(opts.resultsDir, { recursive: true })
  const file = join(opts.resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify({
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    options: opts,
    fsyncMs,
    lab: BENCH_LAB,
    outcomes,
    runs,
  }, null, 2)}\n`)
  log(`results written to ${file}`)
  return 0
}

function onSignal(signal: NodeJS.Signals): void {
  stopping = true
  log(`${signal}: stopping servers and removing namespaces`)
  emergencyCleanup()
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15))
}
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)

main().then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    emergencyCleanup()
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exitCode = 1
  },
)
