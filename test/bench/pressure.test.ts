import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parsePressureSomeTotalUs, stallPct, type PressureSample } from '../../bench/pressure.js'

// Captured from /proc/pressure/cpu and /proc/pressure/io on the bench machine.
const CPU = 'some avg10=38.97 avg60=46.96 avg300=47.85 total=386702643\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'
const IO = 'some avg10=0.72 avg60=0.18 avg300=0.47 total=10180950\nfull avg10=0.54 avg60=0.10 avg300=0.19 total=6637702\n'

test('PSI "some" totals are read, "full" is ignored', () => {
  assert.equal(parsePressureSomeTotalUs(CPU), 386702643)
  assert.equal(parsePressureSomeTotalUs(IO), 10180950)
  assert.equal(parsePressureSomeTotalUs('full avg10=0 total=5\n'), undefined)
  assert.equal(parsePressureSomeTotalUs(''), undefined)
})

test('stall share of wall time', () => {
  const a: PressureSample = { atMs: 1000, someTotalUs: { cpu: 0, io: 0 } }
  const b: PressureSample = { atMs: 3000, someTotalUs: { cpu: 500_000, io: 5_000_000 } }
  assert.equal(stallPct(a, b, 'cpu'), 25)
  assert.equal(stallPct(a, b, 'io'), 100) // clamped
  assert.equal(stallPct(a, { atMs: 3000, someTotalUs: {} }, 'cpu'), undefined)
  assert.equal(stallPct(a, a, 'cpu'), undefined)
})
