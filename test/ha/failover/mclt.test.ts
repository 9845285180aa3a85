import { test } from 'node:test'
import assert from 'node:assert/strict'
import { INFINITE, ackTimes, grantedLeaseTime, reusesLease } from '../../../src/ha/failover/mclt.js'

const NOW = 1_800_000_000

const cases: { name: string; desired: number; mclt: number; tsfp: number | undefined; granted: number }[] = [
  { name: 'desired below MCLT is granted as is', desired: 30, mclt: 60, tsfp: undefined, granted: 30 },
  { name: 'desired equal to MCLT', desired: 60, mclt: 60, tsfp: undefined, granted: 60 },
  { name: 'new client (no tsfp): MCLT', desired: 600, mclt: 60, tsfp: undefined, granted: 60 },
  { name: 'tsfp 0: MCLT', desired: 600, mclt: 60, tsfp: 0, granted: 60 },
  { name: 'tsfp in the past: MCLT', desired: 600, mclt: 60, tsfp: NOW - 1, granted: 60 },
  { name: 'tsfp exactly now: MCLT', desired: 600, mclt: 60, tsfp: NOW, granted: 60 },
  { name: 'acked renewal (tsfp = now+630): full time', desired: 600, mclt: 60, tsfp: NOW + 630, granted: 600 },
  { name: 'tsfp + mclt exactly now + desired: full time', desired: 600, mclt: 60, tsfp: NOW + 540, granted: 600 },
  { name: 'clamped to tsfp + mclt − now', desired: 600, mclt: 60, tsfp: NOW + 100, granted: 160 },
  { name: 'seed: mclt 3600, default 7200, tsfp now+1', desired: 7200, mclt: 3600, tsfp: NOW + 1, granted: 3601 },
  { name: 'infinite desired is clamped', desired: INFINITE, mclt: 60, tsfp: NOW + 1000, granted: 1060 },
  { name: 'infinite desired, no tsfp', desired: INFINITE, mclt: 60, tsfp: undefined, granted: 60 },
]
for (const c of cases) {
  test(`MCLT rule: ${c.name}`, () => {
    assert.equal(grantedLeaseTime({ now: NOW, desired: c.desired, mclt: c.mclt, tsfp: c.tsfp }), c.granted)
  })
}

test('first DHCPACK: ends now+60, tstp now+630 (§1.5 observed table)', () => {
  const t = ackTimes({ now: NOW, desired: 600, mclt: 60, tsfp: undefined })
  assert.deepEqual(t, { granted: 60, ends: NOW + 60, tstp: NOW + 630, tsfp: 0 })
})

test('renewal after ack: ends now+600, tstp now+900', () => {
  const t = ackTimes({ now: NOW, desired: 600, mclt: 60, tsfp: NOW + 630 })
  assert.deepEqual(t, { granted: 600, ends: NOW + 600, tstp: NOW + 900, tsfp: NOW + 630 })
})

test('tsfp is lowered locally when the new tstp is earlier', () => {
  const t = ackTimes({ now: NOW, desired: 100, mclt: 60, tsfp: NOW + 5000 })
  assert.equal(t.granted, 100)
  assert.equal(t.tstp, NOW + 150)
  assert.equal(t.tsfp, NOW + 150)
})

test('infinite lease: tstp infinite', () => {
  assert.equal(ackTimes({ now: NOW, desired: INFINITE, mclt: 60, tsfp: undefined }).tstp, INFINITE)
})

test('safety: granted end never passes max(now, tsfp) + mclt (§4.2), exhaustive small grid', () => {
  for (let desired = 1; desired <= 200; desired += 7) {
    for (let mclt = 1; mclt <= 120; mclt += 11) {
      for (let d = -50; d <= 300; d += 13) {
        const tsfp = NOW + d
        const g = grantedLeaseTime({ now: NOW, desired, mclt, tsfp })
        assert.ok(g > 0 && g <= Math.max(desired, 0))
        if (desired > mclt) assert.ok(NOW + g <= Math.max(NOW, tsfp) + mclt, `${desired} ${mclt} ${d}`)
      }
    }
  }
})

const reuse: { name: string; starts: number; ends: number; now: number; want: boolean }[] = [
  { name: 'just granted', starts: NOW, ends: NOW + 600, now: NOW, want: true },
  { name: 'age 149 of 600 (limit 150)', starts: NOW, ends: NOW + 600, now: NOW + 149, want: true },
  { name: 'age 150 of 600 (ISC: age <= limit)', starts: NOW, ends: NOW + 600, now: NOW + 150, want: true },
  { name: 'age 151 of 600', starts: NOW, ends: NOW + 600, now: NOW + 151, want: false },
  { name: 'half way', starts: NOW, ends: NOW + 600, now: NOW + 300, want: false },
  { name: 'MCLT-short first lease (60 s): age 14', starts: NOW, ends: NOW + 60, now: NOW + 14, want: true },
  { name: 'MCLT-short first lease (60 s): age 15', starts: NOW, ends: NOW + 60, now: NOW + 15, want: true },
  { name: 'MCLT-short first lease (60 s): age 16', starts: NOW, ends: NOW + 60, now: NOW + 16, want: false },
  { name: 'limit truncated: 7 s lease, age 1 (limit 1.75 → 1)', starts: NOW, ends: NOW + 7, now: NOW + 1, want: true },
  { name: 'limit truncated: 7 s lease, age 2', starts: NOW, ends: NOW + 7, now: NOW + 2, want: false },
  { name: 'infinite lease never reused by threshold', starts: NOW, ends: INFINITE, now: NOW + 1, want: false },
]
for (const r of reuse) {
  test(`25% cache threshold: ${r.name}`, () => {
    assert.equal(reusesLease({ starts: r.starts, ends: r.ends }, r.now), r.want)
  })
}
