/**
 * Long simulation runs outside the suite (the suite runs 2,000 + 1,500 + 1,500 + 300 schedules):
 *
 *   node dist/test/sim/run-schedules.js [--schedules N] [--first SEED] [--mode split|isolate|auto|misuse] [--no-rewind] [--trace]
 *
 * Modes as in two-node.test.ts: `split` (default: partitions cut only the failover link, operator
 * partner-down only with the peer really down), `isolate` (a partition also cuts one node off its
 * clients; operator partner-down on the other), `auto` (isolate + auto-partner-down 30 s), `misuse`
 * (partner-down while the partitioned peer still serves; violations expected, fence off).
 * Violations are counted, not thrown; prints the totals and the first failing seeds as JSON and
 * exits 1 on any violation (outside `misuse`). With `--trace` the first violation is thrown
 * instead, with the schedule's last events (replay one: `--first SEED --schedules 1 --trace`).
 */
import { runSchedules } from './schedules.js'
import type { WorldOptions } from './world.js'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback
}

const MODES: Readonly<Record<string, Partial<WorldOptions>>> = {
  split: {},
  isolate: { partitionMode: 'isolate' },
  auto: { partitionMode: 'isolate', autoPartnerDown: 30 },
  misuse: { partnerDownInSplit: true, tolerant: true },
}

const mode = arg('mode', 'split')
const extra = MODES[mode]
if (extra === undefined) {
  console.error(`unknown mode ${mode} (split, isolate, auto, misuse)`)
  process.exit(2)
}
const schedules = Number(arg('schedules', '10000'))
const first = Number(arg('first', '1'))
const started = Date.now()
const failing: number[] = []
const trace = process.argv.includes('--trace')
const rewind = !process.argv.includes('--no-rewind')
const totals = runSchedules(schedules, first, { ...extra, countViolations: !trace, rewind }, (seed) => failing.push(seed))
console.log(JSON.stringify({ mode, rewind, first, seconds: Math.round((Date.now() - started) / 1000), ...totals, failingSeeds: failing.slice(0, 20) }))
process.exit(mode !== 'misuse' && ((totals['violations'] ?? 0) > 0 || (totals['survivorViolations'] ?? 0) > 0) ? 1 : 0)
