/**
 * Issue 6 §4: "a relay (dhcrelay) pointed at the VIP keeps getting answers for a client through
 * a master change", with keepalived 2.2.7 as the other VRRP node (VRID 51, advert_int 1, PASS).
 * vrrp-relay.test.ts starts its relay after the takeover; here ONE dhcrelay process runs
 * through both changes, so its ARP entry for the VIP has to follow the VIP (GARPs) while it
 * keeps relaying.
 *
 *   h  198.18.60.11  hadhcpd, VRRP MASTER (priority 99, later 110), serves 198.18.61.0/24
 *                    relayed, range .100–.149
 *   k  198.18.60.12  keepalived BACKUP (90) + ISC dhcpd 4.4 (not in failover) serving the same
 *                    relayed subnet, range .150–.199
 *   relay 198.18.60.254 / 198.18.61.1: `dhcrelay … 198.18.60.246` (the VIP only)
 *   c0…c5 clients behind the relay (one namespace and MAC each)
 *
 * Why this setup: the claim is about reaching whoever holds the VIP, not about sharing lease
 * state (that is vrrp-failover-pair.test.ts, two hadhcpd in failover). So keepalived's node gets
 * a plain ISC dhcpd with a disjoint range: every answer says by itself who gave it — the server
 * identifier (each node's own address, src/ha/vrrp/README.md) and the range — and no server
 * ever answers for the other's leases, so a reply can only come from the node holding the VIP
 * (ISC's LPF socket would also take frames sent to its MAC for an address it no longer holds,
 * which is why the answer is attributed by server-id, not assumed).
 *
 * Answers are sampled by probes: every 200 ms a fresh one-shot udhcpc (DISCOVER → OFFER →
 * REQUEST → ACK, one try, 1 s timeout) in the next idle client namespace. The gap in a
 * direction is the time from the start of the last probe answered by the old holder to the
 * start of the first probe answered by the new one (resolution: the 200 ms probe spacing plus
 * process start-up on a loaded machine).
 *
 * (a) planned change: hadhcpd gets SIGTERM → priority 0 advert, VIP removed → keepalived MASTER
 *     after its skew time (~0.65 s); the same relay gets answers from ISC dhcpd (server-id .12).
 * (b) hadhcpd restarted with priority 110: BACKUP, master-down (~3.6 s), then MASTER preempting
 *     keepalived; the same relay gets answers from hadhcpd again (server-id .11).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { e2eCanRun, findTool, missingRequirements } from '../helpers/e2e.js'
import { waitFor, waitForLog } from '../helpers/dhcp-lab.js'
import { VrrpLab, VIP, H_ADDR, K_ADDR } from '../helpers/vrrp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'

const REQ = { root: true, tools: ['ip', 'keepalived', 'dhcrelay', 'udhcpc', 'dhcpd'] }
const runnable = missingRequirements(REQ).length === 0
const PROBE_CLIENTS = 6
const PROBE_SPACING_MS = 200

let lab: VrrpLab
let relayNs: string
const clients: { ns: string; iface: string; busy: boolean }[] = []

before(() => {
  if (!runnable) return
  lab = new VrrpLab('hvk-r-', 'hvkr', `subnet 198.18.61.0 netmask 255.255.255.0 {
  option routers 198.18.61.1;
  range 198.18.61.100 198.18.61.149;
}
`)
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
  // Replies to the relay's giaddr (198.18.61.1) go back through the relay.
  lab.lab.ip(lab.hNs, ['route', 'add', '198.18.61.0/24', 'via', '198.18.60.254'])
  lab.lab.ip(lab.kNs, ['route', 'add', '198.18.61.0/24', 'via', '198.18.60.254'])
})

after(async () => {
  if (runnable) await lab.destroy()
})

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
`

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

    const prober = new Prober(80_000)
    try {
      // Steady state: the relay's answers come from hadhcpd.
      const first = await prober.answeredBy(H_ADDR, 0, 15_000).catch((e: Error) => assert.fail(`${e.message}\n${diag()}`))
      assert.match(first.ip ?? '', /^198\.18\.61\.1[0-4]\d$/)
      await sleep(1000)

      // (a) planned change: hadhcpd stops cleanly (priority 0), keepalived takes the VIP.
      const stopA = performance.now()
      const stopped = h.stop(5000)
      const vipOnK = await lab.waitVip(lab.kNs, true, 3000)
      t.diagnostic(`(a) hadhcpd SIGTERM → VIP on keepalived's node ${vipOnK.toFixed(0)} ms later`)
      assert.ok(vipOnK < 1500, `clean hand-over took ${vipOnK.toFixed(0)} ms`)
      await stopped
      const a = await prober.answeredBy(K_ADDR, stopA, 15_000).catch((e: Error) => assert.fail(`${e.message}\n${diag()}`))
      assert.match(a.ip ?? '', /^198\.18\.61\.1[5-9]\d$/, 'ISC dhcpd\'s range')
      await sleep(1000)
      const ga = gap(prober.probes, H_ADDR, K_ADDR, stopA)
      t.diagnostic(`(a) gap without answers hadhcpd → ISC dhcpd via the same relay: ${ga.ms.toFixed(0)} ms between the last answered probe (start ${(ga.lastOld.at - stopA).toFixed(0)} ms rel. to SIGTERM) and the first answered by ${K_ADDR} (start +${(ga.firstNew.at - stopA).toFixed(0)} ms); ${ga.unanswered} unanswered probe(s)`)

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
      await sleep(1000)
      const gb = gap(prober.probes, K_ADDR, H_ADDR, startB)
      t.diagnostic(`(b) gap without answers ISC dhcpd → hadhcpd via the same relay: ${gb.ms.toFixed(0)} ms between the last answered probe (start ${(gb.lastOld.at - preempted).toFixed(0)} ms rel. to VIP seen on hadhcpd) and the first answered by ${H_ADDR} (start ${(gb.firstNew.at - preempted).toFixed(0)} ms); ${gb.unanswered} unanswered probe(s)`)
    } finally {
      await prober.stop()
    }

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
