/**
 * A small network lab out of Linux network namespaces, for benchmarks, end-to-end tests
 * and demos. Layout: one "switch" namespace holds a bridge; every member namespace gets
 * one veth pair whose far end is enslaved to that bridge. The veth pairs are created
 * inside the switch namespace and moved into the member, so nothing ever appears in the
 * root namespace. IPv6 is disabled everywhere (no link-local ND/MLD noise).
 *
 * Every namespace name must start with the lab's prefix; cleanup only ever touches
 * namespaces with that prefix, and processes are signalled by PID/process group only.
 * All commands are argv arrays (no shell) with timeouts.
 */
import { accessSync, constants as fsConstants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { LabProcess, runChecked, runSync, type SpawnOptions } from './lab-process.js'

export { LabProcess, type ExitStatus, type OutputSink, type SpawnOptions } from './lab-process.js'

const IP_TIMEOUT_MS = 10_000
/** Linux IFNAMSIZ - 1. */
const MAX_IFNAME = 15
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i
const CIDR_RE = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/

export interface LabCheck {
  readonly ok: boolean
  readonly reason: string
}

/** Absolute path of `tool` found on PATH, or undefined. */
export function findExecutable(tool: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).concat(['/usr/sbin', '/sbin'])
  for (const dir of dirs) {
    if (dir === '') continue
    const p = join(dir, tool)
    try {
      accessSync(p, fsConstants.X_OK)
      return p
    } catch {
      // keep looking
    }
  }
  return undefined
}

/**
 * Can this process build a lab? Needs root (namespaces, veths) and `ip`, plus any extra
 * tools the caller names (e.g. `perfdhcp`, `taskset`, `dhcpd`).
 */
export function canRunLab(extraTools: readonly string[] = []): LabCheck {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: 'not root (network namespaces need CAP_NET_ADMIN / CAP_SYS_ADMIN)' }
  }
  const missing = ['ip', ...extraTools].filter((t) => findExecutable(t) === undefined)
  if (missing.length > 0) return { ok: false, reason: `missing tool(s): ${missing.join(', ')}` }
  return { ok: true, reason: 'ok' }
}

function assertName(kind: string, name: string, maxLength = 64): void {
  if (!NAME_RE.test(name) || name.length > maxLength) {
    throw new Error(`invalid ${kind} name "${name}"`)
  }
}

function ip(args: readonly string[]): string {
  return runChecked(['ip', ...args], IP_TIMEOUT_MS)
}

/** Names of all network namespaces (`ip netns list`). */
export function listNamespaces(): string[] {
  const r = runSync(['ip', 'netns', 'list'], IP_TIMEOUT_MS)
  if (r.code !== 0) return []
  return r.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '')
}

export function namespaceExists(name: string): boolean {
  return listNamespaces().includes(name)
}

/** Creates `name` with loopback up and IPv6 off. */
export function createNamespace(name: string): void {
  assertName('namespace', name)
  ip(['netns', 'add', name])
  disableIpv6(name)
  ip(['-n', name, 'link', 'set', 'lo', 'up'])
}

export function disableIpv6(ns: string): void {
  runChecked(
    ['ip', 'netns', 'exec', ns, 'sysctl', '-qw',
      'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
    IP_TIMEOUT_MS,
  )
}

/** PIDs of processes living in namespace `ns` (`ip netns pids`). */
export function namespacePids(ns: string): number[] {
  const r = runSync(['ip', 'netns', 'pids', ns], IP_TIMEOUT_MS)
  if (r.code !== 0) return []
  return r.stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number)
    .filter((pid) => pid !== process.pid)
}

/** SIGKILLs every process inside `ns` (a namespace we created), by PID. */
export function killNamespaceProcesses(ns: string): number {
  let killed = 0
  for (const pid of namespacePids(ns)) {
    try {
      process.kill(pid, 'SIGKILL')
      killed++
    } catch {
      // already gone
    }
  }
  return killed
}

/** Kills what is left inside `ns`, then deletes it. Missing namespaces are fine. */
export function deleteNamespace(ns: string): void {
  if (!namespaceExists(ns)) return
  killNamespaceProcesses(ns)
  const r = runSync(['ip', 'netns', 'del', ns], IP_TIMEOUT_MS)
  if (r.code !== 0 && namespaceExists(ns)) {
    throw new Error(`ip netns del ${ns}: ${r.stderr.trim()}`)
  }
}

/**
 * Deletes every namespace whose name starts with `prefix` (idempotent). The prefix must
 * look like `abc-` or `abc-t-` (alphanumeric words each ending in '-'), so it can never
 * match unrelated labs by accident.
 */
export function cleanupByPrefix(prefix: string): string[] {
  if (!/^[A-Za-z0-9]{2,}-([A-Za-z0-9]+-)*$/.test(prefix)) throw new Error(`refusing cleanup with prefix "${prefix}"`)
  const doomed = listNamespaces().filter((n) => n.startsWith(prefix))
  for (const ns of doomed) deleteNamespace(ns)
  return doomed
}

export interface LabMember {
  /** Namespace to create, e.g. `hbn-srv1`. */
  readonly ns: string
  /** Interface name inside the member namespace, e.g. `hbn-s1` (max 12 chars: `-br` is appended for the bridge side). */
  readonly iface: string
  /** Address with prefix length, e.g. `198.18.0.1/16`. */
  readonly address: string
  readonly mac?: string
}

export interface LabSpec {
  /** Every namespace (switch and members) must start with it; e.g. `hbn-`. */
  readonly prefix: string
  /** Namespace holding the bridge, e.g. `hbn-sw`. */
  readonly switchNs: string
  /** Bridge device name, e.g. `hbn-br`. */
  readonly bridge: string
  readonly members: readonly LabMember[]
}

/** A built lab. `destroy()` is idempotent and removes every namespace of the spec. */
export interface Lab {
  readonly spec: LabSpec
  run(ns: string, argv: readonly string[], opts?: SpawnOptions): LabProcess
  destroy(): void
}

function validateSpec(spec: LabSpec): void {
  const all = [spec.switchNs, ...spec.members.map((m) => m.ns)]
  for (const ns of all) {
    assertName('namespace', ns)
    if (!ns.startsWith(spec.prefix)) throw new Error(`namespace ${ns} lacks prefix ${spec.prefix}`)
  }
  if (new Set(all).size !== all.length) throw new Error('duplicate namespace in lab spec')
  assertName('bridge', spec.bridge, MAX_IFNAME)
  for (const m of spec.members) {
    assertName('interface', m.iface, MAX_IFNAME - 3)
    if (!CIDR_RE.test(m.address)) throw new Error(`invalid address ${m.address}`)
    if (m.mac !== undefined && !MAC_RE.test(m.mac)) throw new Error(`invalid MAC ${m.mac}`)
  }
}

/** Adds `cidr` (e.g. `198.18.0.10/16`, a VIP) to `iface` in `ns`. */
export function addAddress(ns: string, iface: string, cidr: string): void {
  if (!CIDR_RE.test(cidr)) throw new Error(`invalid address ${cidr}`)
  ip(['-n', ns, 'addr', 'add', cidr, 'dev', iface])
}

/** Removes `cidr` from `iface` in `ns`; an address that is not there is fine. */
export function removeAddress(ns: string, iface: string, cidr: string): void {
  if (!CIDR_RE.test(cidr)) throw new Error(`invalid address ${cidr}`)
  runSync(['ip', '-n', ns, 'addr', 'del', cidr, 'dev', iface], IP_TIMEOUT_MS)
}

/** Is `cidr` (e.g. a VIP `198.18.11.246/32`) on `iface` in `ns` (any interface when omitted)? */
export function hasAddress(ns: string, cidr: string, iface?: string): boolean {
  if (!CIDR_RE.test(cidr)) throw new Error(`invalid address ${cidr}`)
  const r = runSync(['ip', '-n', ns, '-4', 'addr', 'show', ...(iface === undefined ? [] : ['dev', iface])], IP_TIMEOUT_MS)
  return r.stdout.includes(` ${cidr} `)
}

export function setMac(ns: string, iface: string, mac: string): void {
  if (!MAC_RE.test(mac)) throw new Error(`invalid MAC ${mac}`)
  ip(['-n', ns, 'link', 'set', iface, 'address', mac])
}

/** Brings `iface` in `ns` up or down (e.g. to cut a peer off in an HA test). */
export function setLinkUp(ns: string, iface: string, up: boolean): void {
  ip(['-n', ns, 'link', 'set', iface, up ? 'up' : 'down'])
}

/** Adds a veth pair from the bridge in `switchNs` into `member.ns` and configures it. */
export function attachMember(switchNs: string, bridge: string, member: LabMember): void {
  const bridgeSide = `${member.iface}-br`
  ip(['-n', switchNs, 'link', 'add', member.iface, 'type', 'veth', 'peer', 'name', bridgeSide])
  ip(['-n', switchNs, 'link', 'set', member.iface, 'netns', member.ns])
  ip(['-n', switchNs, 'link', 'set', bridgeSide, 'master', bridge])
  ip(['-n', switchNs, 'link', 'set', bridgeSide, 'up'])
  if (member.mac !== undefined) setMac(member.ns, member.iface, member.mac)
  addAddress(member.ns, member.iface, member.address)
  setLinkUp(member.ns, member.iface, true)
}

/** Argv that runs `argv` inside namespace `ns` (`ip netns exec` execs in place). */
export function inNamespace(ns: string, argv: readonly string[]): string[] {
  assertName('namespace', ns)
  return ['ip', 'netns', 'exec', ns, ...argv]
}

/** Starts `argv` inside `ns` in its own session/process group. */
export function runInNamespace(ns: string, argv: readonly string[], opts: SpawnOptions = {}): LabProcess {
  return LabProcess.start(inNamespace(ns, argv), opts)
}

/**
 * Builds the switch namespace with its bridge and one veth per member. Leftovers of the
 * same spec are removed first; on any failure everything created is removed again.
 */
export function buildLab(spec: LabSpec): Lab {
  validateSpec(spec)
  const namespaces = [spec.switchNs, ...spec.members.map((m) => m.ns)]
  const destroy = (): void => {
    for (const ns of namespaces) deleteNamespace(ns)
  }
  destroy()
  try {
    for (const ns of namespaces) createNamespace(ns)
    ip(['-n', spec.switchNs, 'link', 'add', spec.bridge, 'type', 'bridge'])
    ip(['-n', spec.switchNs, 'link', 'set', spec.bridge, 'up'])
    for (const m of spec.members) attachMember(spec.switchNs, spec.bridge, m)
  } catch (err) {
    destroy()
    throw err
  }
  return {
    spec,
    run: (ns, argv, opts) => {
      if (!namespaces.includes(ns)) throw new Error(`namespace ${ns} is not part of this lab`)
      return runInNamespace(ns, argv, opts)
    },
    destroy,
  }
}
