/**
 * perfdhcp command lines (docs/benchmarking.md §4). perfdhcp for DHCPv4 always acts as
 * a relay: giaddr = its own address, source port 67 (pitfall 1).
 */
import type { LoadMode } from './results.js'
import { CLIENT, SERVER } from './topology.js'

/** Simulated clients: MACs are drawn at random among this many (pitfall 7). */
export const SIMULATED_CLIENTS = 40_000
/** Exit wait so in-flight exchanges are not counted as drops (pitfall 5), in µs. */
export const EXIT_WAIT_US = 500_000
export const PROBE_MAC = '02:ab:ff:00:00:01'

export interface LoadSpec {
  readonly rate: number
  readonly durationS: number
  readonly mode: LoadMode
  readonly timestamps: boolean
  /** CPU list for taskset, '' for no pinning. */
  readonly clientCpu: string
}

function target(mode: LoadMode): string[] {
  return mode === 'bcast' ? ['-l', CLIENT.iface] : ['-l', CLIENT.ip, SERVER.ip]
}

export function loadArgv(spec: LoadSpec): string[] {
  if (!Number.isInteger(spec.durationS) || spec.durationS < 1) {
    throw new Error('perfdhcp -p takes whole seconds only (pitfall 2)')
  }
  const perfdhcp = [
    'perfdhcp', '-4',
    '-r', String(spec.rate),
    '-p', String(spec.durationS),
    '-R', String(SIMULATED_CLIENTS),
    '-W', String(EXIT_WAIT_US),
    ...(spec.timestamps ? ['-x', 't'] : []),
    ...target(spec.mode),
  ]
  return spec.clientCpu === '' ? perfdhcp : ['taskset', '-c', spec.clientCpu, ...perfdhcp]
}

/** One-second probe with a fixed MAC; the server is ready when at least one ACK arrives. */
export function probeArgv(): string[] {
  return ['perfdhcp', '-4', '-l', CLIENT.iface, '-r', '20', '-p', '1', '-W', '200000', '-R', '1', '-b', `mac=${PROBE_MAC}`]
}

/** perfdhcp exit codes: 0 all complete, 3 some exchange incomplete (not an error, pitfall 6). */
export function isPerfdhcpSuccess(code: number | null): boolean {
  return code === 0 || code === 3
}
