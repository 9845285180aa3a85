/**
 * CPU time of a server from /proc/PID/stat (proc(5)). Fields after the `(comm)` field
 * are space separated; comm itself may contain spaces and ')' so we split at the last ')'.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { runSync } from '../src/lab/lab-process.js'

export interface ProcStat {
  readonly pid: number
  readonly comm: string
  readonly state: string
  readonly ppid: number
  readonly pgrp: number
  /** Clock ticks (see CLK_TCK) spent in user / kernel mode by this process. */
  readonly utime: number
  readonly stime: number
  /** Ticks of waited-for (reaped) children. */
  readonly cutime: number
  readonly cstime: number
}

export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) throw new Error('proc stat: no (comm) field')
  const pid = Number(text.slice(0, open).trim())
  const comm = text.slice(open + 1, close)
  // rest[0] is field 3 (state); field N is rest[N - 3]
  const rest = text.slice(close + 1).trim().split(/\s+/)
  const field = (n: number): number => {
    const v = Number(rest[n - 3])
    if (!Number.isInteger(v)) throw new Error(`proc stat: field ${n} is not an integer`)
    return v
  }
  if (!Number.isInteger(pid) || rest.length < 15) throw new Error('proc stat: too few fields')
  return {
    pid,
    comm,
    state: rest[0] ?? '?',
    ppid: field(4),
    pgrp: field(5),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  }
}

/** Ticks a process has used: its own plus its reaped children's. */
export function totalTicks(s: ProcStat): number {
  return s.utime + s.stime + s.cutime + s.cstime
}

/**
 * Ticks used by every live process of process group `pgid` (the server and anything it
 * forked), children included. Processes that vanish while scanning are skipped.
 */
export function processGroupTicks(pgid: number, procRoot = '/proc'): number {
  let ticks = 0
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue
    let stat: ProcStat
    try {
      stat = parseProcStat(readFileSync(`${procRoot}/${name}/stat`, 'utf8'))
    } catch {
      continue
    }
    if (stat.pgrp === pgid) ticks += totalTicks(stat)
  }
  return ticks
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we target). */
export function clockTicksPerSecond(): number {
  const r = runSync(['getconf', 'CLK_TCK'], 5_000)
  const n = Number(r.stdout.trim())
  return r.code === 0 && Number.isInteger(n) && n > 0 ? n : 100
}

/** Jiffies of one CPU from a `cpuN` line of /proc/stat. */
export interface CpuTimes {
  /** user + nice + system + steal (task time; irq/softirq left out: packet work of the bench itself lands there) */
  readonly busy: number
  /** busy + idle + iowait */
  readonly total: number
}

/** The `cpuN` line of /proc/stat text (proc(5)), or undefined if that CPU is absent. */
export function parseCpuTimes(procStat: string, cpu: number): CpuTimes | undefined {
  const line = procStat.split('\n').find((l) => l.startsWith(`cpu${cpu} `))
  if (line === undefined) return undefined
  const f = line.trim().split(/\s+/).slice(1).map(Number)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f
  if (f.slice(0, 4).some((n) => !Number.isFinite(n))) return undefined
  const busy = user + nice + system + steal
  return { busy, total: busy + idle + iowait + irq + softirq }
}

export function readCpuTimes(cpu: number): CpuTimes | undefined {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'), cpu)
  } catch {
    return undefined
  }
}

/**
 * Share (%) of one CPU used by anything but the measured server between two samples:
 * (CPU busy − server ticks) / CPU total. A noise indicator for a server pinned there.
 */
export function foreignBusyPct(before: CpuTimes, after: CpuTimes, serverTicks: number): number | undefined {
  const total = after.total - before.total
  if (total <= 0) return undefined
  const foreign = after.busy - before.busy - serverTicks
  return Math.min(100, Math.max(0, (100 * foreign) / total))
}
