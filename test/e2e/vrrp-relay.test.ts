/**
 * The VIP as routers see it: a relay (ISC dhcrelay) pointed at the VIP gets answers from
 * whichever node holds it, and the ARP caches on the LAN follow the VIP through hadhcpd's
 * gratuitous ARPs.
 *
 * keepalived (90) holds the VIP first; the relay's neighbour entry for the VIP is then made
 * stale with a wrong MAC; hadhcpd (99) joins and preempts, and its gratuitous ARPs (5 at the
 * transition, 5 more after garp_master_delay) must rewrite that entry to hadhcpd's MAC without
 * the relay sending anything. Then a client behind dhcrelay → VIP gets a lease whose server
 * identifier is hadhcpd's own address (198.18.60.11), not the VIP (src/ha/vrrp/README.md).
 * tcpdump on the relay checks the GARP schedule on the wire (5, then 5 more after 5 s).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { waitFor, waitForLog } from '../helpers/dhcp-lab.js'
import { VrrpLab, VIP, H_ADDR } from '../helpers/vrrp-lab.js'
import { runSync } from '../../src/lab/lab-process.js'

const REQ = { root: true, tools: ['ip', 'keepalived', 'dhcrelay', 'udhcpc', 'tcpdump'] }
const runnable = missingRequirements(REQ).length === 0
let lab: VrrpLab
let relayNs: string
let cliNs: string

before(() => {
  if (!runnable) return
  lab = new VrrpLab('hvr-r-', 'hvrr', `subnet 198.18.61.0 netmask 255.255.255.0 {
  option routers 198.18.61.1;
  range 198.18.61.100 198.18.61.200;
}
`)
  const clientLan = lab.lab.bridge('swc')
  relayNs = lab.lab.ns('relay')
  cliNs = lab.lab.ns('cli')
  lab.lab.link(lab.lan, relayNs, 'hvrr-r0', { address: '198.18.60.254/24' })
  lab.lab.link(clientLan, relayNs, 'hvrr-r1', { address: '198.18.61.1/24' })
  lab.lab.link(clientLan, cliNs, 'hvrr-c1', { mac: '02:fa:61:00:00:01' })
  lab.lab.ip(lab.hNs, ['route', 'add', '198.18.61.0/24', 'via', '198.18.60.254'])
  lab.lab.ip(lab.kNs, ['route', 'add', '198.18.61.0/24', 'via', '198.18.60.254'])
})

after(async () => {
  if (runnable) await lab.destroy()
})

const neighMac = (): string | undefined =>
  /lladdr ([0-9a-f:]{17})/.exec(runSync(['ip', '-n', relayNs, 'neigh', 'show', VIP, 'dev', 'hvrr-r0'], 5000).stdout)?.[1]

test('GARPs move the LAN\'s ARP entry for the VIP to hadhcpd; a relay pointed at the VIP gets answers with hadhcpd\'s own server-id', { timeout: 90_000 }, async (t) => {
  if (!e2eCanRun(t, REQ)) return
  const k = await lab.startKeepalived({ state: 'BACKUP', priority: 90 })
  await lab.waitVip(lab.kNs, true, 6000)
  // A stale entry with a wrong MAC: only a gratuitous ARP (or traffic) can correct it.
  lab.lab.ip(relayNs, ['neigh', 'replace', VIP, 'lladdr', '02:fa:60:00:00:99', 'dev', 'hvrr-r0', 'nud', 'stale'])
  const capture = lab.lab.start(relayNs, ['tcpdump', '-i', 'hvrr-r0', '-n', '-e', '-l', '-tt', 'arp'], 'arp.txt')
  await waitFor('tcpdump listening', 5000, () => (/listening on/.test(capture.output()) ? true : undefined))
  const h = await lab.startHadhcpd({ state: 'MASTER', priority: 99 })
  await lab.waitVip(lab.hNs, true, 8000)
  const tookOver = performance.now()
  await lab.waitVip(lab.kNs, false, 3000)
  await waitForLog(h, /\(VI_1\) Sending\/queueing gratuitous ARPs on hvrr-h0 for 198\.18\.60\.246/, 3000)
  const mac = await waitFor('the relay\'s ARP entry for the VIP to point at hadhcpd', 8000, () => (neighMac() === '02:fa:60:00:00:11' ? true : undefined))
  assert.ok(mac)
  t.diagnostic(`relay's ARP entry for the VIP rewritten by hadhcpd's GARPs ${(performance.now() - tookOver).toFixed(0)} ms after the takeover (≤ garp_master_delay 5 s + polling)`)

  // keepalived's schedule: 5 at the transition (same millisecond), 5 more garp_master_delay (5 s) later.
  const garps = (): number[] => capture.output().split('\n')
    .filter((l) => /02:fa:60:00:00:11 > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 198\.18\.60\.246 \(ff:ff:ff:ff:ff:ff\) tell 198\.18\.60\.246/.test(l))
    .map((l) => Number(l.split(' ')[0]) * 1000)
  await waitFor('10 gratuitous ARPs from hadhcpd', 9000, () => (garps().length >= 10 ? true : undefined))
  await capture.stop(2000)
  const at = garps()
  assert.equal(at.length, 10, capture.output())
  const first = at[0]!
  assert.ok(at.slice(0, 5).every((x) => x - first < 50), `first burst spread: ${at.map((x) => (x - first).toFixed(1)).join(', ')}`)
  const gap = at[5]! - first
  assert.ok(gap >= 4900 && gap <= 5300, `second burst ${gap.toFixed(0)} ms after the first`)
  assert.ok(at.slice(5).every((x) => x - at[5]! < 50))
  t.diagnostic(`GARPs on the wire: 5 within ${(at[4]! - first).toFixed(1)} ms, 5 more ${gap.toFixed(0)} ms later (keepalived: 5 + 5 after 5 s)`)

  const relay = lab.lab.start(relayNs, ['dhcrelay', '-4', '-d', '-iu', 'hvrr-r0', '-id', 'hvrr-r1', VIP], 'dhcrelay.out')
  try {
    await waitFor('dhcrelay listening', 10_000, () => (/Sending on|Listening on/.test(relay.output()) ? true : undefined))
    const hook = lab.lab.hook('relayed')
    const r = await lab.lab.run(cliNs, ['udhcpc', '-i', 'hvrr-c1', '-f', '-q', '-n', '-t', '5', '-T', '2', '-A', '1', '-s', hook.script], 'relayed.out', 25_000)
    assert.equal(r.code, 0, `${r.output}\n${relay.output()}\n${h.output()}`)
    const b = hook.records().find((x) => x['arg'] === 'bound')
    assert.match(b?.['ip'] ?? '', /^198\.18\.61\.(1\d\d|200)$/)
    assert.equal(b?.['serverid'], H_ADDR, 'the server identifier is the node\'s own address, never the VIP')
    await waitForLog(h, /DHCPACK on 198\.18\.61\.\d+ to 02:fa:61:00:00:01 via 198\.18\.61\.1/)
  } finally {
    await relay.stop(2000)
    await h.stop(5000)
    await k.stop(5000)
  }
})
