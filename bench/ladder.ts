/**
 * Ladder rules from docs/benchmarking.md: a ladder of offered rates is climbed in order
 * and stops after the first rate whose median completion is below 80 %; the max
 * sustainable rate is the highest offered rate whose median completion is >= 99 %.
 */
import type { StepSummary } from './results.js'

export const SUSTAINABLE_COMPLETION_PCT = 99
export const STOP_BELOW_COMPLETION_PCT = 80

/** Parses "250 500,750" into a strictly positive, ascending, de-duplicated list. */
export function parseRateLadder(text: string): number[] {
  const rates = text
    .split(/[\s,]+/)
    .filter((t) => t !== '')
    .map((t) => {
      const n = Number(t)
      if (!Number.isInteger(n) || n <= 0) throw new Error(`invalid rate "${t}" (positive integer expected)`)
      return n
    })
  if (rates.length === 0) throw new Error('empty rate ladder')
  return [...new Set(rates)].sort((a, b) => a - b)
}

/** Should the ladder stop after this step? (A step with no completion at all stops it too.) */
export function stopsLadder(step: StepSummary): boolean {
  return (step.completionPct ?? 0) < STOP_BELOW_COMPLETION_PCT
}

export function isSustainable(step: StepSummary): boolean {
  return (step.completionPct ?? 0) >= SUSTAINABLE_COMPLETION_PCT
}

/** Highest offered rate with median completion >= 99 %, or undefined if none. */
export function maxSustainableRate(steps: readonly StepSummary[]): number | undefined {
  let best: number | undefined
  for (const s of steps) {
    if (isSustainable(s) && (best === undefined || s.offeredRate > best)) best = s.offeredRate
  }
  return best
}

/** The sustainable step at the max sustainable rate (for its CPU and latency). */
export function stepAtMaxSustainable(steps: readonly StepSummary[]): StepSummary | undefined {
  const rate = maxSustainableRate(steps)
  return rate === undefined ? undefined : steps.find((s) => s.offeredRate === rate)
}

/** Quick-mode ladder: the two lowest rates. */
export function quickLadder(rates: readonly number[]): number[] {
  return [...rates].sort((a, b) => a - b).slice(0, 2)
}
