/**
 * `npm run lab`: the whole HA system in network namespaces, narrated for a newcomer.
 *
 *   client LAN 198.18.10.0/24 ── relay (dhcrelay → VIP) ── server LAN 198.18.11.0/24
 *   clients: dhclient ×2, udhcpc ×2          node1 (primary, VRRP 99), node2 (secondary, VRRP 90)
 *
 * Steps: build the namespaces, write seed 001/000-shaped configs (seed-pair.ts), start both
 * hadhcpd nodes (failover + `--vrrp-config`), follow their logs until the pair is NORMAL and one
 * node holds the VIP, start the relay and the clients and report every lease; then SIGKILL the
 * VIP holder, time the VIP's move, show the survivor in COMMUNICATIONS-INTERRUPTED renewing the
 * clients, restart the killed node and show the pair back in NORMAL. Then it stays up with a
 * periodic status line until the duration ends or Ctrl-C. `destroy()` removes everything.
 *
 * Everything lives in namespaces named `<prefix>…`; every process is started here and stopped by
 * PID; addresses come from 198.18.0.0/15 (VRRP adverts go to 224.0.0.18 on the server LAN).
 */
import { randomBytes } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DhcpLab, HADHCPD } from './dhcp-lab.js'
import { parseDaemonLine, type DaemonEvent } from './daemon-log.js'
import { LogFollower } from './log-follower.js'
import { runSync, type LabProcess } from './lab-process.js'
import { hasAddress, removeAddress } from './netns.js'
import { startControlProxyNear, type ControlProxy } from './control-proxy.js'
import { LAB_LAYOUT, keepalivedConf, nodeConf, sharedConf, type NodeAddresses, type PairLayout } from './seed-pair.js'
import type { LabOptions } from './lab-args.js'
import { bucketOwner, hbaFromSplit } from '../ha/failover/load-balance.js'

export const LAB_TOOLS = ['ip', 'dhcrelay', 'dhclient', 'udhcpc'] as const

/** The narration lines the smoke test looks for (stable wording). */
export const MILESTONES = {
  normal: '✔ Pair NORMAL',
  leases: '✔ Leases handed out',
  vipMoved: '✔ VIP moved',
  survivorRenewed: '✔ Survivor renewed the clients',
  recovered: '✔ Recovered',
} as const

interface ClientSpec {
  readonly name: string
  readonly tool: 'dhclient' | 'udhcpc'
  readonly mac: string
  readonly note: string
}

interface NodeRuntime {
  readonly spec: NodeAddresses
  readonly ns: string
  readonly iface: string
  readonly argv: readonly string[]
  readonly log: string
  readonly socket: string | undefined
  proc: LabProcess | undefined
  follower: LogFollower | undefined
  ready: boolean
  failover: string
  peerSeen: string
  vrrp: string
}

/** ACKs remembered for the status line (a day of four clients renewing is ~25,000). */
const MAX_ACKS_KEPT = 10_000

interface Ack {
  readonly node: string
  readonly address: string
  readonly mac: string
  readonly at: number
}

/** A MAC (02:18:0a:…) whose RFC 3074 bucket under split 128 belongs to `owner` for both hash keys. */
export function macInBucket(owner: 'primary' | 'secondary', start: number): string {
  const hba = hbaFromSplit(128)
  for (let i = start; i < start + 65536; i++) {
    const mac = Buffer.from([0x02, 0x18, 0x0a, 0x00, (i >> 8) & 0xff, i & 0xff])
    if (bucketOwner(hba, mac) === owner && bucketOwner(hba, Buffer.concat([Buffer.from([1]), mac])) === owner) {
      return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':')
    }
  }
  throw new Error(`no MAC in the ${owner} bucket`)
}


class Abort extends Error {
  override readonly name = 'Abort'
}

export class HaLab {
  private readonly layout: PairLayout = LAB_LAYOUT
  private readonly startedAt = performance.now()
  private lab: DhcpLab | undefined
  private readonly nodes: NodeRuntime[] = []
  private readonly clients: ClientSpec[]
  private readonly clientProcs: LabProcess[] = []
  private relay: LabProcess | undefined
  /** Recent ACKs in order (bounded), and each client's latest. */
  private readonly acks: Ack[] = []
  private readonly lastAck = new Map<string, Ack>()
  /** Processes the scenario killed on purpose. */
  private readonly killed = new Set<LabProcess>()
  private readonly proxies: ControlProxy[] = []
  private narrateRenewals = true
  private aborted = false
  private destroyed = false
  private cleanedUp = false
  private statusTimer: NodeJS.Timeout | undefined

  constructor(private readonly opts: LabOptions, private readonly print: (line: string) => void) {
    this.clients = [
      { name: this.layout.fixedHost.name, tool: 'dhclient', mac: this.layout.fixedHost.mac, note: `seed 001's host with a fixed address (${this.layout.fixedHost.address})` },
      { name: 'laptop', tool: 'dhclient', mac: macInBucket('secondary', 0x100), note: "its MAC hashes to node2's half of the buckets" },
      { name: 'phone', tool: 'udhcpc', mac: macInBucket('primary', 0x200), note: "its MAC hashes to node1's half" },
      { name: 'printer', tool: 'udhcpc', mac: macInBucket('primary', 0x300), note: "its MAC hashes to node1's half" },
    ]
  }

  // ---- narration -------------------------------------------------------------------------

  private elapsed(): string {
    return ((performance.now() - this.startedAt) / 1000).toFixed(1).padStart(6)
  }

  private say(text: string): void {
    for (const line of text.split('\n')) this.print(`[${this.elapsed()}s] ${line}`)
  }

  private step(title: string): void {
    this.print('')
    this.say(`== ${title}`)
  }

  private clientName(mac: string): string {
    return this.clients.find((c) => c.mac === mac)?.name ?? mac
  }

  private onNodeEvent(node: NodeRuntime, e: DaemonEvent): void {
    const n = node.spec.name
    switch (e.kind) {
      case 'ready':
        node.ready = true
        this.say(`${n}: up (Server starting service.)`)
        break
      case 'failover-state':
        node.failover = e.to
        this.say(`${n}: failover ${e.from} → ${e.to}${explainState(e.to, this.layout)}`)
        break
      case 'peer-state':
        node.peerSeen = e.to
        break
      case 'vrrp-state': {
        const before = node.vrrp
        node.vrrp = e.state
        const why = e.state === 'MASTER'
          ? ` — takes the VIP ${this.layout.vip}; the relay's requests now reach ${n}`
          : e.state === 'FAULT'
            ? ' — its DHCP service cannot serve, so it gives the VIP up'
            : before === 'MASTER'
              ? ' — hears adverts with a higher priority and gives the VIP back'
              : " — listens to the master's adverts on 224.0.0.18"
        this.say(`${n}: VRRP ${e.state}${why}`)
        break
      }
      case 'ack': {
        const prev = this.lastAck.get(e.mac)
        const first = prev === undefined
        const ack = { node: n, address: e.address, mac: e.mac, at: performance.now() }
        this.acks.push(ack)
        this.lastAck.set(e.mac, ack)
        if (this.acks.length > MAX_ACKS_KEPT) this.acks.splice(0, this.acks.length - MAX_ACKS_KEPT)
        if (first) this.say(`lease: ${this.clientName(e.mac)} (${e.mac}) → ${e.address} from ${n}`)
        else if (this.narrateRenewals) {
          const moved = prev !== undefined && prev.node !== n ? ` (was ${prev.node})` : ''
          this.say(`renewal: ${this.clientName(e.mac)} → ${e.address} by ${n}${moved}`)
        }
        break
      }
      case 'nak':
        this.say(`${n}: NAK to ${this.clientName(e.mac)} for ${e.address}`)
        break
    }
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private labOrThrow(): DhcpLab {
    if (this.lab === undefined) throw new Error('lab not built')
    return this.lab
  }

  private async waitUntil<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      if (this.aborted) throw new Abort('stopped')
      for (const node of this.nodes) node.follower?.poll()
      this.checkNothingDied()
      const v = check()
      if (v !== undefined) return v
      if (performance.now() > deadline) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}${this.diagnostics()}`)
      await sleep(100)
    }
  }

  /** A node or the relay that exits on its own ends the lab with its last log lines. */
  private checkNothingDied(): void {
    for (const node of this.nodes) {
      const p = node.proc
      if (p !== undefined && !p.running && !this.killed.has(p)) throw new Error(`${node.spec.name} (pid ${p.pid}) exited unexpectedly${this.diagnostics()}`)
    }
    if (this.relay !== undefined && !this.relay.running) throw new Error(`dhcrelay (pid ${this.relay.pid}) exited unexpectedly${this.diagnostics()}`)
  }

  private diagnostics(): string {
    const lab = this.lab
    if (lab === undefined) return ''
    const tail = (p: LabProcess | undefined): string => (p?.output() ?? '').split('\n').slice(-25).join('\n')
    return this.nodes.map((n) => `\n--- ${n.spec.name} (last lines of ${n.log}) ---\n${tail(n.proc)}`).join('') +
      `\n--- relay ---\n${tail(this.relay)}`
  }

  private hasVip(node: NodeRuntime): boolean {
    return hasAddress(node.ns, `${this.layout.vip}/32`, node.iface)
  }

  private vipHolder(): NodeRuntime | undefined {
    return this.nodes.find((n) => this.hasVip(n))
  }

  /** The one node that is MASTER and holds the VIP while the other does neither. */
  private settledVipHolder(): NodeRuntime | undefined {
    const holders = this.nodes.filter((n) => n.vrrp === 'MASTER' && n.proc?.running === true && this.hasVip(n))
    const masters = this.nodes.filter((n) => n.vrrp === 'MASTER' && n.proc?.running === true)
    return holders.length === 1 && masters.length === 1 ? holders[0] : undefined
  }

  private startNode(node: NodeRuntime): void {
    const lab = this.labOrThrow()
    if (node.socket !== undefined) rmSync(node.socket, { force: true }) // a SIGKILLed daemon leaves it behind
    node.ready = false
    node.proc = lab.start(node.ns, node.argv, node.log)
    node.follower ??= new LogFollower(join(lab.dir, node.log), (line) => {
      const e = parseDaemonLine(line)
      if (e !== undefined) this.onNodeEvent(node, e)
    }).start()
  }

  // ---- the scenario ------------------------------------------------------------------------

  /** Builds the lab and runs the scripted story; resolves when the recovery is complete. */
  async run(): Promise<void> {
    this.build()
    await this.startPair()
    await this.startRelayAndClients()
    await this.failAndRecover()
  }

  private build(): void {
    const l = this.layout
    const p = this.opts.prefix
    this.say('hadhcpd HA lab: two DHCP servers share one pool (ISC failover) and one service address (VRRP).')
    this.say('You will see them agree (NORMAL), hand out leases through a relay, survive the crash of the')
    this.say('node holding the service address, and take the crashed node back. Nothing here leaves this machine.')
    this.step('Building the lab (network namespaces, 198.18.0.0/15 only)')
    const lab = new DhcpLab(p)
    this.lab = lab
    const serverLan = lab.bridge('lan')
    const clientLan = lab.bridge('edge')
    for (const spec of l.nodes) {
      const ns = lab.ns(spec.name)
      const iface = `${spec.name}-eth0`
      lab.link(serverLan, ns, iface, { address: `${spec.address}/${l.serverPrefixLength}` })
      lab.ip(ns, ['route', 'add', `${l.clientNet}/${l.clientPrefixLength}`, 'via', l.relayServerSide])
      this.nodes.push({ spec, ns, iface, argv: [], log: `${spec.name}.log`, socket: undefined, proc: undefined, follower: undefined, ready: false, failover: '-', peerSeen: '-', vrrp: '-' })
    }
    const relayNs = lab.ns('relay')
    lab.link(serverLan, relayNs, 'relay-srv', { address: `${l.relayServerSide}/${l.serverPrefixLength}` })
    lab.link(clientLan, relayNs, 'relay-cli', { address: `${l.router}/${l.clientPrefixLength}` })
    runSync(['ip', 'netns', 'exec', relayNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'], 5000)
    for (const c of this.clients) {
      const ns = lab.ns(`pc-${c.name.toLowerCase()}`)
      lab.link(clientLan, ns, clientIface(c), { mac: c.mac })
    }
    this.say(`server LAN ${l.serverNet}/${l.serverPrefixLength}: node1 ${l.nodes[0].address}, node2 ${l.nodes[1].address}, VIP ${l.vip}, relay ${l.relayServerSide}`)
    this.say(`client LAN ${l.clientNet}/${l.clientPrefixLength}: relay (the clients' router) ${l.router}; clients ${this.clients.map((c) => `${c.name} (${c.tool})`).join(', ')}`)
    this.say(`namespaces: ${p}*; files and logs: ${lab.dir}`)
  }

  private async startPair(): Promise<void> {
    const lab = this.labOrThrow()
    const l = this.layout
    this.step('Starting the failover pair (seed 001: peer "ha-dhcp", split 128, mclt 30 s here) with built-in VRRP (seed 000: VI_1, VRID 51)')
    // The control API on a unix socket (it crosses namespaces) with the lab's own token file,
    // never the host's default /var/lib/hadhcpd/control.token.
    const shared = lab.file('dhcpd.conf.SHARED', sharedConf(l))
    const token = randomBytes(32).toString('hex')
    const tokenFile = lab.file('control.token', `${token}\n`, 0o600)
    for (const node of this.nodes) {
      const conf = lab.file(`${node.spec.name}-dhcpd.conf`, nodeConf(l, node.spec, shared))
      const vrrp = lab.file(`${node.spec.name}-keepalived.conf`, keepalivedConf(l, node.spec, node.iface))
      const socket = join(lab.dir, `${node.spec.name}.sock`)
      const control = ['--control', `unix:${socket}`, '--control-token-file', tokenFile, '--no-syslog']
      const argv = [process.execPath, HADHCPD, '-f', '-d', '-cf', conf, '-lf', join(lab.dir, `${node.spec.name}.leases`),
        '-pf', join(lab.dir, `${node.spec.name}.pid`), '--vrrp-config', vrrp, ...control, node.iface]
      Object.assign(node, { argv, socket })
      writeFileSync(join(lab.dir, `${node.spec.name}.leases`), '')
      this.startNode(node)
      this.say(`${node.spec.name} (${node.spec.role}, VRRP priority ${node.spec.vrrpPriority}, pid ${node.proc?.pid ?? '-'}): hadhcpd -f -d -cf ${conf} --vrrp-config ${vrrp} ${node.iface}`)
    }
    this.say(`The nodes connect to each other on TCP port ${l.failoverPort} and agree on a state; until then they serve nothing (STARTUP, RECOVER).`)
    this.say('Both start VRRP as BACKUP; if no advert arrives for ~3.6 s, a node becomes MASTER and takes the VIP.')
    await this.waitUntil('both nodes to start', 30_000, () => (this.nodes.every((n) => n.ready) ? true : undefined))
    await this.waitUntil('the pair to reach NORMAL', 90_000, () => (this.nodes.every((n) => n.failover === 'normal') ? true : undefined))
    this.say(`${MILESTONES.normal}: both nodes are NORMAL — each answers new clients whose MAC hashes into its half of the 256 buckets (split 128); every lease is copied to the partner (BNDUPD/BNDACK).`)
    const holder = await this.waitUntil('one VIP holder', 30_000, () => this.settledVipHolder())
    this.say(`VIP ${l.vip} is on ${holder.spec.name}: VRRP priority ${holder.spec.vrrpPriority} beats ${this.nodes.find((n) => n !== holder)?.spec.vrrpPriority ?? '-'}.`)
    await this.startProxies(token)
  }

  private async startProxies(token: string): Promise<void> {
    let port = this.opts.controlPort
    const urls: string[] = []
    for (const node of this.nodes) {
      if (node.socket === undefined) continue
      const proxy = await startControlProxyNear(port, node.socket)
      this.proxies.push(proxy)
      urls.push(`${node.spec.name}: ${proxy.url}`)
      port = port === 0 ? 0 : proxy.port + 1
    }
    this.say(`Dashboard and control API (from this host's browser): ${urls.join('   ')}`)
    this.say(`token: ${token}`)
  }

  private async startRelayAndClients(): Promise<void> {
    const lab = this.labOrThrow()
    const l = this.layout
    const p = this.opts.prefix
    this.step(`Starting the relay (ISC dhcrelay, forwarding to the VIP ${l.vip}) and the clients`)
    this.relay = lab.start(`${p}relay`, ['dhcrelay', '-4', '-d', '-iu', 'relay-srv', '-id', 'relay-cli', l.vip], 'relay.log')
    this.say(`dhcrelay -4 -d -iu relay-srv -id relay-cli ${l.vip} (pid ${this.relay.pid})`)
    await this.waitUntil('dhcrelay to start', 15_000, () => (/Sending on|Listening on/.test(this.relay?.output() ?? '') ? true : undefined))
    this.say(`relay up: client broadcasts on ${l.clientNet}/${l.clientPrefixLength} go to ${l.vip} with giaddr ${l.router}; renewals go straight to the server that gave the lease.`)
    for (const c of this.clients) {
      const ns = `${p}pc-${c.name.toLowerCase()}`
      const hook = lab.hook(`hook-${c.name}`, true, true)
      let argv: string[]
      if (c.tool === 'dhclient') {
        const conf = lab.file(`dhclient-${c.name}.conf`, `send host-name "${c.name}";\ninitial-interval 1;\nbackoff-cutoff 3;\ntimeout 30;\nretry 2;\nrequest subnet-mask, broadcast-address, routers, domain-name-servers, domain-search;\n`)
        argv = ['dhclient', '-4', '-d', '-v', '-cf', conf, '-sf', hook.script, '-lf', join(lab.dir, `dhclient-${c.name}.leases`), '-pf', join(lab.dir, `dhclient-${c.name}.pid`), clientIface(c)]
      } else {
        argv = ['udhcpc', '-f', '-i', clientIface(c), '-s', hook.script, '-x', `hostname:${c.name}`, '-t', '5', '-T', '2', '-A', '2']
      }
      const proc = lab.start(ns, argv, `client-${c.name}.log`)
      this.clientProcs.push(proc)
      this.say(`${c.name}: ${c.tool} (${c.mac}, pid ${proc.pid}) — ${c.note}`)
    }
    this.say(`The relay only talks to the VIP holder. A client in the other node's half is answered by the VIP holder too once it has been trying for more than 3 s (load balance max seconds 3).`)
    await this.waitUntil('every client to get a lease', 60_000, () => (this.clients.every((c) => this.lastAck.has(c.mac)) ? true : undefined))
    this.say(`${MILESTONES.leases}:`)
    for (const c of this.clients) {
      const a = this.acks.find((x) => x.mac === c.mac)
      if (a !== undefined) this.say(`  ${c.name.padEnd(8)} ${c.mac} → ${a.address.padEnd(14)} from ${a.node}`)
    }
    this.say(`Leases last ${l.leaseTime} s here (at most the MCLT beyond what the partner has acknowledged), so clients renew every ~${l.leaseTime / 2} s.`)
  }

  private async failAndRecover(): Promise<void> {
    const l = this.layout
    const victim = await this.waitUntil('one VIP holder', 20_000, () => this.settledVipHolder())
    const survivor = this.nodes.find((n) => n !== victim)!
    const proc = victim.proc
    if (proc === undefined) throw new Error(`${victim.spec.name} is not running`)
    this.step(`Scripted failure: SIGKILL to ${victim.spec.name}, the VIP holder (pid ${proc.pid})`)
    const killedAt = performance.now()
    this.killed.add(proc)
    process.kill(proc.pid, 'SIGKILL')
    await proc.waitForExit(5000)
    // A SIGKILLed process cannot take its address down; a crashed machine would not answer ARP for it either.
    removeAddress(victim.ns, victim.iface, `${l.vip}/32`)
    this.say(`${victim.spec.name} is dead (its leftover VIP is removed, as a crashed machine would not answer for it). ${survivor.spec.name} stops hearing VRRP adverts…`)
    await this.waitUntil(`the VIP to move to ${survivor.spec.name}`, 20_000, () => (this.hasVip(survivor) ? true : undefined))
    const moveMs = performance.now() - killedAt
    this.say(`${MILESTONES.vipMoved}: ${l.vip} is on ${survivor.spec.name} ${(moveMs / 1000).toFixed(2)} s after the kill (a backup takes over when no advert came for 3 × advert_int + skew = ${(3 + (256 - survivor.spec.vrrpPriority) / 256).toFixed(2)} s at priority ${survivor.spec.vrrpPriority}, counted from the last advert, which left up to 1 s before the kill).`)
    await this.waitUntil(`${survivor.spec.name} to enter communications-interrupted`, l.maxResponseDelay * 1000 + 15_000, () => (survivor.failover === 'communications-interrupted' ? true : undefined))
    this.say(`${survivor.spec.name} serves alone now. ${victim.spec.name}'s clients renew with ${victim.spec.name} first (unicast, from T1 = ${l.leaseTime / 2} s into the lease); when it does not answer they broadcast (at the latest at T2 = ${(l.leaseTime * 0.875).toFixed(1)} s) and the relay brings that to the VIP, now on ${survivor.spec.name}.`)
    const renewed = new Set<string>()
    await this.waitUntil(`${survivor.spec.name} to renew the clients`, (l.leaseTime + 20) * 1000, () => {
      for (const a of this.acks) if (a.node === survivor.spec.name && a.at > killedAt) renewed.add(a.mac)
      return renewed.size === this.clients.length ? true : undefined
    }).catch((err: unknown) => {
      if (err instanceof Abort || renewed.size === 0) throw err
    })
    this.say(`${MILESTONES.survivorRenewed}: ${survivor.spec.name} (communications-interrupted) renewed ${renewed.size} of ${this.clients.length} clients (${[...renewed].map((m) => this.clientName(m)).join(', ')}) without its partner.`)

    this.step(`Recovery: restarting ${victim.spec.name} with the same flags and lease file`)
    const restartAt = performance.now()
    victim.failover = '-'
    victim.vrrp = '-'
    this.startNode(victim)
    this.say(`${victim.spec.name} (pid ${victim.proc?.pid ?? '-'}) reads its lease file (state NORMAL when it died), moves to STARTUP, reconnects and catches up on what ${survivor.spec.name} did alone.`)
    await this.waitUntil('the pair to return to NORMAL', 90_000, () => (this.nodes.every((n) => n.failover === 'normal') ? true : undefined))
    this.say(`${MILESTONES.recovered}: both nodes NORMAL again ${((performance.now() - restartAt) / 1000).toFixed(1)} s after the restart.`)
    const back = await this.waitUntil('the VIP to settle', 20_000, () => (this.settledVipHolder() === victim ? victim : undefined)).catch(() => this.vipHolder())
    this.say(`VIP ${l.vip} is on ${back?.spec.name ?? 'nobody'}${back === victim ? ` (priority ${victim.spec.vrrpPriority} preempts once its DHCP service is healthy)` : ''}.`)
  }

  // ---- staying up --------------------------------------------------------------------------

  statusLine(): string {
    const recent = this.acks.filter((a) => performance.now() - a.at < this.opts.statusEverySeconds * 1000).length
    const nodes = this.nodes.map((n) => `${n.spec.name} ${n.proc?.running === true ? n.failover : 'down'}${this.hasVip(n) ? ' +VIP' : ''}`).join(', ')
    const bound = this.clients.filter((c) => this.lastAck.has(c.mac)).length
    return `status: ${nodes}; ${bound}/${this.clients.length} clients bound; ${recent} ACKs in the last ${this.opts.statusEverySeconds} s`
  }

  /** Keeps the lab running (quietly, with a status line) for `seconds`, or until stopped. */
  async stayUp(seconds: number | undefined): Promise<void> {
    this.narrateRenewals = false
    this.step(seconds === undefined ? 'The lab stays up: clients keep renewing. Ctrl-C removes everything.' : `The lab stays up for ${seconds} s.`)
    const lab = this.lab
    if (lab !== undefined) {
      const p = this.opts.prefix
      this.say('Look around meanwhile (as root, in another terminal):')
      this.say(`  tail -f ${join(lab.dir, 'node1.log')} ${join(lab.dir, 'node2.log')}     the daemons' logs (dhcpd's wording)`)
      this.say(`  cat ${join(lab.dir, 'node2.leases')}     a lease file (ISC dhcpd.leases format)`)
      this.say(`  ip netns exec ${p}pc-phone ip -4 addr     a client's address; ip -n ${p}node1 -4 addr shows the VIP holder`)
      this.say(`  kill ${this.nodes.map((n) => n.proc?.pid ?? '-').join(' or ')}     stop node1 or node2 cleanly (VRRP priority 0: the other takes the VIP in ~0.6 s)`)
    }
    this.statusTimer = setInterval(() => this.say(this.statusLine()), this.opts.statusEverySeconds * 1000)
    const end = seconds === undefined ? Infinity : performance.now() + seconds * 1000
    while (!this.aborted && performance.now() < end) {
      for (const node of this.nodes) node.follower?.poll()
      await sleep(Math.min(500, Math.max(1, end - performance.now())))
    }
  }

  /** Stops every process (by PID), the proxies, removes the namespaces and files. Idempotent. */
  async destroy(): Promise<void> {
    this.aborted = true
    if (this.destroyed) return
    this.destroyed = true
    if (this.statusTimer !== undefined) clearInterval(this.statusTimer)
    for (const n of this.nodes) n.follower?.stop()
    await Promise.all(this.proxies.map((p) => p.close()))
    const lab = this.lab
    if (lab !== undefined) await lab.destroy()
    this.cleanedUp = true
  }

  /** Synchronous last resort (process exit): kill what we started, remove the namespaces. */
  destroyNow(): void {
    if (this.cleanedUp) return
    this.cleanedUp = true
    for (const p of [...this.nodes.map((n) => n.proc), this.relay, ...this.clientProcs]) p?.killGroupNow()
    this.lab?.destroySync()
  }
}

/** The client's interface in its namespace (unique on the client LAN's bridge). */
function clientIface(c: ClientSpec): string {
  return `${c.name.toLowerCase()}-eth0`
}

function explainState(state: string, l: PairLayout): string {
  switch (state) {
    case 'startup': return ' (waits to hear from the partner before serving)'
    case 'recover': return ' (first start or long outage: learns the partner\'s leases before serving)'
    case 'recover-wait': return ` (waits the MCLT, ${l.mclt} s, before serving)`
    case 'recover-done': return ''
    case 'normal': return ' (serving its half of the clients)'
    case 'communications-interrupted': return ` (partner unreachable: keeps serving alone, leases capped at the MCLT, ${l.mclt} s)`
    case 'partner-down': return ' (operator or timer declared the partner down: may use all free addresses after the MCLT)'
    default: return ''
  }
}

