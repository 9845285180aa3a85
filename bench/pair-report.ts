/**
 * Records and markdown of the pair bench: one PairRun per perfdhcp run, medians per step, a
 * summary (max rate at >= 99 % completion, CPU ms per DORA summed over both peers at equal
 * offered rates) and the hadhcpd-pair / Kea HA ratio the issue targets (>= 2x).
 */
import { SUSTAINABLE_COMPLETION_PCT } from './ladder.js'
import { median, medianOfDefined } from './stats.js'

export interface PairRun {
  kind: string
  offeredRate: number
  repeat: number
  durationS: number
  /** ms from start to synchronised and probed. */
  syncMs: number
  discoversSent: number
  offersReceived: number
  requestsSent: number
  acksReceived: number
  dropsDO: number
  dropsRA: number
  orphansDO: number
  orphansRA: number
  sentRate: number
  achievedRate: number
  completionPct: number
  doP99?: number | undefined
  raP99?: number | undefined
  /** CPU of both peers (or the single node) during the load. */
  serverCpuMs: number
  cpuMsPerNode: number[]
  cpuMsPerDora?: number | undefined
  /** `/proc/PID/io` syscr / syscw of all peers during the load, per ACK (noise-free work measure). */
  readSyscallsPerDora?: number | undefined
  writeSyscallsPerDora?: number | undefined
  /** OFFER / ACK lines each node logged during the load. */
  offersPerNode: number[]
  acksPerNode: number[]
  loadavg1: number
  foreignPctOnServerCpu?: number | undefined
  cpuPressurePct?: number | undefined
}

export interface PairStep {
  kind: string
  offeredRate: number
  repeats: number
  sentRate?: number | undefined
  achievedRate?: number | undefined
  completionPct?: number | undefined
  completionPerRepeat: number[]
  doP99?: number | undefined
  raP99?: number | undefined
  cpuMsPerDora?: number | undefined
  readSyscallsPerDora?: number | undefined
  writeSyscallsPerDora?: number | undefined
  /** Share of the ACKs each node logged, % (median over repeats). */
  ackSharePct: Array<number | undefined>
  /** Sum of the nodes' OFFER lines / OFFERs perfdhcp received (1.0 = no duplicate offers). */
  offersLoggedPerReceived?: number | undefined
  /** Sum of the nodes' ACK lines / ACKs perfdhcp received (> 1: both peers ACKed some REQUESTs). */
  acksLoggedPerReceived?: number | undefined
  orphansDO?: number | undefined
  orphansRA?: number | undefined
  loadavg1?: number | undefined
  foreignPctOnServerCpu?: number | undefined
}

export function sharePct(perNode: readonly number[]): Array<number | undefined> {
  const total = perNode.reduce((a, b) => a + b, 0)
  return perNode.map((n) => (total > 0 ? (100 * n) / total : undefined))
}

export function summarizePairStep(runs: readonly PairRun[]): PairStep {
  const first = runs[0]
  if (first === undefined) throw new Error('summarizePairStep: no runs')
  const nodes = Math.max(...runs.map((r) => r.acksPerNode.length))
  const shares = runs.map((r) => sharePct(r.acksPerNode))
  return {
    kind: first.kind,
    offeredRate: first.offeredRate,
    repeats: runs.length,
    sentRate: medianOfDefined(runs.map((r) => r.sentRate)),
    achievedRate: medianOfDefined(runs.map((r) => r.achievedRate)),
    completionPct: medianOfDefined(runs.map((r) => r.completionPct)),
    completionPerRepeat: runs.map((r) => r.completionPct),
    doP99: medianOfDefined(runs.map((r) => r.doP99)),
    raP99: medianOfDefined(runs.map((r) => r.raP99)),
    cpuMsPerDora: medianOfDefined(runs.map((r) => r.cpuMsPerDora)),
    readSyscallsPerDora: medianOfDefined(runs.map((r) => r.readSyscallsPerDora)),
    writeSyscallsPerDora: medianOfDefined(runs.map((r) => r.writeSyscallsPerDora)),
    ackSharePct: Array.from({ length: nodes }, (_, i) => medianOfDefined(shares.map((s) => s[i]))),
    offersLoggedPerReceived: medianOfDefined(runs.map((r) =>
      r.offersReceived > 0 ? r.offersPerNode.reduce((a, b) => a + b, 0) / r.offersReceived : undefined)),
    acksLoggedPerReceived: medianOfDefined(runs.map((r) =>
      r.acksReceived > 0 ? r.acksPerNode.reduce((a, b) => a + b, 0) / r.acksReceived : undefined)),
    orphansDO: medianOfDefined(runs.map((r) => r.orphansDO)),
    orphansRA: medianOfDefined(runs.map((r) => r.orphansRA)),
    loadavg1: medianOfDefined(runs.map((r) => r.loadavg1)),
    foreignPctOnServerCpu: medianOfDefined(runs.map((r) => r.foreignPctOnServerCpu)),
  }
}

export interface PairOutcomeLike {
  kind: string
  label: string
  durability: string
  steps: PairStep[]
  skipped?: string
}

function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits)
}

export function maxSustained(steps: readonly PairStep[]): PairStep | undefined {
  let best: PairStep | undefined
  for (const s of steps) {
    if ((s.completionPct ?? 0) >= SUSTAINABLE_COMPLETION_PCT && (best === undefined || s.offeredRate > best.offeredRate)) best = s
  }
  return best
}

/** hadhcpd-pair vs kea-ha: max sustained rate ratio, and Kea/hadhcpd CPU per DORA at common sustained rates. */
export function pairRatios(outcomes: readonly PairOutcomeLike[], ours = 'hadhcpd-pair', theirs = 'kea-ha'): { rate?: number; cpu?: number } {
  const a = outcomes.find((o) => o.kind === ours)
  const b = outcomes.find((o) => o.kind === theirs)
  if (a === undefined || b === undefined) return {}
  const ma = maxSustained(a.steps)
  const mb = maxSustained(b.steps)
  const cpuRatios: number[] = []
  for (const s of a.steps) {
    const t = b.steps.find((x) => x.offeredRate === s.offeredRate)
    if (t?.cpuMsPerDora !== undefined && s.cpuMsPerDora !== undefined && s.cpuMsPerDora > 0 &&
      (s.completionPct ?? 0) >= SUSTAINABLE_COMPLETION_PCT && (t.completionPct ?? 0) >= SUSTAINABLE_COMPLETION_PCT) {
      cpuRatios.push(t.cpuMsPerDora / s.cpuMsPerDora)
    }
  }
  const out: { rate?: number; cpu?: number } = {}
  if (ma !== undefined && mb !== undefined) out.rate = ma.offeredRate / mb.offeredRate
  const c = median(cpuRatios)
  if (c !== undefined) out.cpu = c
  return out
}

export function pairMarkdown(outcomes: readonly PairOutcomeLike[]): string {
  const summary = [
    '| server | durability | max rate at ≥99 % (DORA/s offered) | CPU ms/DORA there (all peers) | ACK share node1 / node2 % | note |',
    '|---|---|---:|---:|---|---|',
  ]
  for (const o of outcomes) {
    const top = maxSustained(o.steps)
    summary.push(`| ${o.label} | ${o.durability} | ${top === undefined ? 'none' : String(top.offeredRate)} | ${fmt(top?.cpuMsPerDora, 3)} | ` +
      `${top === undefined ? '–' : top.ackSharePct.map((s) => fmt(s, 1)).join(' / ')} | ${o.skipped ?? ''} |`)
  }
  const steps = [
    '| kind | offered/s | sent/s | achieved DORA/s | compl % | DO / RA p99 ms | CPU ms/DORA (all peers) | r / w syscalls per DORA | ACK share % per node | logged OFFERs / ACKs per received | orphans DO / RA | n | others on srv CPU % | load |',
    '|---|---:|---:|---:|---:|---|---:|---|---|---|---|---:|---:|---:|',
  ]
  for (const o of outcomes) {
    for (const s of o.steps) {
      steps.push(`| ${[o.kind, String(s.offeredRate), fmt(s.sentRate, 0), fmt(s.achievedRate, 1), fmt(s.completionPct),
        `${fmt(s.doP99, 1)} / ${fmt(s.raP99, 1)}`, fmt(s.cpuMsPerDora, 3), `${fmt(s.readSyscallsPerDora, 2)} / ${fmt(s.writeSyscallsPerDora, 2)}`, s.ackSharePct.map((x) => fmt(x, 1)).join(' / '),
        `${fmt(s.offersLoggedPerReceived, 3)} / ${fmt(s.acksLoggedPerReceived, 3)}`, `${fmt(s.orphansDO, 0)} / ${fmt(s.orphansRA, 0)}`, String(s.repeats), fmt(s.foreignPctOnServerCpu, 0), fmt(s.loadavg1)].join(' | ')} |`)
    }
  }
  const r = pairRatios(outcomes)
  const ratio = `hadhcpd pair / Kea HA pair: max sustained rate ${r.rate === undefined ? '–' : `${r.rate.toFixed(2)}×`}, ` +
    `CPU per DORA (Kea ÷ hadhcpd at common sustained rates) ${r.cpu === undefined ? '–' : `${r.cpu.toFixed(2)}×`} (target ≥ 2×).`
  return [summary.join('\n'), '', steps.join('\n'), '', ratio, ''].join('\n')
}
