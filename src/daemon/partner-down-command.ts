/**
 * `hadhcpd partner-down -lf FILE [-cf CONF] [-pf PIDFILE] [PEER]`: the offline way to declare the
 * partner down, as ISC documents it for dhcpd (failover-protocol.md §3.4): with the server
 * stopped, append `failover peer "NAME" state { my state partner-down at DATE; partner state
 * … }` to the lease file; the server starts from it (STARTUP, then PARTNER-DOWN once the 15 s
 * startup timer passes or the peer's first STATE arrives). Refused while the pid file names a
 * running process: a running server would overwrite the block with its own state.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs'
import type { CliRequest } from './args.js'
import { compileForCli, type Output } from './check.js'
import type { FailoverPeerState } from '../core/lease.js'
import { formatPeerState } from '../persistence/lease-file-format.js'
import { loadLeaseFile } from '../persistence/load.js'
import { nodeFileSystem } from '../persistence/node-file-system.js'
import { processAlive } from './pid-file.js'

const processOutput: Output = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
}

/** The state block to append: my state partner-down now; the partner's last recorded state and the MCLT kept. */
export function partnerDownRecord(name: string, previous: FailoverPeerState | undefined, now: number): FailoverPeerState {
  return {
    name,
    myState: 'partner-down',
    myStateAt: now,
    partnerState: previous?.partnerState ?? 'unknown-state',
    partnerStateAt: previous?.partnerStateAt ?? now,
    ...(previous?.mclt !== undefined ? { mclt: previous.mclt } : {}),
  }
}

/** The pid in `path` when that process is alive (signal 0 succeeds or is refused with EPERM). */
export function runningPid(path: string, alive: (pid: number) => boolean = processAlive): number | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  const pid = Number(text.trim())
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  return alive(pid) ? pid : undefined
}

/** Which relationship: the one named, else the only one of the configuration or of the lease file. */
function choosePeer(req: CliRequest, recorded: ReadonlyMap<string, FailoverPeerState>, io: Output, configGiven: boolean): string | undefined {
  if (req.peer !== undefined && !configGiven) return req.peer
  const compiled = compileForCli(req, io)
  if (compiled === undefined) {
    if (req.peer !== undefined) return undefined
    const names = [...recorded.keys()]
    if (names.length === 1) return names[0]
    return undefined
  }
  const configured = [...compiled.config.failoverPeers.keys()]
  if (req.peer !== undefined) {
    if (!configured.includes(req.peer)) {
      io.err(`hadhcpd partner-down: ${req.configFile} has no failover peer "${req.peer}" (it has: ${configured.map((n) => `"${n}"`).join(', ') || 'none'})\n`)
      return undefined
    }
    return req.peer
  }
  if (configured.length === 1) return configured[0]
  io.err(configured.length === 0
    ? `hadhcpd partner-down: ${req.configFile} declares no failover peer\n`
    : `hadhcpd partner-down: ${req.configFile} declares several failover peers (${configured.map((n) => `"${n}"`).join(', ')}); name one\n`)
  return undefined
}

export async function runPartnerDown(req: CliRequest, io: Output = processOutput, now: () => number = () => Math.floor(Date.now() / 1000)): Promise<number> {
  if (req.pidFile !== undefined) {
    const pid = runningPid(req.pidFile)
    if (pid !== undefined) {
      io.err(`hadhcpd partner-down: a server is running (pid ${pid} in ${req.pidFile}); stop it first, or use the control API (POST /api/v1/failover/PEER/partner-down)\n`)
      return 1
    }
  }
  if (!existsSync(req.leaseFile)) {
    io.err(`hadhcpd partner-down: lease file ${req.leaseFile} does not exist\n`)
    return 1
  }
  const loaded = await loadLeaseFile(nodeFileSystem, req.leaseFile, { now: now() })
  const name = choosePeer(req, loaded.peerStates, io, req.configGiven)
  if (name === undefined) {
    if (req.peer === undefined) io.err('hadhcpd partner-down: name the failover peer (hadhcpd partner-down -lf FILE [-cf CONF] PEER)\n')
    return 1
  }
  const previous = loaded.peerStates.get(name)
  if (previous?.myState === 'partner-down') {
    const since = previous.myStateAt === undefined ? '' : ` since ${new Date(previous.myStateAt * 1000).toISOString()}`
    io.out(`failover peer ${name}: already partner-down${since} in ${req.leaseFile}; nothing written\n`)
    return 0
  }
  const record = partnerDownRecord(name, previous, now())
  const fd = openSync(req.leaseFile, 'a')
  try {
    writeSync(fd, formatPeerState(record))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  io.out(`failover peer ${name}: I move from ${previous?.myState ?? 'recover'} to partner-down (recorded in ${req.leaseFile}; start the server to serve as partner-down)\n`)
  io.err('hadhcpd partner-down: the partner must really be down: if it is running, both servers hand the whole pool out after MCLT and one address can go to two clients\n')
  return 0
}
