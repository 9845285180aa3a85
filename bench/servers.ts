/**
 * The server kinds the bench can run, with their configs (docs/benchmarking.md §4) and
 * durability. Each kind writes its files into a fresh step directory and returns the
 * argv to run inside the server namespace (already pinned with taskset).
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findExecutable } from '../src/lab/netns.js'
import type { ServerKindName } from './results.js'
import { LEASE_TIME_S, POOL, SERVED_SUBNET, SERVER } from './topology.js'

/** Log line ISC dhcpd prints when it serves; hadhcpd is expected to print it too. */
export const ISC_READY_LINE = 'Server starting service.'
export const KEA_READY_LINE = 'DHCP4_STARTED'

export interface ServerLaunch {
  readonly argv: string[]
  readonly env?: NodeJS.ProcessEnv
  /** stdout+stderr of the server go here. */
  readonly outputPath: string
  /** Readiness: `pattern` appears in `file` (defaults to outputPath). */
  readonly ready: { readonly pattern: string; readonly file: string }
}

export interface LaunchContext {
  readonly stepDir: string
  readonly serverCpu: string
}

export interface ServerKind {
  readonly name: ServerKindName
  readonly label: string
  readonly durability: string
  /** Why this kind cannot run here, or undefined if it can. */
  unavailableReason(): string | undefined
  prepare(ctx: LaunchContext): ServerLaunch
}

/** Repository root (this file is dist/bench/servers.js once compiled). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** dhcpd.conf used by ISC dhcpd and by hadhcpd (which reads dhcpd.conf). */
export function dhcpdConf(): string {
  return [
    'authoritative;',
    'ddns-update-style none;',
    'ping-check false;',
    `default-lease-time ${LEASE_TIME_S};`,
    `max-lease-time ${LEASE_TIME_S};`,
    'log-facility local7;',
    `subnet ${SERVED_SUBNET.network} netmask ${SERVED_SUBNET.netmask} { range ${POOL.first} ${POOL.last}; }`,
    '',
  ].join('\n')
}

export function keaConfig(dir: string): string {
  const config = {
    Dhcp4: {
      'interfaces-config': { interfaces: [SERVER.iface], 'dhcp-socket-type': 'raw' },
      'control-socket': { 'socket-type': 'unix', 'socket-name': join(dir, 'kea4.sock') },
      'lease-database': {
        type: 'memfile', persist: true, name: join(dir, 'srv1-leases4.csv'), 'lfc-interval': 3600,
      },
      'valid-lifetime': LEASE_TIME_S,
      authoritative: true,
      'multi-threading': { 'enable-multi-threading': false },
      subnet4: [{ id: 1, subnet: SERVED_SUBNET.cidr, pools: [{ pool: `${POOL.first} - ${POOL.last}` }] }],
      loggers: [{ name: 'kea-dhcp4', severity: 'INFO', output_options: [{ output: join(dir, 'kea.log') }] }],
    },
  }
  return `${JSON.stringify(config, null, 2)}\n`
}

function pinned(cpu: string, argv: string[]): string[] {
  return cpu === '' ? argv : ['taskset', '-c', cpu, ...argv]
}

function missingTool(tool: string): string | undefined {
  return findExecutable(tool) === undefined ? `${tool} not found on PATH` : undefined
}

export const DHCPD: ServerKind = {
  name: 'dhcpd',
  label: 'ISC dhcpd 4.4',
  durability: 'fsync per DHCPACK',
  unavailableReason: () => missingTool('dhcpd'),
  prepare({ stepDir, serverCpu }) {
    const conf = join(stepDir, 'dhcpd.conf')
    const leases = join(stepDir, 'dhcpd.leases')
    writeFileSync(conf, dhcpdConf())
    writeFileSync(leases, '') // dhcpd refuses to start without a lease file
    const outputPath = join(stepDir, 'dhcpd.out')
    return {
      argv: pinned(serverCpu, ['dhcpd', '-4', '-f', '-d', '-cf', conf, '-lf', leases, '-pf', join(stepDir, 'dhcpd.pid'), SERVER.iface]),
      outputPath,
      ready: { pattern: ISC_READY_LINE, file: outputPath },
    }
  },
}

export const KEA: ServerKind = {
  name: 'kea',
  label: 'Kea 2.2 memfile (MT off)',
  durability: 'memfile persist=true: write(2) per lease, no fsync',
  unavailableReason: () => missingTool('kea-dhcp4'),
  prepare({ stepDir, serverCpu }) {
    const conf = join(stepDir, 'srv1.json')
    writeFileSync(conf, keaConfig(stepDir))
    return {
      argv: pinned(serverCpu, ['kea-dhcp4', '-c', conf]),
      // Kea refuses to start if its PID file exists: keep it (and the lock) in the step dir
      env: { ...process.env, KEA_PIDFILE_DIR: stepDir, KEA_LOCKFILE_DIR: stepDir },
      outputPath: join(stepDir, 'kea.out'),
      ready: { pattern: KEA_READY_LINE, file: join(stepDir, 'kea.log') },
    }
  },
}

/** Compiled daemon entry point that bin/hadhcpd.js imports. */
export const HADHCPD_CLI = join(REPO_ROOT, 'dist', 'src', 'daemon', 'cli.js')
export const HADHCPD_LAUNCHER = join(REPO_ROOT, 'bin', 'hadhcpd.js')

/**
 * Extra node flags for the hadhcpd process only (profiling: `HADHCPD_NODE_FLAGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof"`; node refuses --cpu-prof in NODE_OPTIONS).
 */
function hadhcpdNodeFlags(): string[] {
  const v = process.env['HADHCPD_NODE_FLAGS']
  return v === undefined ? [] : v.split(/\s+/).filter((f) => f !== '')
}

/**
 * hadhcpd, invoked like dhcpd: `node bin/hadhcpd.js -f -d -cf CONF -lf LEASES IFACE`
 * with the same dhcpd.conf. Ready when `readyLine` appears on its stdout/stderr.
 * `transport` 'udp' adds `--transport udp` (kind `hadhcpd-udp`); the default lets hadhcpd
 * choose (packet sockets as root). perfdhcp acts as a relay (giaddr set), so both answer it
 * through the UDP socket; the packet kind also parses and skips every frame on its packet socket.
 */
export function hadhcpdKind(readyLine: string, transport: 'auto' | 'udp' = 'auto'): ServerKind {
  return {
    name: transport === 'udp' ? 'hadhcpd-udp' : 'hadhcpd',
    label: transport === 'udp' ? 'hadhcpd --transport udp' : 'hadhcpd (default transport)',
    durability: 'as configured in hadhcpd (state it next to the numbers)',
    unavailableReason: () =>
      existsSync(HADHCPD_CLI) ? undefined : `hadhcpd daemon not available yet (${HADHCPD_CLI} is missing)`,
    prepare({ stepDir, serverCpu }) {
      const conf = join(stepDir, 'dhcpd.conf')
      const leases = join(stepDir, 'dhcpd.leases')
      writeFileSync(conf, dhcpdConf())
      writeFileSync(leases, '')
      const outputPath = join(stepDir, 'hadhcpd.out')
      const extra = transport === 'udp' ? ['--transport', 'udp'] : []
      return {
        argv: pinned(serverCpu, [process.execPath, ...hadhcpdNodeFlags(), HADHCPD_LAUNCHER, '-f', '-d', '-cf', conf, '-lf', leases, '-pf', join(stepDir, 'hadhcpd.pid'), '--no-syslog', '--control', 'none', ...extra, SERVER.iface]),
        outputPath,
        ready: { pattern: readyLine, file: outputPath },
      }
    },
  }
}
