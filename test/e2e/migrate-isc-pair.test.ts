/**
 * Rolling migration of a live ISC dhcpd 4.4.3 failover pair to hadhcpd, one node at a time, as
 * README's "Migrating an ISC dhcpd pair, one node at a time" tells operators (issue 5: "a
 * hadhcpd node replaces either node of a live ISC pair and the pair keeps working").
 *
 * Seed 001's shape (peer "ha-dhcp", split 128, the peer block in each node's dhcpd.conf, one
 * shared include with the subnet, the pool and the fixed host DHCPc) rewritten into
 * 198.18.72.0/24, both nodes and the clients on one link, MCLT 20 s, 30 s leases.
 *
 *  1. Two ISC dhcpd processes reach NORMAL; long-running clients (dhclient and udhcpc, two in each
 *     hash half, plus the fixed host) get leases and keep renewing.
 *  2. The ISC secondary is stopped (SIGTERM); hadhcpd starts as the secondary with the same
 *     dhcpd.conf and include, the same interface, and a copy of ISC's own dhcpd.leases: it loads
 *     every client's lease, both reach NORMAL, each server answers its half's renewals, new
 *     clients in both halves are served and their bindings reach the other server's lease file.
 *  3. The ISC primary is replaced the same way: both hadhcpd nodes reach NORMAL, every client
 *     still holds the address it had before the migration, and no address is bound to two
 *     clients across the two lease files.
 *  4. Rollback path: each hadhcpd-written lease file passes `dhcpd -T`, and ISC dhcpd started on
 *     the hadhcpd secondary's file (copied back to ISC's path) pairs with the hadhcpd primary and
 *     rewrites the same bindings.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, readFileSync } from 'node:fs'
import { e2eCanRun, findTool } from '../helpers/e2e.js'
import { DHCLIENT_CONF, DhcpLab, HADHCPD, waitFor, waitForLog, type HookRecord } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { FAILOVER_NAME, nodeConf, sharedConf, type NodeAddresses, type PairLayout } from '../../src/lab/seed-pair.js'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'
import { parseLeaseFile } from '../../src/persistence/lease-file-parse.js'
import { formatIPv4 } from '../../src/lib/ip.js'

const TOOLS = ['ip', 'dhcpd', 'udhcpc', 'dhclient']
const PREFIX = 'hmg-x-'
const NAME = FAILOVER_NAME
const LEASE_TIME = 30

const LAYOUT: PairLayout = {
  clientNet: '198.18.72.0',
  clientMask: '255.255.255.0',
  clientPrefixLength: 24,
  router: '198.18.72.254',
  broadcast: '198.18.72.255',
  rangeStart: '198.18.72.10',
  rangeEnd: '198.18.72.60',
  // Both nodes sit on the client LAN here; the seed's server LAN stays declared, unused.
  serverNet: '198.18.73.0',
  serverMask: '255.255.255.0',
  serverPrefixLength: 24,
  relayServerSide: '198.18.73.254',
  vip: '198.18.73.246',
  nameServers: '198.18.72.254',
  fixedHost: { name: 'DHCPc', mac: '08:00:27:d9:45:96', address: '198.18.72.9' },
  failoverPort: 678,
  mclt: 20,
  leaseTime: LEASE_TIME,
  maxResponseDelay: 15,
  nodes: [
    { name: 'node1', role: 'primary', address: '198.18.72.251', vrrpPriority: 99 },
    { name: 'node2', role: 'secondary', address: '198.18.72.252', vrrpPriority: 90 },
  ],
}

type Role = 'primary' | 'secondary'
type ClientKind = 'udhcpc' | 'dhclient'

interface Node {
  readonly role: Role
  readonly addr: NodeAddresses
  readonly ns: string
  readonly iface: string
  readonly conf: string
  /** ISC dhcpd's own lease file (kept as the rollback). */
  readonly iscLeases: string
  /** hadhcpd's lease path (README step 3 copies ISC's file here). */
  readonly oursLeases: string
  proc: LabProcess
  software: 'isc' | 'hadhcpd'
}

interface Client {
  readonly name: string
  readonly kind: ClientKind
  /** Hash half (split 128) or 'fixed' for the seed's host DHCPc. */
  readonly owner: Role | 'fixed'
  readonly mac: string
  readonly ns: string
  readonly iface: string
  readonly hook: { records: () => HookRecord[] }
  proc: LabProcess | undefined
  /** Address bound before the migration started. */
  ip: string
}

/** One DHCP outcome a client's hook script saw, normalised across udhcpc and dhclient. */
interface ClientEvent {
  readonly what: 'bound' | 'renew' | 'lost'
  readonly ip: string
  readonly server: string
}

function events(c: Client): ClientEvent[] {
  const out: ClientEvent[] = []
  for (const r of c.hook.records()) {
    if (c.kind === 'udhcpc') {
      const arg = r['arg'] ?? ''
      if (arg === 'bound' || arg === 'renew') out.push({ what: arg, ip: r['ip'] ?? '', server: r['serverid'] ?? '' })
      // udhcpc deconfigures once at start; a later deconfig means the lease ran out.
      else if (arg === 'nak' || arg === 'leasefail' || (arg === 'deconfig' && out.length > 0)) out.push({ what: 'lost', ip: '', server: '' })
    } else {
      const reason = r['reason'] ?? ''
      const ip = r['new_ip_address'] ?? ''
      const server = r['new_dhcp_server_identifier'] ?? ''
      if (reason === 'BOUND' || reason === 'REBOOT') out.push({ what: 'bound', ip, server })
      else if (reason === 'RENEW' || reason === 'REBIND') out.push({ what: 'renew', ip, server })
      else if (['EXPIRE', 'FAIL', 'RELEASE', 'NAK'].includes(reason)) out.push({ what: 'lost', ip: '', server: '' })
    }
  }
  return out
}

/** `n` distinct MACs (02:72:…) whose bucket is `owner`'s for both the MAC and udhcpc's 01+MAC client id. */
function macsOwnedBy(owner: Role, n: number, from: number): string[] {
  const hba = hbaFromSplit(128)
  const out: string[] = []
  for (let i = from; out.length < n; i++) {
    const mac = Buffer.from([0x02, 0x72, 0x00, 0x00, (i >> 8) & 0xff, i & 0xff])
    if (bucketOwner(hba, mac) === owner && bucketOwner(hba, Buffer.concat([Buffer.from([1]), mac])) === owner) {
      out.push([...mac].map((b) => b.toString(16).padStart(2, '0')).join(':'))
    }
  }
  return out
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const secs = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`

/** The latest record per address in a lease file (ISC appends; last one wins). */
function latestLeases(file: string): Map<string, { state: string; mac: string; hostname: string | undefined }> {
  const parsed = parseLeaseFile(readFileSync(file))
  assert.equal(parsed.summary.errors, 0, `${file}: ${JSON.stringify(parsed.diagnostics)}`)
  const out = new Map<string, { state: string; mac: string; hostname: string | undefined }>()
  for (const l of parsed.leases) {
    const mac = l.hardware === undefined ? '' : [...l.hardware.address].map((b) => b.toString(16).padStart(2, '0')).join(':')
    out.set(formatIPv4(l.address), { state: l.bindingState, mac, hostname: l.clientHostname })
  }
  return out
}

class Rehearsal {
  readonly lab = new DhcpLab(PREFIX)
  readonly br = this.lab.bridge('sw')
  // Retransmit every 1–2 s: with 30 s leases, the rebinding window (T2 to expiry) is 3.75 s.
  readonly dhclientConf = `${DHCLIENT_CONF}initial-interval 1;\nbackoff-cutoff 2;\n`
  readonly shared = this.lab.file('dhcpd.conf.SHARED', sharedConf(LAYOUT))
  readonly nodes: Record<Role, Node>
  readonly clients: Client[] = []
  readonly dhcpd = findTool('dhcpd') ?? 'dhcpd'

  constructor() {
    const make = (addr: NodeAddresses, short: 'p' | 's'): Node => {
      const ns = this.lab.ns(short)
      const iface = `hmg-${short}0`
      this.lab.link(this.br, ns, iface, { address: `${addr.address}/24` })
      const conf = this.lab.file(`${addr.name}.conf`, nodeConf(LAYOUT, addr, this.shared))
      const iscLeases = this.lab.file(`${addr.name}-isc.leases`, '')
      const oursLeases = `${this.lab.dir}/${addr.name}-hadhcpd.leases`
      const proc = this.lab.start(ns, this.iscArgv(conf, iscLeases, addr.name, iface), `${addr.name}-isc.log`)
      return { role: addr.role, addr, ns, iface, conf, iscLeases, oursLeases, proc, software: 'isc' }
    }
    this.nodes = { primary: make(LAYOUT.nodes[0], 'p'), secondary: make(LAYOUT.nodes[1], 's') }
  }

  iscArgv(conf: string, leases: string, name: string, iface: string): string[] {
    return [this.dhcpd, '-4', '-f', '-d', '-cf', conf, '-lf', leases, '-pf', `${this.lab.dir}/${name}-isc.pid`, iface]
  }

  diag(): string {
    const n = (r: Role): string => `--- ${r} (${this.nodes[r].software}) ---\n${this.nodes[r].proc.output()}`
    const c = this.clients.map((cl) => `${cl.name} ${cl.kind} ${cl.owner} ${cl.mac}: ${events(cl).map((e) => `${e.what} ${e.ip} via ${e.server}`).join(', ')}`).join('\n')
    return `${n('primary')}\n${n('secondary')}\n--- clients ---\n${c}`
  }

  /** Runs `what`; on failure, the error carries both servers' logs and the clients' history. */
  async step<T>(what: Promise<T>): Promise<T> {
    try {
      return await what
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${this.diag()}`)
    }
  }

  async waitNormal(r: Role, timeoutMs: number, since = 0): Promise<void> {
    const proc = this.nodes[r].proc
    await this.step(waitFor(`${r} in normal`, timeoutMs, () =>
      new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`).test(proc.output().slice(since)) ? true : undefined))
  }

  /** Starts a long-running client in its own namespace (renewals are unicast from its address). */
  startClient(name: string, kind: ClientKind, owner: Role | 'fixed', mac: string): Client {
    const ns = this.lab.ns(name)
    const iface = `hmg-${name}`
    this.lab.link(this.br, ns, iface, { mac })
    const hook = this.lab.hook(`${kind}-${name}`, true)
    // Each sends a host name, so ISC writes `client-hostname` (and udhcpc's `uid`) into dhcpd.leases.
    const hostname = `host-${name}`
    const dhclientConf = kind === 'dhclient' ? this.lab.file(`${name}.dhclient.conf`, `${this.dhclientConf}send host-name "${hostname}";\n`) : ''
    const argv = kind === 'udhcpc'
      ? ['udhcpc', '-i', iface, '-f', '-t', '20', '-T', '2', '-A', '2', '-x', `hostname:${hostname}`, '-s', hook.script]
      : ['dhclient', '-4', '-d', '-v', '-cf', dhclientConf, '-sf', hook.script, '-lf', `${this.lab.dir}/${name}.dhclient.leases`, '-pf', `${this.lab.dir}/${name}.dhclient.pid`, iface]
    const proc = this.lab.start(ns, argv, `${name}.out`)
    const c: Client = { name, kind, owner, mac, ns, iface, hook, proc, ip: '' }
    this.clients.push(c)
    return c
  }

  async bound(c: Client, timeoutMs: number): Promise<string> {
    const ev = await this.step(waitFor(`${c.name} bound`, timeoutMs, () => events(c).find((e) => e.what === 'bound')))
    c.ip = ev.ip
    return ev.ip
  }

  /** Waits for a renewal of `c`'s address after the first `after` events, answered by `server` if given. */
  async renewal(c: Client, after: number, timeoutMs: number, server?: string): Promise<ClientEvent> {
    return this.step(waitFor(`${c.name} renewal${server === undefined ? '' : ` from ${server}`}`, timeoutMs, () =>
      events(c).slice(after).find((e) => e.what !== 'lost' && e.ip === c.ip && (server === undefined || e.server === server))))
  }

  /** Waits until `file`'s latest record for `ip` is active and names `mac`. */
  async leaseIn(file: string, ip: string, mac: string, timeoutMs: number): Promise<void> {
    await this.step(waitFor(`active ${ip} for ${mac} in ${file}`, timeoutMs, () => {
      const l = latestLeases(file).get(ip)
      return l?.state === 'active' && l.mac === mac ? true : undefined
    }))
  }

  /** Every dynamic client's binding in `file`: active, its MAC, its host name. */
  async allLeasesIn(file: string, timeoutMs: number, except?: Client): Promise<void> {
    for (const c of this.clients.filter((cl) => cl.owner !== 'fixed' && cl !== except)) await this.leaseIn(file, c.ip, c.mac, timeoutMs)
    const latest = latestLeases(file)
    for (const c of this.clients.filter((cl) => cl.owner !== 'fixed' && cl !== except)) {
      // Only the server that answered the client learns its host name (BNDUPD carries none).
      assert.ok([undefined, `host-${c.name}`].includes(latest.get(c.ip)?.hostname), `client-hostname of ${c.ip} in ${file}`)
    }
  }

  /** Every client-hostname `before` held for a client is still in `file` (renewals by the peer keep it). */
  hostnamesKept(before: Map<string, { hostname: string | undefined }>, file: string): number {
    const now = latestLeases(file)
    let kept = 0
    for (const c of this.clients) {
      const name = before.get(c.ip)?.hostname
      if (name === undefined) continue
      assert.equal(now.get(c.ip)?.hostname, name, `${file} lost client-hostname "${name}" of ${c.ip}\n${readFileSync(file, 'utf8')}`)
      kept++
    }
    return kept
  }

  /** README step 1 on one node: `hadhcpd -t -cf` and `hadhcpd -T -lf` on ISC's files say OK. */
  async preflight(r: Role): Promise<void> {
    const n = this.nodes[r]
    for (const [what, argv] of [['-t', ['-t', '-cf', n.conf]], ['-T', ['-T', '-cf', n.conf, '-lf', n.iscLeases]]] as const) {
      const res = await this.lab.run(n.ns, [process.execPath, HADHCPD, ...argv], `${n.addr.name}-check${what}.out`, 30_000)
      assert.equal(res.code, 0, `hadhcpd ${what}: ${res.output}`)
      assert.match(res.output, /: OK/, `hadhcpd ${what}: ${res.output}`)
    }
  }

  /** SIGTERM to the node's server by PID, then waits for it to exit. */
  async stopNode(r: Role): Promise<void> {
    const n = this.nodes[r]
    process.kill(n.proc.pid, 'SIGTERM')
    const st = await n.proc.waitForExit(10_000)
    if (st === undefined) await n.proc.stop(1000)
  }

  /** README steps 3–4: copy ISC's dhcpd.leases to hadhcpd's path and start hadhcpd with the same -cf and interface. */
  async migrate(r: Role): Promise<void> {
    const n = this.nodes[r]
    copyFileSync(n.iscLeases, n.oursLeases)
    n.software = 'hadhcpd'
    n.proc = await this.step(this.lab.startServer(n.ns, { conf: n.conf, leases: n.oursLeases, ifaces: [n.iface], log: `${n.addr.name}-hadhcpd.log` }))
  }

  /**
   * With `down`'s server stopped: every client of `down`'s half rebinds to the survivor, and a
   * new client `name` of that half is served by the survivor. Returns the new client.
   */
  async outage(down: Role, name: string, macFrom: number): Promise<Client> {
    const survivor = (down === 'primary' ? LAYOUT.nodes[1] : LAYOUT.nodes[0]).address
    const marks = this.clients.map((c) => events(c).length)
    await Promise.all(this.clients.map((c, i) => (c.owner === down ? this.renewal(c, marks[i]!, 2 * LEASE_TIME * 1000, survivor) : undefined)))
    const [mac] = macsOwnedBy(down, 1, macFrom)
    const c = this.startClient(name, 'udhcpc', down, mac!)
    await this.bound(c, 30_000)
    assert.equal(events(c)[0]?.server, survivor, this.diag())
    return c
  }

  /** Every client renews its own address, and both servers answer some of those renewals. */
  async renewedEverywhere(t: TestContext): Promise<void> {
    const marks = this.clients.map((c) => events(c).length)
    const renewed = await Promise.all(this.clients.map((c, i) => this.renewal(c, marks[i]!, 2 * LEASE_TIME * 1000)))
    const servers = new Set(renewed.map((e) => e.server))
    const want = LAYOUT.nodes.map((n) => n.address)
    if (!want.every((a) => servers.has(a))) {
      // Renewals follow each client's server identifier; wait for one more round if it was one-sided.
      const more = this.clients.map((c) => events(c).length)
      const again = await Promise.all(this.clients.map((c, i) => this.renewal(c, more[i]!, 2 * LEASE_TIME * 1000)))
      for (const e of again) servers.add(e.server)
    }
    t.diagnostic(`renewals answered by ${[...servers].sort().join(' and ')}: ${this.clients.map((c, i) => `${c.name} via ${renewed[i]!.server}`).join(', ')}`)
    for (const a of want) assert.ok(servers.has(a), `no renewal answered by ${a}\n${this.diag()}`)
  }
}

function runOrSkip(t: TestContext, ready: boolean): boolean {
  if (ready) return true
  t.skip('an earlier step failed')
  return false
}

test('rolling migration of a live ISC dhcpd pair to hadhcpd, one node at a time', { timeout: 300_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const t0 = Date.now()
  const h = new Rehearsal() // a half-built lab is removed by the next run's DhcpLab (same prefix)
  const P = LAYOUT.nodes[0].address
  const S = LAYOUT.nodes[1].address
  let ok = false
  try {
    // ---- 1. The ISC pair, NORMAL, with clients in both halves --------------------------------
    await t.test('1. ISC pair reaches NORMAL and serves clients in both hash halves', async () => {
      await h.waitNormal('primary', 90_000)
      await h.waitNormal('secondary', 10_000)
      // The primary's pool balancing hands the secondary its BACKUP leases on NORMAL; only then
      // can the secondary serve its half.
      await h.step(waitFor('BACKUP leases in the ISC secondary\'s file', 30_000, () =>
        [...latestLeases(h.nodes.secondary.iscLeases).values()].some((l) => l.state === 'backup') ? true : undefined))
      t.diagnostic(`ISC pair NORMAL after ${secs(t0)}`)
      const [pa, pb] = macsOwnedBy('primary', 2, 1)
      const [sc, sd] = macsOwnedBy('secondary', 2, 1)
      const clients = [
        h.startClient('a', 'dhclient', 'primary', pa!),
        h.startClient('b', 'udhcpc', 'primary', pb!),
        h.startClient('c', 'dhclient', 'secondary', sc!),
        h.startClient('d', 'udhcpc', 'secondary', sd!),
        h.startClient('f', 'udhcpc', 'fixed', LAYOUT.fixedHost.mac),
      ]
      await Promise.all(clients.map((c) => h.bound(c, 30_000)))
      for (const c of clients) {
        if (c.owner === 'fixed') assert.equal(c.ip, LAYOUT.fixedHost.address)
        else assert.match(c.ip, /^198\.18\.72\.(\d+)$/)
        // Each half's client was answered by its own server.
        if (c.owner !== 'fixed') assert.equal(events(c)[0]?.server, c.owner === 'primary' ? P : S, h.diag())
      }
      assert.equal(new Set(clients.map((c) => c.ip)).size, clients.length, 'distinct addresses')
      // Both ISC lease files hold every dynamic client's binding (BNDUPD both ways).
      await h.allLeasesIn(h.nodes.primary.iscLeases, 15_000)
      await h.allLeasesIn(h.nodes.secondary.iscLeases, 15_000)
      // The first lease is MCLT-short (20 s); one renewal gives each client the full 30 s.
      await Promise.all(clients.map((c) => h.renewal(c, 1, 2 * LEASE_TIME * 1000)))
      t.diagnostic(`clients bound and renewed after ${secs(t0)}: ${clients.map((c) => `${c.name}=${c.ip}`).join(' ')}`)
      ok = true
    })

    // ---- 2. hadhcpd replaces the ISC secondary -----------------------------------------------
    const step2 = ok
    ok = false
    await t.test('2. hadhcpd replaces the ISC secondary on its own files and pairs with the ISC primary', async (st) => {
      if (!runOrSkip(st, step2)) return
      const ts = Date.now()
      const primaryMark = h.nodes.primary.proc.output().length
      await h.stopNode('secondary')
      await h.step(waitForLog(h.nodes.primary.proc, new RegExp(`failover peer ${NAME}: I move from normal to communications-interrupted`), 30_000))
      // While the secondary is down (the operator copies files), the primary alone rebinds the
      // secondary's half and serves a new client of that half: bindings ISC's secondary file lacks.
      const o = await h.outage('secondary', 'o', 200)
      st.diagnostic(`outage: the ISC primary served the secondary's half alone for ${secs(ts)}`)
      await h.preflight('secondary')
      const iscSnapshot = latestLeases(h.nodes.secondary.iscLeases)
      assert.notEqual(iscSnapshot.get(o.ip)?.state, 'active', `ISC's secondary file cannot know ${o.ip}`)
      await h.migrate('secondary')
      const ours = h.nodes.secondary
      // It loaded every client binding from ISC's file (its startup rewrite keeps them).
      for (const c of h.clients.filter((cl) => cl.owner !== 'fixed' && cl !== o)) assert.equal(iscSnapshot.get(c.ip)?.mac, c.mac, `ISC's file has ${c.name}`)
      await h.allLeasesIn(ours.oursLeases, 5_000, o)
      await h.waitNormal('secondary', 90_000)
      await h.step(waitForLog(ours.proc, new RegExp(`failover peer ${NAME}: peer moves from [a-z-]+ to normal`), 10_000))
      await h.waitNormal('primary', 10_000, primaryMark)
      // The binding made during the outage reached hadhcpd (ISC's queued BNDUPDs).
      await h.leaseIn(ours.oursLeases, o.ip, o.mac, 15_000)
      st.diagnostic(`hadhcpd secondary + ISC primary NORMAL ${secs(ts)} after the ISC secondary was stopped`)
      // Every client renews its address; renewals reach both servers (each answers the clients
      // that address it, whichever half they hash to).
      await h.renewedEverywhere(st)
      // New clients, one per half, are served by their own server; the bindings cross by BNDUPD.
      const [nm] = macsOwnedBy('primary', 1, 100)
      const [nn] = macsOwnedBy('secondary', 1, 100)
      const m = h.startClient('m', 'udhcpc', 'primary', nm!)
      const n = h.startClient('n', 'udhcpc', 'secondary', nn!)
      await Promise.all([h.bound(m, 30_000), h.bound(n, 30_000)])
      assert.equal(events(m)[0]?.server, P, h.diag())
      assert.equal(events(n)[0]?.server, S, h.diag())
      await h.step(waitForLog(ours.proc, new RegExp(`DHCPACK on ${esc(n.ip)} to ${esc(n.mac)}`), 5_000))
      // Host names ISC recorded survive in hadhcpd's file, also after the ISC primary renewed them.
      assert.ok(h.hostnamesKept(iscSnapshot, ours.oursLeases) >= 2)
      await h.leaseIn(ours.oursLeases, m.ip, m.mac, 15_000)
      await h.leaseIn(h.nodes.primary.iscLeases, n.ip, n.mac, 15_000)
      st.diagnostic(`step 2 done in ${secs(ts)}`)
      ok = true
    })

    // ---- 3. hadhcpd replaces the ISC primary -------------------------------------------------
    const step3 = ok
    ok = false
    await t.test('3. hadhcpd replaces the ISC primary; every client keeps its address', async (st) => {
      if (!runOrSkip(st, step3)) return
      const ts = Date.now()
      const secondaryMark = h.nodes.secondary.proc.output().length
      await h.stopNode('primary')
      await h.step(waitFor('hadhcpd secondary leaves normal', 30_000, () =>
        new RegExp(`failover peer ${NAME}: I move from normal to communications-interrupted`).test(h.nodes.secondary.proc.output().slice(secondaryMark)) ? true : undefined))
      const q = await h.outage('primary', 'q', 300)
      st.diagnostic(`outage: the hadhcpd secondary served the primary's half alone for ${secs(ts)}`)
      const iscPrimary = latestLeases(h.nodes.primary.iscLeases)
      assert.notEqual(iscPrimary.get(q.ip)?.state, 'active', `ISC's primary file cannot know ${q.ip}`)
      await h.preflight('primary')
      await h.migrate('primary')
      const ours = h.nodes.primary
      await h.allLeasesIn(ours.oursLeases, 5_000, q)
      await h.waitNormal('primary', 90_000)
      await h.waitNormal('secondary', 10_000, secondaryMark)
      await h.leaseIn(ours.oursLeases, q.ip, q.mac, 15_000)
      st.diagnostic(`both hadhcpd nodes NORMAL ${secs(ts)} after the ISC primary was stopped`)
      await h.renewedEverywhere(st)
      // No client ever changed address or lost its lease.
      for (const c of h.clients) {
        const evs = events(c)
        assert.deepEqual([...new Set(evs.map((e) => e.ip))], [c.ip], `${c.name} kept ${c.ip}\n${h.diag()}`)
        assert.ok(!evs.some((e) => e.what === 'lost'), `${c.name} never lost its lease\n${h.diag()}`)
      }
      // Across both hadhcpd lease files, no address is bound to two clients, and each client's
      // binding is where it should be.
      const files = [h.nodes.primary.oursLeases, h.nodes.secondary.oursLeases]
      for (const f of files) await h.allLeasesIn(f, 10_000)
      assert.ok(h.hostnamesKept(iscPrimary, ours.oursLeases) >= 2)
      const holder = new Map<string, string>()
      for (const f of files) {
        for (const [ip, l] of latestLeases(f)) {
          if (l.state !== 'active') continue
          const prev = holder.get(ip)
          assert.ok(prev === undefined || prev === l.mac, `${ip} bound to ${prev} and ${l.mac}`)
          holder.set(ip, l.mac)
        }
      }
      st.diagnostic(`step 3 done in ${secs(ts)}`)
      ok = true
    })

    // ---- 4. Rollback path: ISC reads what hadhcpd wrote ---------------------------------------
    const step4 = ok
    await t.test('4. hadhcpd-written lease files pass dhcpd -T; ISC restarts on one and pairs with hadhcpd', async (st) => {
      if (!runOrSkip(st, step4)) return
      const ts = Date.now()
      const s = h.nodes.secondary
      await h.stopNode('secondary')
      const check = await h.lab.run(s.ns, [h.dhcpd, '-4', '-T', '-cf', s.conf, '-lf', s.oursLeases], 'secondary-T.out', 20_000)
      assert.equal(check.code, 0, check.output)
      assert.match(check.output, /Wrote \d+ leases to leases file\.[\s\S]*Lease file test successful/, check.output)
      // README "Rolling back": copy hadhcpd's file back to ISC's path and start isc-dhcp-server.
      const written = latestLeases(s.oursLeases)
      copyFileSync(s.oursLeases, s.iscLeases)
      const primaryMark = h.nodes.primary.proc.output().length
      s.software = 'isc'
      s.proc = h.lab.start(s.ns, h.iscArgv(s.conf, s.iscLeases, s.addr.name, s.iface), `${s.addr.name}-isc2.log`)
      await h.step(waitForLog(s.proc, /Wrote \d+ leases to leases file\./, 15_000))
      await h.waitNormal('secondary', 90_000)
      await h.waitNormal('primary', 10_000, primaryMark)
      await h.allLeasesIn(s.iscLeases, 5_000)
      assert.ok(h.hostnamesKept(written, s.iscLeases) >= 2)
      st.diagnostic(`ISC secondary back on hadhcpd's file and NORMAL in ${secs(ts)}`)
      const p = h.nodes.primary
      await h.stopNode('primary')
      const checkP = await h.lab.run(p.ns, [h.dhcpd, '-4', '-T', '-cf', p.conf, '-lf', p.oursLeases], 'primary-T.out', 20_000)
      assert.equal(checkP.code, 0, checkP.output)
      assert.match(checkP.output, /Wrote \d+ leases to leases file\.[\s\S]*Lease file test successful/, checkP.output)
      st.diagnostic(`step 4 done in ${secs(ts)}; whole rehearsal ${secs(t0)}`)
    })
  } finally {
    await Promise.all(h.clients.map((c) => c.proc?.stop(2000)))
    await h.lab.destroy()
  }
})
