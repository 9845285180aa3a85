/**
 * What the pair bench runs: one entry per kind with the nodes to start (argv, log, readiness)
 * and the log markers that count each node's OFFERs and ACKs. Writes configs into the step dir.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findExecutable } from '../src/lab/netns.js'
import {
  failoverPairConf, keaHaConfig, keaServerName, seededNormalLeases, KEA_HOOKS_DIR,
} from './pair-configs.js'
import { NODE1, NODE2, type PairNode } from './pair-topology.js'
import { dhcpdConf, HADHCPD_CLI, HADHCPD_LAUNCHER, ISC_READY_LINE, KEA_READY_LINE } from './servers.js'
import { existsSync } from 'node:fs'

export type PairKindName = 'hadhcpd' | 'hadhcpd-pair' | 'dhcpd-pair' | 'kea-ha' | 'hadhcpd-isc-pair' | 'isc-hadhcpd-pair'
/** The kinds a default run measures (the mixed pairs are interop extras, by --kinds only). */
export const PAIR_KINDS: readonly PairKindName[] = ['hadhcpd', 'hadhcpd-pair', 'dhcpd-pair', 'kea-ha']
export const ALL_PAIR_KINDS: readonly PairKindName[] = [...PAIR_KINDS, 'hadhcpd-isc-pair', 'isc-hadhcpd-pair']

export type PairFamily = 'isc' | 'hadhcpd' | 'kea'

export interface NodeLaunch {
  readonly node: PairNode
  readonly argv: string[]
  readonly env?: NodeJS.ProcessEnv
  /** stdout+stderr go here. */
  readonly outputPath: string
  /** The node's own log (Kea) or outputPath. */
  readonly logPath: string
  /** Lease file (to watch pool balancing). */
  readonly leasePath: string
}

export interface PairKind {
  readonly name: PairKindName
  readonly label: string
  readonly durability: string
  readonly family: PairFamily
  readonly paired: boolean
  unavailableReason(): string | undefined
  prepare(stepDir: string, serverCpu: string, now: Date): NodeLaunch[]
}

/** Log markers of one answered OFFER / ACK, per server family. */
export const MARKERS: Record<PairFamily, { ready: string; offer: string; ack: string }> = {
  isc: { ready: ISC_READY_LINE, offer: 'DHCPOFFER on', ack: 'DHCPACK on' },
  hadhcpd: { ready: ISC_READY_LINE, offer: 'DHCPOFFER on', ack: 'DHCPACK on' },
  kea: { ready: KEA_READY_LINE, offer: 'DHCP4_LEASE_ADVERT', ack: 'DHCP4_LEASE_ALLOC' },
}

function pinned(cpu: string, argv: string[]): string[] {
  return cpu === '' ? argv : ['taskset', '-c', cpu, ...argv]
}

function missing(tool: string): string | undefined {
  return findExecutable(tool) === undefined ? `${tool} not found on PATH` : undefined
}

/** Extra node flags for hadhcpd processes (`HADHCPD_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR"`). */
function nodeFlags(): string[] {
  const v = process.env['HADHCPD_NODE_FLAGS']
  return v === undefined ? [] : v.split(/\s+/).filter((f) => f !== '')
}

function iscStyleNode(family: 'isc' | 'hadhcpd', dir: string, node: PairNode, conf: string, leases: string, cpu: string): NodeLaunch {
  const confPath = join(dir, 'dhcpd.conf')
  const leasePath = join(dir, 'dhcpd.leases')
  writeFileSync(confPath, conf)
  writeFileSync(leasePath, leases)
  const outputPath = join(dir, `${family}.out`)
  const tail = ['-f', '-d', '-cf', confPath, '-lf', leasePath, '-pf', join(dir, 'server.pid'), node.iface]
  const argv = family === 'isc'
    ? ['dhcpd', '-4', ...tail]
    : [process.execPath, ...nodeFlags(), HADHCPD_LAUNCHER, ...tail]
  return { node, argv: pinned(cpu, argv), outputPath, logPath: outputPath, leasePath }
}

function nodeDir(stepDir: string, i: 1 | 2): string {
  const dir = join(stepDir, `node${i}`)
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Node 1 is the primary, node 2 the secondary; `secondary` defaults to the primary's family. */
function failoverPair(primary: 'isc' | 'hadhcpd', stepDir: string, cpu: string, now: Date, secondary = primary): NodeLaunch[] {
  const seeded = seededNormalLeases(now)
  return [
    iscStyleNode(primary, nodeDir(stepDir, 1), NODE1, failoverPairConf({ role: 'primary', self: NODE1.ip, peer: NODE2.ip }), seeded, cpu),
    iscStyleNode(secondary, nodeDir(stepDir, 2), NODE2, failoverPairConf({ role: 'secondary', self: NODE2.ip, peer: NODE1.ip }), seeded, cpu),
  ]
}

const hadhcpdMissing = (): string | undefined =>
  existsSync(HADHCPD_CLI) ? undefined : `hadhcpd not built (${HADHCPD_CLI} is missing)`

export const PAIR_KIND_TABLE: Record<PairKindName, PairKind> = {
  hadhcpd: {
    name: 'hadhcpd', label: 'hadhcpd, single node', family: 'hadhcpd', paired: false,
    durability: 'fsync per ACK (group commit)',
    unavailableReason: hadhcpdMissing,
    prepare: (stepDir, cpu) => [iscStyleNode('hadhcpd', nodeDir(stepDir, 1), NODE1, dhcpdConf(), '', cpu)],
  },
  'hadhcpd-pair': {
    name: 'hadhcpd-pair', label: 'hadhcpd failover pair (split 128)', family: 'hadhcpd', paired: true,
    durability: 'fsync per ACK and per received BNDUPD (group commit)',
    unavailableReason: hadhcpdMissing,
    prepare: (stepDir, cpu, now) => failoverPair('hadhcpd', stepDir, cpu, now),
  },
  'dhcpd-pair': {
    name: 'dhcpd-pair', label: 'ISC dhcpd 4.4 failover pair (split 128)', family: 'isc', paired: true,
    durability: 'fsync per ACK and per received BNDUPD',
    unavailableReason: () => missing('dhcpd'),
    prepare: (stepDir, cpu, now) => failoverPair('isc', stepDir, cpu, now),
  },
  'hadhcpd-isc-pair': {
    name: 'hadhcpd-isc-pair', label: 'hadhcpd primary + ISC dhcpd secondary (split 128)', family: 'hadhcpd', paired: true,
    durability: 'fsync per ACK and per received BNDUPD',
    unavailableReason: () => hadhcpdMissing() ?? missing('dhcpd'),
    prepare: (stepDir, cpu, now) => failoverPair('hadhcpd', stepDir, cpu, now, 'isc'),
  },
  'isc-hadhcpd-pair': {
    name: 'isc-hadhcpd-pair', label: 'ISC dhcpd primary + hadhcpd secondary (split 128)', family: 'hadhcpd', paired: true,
    durability: 'fsync per ACK and per received BNDUPD',
    unavailableReason: () => hadhcpdMissing() ?? missing('dhcpd'),
    prepare: (stepDir, cpu, now) => failoverPair('isc', stepDir, cpu, now, 'hadhcpd'),
  },
  'kea-ha': {
    name: 'kea-ha', label: 'Kea 2.2 HA load-balancing pair (MT, dedicated listener)', family: 'kea', paired: true,
    durability: 'memfile: write(2) per lease, no fsync; ACK waits for the partner lease4-update',
    unavailableReason: () => missing('kea-dhcp4') ?? (existsSync(join(KEA_HOOKS_DIR, 'libdhcp_ha.so')) ? undefined : `no ${KEA_HOOKS_DIR}/libdhcp_ha.so`),
    prepare: (stepDir, cpu) => ([1, 2] as const).map((which) => {
      const dir = nodeDir(stepDir, which)
      const node = which === 1 ? NODE1 : NODE2
      const name = keaServerName(which)
      const conf = join(dir, `${name}.json`)
      writeFileSync(conf, keaHaConfig({ which, iface: node.iface, ips: [NODE1.ip, NODE2.ip], dir }))
      return {
        node,
        argv: pinned(cpu, ['kea-dhcp4', '-c', conf]),
        env: { ...process.env, KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
        outputPath: join(dir, 'kea.out'),
        logPath: join(dir, `kea-${name}.log`),
        leasePath: join(dir, `${name}-leases4.csv`),
      }
    }),
  },
}
