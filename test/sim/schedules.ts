/**
 * Runs seeded two-node schedules (world.ts) and adds up what happened: events, invariant checks and
 * violations, client traffic, faults, pool balancing and rewind. Used by the suite (two-node.test.ts)
 * and by `run-schedules.ts` for long runs outside it.
 */
import { World, type WorldOptions } from './world.js'

/** The suite's world: 8 addresses, 12 clients, MCLT 60 s, desired lease time 300 s. */
export const OPTS = { addresses: 8, clients: 12, mclt: 60, desired: 300 } as const

/** Events per schedule. */
export const EVENTS = 300

export type Totals = Record<string, number>

const add = (t: Totals, k: string, v: number): void => {
  t[k] = (t[k] ?? 0) + v
}

/**
 * Runs `count` schedules of {@link EVENTS} events with seeds `first`, `first + 1`, …; returns the
 * totals. `onViolation` hears of each seed whose schedule broke an invariant (with `countViolations`).
 */
export function runSchedules(count: number, first: number, extra: Partial<WorldOptions> = {}, onViolation?: (seed: number) => void): Totals {
  const totals: Totals = { schedules: 0, events: 0, checks: 0, violations: 0, survivorChecks: 0, survivorViolations: 0 }
  for (let seed = first; seed < first + count; seed++) {
    const w = new World({ seed, ...OPTS, ...extra })
    for (let i = 0; i < EVENTS; i++) {
      w.event()
      add(totals, 'events', 1)
      add(totals, 'checks', 1)
    }
    add(totals, 'schedules', 1)
    if (w.violations + w.survivorViolations > 0) onViolation?.(seed)
    add(totals, 'violations', w.violations)
    add(totals, 'survivorChecks', w.survivorChecks)
    add(totals, 'survivorViolations', w.survivorViolations)
    for (const [k, v] of Object.entries(w.stats)) add(totals, k, v)
    for (const n of w.nodes) {
      add(totals, 'balanceRuns', n.balanceStats.runs)
      add(totals, 'leasesGiven', n.balanceStats.given)
      add(totals, 'poolreqs', n.balanceStats.poolreqs)
      add(totals, 'poolresps', n.balanceStats.poolresps)
      add(totals, 'affinity', n.balanceStats.affinity)
      add(totals, 'reused', n.balanceStats.reused)
      add(totals, 'rewoundReleased', n.rewindStats.released)
      add(totals, 'rewoundExpired', n.rewindStats.expired)
      add(totals, 'rewoundReallocated', n.rewindStats.reallocated)
    }
  }
  return totals
}
