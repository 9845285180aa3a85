/**
 * A two-node hadhcpd failover lab (issue 5, e2e scenario (c)) on {@link DhcpLab}: seed 001's
 * layout (failover peer "ha-dhcp", split 128 on the primary, one pool with `failover peer`, the
 * subnet in an `include`d SHARED file) rewritten into 198.18.72.0/24 with small timers.
 *
 * Two bridges joined by a trunk veth make one L2 segment: the primary (198.18.72.251) and the
 * "left" clients hang off one, the secondary (198.18.72.252) and the "right" clients off the
 * other. The failover TCP connection crosses the trunk, so {@link FailoverPairLab.partition}
 * (trunk down) cuts the pair apart while each node keeps reaching the clients on its side.
 * Clients are long-running udhcpc processes, each in its own namespace, with a hook that
 * configures the bound address (so unicast renewals work) and logs every event.
 */
import { readFileSync } from 'node:fs'
import { DhcpLab, waitFor, waitForLog, type HookRecord } from './dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { parseLeaseFile } from '../../src/persistence/lease-file-parse.js'
import type { BindingState, FailoverPeerState, Lease } from '../../src/core/lease.js'
import { formatIPv4 } from '../../src/lib/ip.js'

export const PEER_NAME = 'ha-dhcp'
export type Role = 'primary' | 'secondary'
export type Side = 'left' | 'right'

export const PAIR_SUBNET = '198.18.72'
export const NODE_ADDRESS: Readonly<Record<Role, string>> = { primary: `${PAIR_SUBNET}.251`, secondary: `${PAIR_SUBNET}.252` }

export interface PairTimers {
  /** mclt (primary only, as in seed 001; the secondary learns it). */
  readonly mclt: number
  readonly maxResponseDelay: number
  /** default-lease-time = max-lease-time. */
  readonly leaseTime: number
  readonly loadBalanceMaxSeconds: number
}

export const DEFAULT_TIMERS: PairTimers = { mclt: 20, maxResponseDelay: 10, leaseTime: 30, loadBalanceMaxSeconds: 30 }

/** Seed 001's `failover peer` block for `role`, in the lab's addresses. */
export function pairPeerBlock(role: Role, t: PairTimers): string {
  const [self, other] = role === 'primary' ? [NODE_ADDRESS.primary, NODE_ADDRESS.secondary] : [NODE_ADDRESS.secondary, NODE_ADDRESS.primary]
  return `# CORE
failover peer "${PEER_NAME}" {
  ${role};
  address ${self};
  port 678;
  peer address ${other};
  peer port 678;
  max-response-delay ${t.maxResponseDelay};
  max-unacked-updates 10;
${role === 'primary' ? `  mclt ${t.mclt};\n  split 128;\n` : ''}  load balance max seconds ${t.loadBalanceMaxSeconds};
}
`
}

/** Seed 001's SHARED file in the lab's addresses; the pool is .10–.73 (64 addresses). */
export function pairSharedConf(t: PairTimers): string {
  return `# CLIENTS
ddns-update-style none;
authoritative;
ping-check false;
subnet ${PAIR_SUBNET}.0 netmask 255.255.255.0 {
  default-lease-time         ${t.leaseTime};
  max-lease-time             ${t.leaseTime};
  option routers             ${PAIR_SUBNET}.254;
  option broadcast-address   ${PAIR_SUBNET}.255;
  option subnet-mask         255.255.255.0;
  option domain-search       "domain.com";
  option domain-name-servers ${PAIR_SUBNET}.253;

  pool {
    failover peer "${PEER_NAME}";
    range ${PAIR_SUBNET}.10 ${PAIR_SUBNET}.73;
  }
}
`
}

export interface PairNode {
  readonly role: Role
  readonly ns: string
  readonly iface: string
  readonly conf: string
  readonly leases: string
  proc: LabProcess
  /** How many times it was started (log file names). */
  starts: number
}

export interface PairClient {
  readonly name: string
  readonly mac: string
  /** The bridge it hangs off now ({@link FailoverPairLab.moveClient} changes it). */
  side: Side
  readonly ns: string
  readonly iface: string
  readonly proc: LabProcess
  readonly records: () => HookRecord[]
}

/** The latest record per address of a lease file (last wins, as a reload does). */
export interface LeaseView {
  readonly leases: ReadonlyMap<string, Lease>
  readonly peerState: FailoverPeerState | undefined
}

export function readLeaseView(path: string): LeaseView {
  const parsed = parseLeaseFile(readFileSync(path))
  const leases = new Map<string, Lease>()
  for (const l of parsed.leases) leases.set(formatIPv4(l.address), l)
  const states = parsed.peerStates.filter((s) => s.name === PEER_NAME)
  return { leases, peerState: states[states.length - 1] }
}

/** The client a lease names: its hardware address, else its uid (hex). */
export function leaseClient(l: Lease): string | undefined {
  if (l.hardware !== undefined) return [...l.hardware.address].map((b) => b.toString(16).padStart(2, '0')).join(':')
  return l.uid?.toString('hex')
}

const bound = (s: BindingState): boolean => s === 'active' || s === 'bootp'

/** Addresses bound (active) in `view`, with their client. */
export function activeBindings(view: LeaseView): Map<string, string> {
  const out = new Map<string, string>()
  for (const [a, l] of view.leases) {
    const c = leaseClient(l)
    if (bound(l.bindingState) && c !== undefined) out.set(a, c)
  }
  return out
}

/** Addresses that are active for two different clients in two lease files (the pair's invariant: none). */
export function crossFileConflicts(a: LeaseView, b: LeaseView): string[] {
  const ab = activeBindings(a)
  const bb = activeBindings(b)
  const out: string[] = []
  for (const [addr, c] of ab) {
    const other = bb.get(addr)
    if (other !== undefined && other !== c) out.push(`${addr}: ${c} vs ${other}`)
  }
  return out
}

/** Clients holding two active addresses within one lease file. */
export function clientsWithTwoAddresses(view: LeaseView): string[] {
  const byClient = new Map<string, string[]>()
  for (const [addr, c] of activeBindings(view)) byClient.set(c, [...(byClient.get(c) ?? []), addr])
  return [...byClient].filter(([, as]) => as.length > 1).map(([c, as]) => `${c}: ${as.join(' ')}`)
}

const ROLE_TAG: Readonly<Record<Role, string>> = { primary: 'p', secondary: 's' }

export class FailoverPairLab {
  readonly lab: DhcpLab
  readonly nodes: Record<Role, PairNode>
  readonly clients: PairClient[] = []
  private readonly bridges: Record<Side, { ns: string; dev: string }>
  private readonly trunk: { ns: string; dev: string }

  /** `tag`: 3 lowercase letters naming the lab's interfaces (e.g. `hpr`). */
  constructor(prefix: string, private readonly tag: string, readonly timers: PairTimers = DEFAULT_TIMERS) {
    this.lab = new DhcpLab(prefix)
    this.bridges = { left: this.lab.bridge('swl'), right: this.lab.bridge('swr') }
    // The trunk: `<tag>tr` in the right bridge's namespace, its `-b` end on the left bridge.
    this.trunk = { ns: this.bridges.left.ns, dev: `${tag}tr-b` }
    this.lab.link(this.bridges.left, this.bridges.right.ns, `${tag}tr`)
    this.lab.ip(this.bridges.right.ns, ['link', 'set', `${tag}tr`, 'master', this.bridges.right.dev])
    const shared = this.lab.file('dhcpd.conf.SHARED', pairSharedConf(timers))
    const node = (role: Role, side: Side): PairNode => {
      const ns = this.lab.ns(ROLE_TAG[role])
      const iface = `${tag}${ROLE_TAG[role]}0`
      this.lab.link(this.bridges[side], ns, iface, { address: `${NODE_ADDRESS[role]}/24` })
      const conf = this.lab.file(`${role}.conf`, `${pairPeerBlock(role, timers)}\ninclude "${shared}";\n`)
      const leases = this.lab.file(`${role}.leases`, '')
      return { role, ns, iface, conf, leases, proc: undefined as unknown as LabProcess, starts: 0 }
    }
    this.nodes = { primary: node('primary', 'left'), secondary: node('secondary', 'right') }
  }

  /**
   * Starts (or restarts) hadhcpd for `role` on its lease file; `wipe` empties the file first (a
   * node that lost its state); `args` go to hadhcpd (e.g. `--failover-graceful-stop`).
   */
  async startNode(role: Role, opts: { wipe?: boolean; args?: readonly string[] } = {}): Promise<LabProcess> {
    const n = this.nodes[role]
    if (opts.wipe === true) this.lab.file(`${role}.leases`, '')
    n.starts++
    n.proc = await this.lab.startServer(n.ns, { conf: n.conf, leases: n.leases, ifaces: [n.iface], log: `${role}-${n.starts}.log`, ...(opts.args === undefined ? {} : { args: opts.args }) })
    return n.proc
  }

  /** Kills `role`'s hadhcpd by PID (SIGKILL to its process group: a crash) and waits for it to exit. */
  async killNode(role: Role): Promise<void> {
    const p = this.nodes[role].proc
    p.signalGroup('SIGKILL')
    const status = await p.waitForExit(5000)
    if (status === undefined) throw new Error(`${role} hadhcpd (pid ${p.pid}) did not exit after SIGKILL`)
  }

  /** Cuts the trunk: the primary and the left clients lose the secondary and the right clients. */
  partition(): void {
    this.lab.ip(this.trunk.ns, ['link', 'set', this.trunk.dev, 'down'])
  }

  heal(): void {
    this.lab.ip(this.trunk.ns, ['link', 'set', this.trunk.dev, 'up'])
  }

  /**
   * Starts a long-running udhcpc (client-identifier 01 + MAC, busybox's default) in its own
   * namespace on `side` (`extraArgs`, e.g. `-r IP`, go to udhcpc). Its hook puts the bound address on the interface so renewals go unicast.
   */
  addClient(name: string, mac: string, side: Side, extraArgs: readonly string[] = []): PairClient {
    const ns = this.lab.ns(name)
    const iface = `${this.tag}${name}`
    this.lab.link(this.bridges[side], ns, iface, { mac })
    const hook = this.lab.hook(`hook-${name}`, true)
    const proc = this.lab.start(ns, ['udhcpc', '-i', iface, '-f', '-t', '5', '-T', '2', '-A', '2', ...extraArgs, '-s', hook.script], `udhcpc-${name}.log`)
    const c: PairClient = { name, mac, side, ns, iface, proc, records: hook.records }
    this.clients.push(c)
    return c
  }

  /** Moves a client's cable to the other half of the network (a client roaming during a partition). */
  moveClient(c: PairClient, to: Side): void {
    if (c.side === to) return
    const port = `${c.iface}-b`
    const from = this.bridges[c.side]
    const dest = this.bridges[to]
    this.lab.ip(from.ns, ['link', 'set', port, 'netns', dest.ns])
    this.lab.ip(dest.ns, ['link', 'set', port, 'master', dest.dev])
    this.lab.ip(dest.ns, ['link', 'set', port, 'up'])
    c.side = to
  }

  /** Waits until `role`'s current log (from offset `since`) matches `pattern`, with both nodes' logs in the error. */
  async waitLog(role: Role, pattern: RegExp, timeoutMs: number, since = 0): Promise<void> {
    const proc = this.nodes[role].proc
    try {
      await waitForLog({ output: () => proc.output().slice(since) }, pattern, timeoutMs)
    } catch (err) {
      throw new Error(`${role}: no ${String(pattern)} within ${timeoutMs} ms\n${this.diag()}`, { cause: err })
    }
  }

  /** Waits until both nodes log NORMAL for themselves and for their peer (after `since` chars of each log). */
  async waitBothNormal(timeoutMs: number, since: Record<Role, number> = { primary: 0, secondary: 0 }): Promise<void> {
    await this.waitFor('both nodes normal with the peer normal', timeoutMs, () => {
      const ok = (['primary', 'secondary'] as const).every((r) => {
        const out = this.nodes[r].proc.output().slice(since[r])
        return lastMatch(out, /failover peer \S+: I move from [a-z-]+ to ([a-z-]+)/) === 'normal'
          && lastMatch(out, /failover peer \S+: peer moves from [a-z-]+ to ([a-z-]+)/) === 'normal'
      })
      return ok ? true : undefined
    })
  }

  /** The log offsets now (to look only at lines written later). */
  marks(): Record<Role, number> {
    return { primary: this.nodes.primary.proc.output().length, secondary: this.nodes.secondary.proc.output().length }
  }

  view(role: Role): LeaseView {
    return readLeaseView(this.nodes[role].leases)
  }

  /** {@link waitFor} with both logs and the lease-file states in the error. */
  async waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    try {
      return await waitFor(what, timeoutMs, check)
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${this.diag()}`, { cause: err })
    }
  }

  diag(): string {
    const tail = (s: string): string => s.split('\n').slice(-60).join('\n')
    const clients = this.clients.map((c) => `${c.name} ${c.mac} ${c.side}: ${c.records().map((r) => `${r['arg']}:${r['ip'] ?? ''}@${r['serverid'] ?? ''}`).join(' ')}`).join('\n')
    return `--- primary ---\n${tail(this.nodes.primary.proc.output())}\n--- secondary ---\n${tail(this.nodes.secondary.proc.output())}\n--- clients ---\n${clients}`
  }

  async destroy(): Promise<void> {
    await this.lab.destroy()
  }
}

function lastMatch(text: string, re: RegExp): string | undefined {
  let last: string | undefined
  for (const m of text.matchAll(new RegExp(re.source, 'g'))) last = m[1]
  return last
}

/** The client's latest successful event (`bound` or `renew`). */
export function lastLease(c: PairClient): HookRecord | undefined {
  return c.records().filter((r) => r['arg'] === 'bound' || r['arg'] === 'renew').at(-1)
}
