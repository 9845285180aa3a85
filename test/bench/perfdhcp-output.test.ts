import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import {
  isCompleteReport, parsePerfdhcpOutput, parsePerfdhcpTimestamp, type ExchangeStats,
} from '../../bench/perfdhcp-output.js'

function fixture(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/bench/${name}`, import.meta.url), 'utf8')
}

type Counters = Pick<ExchangeStats, 'sent' | 'received' | 'drops' | 'orphans' | 'avgDelayMs'>

const cases: { file: string; rate: number; expected: number; DO: Counters; RA: Counters; stamps: [number, number] }[] = [
  {
    file: 'perfdhcp-probe-dhcpd.txt', rate: 15.8172, expected: 20,
    DO: { sent: 19, received: 19, drops: 0, orphans: 0, avgDelayMs: 0.559 },
    RA: { sent: 19, received: 19, drops: 0, orphans: 0, avgDelayMs: 0.278 },
    stamps: [0, 0],
  },
  {
    file: 'perfdhcp-dhcpd-40ps-timestamps.txt', rate: 25.9861, expected: 40,
    DO: { sent: 39, received: 39, drops: 0, orphans: 0, avgDelayMs: 0.518 },
    RA: { sent: 39, received: 39, drops: 0, orphans: 0, avgDelayMs: 0.257 },
    stamps: [39, 39],
  },
  {
    file: 'perfdhcp-dhcpd-1500ps-overload-trimmed.txt', rate: 982.126, expected: 1500,
    DO: { sent: 4499, received: 3528, drops: 971, orphans: 0, avgDelayMs: 39.949 },
    RA: { sent: 3528, received: 3438, drops: 90, orphans: 0, avgDelayMs: 40.3 },
    stamps: [6, 0],
  },
  {
    file: 'perfdhcp-kea-8000ps-overload.txt', rate: 4518.21, expected: 8000,
    DO: { sent: 15998, received: 11573, drops: 4425, orphans: 0, avgDelayMs: 12.049 },
    RA: { sent: 11573, received: 11303, drops: 270, orphans: 0, avgDelayMs: 11.42 },
    stamps: [0, 0],
  },
]

for (const c of cases) {
  test(`parse ${c.file}`, () => {
    const r = parsePerfdhcpOutput(fixture(c.file))
    assert.equal(r.reportedRate, c.rate)
    assert.equal(r.expectedRate, c.expected)
    assert.equal(r.malformedPackets, 0)
    assert.ok(isCompleteReport(r))
    for (const [name, want] of [['DISCOVER-OFFER', c.DO], ['REQUEST-ACK', c.RA]] as const) {
      const got = r.exchanges[name]
      assert.deepEqual(
        { sent: got.sent, received: got.received, drops: got.drops, orphans: got.orphans, avgDelayMs: got.avgDelayMs },
        want, name)
    }
    assert.deepEqual([r.exchanges['DISCOVER-OFFER'].latenciesMs.length, r.exchanges['REQUEST-ACK'].latenciesMs.length], c.stamps)
  })
}

test('timestamp latencies agree with perfdhcp min/max delay (independent check)', () => {
  const r = parsePerfdhcpOutput(fixture('perfdhcp-dhcpd-40ps-timestamps.txt'))
  for (const name of ['DISCOVER-OFFER', 'REQUEST-ACK'] as const) {
    const e = r.exchanges[name]
    const lo = Math.min(...e.latenciesMs)
    const hi = Math.max(...e.latenciesMs)
    assert.ok(Math.abs(lo - e.minDelayMs!) < 0.002, `${name} min ${lo} vs ${e.minDelayMs}`)
    assert.ok(Math.abs(hi - e.maxDelayMs!) < 0.002, `${name} max ${hi} vs ${e.maxDelayMs}`)
  }
  // first DISCOVER-OFFER pair: 000000.000226 / 000000.000741
  assert.ok(Math.abs(r.exchanges['DISCOVER-OFFER'].latenciesMs[0]! - 0.515) < 1e-6)
})

const stampCases: [string, number | undefined][] = [
  ['000000.000448', 0.000448],
  ['000012.500000', 12.5],
  ['000102.25', 62.25],
  ['010000.000001', 3600.000001],
  ['12.5', undefined],
  ['abc', undefined],
]
for (const [text, want] of stampCases) {
  test(`timestamp ${text}`, () => {
    const got = parsePerfdhcpTimestamp(text)
    if (want === undefined) assert.equal(got, undefined)
    else assert.ok(got !== undefined && Math.abs(got - want) < 1e-9, `${got}`)
  })
}

test('truncated or foreign output is reported as incomplete, never throws', () => {
  const usage = 'perfdhcp: invalid value -p 0.3\nUsage: perfdhcp [-huv] ...\n'
  assert.equal(isCompleteReport(parsePerfdhcpOutput(usage)), false)
  const cut = fixture('perfdhcp-kea-8000ps-overload.txt').split('***Statistics for: REQUEST-ACK***')[0]!
  const r = parsePerfdhcpOutput(cut)
  assert.equal(r.exchanges['DISCOVER-OFFER'].sent, 15998)
  assert.equal(isCompleteReport(r), false)
  assert.equal(isCompleteReport(parsePerfdhcpOutput('')), false)
})

test('CRLF line endings and extra whitespace are tolerated', () => {
  const text = fixture('perfdhcp-probe-dhcpd.txt').replace(/\n/g, '\r\n').replace(/: /g, ':   ')
  const r = parsePerfdhcpOutput(text)
  assert.equal(r.exchanges['REQUEST-ACK'].received, 19)
  assert.equal(r.exchanges['DISCOVER-OFFER'].avgDelayMs, 0.559)
})
