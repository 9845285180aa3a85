/**
 * Markdown rendering of bench results and the hadhcpd-versus-anchor ratios.
 */
import { isSustainable, maxSustainableRate, stepAtMaxSustainable } from './ladder.js'
import type { ServerKindName, StepSummary } from './results.js'
import { median } from './stats.js'

export interface KindOutcome {
  kind: ServerKindName
  label: string
  durability: string
  steps: StepSummary[]
  /** Set when the kind was skipped or aborted; steps may still hold earlier results. */
  skipped?: string | undefined
}

function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits)
}

export function stepTable(outcomes: readonly KindOutcome[]): string {
  const lines = [
    '| kind | mode | offered/s | sent/s | achieved DORA/s | compl % | drops DO | drops RA | DO avg | DO p50 | DO p99 | RA avg | RA p50 | RA p99 | CPU ms/DORA | n | others on srv CPU % | CPU / IO stall % |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const o of outcomes) {
    for (const s of o.steps) {
      lines.push(`| ${[
        s.kind, s.mode, String(s.offeredRate), fmt(s.sentRate), fmt(s.achievedRate), fmt(s.completionPct),
        fmt(s.dropsDO, 0), fmt(s.dropsRA, 0),
        fmt(s.discoverOffer.avg), fmt(s.discoverOffer.p50), fmt(s.discoverOffer.p99),
        fmt(s.requestAck.avg), fmt(s.requestAck.p50), fmt(s.requestAck.p99),
        fmt(s.cpuMsPerDora, 3), String(s.repeats), fmt(s.foreignPctOnServerCpu, 0),
        `${fmt(s.cpuPressurePct, 0)} / ${fmt(s.ioPressurePct, 0)}`,
      ].join(' | ')} |`)
    }
  }
  return lines.join('\n')
}

export function summaryTable(outcomes: readonly KindOutcome[]): string {
  const lines = [
    '| server | mode | durability | max sustainable (DORA/s, ≥99 %) | DO / RA p99 at that rate (ms) | CPU ms/DORA at that rate | note |',
    '|---|---|---|---:|---|---:|---|',
  ]
  for (const o of outcomes) {
    const modes = [...new Set(o.steps.map((s) => s.mode))]
    if (modes.length === 0) {
      lines.push(`| ${o.label} | – | ${o.durability} | – | – | – | ${o.skipped ?? 'no steps'} |`)
      continue
    }
    for (const mode of modes) {
      const steps = o.steps.filter((s) => s.mode === mode)
      const top = stepAtMaxSustainable(steps)
      lines.push(`| ${o.label} | ${mode} | ${o.durability} | ${top === undefined ? 'none' : String(top.offeredRate)} | ` +
        `${fmt(top?.discoverOffer.p99)} / ${fmt(top?.requestAck.p99)} | ${fmt(top?.cpuMsPerDora, 3)} | ${o.skipped ?? ''} |`)
    }
  }
  return lines.join('\n')
}

export interface Ratio {
  /** hadhcpd value / anchor value; undefined when either side is missing. */
  value?: number | undefined
  basis: string
}

export interface AnchorRatios {
  anchor: ServerKindName
  mode: string
  maxSustainable: Ratio
  cpuPerDora: Ratio
}

/**
 * CPU per DORA is compared at the same offered rates where both servers sustained the
 * load (median of the per-rate ratios); without a common rate, at each one's max
 * sustainable rate.
 */
export function ratios(candidate: readonly StepSummary[], anchor: readonly StepSummary[], anchorKind: ServerKindName, mode: string): AnchorRatios {
  const c = candidate.filter((s) => s.mode === mode)
  const a = anchor.filter((s) => s.mode === mode)
  const cMax = maxSustainableRate(c)
  const aMax = maxSustainableRate(a)
  const maxSustainable: Ratio = {
    value: cMax !== undefined && aMax !== undefined ? cMax / aMax : undefined,
    basis: `${cMax ?? 'none'} / ${aMax ?? 'none'} DORA/s`,
  }
  const common: number[] = []
  for (const cs of c) {
    const as = a.find((s) => s.offeredRate === cs.offeredRate)
    if (as === undefined || !isSustainable(cs) || !isSustainable(as)) continue
    if (cs.cpuMsPerDora !== undefined && as.cpuMsPerDora !== undefined && as.cpuMsPerDora > 0) {
      common.push(cs.cpuMsPerDora / as.cpuMsPerDora)
    }
  }
  let cpuPerDora: Ratio
  if (common.length > 0) {
    cpuPerDora = { value: median(common), basis: `median over ${common.length} common sustained rate(s)` }
  } else {
    const cTop = stepAtMaxSustainable(c)?.cpuMsPerDora
    const aTop = stepAtMaxSustainable(a)?.cpuMsPerDora
    cpuPerDora = {
      value: cTop !== undefined && aTop !== undefined && aTop > 0 ? cTop / aTop : undefined,
      basis: 'at each max sustainable rate (no common sustained rate)',
    }
  }
  return { anchor: anchorKind, mode, maxSustainable, cpuPerDora }
}

export function ratioSection(outcomes: readonly KindOutcome[]): string {
  const ours = outcomes.find((o) => o.kind === 'hadhcpd')
  if (ours === undefined) return 'Ratios: hadhcpd was not selected.'
  if (ours.steps.length === 0) return `Ratios hadhcpd/Kea and hadhcpd/ISC: n/a (${ours.skipped ?? 'no hadhcpd results'})`
  const lines = ['| ratio | mode | max sustainable rate | basis | CPU per DORA | basis |', '|---|---|---:|---|---:|---|']
  for (const anchorKind of ['kea', 'dhcpd'] as const) {
    const anchor = outcomes.find((o) => o.kind === anchorKind)
    if (anchor === undefined || anchor.steps.length === 0) {
      lines.push(`| hadhcpd/${anchorKind} | – | n/a | ${anchorKind} not measured in this run | n/a | |`)
      continue
    }
    for (const mode of new Set(ours.steps.map((s) => s.mode))) {
      const r = ratios(ours.steps, anchor.steps, anchorKind, mode)
      lines.push(`| hadhcpd/${anchorKind} | ${mode} | ${fmt(r.maxSustainable.value)} | ${r.maxSustainable.basis} | ` +
        `${fmt(r.cpuPerDora.value)} | ${r.cpuPerDora.basis} |`)
    }
  }
  return lines.join('\n')
}
