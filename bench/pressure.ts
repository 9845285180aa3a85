/**
 * Noise indicators for a shared machine: Linux pressure stall information (PSI,
 * /proc/pressure/{cpu,io}) and the cost of one fsync in the work dir.
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export type PressureResource = 'cpu' | 'io'

/** Cumulative "some" stall time in µs from PSI text (`some avg10=… total=N`). */
export function parsePressureSomeTotalUs(text: string): number | undefined {
  const m = /^some\b.*\btotal=(\d+)/m.exec(text)
  return m === null ? undefined : Number(m[1])
}

export interface PressureSample {
  readonly atMs: number
  readonly someTotalUs: Partial<Record<PressureResource, number>>
}

export function samplePressure(now: () => number = () => performance.now()): PressureSample {
  const someTotalUs: Partial<Record<PressureResource, number>> = {}
  for (const r of ['cpu', 'io'] as const) {
    try {
      const v = parsePressureSomeTotalUs(readFileSync(`/proc/pressure/${r}`, 'utf8'))
      if (v !== undefined) someTotalUs[r] = v
    } catch {
      // kernel without PSI
    }
  }
  return { atMs: now(), someTotalUs }
}

/** % of wall time in which some task stalled on `r` between two samples. */
export function stallPct(before: PressureSample, after: PressureSample, r: PressureResource): number | undefined {
  const a = before.someTotalUs[r]
  const b = after.someTotalUs[r]
  const wallUs = (after.atMs - before.atMs) * 1000
  if (a === undefined || b === undefined || wallUs <= 0) return undefined
  return Math.min(100, Math.max(0, (100 * (b - a)) / wallUs))
}

/** Mean cost (ms) of `count` 256-byte write+fsync pairs in `dir`. */
export function measureFsyncMs(dir: string, count = 200): number {
  const path = join(dir, 'fsync-probe.tmp')
  const buf = Buffer.alloc(256)
  const fd = openSync(path, 'w')
  try {
    const start = performance.now()
    for (let i = 0; i < count; i++) {
      writeSync(fd, buf)
      fsyncSync(fd)
    }
    return (performance.now() - start) / count
  } finally {
    closeSync(fd)
    rmSync(path, { force: true })
  }
}
