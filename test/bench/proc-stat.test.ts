import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { foreignBusyPct, parseCpuTimes, parseProcStat, processGroupTicks, totalTicks } from '../../bench/proc-stat.js'

// Captured from /proc/self/stat (cat) and /proc/1/stat on the bench machine.
const CAT = '5723 (cat) R 5708 5708 4778 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 39128 3133440 390 18446744073709551615 94872691724288 94872691744169 140727731242128 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94872691760176 94872691761792 94872877645824 140727731243533 140727731243553 140727731243553 140727731245035 0\n'
const INIT = '1 (process_api) S 0 0 0 0 -1 4194560 48404 876948 0 679 60 294 1679 1183 20 0 13 0 24 46333952 3755 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n'

test('parses pid, comm, pgrp and CPU ticks', () => {
  assert.deepEqual(parseProcStat(INIT), {
    pid: 1, comm: 'process_api', state: 'S', ppid: 0, pgrp: 0, utime: 60, stime: 294, cutime: 1679, cstime: 1183,
  })
  assert.equal(totalTicks(parseProcStat(INIT)), 60 + 294 + 1679 + 1183)
  const cat = parseProcStat(CAT)
  assert.equal(cat.pgrp, 5708)
  assert.equal(totalTicks(cat), 0)
})

test('comm with spaces and parentheses does not shift the fields', () => {
  const tricky = INIT.replace('(process_api)', '(a) b (c) d)')
  const s = parseProcStat(tricky)
  assert.equal(s.comm, 'a) b (c) d')
  assert.equal(s.utime, 60)
  assert.equal(s.cstime, 1183)
})

test('malformed stat lines throw', () => {
  for (const bad of ['', '12 noparen S 1', '12 (x) S 1 2', INIT.replace(' 294 ', ' x ')]) {
    assert.throws(() => parseProcStat(bad), Error, JSON.stringify(bad))
  }
})

test('processGroupTicks sums the live members of one process group', () => {
  const root = mkdtempSync(join(tmpdir(), 'procstat-'))
  try {
    const proc = (pid: number, pgrp: number, u: number, s: number, cu: number, cs: number): void => {
      mkdirSync(join(root, String(pid)))
      writeFileSync(join(root, String(pid), 'stat'),
        `${pid} (srv) S 1 ${pgrp} ${pgrp} 0 -1 0 0 0 0 0 ${u} ${s} ${cu} ${cs} 20 0 1 0 1 1 1\n`)
    }
    proc(100, 100, 10, 5, 1, 1) // the server (group leader)
    proc(101, 100, 3, 2, 0, 0)  // its child
    proc(200, 200, 99, 99, 0, 0) // unrelated
    mkdirSync(join(root, '300')) // vanished process: no stat file
    mkdirSync(join(root, 'self'))
    assert.equal(processGroupTicks(100, root), 17 + 5)
    assert.equal(processGroupTicks(999, root), 0)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('reads the real /proc entry of this process', { skip: process.platform !== 'linux' }, () => {
  const s = parseProcStat(readFileSync(`/proc/${process.pid}/stat`, 'utf8'))
  assert.equal(s.pid, process.pid)
})

// Captured from /proc/stat on the bench machine.
const PROC_STAT = `cpu  53486 0 16901 134456 932 0 1893 93 0 0
cpu0 27217 0 7453 68601 641 0 789 45 0 0
cpu1 26269 0 9448 65854 290 0 1103 48 0 0
intr 3500740 0 0 0
`

test('per-CPU times from /proc/stat leave irq/softirq out of busy', () => {
  assert.deepEqual(parseCpuTimes(PROC_STAT, 0), { busy: 27217 + 7453 + 45, total: 27217 + 7453 + 45 + 68601 + 641 + 789 })
  assert.equal(parseCpuTimes(PROC_STAT, 1)?.busy, 26269 + 9448 + 48)
  assert.equal(parseCpuTimes(PROC_STAT, 2), undefined)
})

test('foreign share of the server CPU subtracts the server ticks and clamps', () => {
  const before = { busy: 1000, total: 5000 }
  assert.equal(foreignBusyPct(before, { busy: 1900, total: 6200 }, 600), 25) // 300 of 1200
  assert.equal(foreignBusyPct(before, { busy: 1500, total: 6000 }, 700), 0)  // server ticks > CPU busy (rounding)
  assert.equal(foreignBusyPct(before, before, 0), undefined)
})
