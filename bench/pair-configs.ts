/**
 * Configs of the pair benchmark (pure text/JSON generation, no I/O):
 * - an ISC-style failover pair (dhcpd.conf with `failover peer`, split 128 on the primary),
 *   read by ISC dhcpd 4.4 and by hadhcpd alike;
 * - the seeded `failover peer … state` block that lets a fresh pair start in NORMAL
 *   (docs/benchmarking.md pitfall 14);
 * - a Kea 2.2 HA load-balancing pair (libdhcp_lease_cmds.so + libdhcp_ha.so, HA+MT with the
 *   dedicated HTTP listener, pools split by the HA_<name> classes; pitfalls 18–20).
 */
import { LEASE_TIME_S } from './topology.js'

export type PairRole = 'primary' | 'secondary'

export const FAILOVER_NAME = 'hbp-fo'
export const FAILOVER_PORT = 647
export const KEA_HA_PORT = 8001
export const KEA_HOOKS_DIR = '/usr/lib/x86_64-linux-gnu/kea/hooks'

export const PAIR_SUBNET = { network: '198.18.0.0', netmask: '255.255.0.0', cidr: '198.18.0.0/16' } as const
/** 65,279 addresses, as the single-node bench. */
export const PAIR_POOL = { first: '198.18.1.0', last: '198.18.255.254' } as const
/** Kea HA splits the pool in halves by client class (pitfall 20). */
export const KEA_HALVES = [
  { first: '198.18.1.0', last: '198.18.128.255' },
  { first: '198.18.129.0', last: '198.18.255.254' },
] as const

export interface FailoverPairSpec {
  readonly role: PairRole
  readonly self: string
  readonly peer: string
  /** Seconds; small so a restart is quick, as in the reference harness. */
  readonly mclt?: number
  readonly split?: number
}

/** dhcpd.conf of one peer: failover block, then the subnet whose pool names the peer. */
export function failoverPairConf(spec: FailoverPairSpec): string {
  const primaryOnly = spec.role === 'primary'
    ? [`  mclt ${spec.mclt ?? 60};`, `  split ${spec.split ?? 128};`]
    : []
  return [
    'authoritative;',
    'ddns-update-style none;',
    'ping-check false;',
    `default-lease-time ${LEASE_TIME_S};`,
    `max-lease-time ${LEASE_TIME_S};`,
    'log-facility local7;',
    '',
    `failover peer "${FAILOVER_NAME}" {`,
    `  ${spec.role};`,
    `  address ${spec.self};`,
    `  port ${FAILOVER_PORT};`,
    `  peer address ${spec.peer};`,
    `  peer port ${FAILOVER_PORT};`,
    '  max-response-delay 30;',
    '  max-unacked-updates 10;',
    '  load balance max seconds 3;',
    ...primaryOnly,
    '}',
    '',
    `subnet ${PAIR_SUBNET.network} netmask ${PAIR_SUBNET.netmask} {`,
    '  pool {',
    `    failover peer "${FAILOVER_NAME}";`,
    `    range ${PAIR_POOL.first} ${PAIR_POOL.last};`,
    '  }',
    '}',
    '',
  ].join('\n')
}

/** ISC's lease-file date: `W YYYY/MM/DD HH:MM:SS` in UTC (W = weekday, 0 = Sunday). */
export function iscLeaseDate(at: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${at.getUTCDay()} ${at.getUTCFullYear()}/${p(at.getUTCMonth() + 1)}/${p(at.getUTCDate())} ` +
    `${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}`
}

/** Lease file content that starts both peers from NORMAL/NORMAL (pitfall 14). */
export function seededNormalLeases(at: Date): string {
  const when = iscLeaseDate(at)
  return [
    `failover peer "${FAILOVER_NAME}" state {`,
    `  my state normal at ${when};`,
    `  partner state normal at ${when};`,
    '}',
    '',
  ].join('\n')
}

export interface KeaHaSpec {
  /** 1 = primary (server1), 2 = secondary (server2). */
  readonly which: 1 | 2
  readonly iface: string
  readonly ips: readonly [string, string]
  readonly dir: string
  readonly hooksDir?: string
}

export function keaServerName(which: 1 | 2): string {
  return `server${which}`
}

/** kea-dhcp4 JSON of one HA load-balancing peer. */
export function keaHaConfig(spec: KeaHaSpec): string {
  const hooks = spec.hooksDir ?? KEA_HOOKS_DIR
  const name = keaServerName(spec.which)
  const peers = ([1, 2] as const).map((w) => ({
    name: keaServerName(w),
    url: `http://${spec.ips[w - 1]}:${KEA_HA_PORT}/`,
    role: w === 1 ? 'primary' : 'secondary',
    'auto-failover': true,
  }))
  const config = {
    Dhcp4: {
      'interfaces-config': { interfaces: [spec.iface], 'dhcp-socket-type': 'raw' },
      'control-socket': { 'socket-type': 'unix', 'socket-name': `${spec.dir}/kea4-${name}.sock` },
      'lease-database': {
        type: 'memfile', persist: true, name: `${spec.dir}/${name}-leases4.csv`, 'lfc-interval': 3600,
      },
      'valid-lifetime': LEASE_TIME_S,
      authoritative: true,
      // The HA dedicated listener needs Dhcp4 multi-threading (no kea-ctrl-agent; pitfall 18).
      'multi-threading': { 'enable-multi-threading': true },
      'hooks-libraries': [
        { library: `${hooks}/libdhcp_lease_cmds.so` },
        {
          library: `${hooks}/libdhcp_ha.so`,
          parameters: {
            'high-availability': [{
              'this-server-name': name,
              mode: 'load-balancing',
              'heartbeat-delay': 1000,
              'max-response-delay': 5000,
              'max-ack-delay': 5000,
              'max-unacked-clients': 0,
              'sync-timeout': 10000,
              'multi-threading': {
                'enable-multi-threading': true,
                'http-dedicated-listener': true,
                'http-listener-threads': 0,
                'http-client-threads': 0,
              },
              peers,
            }],
          },
        },
      ],
      subnet4: [{
        id: 1,
        subnet: PAIR_SUBNET.cidr,
        pools: KEA_HALVES.map((h, i) => ({
          pool: `${h.first} - ${h.last}`,
          'client-class': `HA_${keaServerName(i === 0 ? 1 : 2)}`,
        })),
      }],
      loggers: [{ name: 'kea-dhcp4', severity: 'INFO', output_options: [{ output: `${spec.dir}/kea-${name}.log` }] }],
    },
  }
  return `${JSON.stringify(config, null, 2)}\n`
}

/** Occurrences of `needle` in `text` (per-node OFFER/ACK counts from server logs: one per line). */
export function countOccurrences(text: string, needle: string): number {
  let n = 0
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++
  return n
}

/** perfdhcp load from the client namespace, broadcast on the shared segment (both peers hear it). */
export function pairLoadArgv(o: { rate: number; durationS: number; clientCpu: string; iface: string; clients: number }): string[] {
  if (!Number.isInteger(o.durationS) || o.durationS < 1) throw new Error('perfdhcp -p takes whole seconds only')
  const argv = ['perfdhcp', '-4', '-r', String(o.rate), '-p', String(o.durationS), '-R', String(o.clients), '-W', '500000', '-x', 't', '-l', o.iface]
  return o.clientCpu === '' ? argv : ['taskset', '-c', o.clientCpu, ...argv]
}

/** One-second probe; `mac` picks which peer's hash bucket answers it. */
export function pairProbeArgv(iface: string, mac: string): string[] {
  return ['perfdhcp', '-4', '-l', iface, '-r', '20', '-p', '1', '-W', '200000', '-R', '1', '-b', `mac=${mac}`]
}

/**
 * Addresses whose latest block in a dhcpd.leases text is in state BACKUP (later blocks for an
 * address replace earlier ones; `rewind binding state backup;` does not count).
 */
export function backupAddressCount(leaseFile: string): number {
  const latest = new Map<string, boolean>()
  const re = /^lease (\S+) \{([^}]*)\}/gm
  for (let m = re.exec(leaseFile); m !== null; m = re.exec(leaseFile)) {
    latest.set(m[1] ?? '', /^\s*binding state backup;/m.test(m[2] ?? ''))
  }
  let n = 0
  for (const isBackup of latest.values()) if (isBackup) n++
  return n
}

/** `syscr` + `syscw` of a `/proc/PID/io` text (read- and write-family syscalls, all threads). */
export function ioSyscalls(procIo: string): { reads: number; writes: number } | undefined {
  const r = /^syscr:\s*(\d+)$/m.exec(procIo)
  const w = /^syscw:\s*(\d+)$/m.exec(procIo)
  return r?.[1] === undefined || w?.[1] === undefined ? undefined : { reads: Number(r[1]), writes: Number(w[1]) }
}
