import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  isSustainable, maxSustainableRate, parseRateLadder, quickLadder, stepAtMaxSustainable, stopsLadder,
} from '../../bench/ladder.js'
import { completionPct, stepRunFromReport, summarizeStep, type StepRun, type StepSummary } from '../../bench/results.js'
import { parsePerfdhcpOutput } from '../../bench/perfdhcp-output.js'
import { median, percentile } from '../../bench/stats.js'
import { readFileSync } from 'node:fs'

function step(offeredRate: number, completion: number | undefined, cpu?: number): StepSummary {
  return {
    kind: 'kea', mode: 'bcast', offeredRate, repeats: 1, completionPct: completion,
    completionPerRepeat: completion === undefined ? [] : [completion],
    discoverOffer: {}, requestAck: {}, cpuMsPerDora: cpu,
  }
}

test('ladder stops below 80 % (and on a step with no data), not at 80 %', () => {
  const cases: [number | undefined, boolean][] = [[100, false], [80, false], [79.99, true], [0, true], [undefined, true]]
  for (const [c, stops] of cases) assert.equal(stopsLadder(step(1000, c)), stops, String(c))
})

test('sustainable means >= 99 % completion', () => {
  assert.equal(isSustainable(step(1, 99)), true)
  assert.equal(isSustainable(step(1, 98.99)), false)
})

test('max sustainable rate is the highest offered rate at >= 99 %, even after a dip', () => {
  // doc 5.1 kea bcast medians: 3000 at 99.63 %, 8000 at 88.04 %
  const steps = [step(1000, 100), step(2000, 100), step(3000, 99.63), step(4000, 98.5), step(6000, 99.76), step(8000, 88.04)]
  assert.equal(maxSustainableRate(steps), 6000)
  assert.equal(stepAtMaxSustainable(steps)?.offeredRate, 6000)
  assert.equal(maxSustainableRate([step(250, 97), step(500, 50)]), undefined)
  assert.equal(maxSustainableRate([]), undefined)
})

test('rate ladders parse, sort and de-duplicate; bad input throws', () => {
  assert.deepEqual(parseRateLadder('250 500,750  1000'), [250, 500, 750, 1000])
  assert.deepEqual(parseRateLadder('2000 1000 2000'), [1000, 2000])
  for (const bad of ['', ' ', '100 abc', '0', '-5', '1.5']) assert.throws(() => parseRateLadder(bad), Error, bad)
  assert.deepEqual(quickLadder([1500, 250, 500]), [250, 500])
})

test('percentile is nearest-rank; median averages the middle pair', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1) // 1..100
  assert.equal(percentile(v, 50), 50)
  assert.equal(percentile(v, 99), 99)
  assert.equal(percentile(v, 100), 100)
  assert.equal(percentile(v, 0), 1)
  assert.equal(percentile([7], 99), 7)
  assert.equal(percentile([], 50), undefined)
  assert.throws(() => percentile(v, 101))
  assert.equal(median([3, 1, 2]), 2)
  assert.equal(median([4, 1, 2, 3]), 2.5)
  assert.equal(median([]), undefined)
})

function kea8000(repeat: number, serverCpuMs: number): StepRun {
  const text = readFileSync(new URL('../../../test/fixtures/bench/perfdhcp-kea-8000ps-overload.txt', import.meta.url), 'utf8')
  return stepRunFromReport(parsePerfdhcpOutput(text), {
    kind: 'kea', mode: 'bcast', offeredRate: 8000, repeat, durationS: 2, serverCpuMs, perfdhcpExitCode: 3, loadavg1: 1,
  })
}

test('a step run uses ACKs / -p for the rate (not perfdhcp Rate:) and ACKs / DISCOVERs for completion', () => {
  const r = kea8000(1, 1130.3)
  assert.equal(r.discoversSent, 15998)
  assert.equal(r.acksReceived, 11303)
  assert.equal(r.sentRate, 7999)
  assert.equal(r.achievedRate, 5651.5)
  assert.ok(Math.abs(r.completionPct - 70.6526) < 1e-3)
  assert.equal(r.dropsDO, 4425)
  assert.equal(r.dropsRA, 270)
  assert.ok(Math.abs(r.cpuMsPerDora! - 0.1) < 1e-9)
  assert.equal(r.discoverOffer.avg, 12.049)
  assert.equal(r.discoverOffer.p99, undefined) // no -x t in this capture
  assert.equal(completionPct(0, 0), 0)
})

test('repeats fold into medians; mixing steps is refused', () => {
  const runs = [kea8000(1, 1000), kea8000(2, 3000), kea8000(3, 2000)]
  const s = summarizeStep(runs)
  assert.equal(s.repeats, 3)
  assert.equal(s.cpuMsPerDora, 2000 / 11303)
  assert.deepEqual(s.completionPerRepeat.length, 3)
  assert.throws(() => summarizeStep([kea8000(1, 1), { ...kea8000(2, 1), offeredRate: 6000 }]))
  assert.throws(() => summarizeStep([]))
})
