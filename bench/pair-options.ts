/**
 * Flags and environment of `npm run bench:pair`. Flags win over env.
 */
import { parseArgs } from 'node:util'
import { parseRateLadder } from './ladder.js'
import { ALL_PAIR_KINDS, PAIR_KINDS, type PairKindName } from './pair-kinds.js'

export interface PairOptions {
  kinds: PairKindName[]
  rates: number[]
  durationS: number
  repeats: number
  serverCpu: string
  clientCpu: string
  workdir: string | undefined
  keepWorkdir: boolean
  resultsDir: string
  help: boolean
}

export const DEFAULT_PAIR_RATES = [250, 500, 1000, 2000, 3000, 4000, 6000] as const

export const PAIR_USAGE = `usage: npm run bench:pair -- [options]

  --kinds LIST        hadhcpd,hadhcpd-pair,dhcpd-pair,kea-ha        (env PAIR_KINDS; default these four)
                      interop extras: hadhcpd-isc-pair (hadhcpd primary + ISC secondary), isc-hadhcpd-pair
  --rates LIST        offered DORA/s ladder, same for every kind    (env PAIR_RATES; default "${DEFAULT_PAIR_RATES.join(' ')}")
  --duration S        seconds per step, whole seconds               (env DURATION; default 10)
  --repeats N         runs per step; medians are reported           (env REPEATS; default 1)
  --server-cpu LIST   taskset CPU list for BOTH peers ('' = none)   (env SERVER_CPUS; default 0)
  --client-cpu LIST   taskset CPU list for perfdhcp ('' = none)     (env CLIENT_CPUS; default 1)
  --workdir DIR       scratch dir (ext4, not tmpfs)                 (env BENCH_WORKDIR; default a new /tmp/hbp-bench-*)
  --keep              keep the scratch dir (logs, lease files, perfdhcp output)
  --results-dir DIR   where pair-<timestamp>.json goes              (default bench/results)
  -h, --help
`

function positiveInt(name: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: positive integer expected, got "${text}"`)
  return n
}

function cpuList(text: string): string {
  if (text !== '' && !/^\d+([-,]\d+)*$/.test(text)) throw new Error(`invalid CPU list "${text}"`)
  return text
}

export function parsePairKinds(text: string): PairKindName[] {
  const kinds = text.split(/[\s,]+/).filter((k) => k !== '')
  for (const k of kinds) {
    if (!(ALL_PAIR_KINDS as readonly string[]).includes(k)) throw new Error(`unknown kind "${k}" (${ALL_PAIR_KINDS.join(', ')})`)
  }
  if (kinds.length === 0) throw new Error('no kinds selected')
  return [...new Set(kinds)] as PairKindName[]
}

export function parsePairOptions(argv: readonly string[], env: NodeJS.ProcessEnv): PairOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      kinds: { type: 'string' },
      rates: { type: 'string' },
      duration: { type: 'string' },
      repeats: { type: 'string' },
      'server-cpu': { type: 'string' },
      'client-cpu': { type: 'string' },
      workdir: { type: 'string' },
      keep: { type: 'boolean' },
      'results-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const rates = values.rates ?? env['PAIR_RATES']
  return {
    kinds: parsePairKinds(values.kinds ?? env['PAIR_KINDS'] ?? PAIR_KINDS.join(',')),
    rates: rates === undefined ? [...DEFAULT_PAIR_RATES] : parseRateLadder(rates),
    durationS: positiveInt('duration', values.duration ?? env['DURATION'] ?? '10'),
    repeats: positiveInt('repeats', values.repeats ?? env['REPEATS'] ?? '1'),
    serverCpu: cpuList(values['server-cpu'] ?? env['SERVER_CPUS'] ?? '0'),
    clientCpu: cpuList(values['client-cpu'] ?? env['CLIENT_CPUS'] ?? '1'),
    workdir: values.workdir ?? env['BENCH_WORKDIR'],
    keepWorkdir: values.keep === true,
    resultsDir: values['results-dir'] ?? 'bench/results',
    help: values.help === true,
  }
}
