/**
 * Link state moves the VIP: two hadhcpd nodes on one VRID (H 100, K 90), each serving DHCP on
 * its own interface (a veth to its own bridge, 198.18.65.0/24 on H) while VRRP runs on the LAN.
 *
 * (a) `track_interface { hvqt-hu weight -50 }` (keepalived semantics): H's tracked uplink set
 *     down → H's priority 50 < 90 → K preempts after its master-down; the uplink back up → H
 *     (100) preempts again.
 * (b) "No usable transport" (ha/vrrp/health.ts, default `--vrrp-health transport=fault`): the
 *     interface H serves DHCP on set down → H enters FAULT, sends priority 0 and drops the VIP, so
 *     K takes over within its skew time (+ the 500 ms link poll); the interface back up → H
 *     returns to BACKUP and preempts.
 * (c) SIGHUP: a keepalived.conf with an error is rejected (the running VRRP configuration kept);
 *     a changed virtual_router_id is reported as needing a restart and not applied.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, waitForLog } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { runSync } from '../../src/lab/lab-process.js'

const REQ = { root: true, tools: ['ip'] }
const runnable = missingRequirements(REQ).length === 0
const VIP = '198.18.64.246'

let lab: DhcpLab
let hNs: string
let kNs: string

function vrrpConf(iface: string, priority: number, track: string): string {
  return `vrrp_instance VI_1 {
    state BACKUP
    interface ${iface}
    virtual_router_id 51
    priority ${priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        ${VIP}/32
    }
${track}}
`
}

const DHCPD_CONF = `authoritative;
ddns-update-style none;
default-lease-time 600;
max-lease-time 600;
subnet 198.18.64.0 netmask 255.255.255.0 {
}
subnet 198.18.65.0 netmask 255.255.255.0 {
  range 198.18.65.100 198.18.65.200;
}
subnet 198.18.66.0 netmask 255.255.255.0 {
  range 198.18.66.100 198.18.66.200;
}
`

before(() => {
  if (!runnable) return
  lab = new DhcpLab('hvq-t-')
  const lan = lab.bridge('sw')
  hNs = lab.ns('h')
  kNs = lab.ns('k')
  lab.link(lan, hNs, 'hvqt-h0', { address: '198.18.64.11/24' })
  lab.link(lan, kNs, 'hvqt-k0', { address: '198.18.64.12/24' })
  // H: hvqt-hd serves DHCP, hvqt-hu is the tracked uplink; K serves DHCP on hvqt-kd (each a veth to its own bridge).
  for (const [ns, dev, addr, br] of [[hNs, 'hvqt-hd', '198.18.65.1/24', 'swd'], [hNs, 'hvqt-hu', '198.18.67.1/24', 'swu'], [kNs, 'hvqt-kd', '198.18.66.1/24', 'swk']] as const) {
    lab.link(lab.bridge(br), ns, dev, { address: addr })
  }
  lab.file('dhcpd.conf', DHCPD_CONF)
})

after(async () => {
  if (runnable) await lab.destroy()
})

const hasVip = (ns: string): boolean => runSync(['ip', '-n', ns, '-4', 'addr', 'show'], 5000).stdout.includes(` ${VIP}/32 `)

async function waitVip(ns: string, present: boolean, timeoutMs: number, procs: LabProcess[]): Promise<number> {
  const start = performance.now()
  for (;;) {
    if (hasVip(ns) === present) return performance.now() - start
    if (performance.now() - start > timeoutMs) throw new Error(`VIP ${present ? 'not on' : 'still on'} ${ns} after ${timeoutMs} ms\n${procs.map((p) => p.output()).join('\n---\n')}`)
    await sleep(10)
  }
}

function start(ns: string, name: string, iface: string, served: string, priority: number, track: string): Promise<LabProcess> {
  const conf = lab.file(`${name}-keepalived.conf`, vrrpConf(iface, priority, track))
  return lab.startServer(ns, {
    conf: `${lab.dir}/dhcpd.conf`, leases: `${lab.dir}/${name}.leases`, ifaces: [served], log: `${name}.log`, args: ['--vrrp-config', conf],
  })
}

test('track_interface weight and transport health move the VIP between two hadhcpd nodes', { timeout: 90_000 }, async (t) => {
  if (!e2eCanRun(t, REQ)) return
  const h = await start(hNs, 'h', 'hvqt-h0', 'hvqt-hd', 100, '    track_interface {\n        hvqt-hu weight -50\n    }\n')
  const k = await start(kNs, 'k', 'hvqt-k0', 'hvqt-kd', 90, '')
  const procs = [h, k]
  await waitVip(hNs, true, 8000, procs)

  // (a) The tracked uplink down: priority 100 − 50 = 50 < 90 → K preempts at its master-down.
  let at = performance.now()
  lab.ip(hNs, ['link', 'set', 'hvqt-hu', 'down'])
  await waitForLog(h, /VI_1: degraded \(interface-down\); tracked interface down: hvqt-hu; track_interface weights -50: effective priority 50/, 3000)
  await waitVip(kNs, true, 8000, procs)
  const toK = performance.now() - at
  await waitVip(hNs, false, 2000, procs)
  t.diagnostic(`track_interface weight −50, uplink down → VIP on the peer after ${toK.toFixed(0)} ms (link poll ≤ 500 ms + the peer's master-down 3×1 s + skew 0.648 s)`)
  assert.ok(toK < 500 + 3648 + 1500, `${toK.toFixed(0)} ms`)

  at = performance.now()
  lab.ip(hNs, ['link', 'set', 'hvqt-hu', 'up'])
  await waitVip(hNs, true, 8000, procs)
  t.diagnostic(`uplink up → H (100) preempts back after ${(performance.now() - at).toFixed(0)} ms`)
  await waitVip(kNs, false, 2000, procs)

  // (b) The DHCP interface down: no usable transport → FAULT, priority 0, VIP removed at once.
  at = performance.now()
  lab.ip(hNs, ['link', 'set', 'hvqt-hd', 'down'])
  await waitVip(hNs, false, 3000, procs)
  await waitVip(kNs, true, 3000, procs)
  const fault = performance.now() - at
  await waitForLog(h, /the DHCP service cannot serve: hvqt-hd is down/, 2000)
  await waitForLog(h, /\(VI_1\) Entering FAULT STATE/, 2000)
  await waitForLog(k, /\(VI_1\) Backup received priority 0 advertisement/, 2000)
  t.diagnostic(`served DHCP interface down → H FAULT (priority 0 sent), VIP on K after ${fault.toFixed(0)} ms (link poll ≤ 500 ms + skew 0.648 s)`)
  assert.ok(fault < 500 + 648 + 1500, `${fault.toFixed(0)} ms`)

  at = performance.now()
  lab.ip(hNs, ['link', 'set', 'hvqt-hd', 'up'])
  await waitForLog(h, /the DHCP service can serve on every served interface again/, 3000)
  await waitVip(hNs, true, 8000, procs)
  t.diagnostic(`DHCP interface up → H back to BACKUP and MASTER again after ${(performance.now() - at).toFixed(0)} ms`)
  assert.match(h.output(), /\(VI_1\) Entering BACKUP STATE\n/)

  // (c) SIGHUP with a broken keepalived.conf: rejected with its error, VRRP keeps running as is;
  // with a changed VRID: reported as needing a restart, the running VRID kept (still MASTER).
  const hConf = `${lab.dir}/h-keepalived.conf`
  writeFileSync(hConf, vrrpConf('hvqt-h0', 100, '    priority_typo 3\n'))
  h.signalGroup('SIGHUP')
  await waitForLog(h, /rejected, keeping the running VRRP configuration:\n.*h-keepalived\.conf:\d+:\d+: .*priority_typo/, 3000)
  writeFileSync(hConf, vrrpConf('hvqt-h0', 100, '    track_interface {\n        hvqt-hu weight -50\n    }\n').replace('virtual_router_id 51', 'virtual_router_id 52'))
  h.signalGroup('SIGHUP')
  await waitForLog(h, /VI_1: virtual_router_id changed; these need a restart of hadhcpd and keep their running values/, 3000)
  await sleep(1500)
  assert.ok(hasVip(hNs) && !hasVip(kNs), 'H is still MASTER on VRID 51')
  await h.stop(5000)
  await k.stop(5000)
})
