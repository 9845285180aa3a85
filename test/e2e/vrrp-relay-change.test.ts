/**
 * Issue 6 §4: "a relay (dhcrelay) pointed at the VIP keeps getting answers for a client through
 * a master change", with keepalived 2.2.7 as the other VRRP node (VRID 51, advert_int 1, PASS).
 * vrrp-relay.test.ts starts its relay only after the takeover; here ONE dhcrelay process runs
 * from before the first change to after the second, so its ARP entry for the VIP has to follow
 * the VIP (the new master's gratuitous ARPs) while it keeps relaying.
 *
 *   h  198.18.60.11  hadhcpd, VRRP MASTER (priority 99; 110 after its restart), serves the
 *                    relayed 198.18.61.0/24, range .100–.149
 *   k  198.18.60.12  keepalived BACKUP (90) + ISC dhcpd 4.4 (no failover) serving the same
 *                    relayed subnet, range .150–.199
 *   relay 198.18.60.254 / 198.18.61.1: `dhcrelay -iu … -id … 198.18.60.246` (the VIP only)
 *   c0…c5, rb: clients behind the relay (a namespace and a MAC each)
 *
 * Why this setup: the claim is about reaching whoever holds the VIP, not about sharing lease
 * state (two hadhcpd in failover behind a relay: vrrp-failover-pair.test.ts). keepalived's node
 * therefore runs a plain ISC dhcpd with a disjoint range, so every answer says who gave it —
 * the server identifier (each node's own address, never the VIP: src/ha/vrrp/README.md) and the
 * range. The only thing both servers know alike is one reservation (`host rb`, fixed-address
 * 198.18.61.99, 20 s leases): a rebinding client must get an ACK from whichever node holds the
 * VIP. ISC knows nothing of hadhcpd's dynamic leases: while writing this test, a client holding
 * one got neither ACK nor NAK from ISC for its relayed renewals and was answered only after its
 * lease ran out, by a new DISCOVER — true of any non-failover pair, not of the relay path.
 *
 * Two kinds of client, both only through the relay:
 * - Probes measure the gap: every 200 ms a fresh one-shot udhcpc (DISCOVER → OFFER → REQUEST →
 *   ACK, one try, 1 s timeout) starts in the next idle probe namespace. The gap in a direction is
 *   the time from the start of the last probe answered by the old holder to the start of the
 *   first probe answered by the new one (resolution: the 200 ms spacing plus process start-up).
 * - rb, a long-running udhcpc bound by hadhcpd before any change. Its hook sets the address but
 *   no route, so its unicast renewal to the server-id cannot leave and it REBINDS by broadcast,
 *   which only the relay carries to the VIP (busybox 1.35 renews 16 s after each ACK with leases
 *   this short). Its answers are attributed by the server identifier in each ACK (the hook's
 *   `serverid`; udhcpc's own log line keeps naming its first server).
 *
 * (a) planned change: hadhcpd SIGTERM → priority 0 advert, VIP removed → keepalived MASTER after
 *     its skew time (~0.65 s): probes and rb's next rebind are answered by ISC dhcpd (.12).
 * (b) hadhcpd restarted with priority 110: BACKUP, master-down (~3.6 s), then MASTER preempting
 *     keepalived: probes and rb's next rebind are answered by hadhcpd (.11) again.
 * Throughout: the same relay PID, rb keeps 198.18.61.99 (bound once, then only ACKed rebinds).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { e2eCanRun, findTool, missingRequirements } from '../helpers/e2e.js'
import { parseHookLog, waitFor, waitForLog } from '../helpers/dhcp-lab.js'
import { VrrpLab, VIP, H_ADDR, K_ADDR } from '../helpers/vrrp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { runSync } from '../../src/lab/lab-process.js'

const REQ = { root: true, tools: ['ip', 'keepalived', 'dhcrelay', 'udhcpc', 'dhcpd'] }
const runnable = missingRequirements(REQ).length === 0
const PROBE_CLIENTS = 6
const PROBE_SPACING_MS = 200
const RB_MAC = '02:fa:61:00:02:01'
const RB_ADDR = '198.18.61.99'
const RB_LEASE_S = 20
/** The rebinding client's reservation, the same on both servers. */
const RB_HOST = `host rb {
  hardware ethernet ${RB_MAC};
  fixed-address ${RB_ADDR};
  default-lease-time ${RB_LEASE_S};
  max-lease-time ${RB_LEASE_S};
}
`

let lab: VrrpLab
let relayNs: string
let rbNs: string
const clients: { ns: string; iface: string; busy: boolean }[] = []

before(() => {
  if (!runnable) return
  lab = new VrrpLab('hvk-r-', 'hvkr', `subnet 198.18.61.0 netmask 255.255.255.0 {
  option routers 198.18.61.1;
  range 198.18.61.100 198.18.61.149;
}
${RB_HOST}`)
  const clientLan = lab.lab.bridge('swc')
  relayNs = lab.lab.ns('relay')
  lab.lab.link(lab.lan, relayNs, 'hvkr-r0', { address: '198.18.60.254/24' })
  lab.lab.link(clientLan, relayNs, 'hvkr-r1', { address: '198.18.61.1/24' })
  for (let i = 0; i < PROBE_CLIENTS; i++) {
    const ns = lab.lab.ns(`c${i}`)
    const iface = `hvkr-c${i}`
    lab.lab.link(clientLan, ns, iface, { mac: `02:fa:61:00:01:0${i}` })
    clients.push({ ns, iface, busy: false })
  }
  rbNs = lab.lab.ns('rb')
  lab.lab.link(clientLan, rbNs, 'hvkr-rb', { mac: RB_MAC })
  // Replies to the relay's giaddr (198.18.61.1) go back through the relay.
  lab.lab.ip(lab.hNs, ['route', 'add', '198.18.61.0/24', 'via', '198.18.60.254'])
  lab.lab.ip(lab.kNs, ['route', 'add', '198.18.61.0/24', 'via', '198.18.60.254'])
})

after(async () => {
  if (runnable) await lab.destroy()
})

/** The relay's neighbour entry for the VIP (which node's MAC it sends to), if any. */
const relayVipMac = (): string | undefined =>
  /lladdr ([0-9a-f:]{17})/.exec(runSync(['ip', '-n', relayNs, 'neigh', 'show', VIP, 'dev', 'hvkr-r0'], 5000).stdout)?.[1]

interface ClientEvent { readonly kind: string; readonly ip: string; readonly server: string; readonly at: number }

/**
 * udhcpc left running in `rbNs` (reservation RB_ADDR). The hook sets the address but no route:
 * the client cannot reach a server-id by unicast, so its unicast renewal fails locally and it
 * REBINDS by broadcast, which only the relay carries (to the VIP). Each event is logged with
 * its wall-clock time.
 */
function startRebindingClient(): { proc: LabProcess; events: () => ClientEvent[] } {
  const log = join(lab.lab.dir, 'rb-hook.log')
  const script = lab.lab.file('rb-hook.sh', `#!/bin/sh
{ echo "arg=$1"; echo "at=$(date +%s.%N)"; env | grep -E '^(ip|mask|serverid|lease)='; echo "--"; } >> ${log}
case "$1" in
  bound|renew) ip addr replace "$ip/$mask" dev "$interface" ;;
  deconfig|nak|leasefail) ip addr flush dev "$interface" ;;
esac
exit 0
`, 0o755)
  const proc = lab.lab.start(rbNs, ['udhcpc', '-i', 'hvkr-rb', '-f', '-t', '20', '-T', '1', '-A', '1', '-s', script], 'rb.out')
  return {
    proc,
    events: () => parseHookLog(log).map((r) => ({ kind: r['arg'] ?? '', ip: r['ip'] ?? '', server: r['serverid'] ?? '', at: Number(r['at']) * 1000 })),
  }
}

/** When the client got the answer before `e` (its previous bound/renew). */
function lastAckBefore(events: readonly ClientEvent[], e: ClientEvent): number {
  const before = events.filter((x) => (x.kind === 'bound' || x.kind === 'renew') && x.at < e.at)
  return before[before.length - 1]?.at ?? Number.NaN
}

/** ISC dhcpd on keepalived's node: the same relayed subnet, its own range, no failover. */
const ISC_CONF = `authoritative;
ddns-update-style none;
ping-check false;
default-lease-time 600;
max-lease-time 600;
subnet 198.18.60.0 netmask 255.255.255.0 {
}
subnet 198.18.61.0 netmask 255.255.255.0 {
  option routers 198.18.61.1;
  range 198.18.61.150 198.18.61.199;
}
${RB_HOST}`

interface Probe {
  readonly n: number
  readonly at: number
  server?: string
  ip?: string
}

/** Starts a one-shot udhcpc every PROBE_SPACING_MS in an idle client namespace until stopped. */
class Prober {
  readonly probes: Probe[] = []
  private running = true
  private readonly pending: Promise<void>[] = []
  private readonly loop: Promise<void>

  constructor(private readonly maxMs: number) {
    this.loop = this.run()
  }

  private async run(): Promise<void> {
    const start = performance.now()
    let n = 0
    while (this.running && performance.now() - start < this.maxMs) {
      const c = clients.find((x) => !x.busy)
      if (c !== undefined) this.pending.push(this.probe(c, n++))
      await sleep(PROBE_SPACING_MS)
    }
  }

  private async probe(c: { ns: string; iface: string; busy: boolean }, n: number): Promise<void> {
    c.busy = true
    const p: Probe = { n, at: performance.now() }
    this.probes.push(p)
    try {
      const r = await lab.lab.run(c.ns, ['udhcpc', '-i', c.iface, '-f', '-q', '-n', '-t', '1', '-T', '1', '-s', '/bin/true'], `probe-${n}.out`, 6000)
      const m = /lease of ([0-9.]+) obtained from ([0-9.]+)/.exec(r.output)
      if (r.code === 0 && m !== null) {
        p.ip = m[1]!
        p.server = m[2]!
      }
    } finally {
      c.busy = false
    }
  }

  /** Resolves once a probe started after `since` was answered by `server`. */
  answeredBy(server: string, since: number, timeoutMs: number): Promise<Probe> {
    return waitFor(`a probe answered by ${server}`, timeoutMs, () => this.probes.find((p) => p.at >= since && p.server === server))
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
    await Promise.all(this.pending)
  }
}

/**
 * The outage around a change from `from` to `to`: last probe answered by `from` before the
 * first answered by `to`, and the unanswered probes between them.
 */
function gap(probes: readonly Probe[], from: string, to: string, since: number): { ms: number; unanswered: number; lastOld: Probe; firstNew: Probe } {
  const sorted = [...probes].sort((x, y) => x.at - y.at)
  const firstNew = sorted.find((p) => p.at >= since && p.server === to)
  assert.ok(firstNew, `no probe answered by ${to}`)
  const lastOld = [...sorted].reverse().find((p) => p.at < firstNew.at && p.server === from)
  assert.ok(lastOld, `no probe answered by ${from} before the change`)
  const between = sorted.filter((p) => p.at > lastOld.at && p.at < firstNew.at)
  // Between the last old answer and the first new one, nobody else answered.
  assert.ok(between.every((p) => p.server === undefined), JSON.stringify(between))
  return { ms: firstNew.at - lastOld.at, unanswered: between.length, lastOld, firstNew }
}

test('one dhcrelay pointed at the VIP keeps getting answers through a planned hand-over hadhcpd → keepalived and a preemption back', { timeout: 110_000 }, async (t) => {
  if (!e2eCanRun(t, REQ)) return
  const procs: LabProcess[] = []
  const diag = (): string => procs.map((p) => p.output()).join('\n-----\n')
  try {
    // hadhcpd first (MASTER after master-down), then keepalived joins as BACKUP.
    let h = await lab.startHadhcpd({ state: 'MASTER', priority: 99 })
    procs.push(h)
    await lab.waitVip(lab.hNs, true, 8000)
    const k = await lab.startKeepalived({ state: 'BACKUP', priority: 90 })
    procs.push(k)
    assert.match(k.output(), /\(VI_1\) Entering BACKUP STATE/)
    const iscLeases = lab.lab.file('isc.leases', '')
    const isc = lab.lab.start(lab.kNs, [findTool('dhcpd') ?? 'dhcpd', '-4', '-f', '-d', '-cf', lab.lab.file('isc.conf', ISC_CONF),
      '-lf', iscLeases, '-pf', join(lab.lab.dir, 'isc.pid'), lab.kIf], 'isc.log')
    procs.push(isc)
    const iscUp = await isc.waitForOutput('Server starting service.', 15_000)
    assert.ok(iscUp.found, isc.output())

    // The one relay process for the whole test, started before any change.
    const relay = lab.lab.start(relayNs, ['dhcrelay', '-4', '-d', '-iu', 'hvkr-r0', '-id', 'hvkr-r1', VIP], 'dhcrelay.out')
    procs.push(relay)
    await waitFor('dhcrelay listening', 10_000, () => (/Sending on|Listening on/.test(relay.output()) ? true : undefined))
    const relayPid = relay.pid

    // A long-running client, bound by hadhcpd now; it rebinds through the same relay across the changes.
    const rb = startRebindingClient()
    procs.push(rb.proc)
    const rbBound = await waitFor('the rebinding client bound', 15_000, () => rb.events().find((e) => e.kind === 'bound'))
    assert.equal(rbBound.server, H_ADDR)
    assert.equal(rbBound.ip, RB_ADDR)

    const prober = new Prober(80_000)
    try {
      // Steady state: the relay's answers come from hadhcpd.
      const first = await prober.answeredBy(H_ADDR, 0, 15_000).catch((e: Error) => assert.fail(`${e.message}\n${diag()}`))
      assert.match(first.ip ?? '', /^198\.18\.61\.1[0-4]\d$/)
      assert.equal(relayVipMac(), '02:fa:60:00:00:11')
      await sleep(1000)

      // (a) planned change: hadhcpd stops cleanly (priority 0), keepalived takes the VIP.
      const stopA = performance.now()
      const stopped = h.stop(5000)
      const vipOnK = await lab.waitVip(lab.kNs, true, 3000)
      t.diagnostic(`(a) hadhcpd SIGTERM → VIP on keepalived's node ${vipOnK.toFixed(0)} ms later`)
      // Skew time (~0.65 s) after the priority-0 advert, not keepalived's master-down timeout (3.65 s).
      assert.ok(vipOnK < 2500, `clean hand-over took ${vipOnK.toFixed(0)} ms`)
      await stopped
      const a = await prober.answeredBy(K_ADDR, stopA, 15_000).catch((e: Error) => assert.fail(`${e.message}\n${diag()}`))
      assert.match(a.ip ?? '', /^198\.18\.61\.1[5-9]\d$/, 'ISC dhcpd\'s range')
      assert.equal(relayVipMac(), '02:fa:60:00:00:12', 'the relay now sends to keepalived\'s node')
      await sleep(1000)
      const ga = gap(prober.probes, H_ADDR, K_ADDR, stopA)
      t.diagnostic(`(a) gap without answers hadhcpd → ISC dhcpd via the same relay: ${ga.ms.toFixed(0)} ms between the last answered probe (start ${(ga.lastOld.at - stopA).toFixed(0)} ms rel. to SIGTERM) and the first answered by ${K_ADDR} (start +${(ga.firstNew.at - stopA).toFixed(0)} ms); ${ga.unanswered} unanswered probe(s)`)

      // The rebinding client's next REBINDING broadcast (T2 of its hadhcpd lease) is answered by ISC dhcpd.
      const stopAWall = Date.now() - (performance.now() - stopA)
      const rbA = await waitFor('the rebinding client answered by ISC dhcpd', (RB_LEASE_S + 5) * 1000, () => rb.events().find((e) => e.at >= stopAWall && e.server === K_ADDR))
        .catch((e: Error) => assert.fail(`${e.message}\n${rb.proc.output()}\n${isc.output()}`))
      assert.equal(rbA.kind, 'renew')
      assert.equal(rbA.ip, RB_ADDR)
      t.diagnostic(`(a) rebinding client (${RB_ADDR}) rebound by ISC dhcpd through the same relay ${((rbA.at - stopAWall) / 1000).toFixed(1)} s after the SIGTERM, ${((rbA.at - lastAckBefore(rb.events(), rbA)) / 1000).toFixed(1)} s after its last ACK from hadhcpd`)

      // (b) hadhcpd back with priority 110: preempts keepalived after its master-down interval.
      const startB = performance.now()
      h = await lab.startHadhcpd({ state: 'MASTER', priority: 110 })
      procs.push(h)
      await lab.waitVip(lab.hNs, true, 10_000)
      const preempted = performance.now()
      await lab.waitVip(lab.kNs, false, 3000)
      t.diagnostic(`(b) hadhcpd (110) restarted → VIP back on hadhcpd ${(preempted - startB).toFixed(0)} ms after the start (incl. start-up)`)
      const b = await prober.answeredBy(H_ADDR, startB, 15_000).catch((e: Error) => assert.fail(`${e.message}\n${diag()}`))
      assert.match(b.ip ?? '', /^198\.18\.61\.1[0-4]\d$/)
      assert.equal(relayVipMac(), '02:fa:60:00:00:11', 'the relay sends to hadhcpd\'s node again')
      const preemptedWall = Date.now() - (performance.now() - preempted)
      const rbB = await waitFor('the rebinding client answered by hadhcpd again', (RB_LEASE_S + 5) * 1000, () => rb.events().find((e) => e.at >= preemptedWall && e.server === H_ADDR))
        .catch((e: Error) => assert.fail(`${e.message}\n${rb.proc.output()}\n${h.output()}`))
      assert.equal(rbB.kind, 'renew')
      assert.equal(rbB.ip, RB_ADDR)
      t.diagnostic(`(b) rebinding client rebound by hadhcpd through the same relay ${((rbB.at - preemptedWall) / 1000).toFixed(1)} s after the VIP came back, ${((rbB.at - lastAckBefore(rb.events(), rbB)) / 1000).toFixed(1)} s after its last ACK from ISC dhcpd`)
      const gb = gap(prober.probes, K_ADDR, H_ADDR, startB)
      t.diagnostic(`(b) gap without answers ISC dhcpd → hadhcpd via the same relay: ${gb.ms.toFixed(0)} ms between the last answered probe (start ${(gb.lastOld.at - preempted).toFixed(0)} ms rel. to VIP seen on hadhcpd) and the first answered by ${H_ADDR} (start ${(gb.firstNew.at - preempted).toFixed(0)} ms); ${gb.unanswered} unanswered probe(s)`)
    } finally {
      await prober.stop()
    }

    // The rebinding client kept its address throughout: bound once, then only renewals (REBINDING ACKs).
    const rbEvents = rb.events()
    assert.deepEqual([...new Set(rbEvents.slice(rbEvents.findIndex((e) => e.kind === 'bound') + 1).map((e) => `${e.kind} ${e.ip}`))], [`renew ${RB_ADDR}`], JSON.stringify(rbEvents))
    assert.match(rb.proc.output(), /broadcasting renew/, rb.proc.output())
    const relayed = (what: string): number => relay.output().split('\n').filter((l) => l.startsWith(`Forwarded ${what} for ${RB_MAC}`)).length
    t.diagnostic(`rebinding client through the relay: ${relayed('BOOTREQUEST')} requests forwarded to the VIP, ${relayed('BOOTREPLY')} replies back; ${JSON.stringify(rbEvents.map((e) => [e.kind, e.server, ((e.at - rbEvents[0]!.at) / 1000).toFixed(1)]))}`)
    assert.equal(relay.running, true, 'the relay kept running')
    assert.equal(relay.pid, relayPid)
    const answered = prober.probes.filter((p) => p.server !== undefined)
    t.diagnostic(`probes: ${prober.probes.length}, answered ${answered.length} (hadhcpd ${answered.filter((p) => p.server === H_ADDR).length}, ISC dhcpd ${answered.filter((p) => p.server === K_ADDR).length}); relay PID ${relayPid} throughout`)
    // Every answer came through the relay to the VIP holder (giaddr 198.18.61.1 in both logs).
    await waitForLog(isc, /DHCPACK on 198\.18\.61\.1[5-9]\d to 02:fa:61:00:01:0\d via 198\.18\.61\.1/, 2000)
    await waitForLog(h, /DHCPACK on 198\.18\.61\.1[0-4]\d to 02:fa:61:00:01:0\d via 198\.18\.61\.1/, 2000)
  } finally {
    for (const p of procs.reverse()) await p.stop(5000)
  }
})
