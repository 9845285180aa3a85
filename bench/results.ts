/**
 * Result records: one `StepRun` per perfdhcp run, folded into a `StepSummary` per
 * (kind, mode, offered rate) by taking medians over the repeats.
 */
import type { PerfdhcpReport } from './perfdhcp-output.js'
import { medianOfDefined, percentile } from './stats.js'

/** `hadhcpd` runs its default transport (packet sockets when possible); `hadhcpd-udp` is forced to UDP. */
export type ServerKindName = 'dhcpd' | 'kea' | 'hadhcpd' | 'hadhcpd-udp'
export type LoadMode = 'bcast' | 'ucast'

/** Latency numbers of one exchange type, in ms. */
export interface LatencyMs {
  avg?: number | undefined
  p50?: number | undefined
  p99?: number | undefined
}

export interface StepRun {
  kind: ServerKindName
  mode: LoadMode
  offeredRate: number
  repeat: number
  durationS: number
  discoversSent: number
  offersReceived: number
  requestsSent: number
  acksReceived: number
  dropsDO: number
  dropsRA: number
  /** DISCOVERs actually sent per second (perfdhcp may fall short of the offered rate). */
  sentRate: number
  /** ACKs / duration (not perfdhcp's `Rate:` line, which includes -W; pitfall 4). */
  achievedRate: number
  /** ACKs / DISCOVERs sent, in %. */
  completionPct: number
  discoverOffer: LatencyMs
  requestAck: LatencyMs
  serverCpuMs: number
  /** serverCpuMs / ACKs; undefined when nothing completed. */
  cpuMsPerDora?: number | undefined
  perfdhcpExitCode: number | null
  loadavg1: number
  /** % of the server's CPU used by other tasks during the load (noise); undefined if unpinned. */
  foreignPctOnServerCpu?: number | undefined
  /** PSI "some" stall share of wall time during the load, machine-wide, in %. */
  cpuPressurePct?: number | undefined
  ioPressurePct?: number | undefined
}

export interface StepSummary {
  kind: ServerKindName
  mode: LoadMode
  offeredRate: number
  repeats: number
  sentRate?: number | undefined
  achievedRate?: number | undefined
  completionPct?: number | undefined
  completionPerRepeat: number[]
  dropsDO?: number | undefined
  dropsRA?: number | undefined
  discoverOffer: LatencyMs
  requestAck: LatencyMs
  cpuMsPerDora?: number | undefined
  loadavg1?: number | undefined
  foreignPctOnServerCpu?: number | undefined
  cpuPressurePct?: number | undefined
  ioPressurePct?: number | undefined
}

export interface RunContext {
  kind: ServerKindName
  mode: LoadMode
  offeredRate: number
  repeat: number
  durationS: number
  serverCpuMs: number
  perfdhcpExitCode: number | null
  loadavg1: number
  foreignPctOnServerCpu?: number | undefined
  cpuPressurePct?: number | undefined
  ioPressurePct?: number | undefined
}

function latency(r: PerfdhcpReport, exchange: 'DISCOVER-OFFER' | 'REQUEST-ACK'): LatencyMs {
  const e = r.exchanges[exchange]
  return { avg: e.avgDelayMs, p50: percentile(e.latenciesMs, 50), p99: percentile(e.latenciesMs, 99) }
}

export function completionPct(discoversSent: number, acksReceived: number): number {
  return discoversSent > 0 ? (100 * acksReceived) / discoversSent : 0
}

/** Turns one parsed perfdhcp report plus its context into a StepRun. */
export function stepRunFromReport(report: PerfdhcpReport, ctx: RunContext): StepRun {
  const dO = report.exchanges['DISCOVER-OFFER']
  const rA = report.exchanges['REQUEST-ACK']
  const discoversSent = dO.sent ?? 0
  const acksReceived = rA.received ?? 0
  return {
    ...ctx,
    discoversSent,
    offersReceived: dO.received ?? 0,
    requestsSent: rA.sent ?? 0,
    acksReceived,
    dropsDO: dO.drops ?? 0,
    dropsRA: rA.drops ?? 0,
    sentRate: discoversSent / ctx.durationS,
    achievedRate: acksReceived / ctx.durationS,
    completionPct: completionPct(discoversSent, acksReceived),
    discoverOffer: latency(report, 'DISCOVER-OFFER'),
    requestAck: latency(report, 'REQUEST-ACK'),
    cpuMsPerDora: acksReceived > 0 ? ctx.serverCpuMs / acksReceived : undefined,
  }
}

function medianLatency(runs: readonly LatencyMs[]): LatencyMs {
  return {
    avg: medianOfDefined(runs.map((l) => l.avg)),
    p50: medianOfDefined(runs.map((l) => l.p50)),
    p99: medianOfDefined(runs.map((l) => l.p99)),
  }
}

/** Medians over the repeats of one step. All runs must share kind, mode and rate. */
export function summarizeStep(runs: readonly StepRun[]): StepSummary {
  const first = runs[0]
  if (first === undefined) throw new Error('summarizeStep: no runs')
  for (const r of runs) {
    if (r.kind !== first.kind || r.mode !== first.mode || r.offeredRate !== first.offeredRate) {
      throw new Error('summarizeStep: runs from different steps')
    }
  }
  return {
    kind: first.kind,
    mode: first.mode,
    offeredRate: first.offeredRate,
    repeats: runs.length,
    sentRate: medianOfDefined(runs.map((r) => r.sentRate)),
    achievedRate: medianOfDefined(runs.map((r) => r.achievedRate)),
    completionPct: medianOfDefined(runs.map((r) => r.completionPct)),
    completionPerRepeat: runs.map((r) => r.completionPct),
    dropsDO: medianOfDefined(runs.map((r) => r.dropsDO)),
    dropsRA: medianOfDefined(runs.map((r) => r.dropsRA)),
    discoverOffer: medianLatency(runs.map((r) => r.discoverOffer)),
    requestAck: medianLatency(runs.map((r) => r.requestAck)),
    cpuMsPerDora: medianOfDefined(runs.map((r) => r.cpuMsPerDora)),
    loadavg1: medianOfDefined(runs.map((r) => r.loadavg1)),
    foreignPctOnServerCpu: medianOfDefined(runs.map((r) => r.foreignPctOnServerCpu)),
    cpuPressurePct: medianOfDefined(runs.map((r) => r.cpuPressurePct)),
    ioPressurePct: medianOfDefined(runs.map((r) => r.ioPressurePct)),
  }
}
