/**
 * Command-line flags and environment variables of `npm run bench`. Flags win over env.
 */
import { parseArgs } from 'node:util'
import { parseRateLadder, quickLadder } from './ladder.js'
import type { LoadMode, ServerKindName } from './results.js'

export const ALL_KINDS: readonly ServerKindName[] = ['dhcpd', 'kea', 'hadhcpd', 'hadhcpd-udp']
/** What runs without --kinds: the anchors and hadhcpd with its default transport. */
export const DEFAULT_KINDS: readonly ServerKindName[] = ['dhcpd', 'kea', 'hadhcpd']

export const DEFAULT_RATES: Record<ServerKindName, readonly number[]> = {
  dhcpd: [250, 500, 750, 1000, 1500],
  kea: [1000, 2000, 3000, 4000, 6000, 8000],
  hadhcpd: [1000, 2000, 4000, 6000, 8000],
  'hadhcpd-udp': [1000, 2000, 4000, 6000, 8000],
}

export interface BenchOptions {
  kinds: ServerKindName[]
  rates: Record<ServerKindName, number[]>
  durationS: number
  repeats: number
  modes: LoadMode[]
  quick: boolean
  timestamps: boolean
  serverCpu: string
  clientCpu: string
  workdir: string | undefined
  keepWorkdir: boolean
  resultsDir: string
  hadhcpdReadyLine: string
  help: boolean
}

export const USAGE = `usage: npm run bench -- [options]

  --kinds LIST          server kinds: dhcpd,kea,hadhcpd,hadhcpd-udp        (env BENCH_KINDS; default dhcpd,kea,hadhcpd)
  --rates-dhcpd LIST    offered DORA/s ladder for dhcpd                     (env RATES_dhcpd; default "250 500 750 1000 1500")
  --rates-kea LIST      ladder for kea                                      (env RATES_kea; default "1000 2000 3000 4000 6000 8000")
  --rates-hadhcpd LIST  ladder for hadhcpd                                  (env RATES_hadhcpd; default "1000 2000 4000 6000 8000")
  --duration S          seconds per step, whole seconds                     (env DURATION; default 12)
  --repeats N           runs per step; medians are reported                 (env REPEATS; default 1)
  --mode LIST           bcast and/or ucast                                  (env MODES; default bcast)
  --quick               smoke run: 3 s steps, the 2 lowest rates of each ladder
  --no-timestamps       run perfdhcp without -x t (no p50/p99)              (env TIMESTAMPS=0)
  --server-cpu LIST     taskset CPU list for the server, '' = unpinned      (env SERVER_CPUS; default 0)
  --client-cpu LIST     taskset CPU list for perfdhcp, '' = unpinned        (env CLIENT_CPUS; default 1)
  --workdir DIR         scratch dir for configs and lease DBs (ext4!)       (env BENCH_WORKDIR; default a new /tmp/hbn-bench-*)
  --keep                keep the scratch dir (server logs, perfdhcp output)
  --results-dir DIR     where <timestamp>.json goes                         (default bench/results)
  --hadhcpd-ready TEXT  readiness log line of hadhcpd                       (env HADHCPD_READY_LINE; default "Server starting service.")
  -h, --help
`

function positiveInt(name: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: positive integer expected, got "${text}"`)
  return n
}

function parseKinds(text: string): ServerKindName[] {
  const kinds = text.split(/[\s,]+/).filter((k) => k !== '')
  for (const k of kinds) {
    if (!(ALL_KINDS as readonly string[]).includes(k)) throw new Error(`unknown kind "${k}" (${ALL_KINDS.join(', ')})`)
  }
  if (kinds.length === 0) throw new Error('no kinds selected')
  return [...new Set(kinds)] as ServerKindName[]
}

function parseModes(text: string): LoadMode[] {
  const modes = text.split(/[\s,]+/).filter((m) => m !== '')
  for (const m of modes) {
    if (m !== 'bcast' && m !== 'ucast') throw new Error(`unknown mode "${m}" (bcast, ucast)`)
  }
  if (modes.length === 0) throw new Error('no modes selected')
  return [...new Set(modes)] as LoadMode[]
}

function cpuList(text: string): string {
  if (text !== '' && !/^\d+([-,]\d+)*$/.test(text)) throw new Error(`invalid CPU list "${text}"`)
  return text
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      kinds: { type: 'string' },
      'rates-dhcpd': { type: 'string' },
      'rates-kea': { type: 'string' },
      'rates-hadhcpd': { type: 'string' },
      duration: { type: 'string' },
      repeats: { type: 'string' },
      mode: { type: 'string' },
      quick: { type: 'boolean' },
      'no-timestamps': { type: 'boolean' },
      'server-cpu': { type: 'string' },
      'client-cpu': { type: 'string' },
      workdir: { type: 'string' },
      keep: { type: 'boolean' },
      'results-dir': { type: 'string' },
      'hadhcpd-ready': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const quick = values.quick === true
  const ladder = (kind: ServerKindName, flag: string | undefined): number[] => {
    const text = flag ?? env[`RATES_${kind.replace('-', '_')}`]
    const rates = text === undefined ? [...DEFAULT_RATES[kind]] : parseRateLadder(text)
    return quick ? quickLadder(rates) : rates
  }
  const durationText = values.duration ?? env['DURATION']
  return {
    kinds: parseKinds(values.kinds ?? env['BENCH_KINDS'] ?? DEFAULT_KINDS.join(',')),
    rates: {
      dhcpd: ladder('dhcpd', values['rates-dhcpd']),
      kea: ladder('kea', values['rates-kea']),
      hadhcpd: ladder('hadhcpd', values['rates-hadhcpd']),
      'hadhcpd-udp': ladder('hadhcpd-udp', values['rates-hadhcpd']),
    },
    durationS: durationText !== undefined ? positiveInt('duration', durationText) : quick ? 3 : 12,
    repeats: positiveInt('repeats', values.repeats ?? env['REPEATS'] ?? '1'),
    modes: parseModes(values.mode ?? env['MODES'] ?? 'bcast'),
    quick,
    timestamps: values['no-timestamps'] !== true && env['TIMESTAMPS'] !== '0',
    serverCpu: cpuList(values['server-cpu'] ?? env['SERVER_CPUS'] ?? '0'),
    clientCpu: cpuList(values['client-cpu'] ?? env['CLIENT_CPUS'] ?? '1'),
    workdir: values.workdir ?? env['BENCH_WORKDIR'],
    keepWorkdir: values.keep === true,
    resultsDir: values['results-dir'] ?? 'bench/results',
    hadhcpdReadyLine: values['hadhcpd-ready'] ?? env['HADHCPD_READY_LINE'] ?? 'Server starting service.',
    help: values.help === true,
  }
}
