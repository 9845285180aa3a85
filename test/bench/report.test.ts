import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ratioSection, ratios, stepTable, summaryTable, type KindOutcome } from '../../bench/report.js'
import type { ServerKindName, StepSummary } from '../../bench/results.js'

function step(kind: ServerKindName, offeredRate: number, completionPct: number, cpuMsPerDora: number): StepSummary {
  return {
    kind, mode: 'bcast', offeredRate, repeats: 1, completionPct, completionPerRepeat: [completionPct],
    achievedRate: (offeredRate * completionPct) / 100, sentRate: offeredRate,
    discoverOffer: { avg: 1, p50: 0.5, p99: 4 }, requestAck: { avg: 1, p50: 0.5, p99: 3 }, cpuMsPerDora,
  }
}

const kea = [step('kea', 1000, 100, 0.2), step('kea', 2000, 100, 0.18), step('kea', 4000, 100, 0.15), step('kea', 6000, 99.7, 0.13)]
const dhcpd = [step('dhcpd', 250, 100, 1.8), step('dhcpd', 500, 99.9, 1.1), step('dhcpd', 750, 54, 1.9)]
const ours = [step('hadhcpd', 1000, 100, 0.4), step('hadhcpd', 2000, 100, 0.36), step('hadhcpd', 4000, 92, 0.3)]

test('ratios: max sustainable and CPU per DORA at common sustained rates', () => {
  const r = ratios(ours, kea, 'kea', 'bcast')
  assert.equal(r.maxSustainable.value, 2000 / 6000)
  assert.equal(r.cpuPerDora.value, 2) // 0.4/0.2 and 0.36/0.18
  assert.match(r.cpuPerDora.basis, /2 common/)
})

test('ratios fall back to each max sustainable rate without common rates', () => {
  const r = ratios(ours, dhcpd, 'dhcpd', 'bcast')
  assert.equal(r.maxSustainable.value, 4)
  assert.ok(Math.abs(r.cpuPerDora.value! - 0.36 / 1.1) < 1e-12)
  assert.match(r.cpuPerDora.basis, /no common/)
})

test('ratios are undefined when one side sustained nothing', () => {
  const r = ratios([step('hadhcpd', 1000, 50, 1)], kea, 'kea', 'bcast')
  assert.equal(r.maxSustainable.value, undefined)
  assert.equal(r.cpuPerDora.value, undefined)
})

test('tables render one row per step and a skip note', () => {
  const outcomes: KindOutcome[] = [
    { kind: 'dhcpd', label: 'ISC dhcpd', durability: 'fsync per ACK', steps: dhcpd },
    { kind: 'kea', label: 'Kea', durability: 'no fsync', steps: kea },
    { kind: 'hadhcpd', label: 'hadhcpd', durability: '?', steps: [], skipped: 'hadhcpd daemon not available yet' },
  ]
  const rows = stepTable(outcomes).split('\n')
  assert.equal(rows.length, 2 + dhcpd.length + kea.length)
  assert.match(rows[2]!, /^\| dhcpd \| bcast \| 250 \| 250\.00 \| 250\.00 \| 100\.00 \|/)
  const summary = summaryTable(outcomes)
  assert.match(summary, /\| ISC dhcpd \| bcast \| fsync per ACK \| 500 \|/)
  assert.match(summary, /\| Kea \| bcast \| no fsync \| 6000 \|/)
  assert.match(summary, /hadhcpd daemon not available yet/)
  assert.match(ratioSection(outcomes), /n\/a \(hadhcpd daemon not available yet\)/)
  const withOurs = outcomes.map((o) => (o.kind === 'hadhcpd' ? { ...o, steps: ours, skipped: undefined } : o))
  const section = ratioSection(withOurs)
  assert.match(section, /\| hadhcpd\/kea \| bcast \| 0\.33 \|/)
  assert.match(section, /\| hadhcpd\/dhcpd \| bcast \| 4\.00 \|/)
})
