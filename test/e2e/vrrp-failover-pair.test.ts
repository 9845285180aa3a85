/**
 * The whole HA node, twice: two hadhcpd nodes in a failover pair (seed 001's shape: failover
 * peer "ha-dhcp", split 128, one pool with `failover peer`, here with a 45 s MCLT and 60 s
 * leases) that each run VRRP for the same VRID (51) and VIP 198.18.62.246. The client LAN
 * (198.18.63.0/24) is wired like seed 000's routers with `ip helper-address`: ISC dhcrelay in
 * its own namespace relays the broadcasts to the VIP only, and a separate router namespace
 * forwards the clients' unicast (so the relay never sees a renewal: ISC dhcrelay on the
 * forwarding path would also relay unicast renewals to the VIP, which hides the RFC path).
 *
 *   A 198.18.62.11 primary,   VRRP priority 100 (80 after the reload)
 *   B 198.18.62.12 secondary, VRRP priority 90
 *   relay  198.18.62.254 / 198.18.63.1: dhcrelay → 198.18.62.246 (the VIP)
 *   router 198.18.62.253 / 198.18.63.2: the clients' default route
 *
 * 1. Both NORMAL, VIP on A; client 1 (udhcpc, a MAC in the primary's RFC 3074 bucket) binds
 *    through the relay; its server-id is A's own address, not the VIP (src/ha/vrrp/README.md).
 * 2. Planned master change: A's keepalived.conf gets priority 80, SIGHUP → B preempts and holds
 *    the VIP; client 2 (ISC dhclient, a MAC in the secondary's bucket) binds through the relay
 *    from B: the relay keeps getting answers across the change.
 * 3. Crash: SIGKILL of B (the VIP holder, by PID). The VIP lands on A (measured); A moves to
 *    COMMUNICATIONS-INTERRUPTED. Client 2 — whose lease B issued — renews by unicast to B at T1
 *    (no answer), rebinds at T2 by broadcast → relay → VIP → A, and A renews it (in COMM-INT a
 *    server renews any client's lease, within the MCLT); its next renewal goes by unicast to
 *    A's own address (the new server-id) and is ACKed again. Client 1 kept renewing with A
 *    throughout. No DHCPNAK anywhere.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, parseHookLog, waitFor, waitForLog, type HookRecord } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { runSync } from '../../src/lab/lab-process.js'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'

const REQ = { root: true, tools: ['ip', 'dhcrelay', 'udhcpc', 'dhclient'] }
const runnable = missingRequirements(REQ).length === 0
const NAME = 'ha-dhcp'
const VIP = '198.18.62.246'
const A_ADDR = '198.18.62.11'
const B_ADDR = '198.18.62.12'
const RELAY_UP = '198.18.62.254'
const RELAY_DOWN = '198.18.63.1'
const ROUTER_UP = '198.18.62.253'
const ROUTER_DOWN = '198.18.63.2'
const LEASE_S = 60
const MCLT_S = 45

function dhcpdConf(role: 'primary' | 'secondary'): string {
  const [self, other] = role === 'primary' ? [A_ADDR, B_ADDR] : [B_ADDR, A_ADDR]
  return `failover peer "${NAME}" {
  ${role};
  address ${self};
  port 678;
  peer address ${other};
  peer port 678;
  max-response-delay 10;
  max-unacked-updates 10;
  mclt ${MCLT_S};
${role === 'primary' ? '  split 128;\n' : ''}  load balance max seconds 3;
}
ddns-update-style none;
authoritative;
default-lease-time ${LEASE_S};
max-lease-time ${LEASE_S};
subnet 198.18.62.0 netmask 255.255.255.0 {
}
subnet 198.18.63.0 netmask 255.255.255.0 {
  option routers ${RELAY_DOWN};
  option subnet-mask 255.255.255.0;
  pool {
    failover peer "${NAME}";
    range 198.18.63.100 198.18.63.140;
  }
}
`
}

function keepalivedConf(iface: string, priority: number): string {
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
}
`
}

/** A MAC whose bucket (split 128) belongs to `owner`, keyed by MAC or by udhcpc's client-id (01 + MAC). */
function macServedBy(owner: 'primary' | 'secondary', seed: number): string {
  const hba = hbaFromSplit(128)
  for (let i = seed; ; i++) {
    const mac = Buffer.from([0x02, 0x63, 0x00, 0x00, (i >> 8) & 0xff, i & 0xff])
    if (bucketOwner(hba, mac) === owner && bucketOwner(hba, Buffer.concat([Buffer.from([1]), mac])) === owner) {
      return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':')
    }
  }
}

interface Node {
  readonly ns: string
  readonly iface: string
  readonly addr: string
  readonly conf: string
  readonly vrrpConf: string
  readonly leases: string
  proc: LabProcess
}

let lab: DhcpLab
let a: Node
let b: Node
let relayNs: string
let clientLan: { ns: string; dev: string }

before(() => {
  if (!runnable) return
  lab = new DhcpLab('hvq-p-')
  const lan = lab.bridge('sw')
  clientLan = lab.bridge('swc')
  const mk = (name: 'a' | 'b', addr: string, role: 'primary' | 'secondary', priority: number): Node => {
    const ns = lab.ns(name)
    const iface = `hvqp-${name}0`
    lab.link(lan, ns, iface, { address: `${addr}/24`, mac: `02:62:00:00:00:${name === 'a' ? '11' : '12'}` })
    // Unicast to clients via the router; replies to the relay (giaddr) straight to it.
    lab.ip(ns, ['route', 'add', '198.18.63.0/24', 'via', ROUTER_UP])
    lab.ip(ns, ['route', 'add', `${RELAY_DOWN}/32`, 'via', RELAY_UP])
    const leases = lab.file(`${name}.leases`, `failover peer "${NAME}" state {\n  my state normal;\n  partner state normal;\n}\n`)
    return {
      ns, iface, addr, leases,
      conf: lab.file(`${name}.conf`, dhcpdConf(role)),
      vrrpConf: lab.file(`${name}-keepalived.conf`, keepalivedConf(iface, priority)),
      proc: undefined as unknown as LabProcess,
    }
  }
  a = mk('a', A_ADDR, 'primary', 100)
  b = mk('b', B_ADDR, 'secondary', 90)
  relayNs = lab.ns('relay')
  lab.link(lan, relayNs, 'hvqp-r0', { address: `${RELAY_UP}/24` })
  lab.link(clientLan, relayNs, 'hvqp-r1', { address: `${RELAY_DOWN}/24` })
  const routerNs = lab.ns('rtr')
  lab.link(lan, routerNs, 'hvqp-g0', { address: `${ROUTER_UP}/24` })
  lab.link(clientLan, routerNs, 'hvqp-g1', { address: `${ROUTER_DOWN}/24` })
  runSync(['ip', 'netns', 'exec', routerNs, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], 5000)
})

after(async () => {
  if (runnable) await lab.destroy()
})

const hasVip = (n: Node): boolean => runSync(['ip', '-n', n.ns, '-4', 'addr', 'show', 'dev', n.iface], 5000).stdout.includes(` ${VIP}/32 `)

async function waitVip(n: Node, timeoutMs: number): Promise<number> {
  const start = performance.now()
  for (;;) {
    if (hasVip(n)) return performance.now() - start
    if (performance.now() - start > timeoutMs) throw new Error(`VIP not on ${n.ns} after ${timeoutMs} ms\n--- A ---\n${a.proc.output()}\n--- B ---\n${b.proc.output()}`)
    await sleep(10)
  }
}

function startNode(n: Node, log: string): Promise<LabProcess> {
  return lab.startServer(n.ns, { conf: n.conf, leases: n.leases, ifaces: [n.iface], log, args: ['--vrrp-config', n.vrrpConf] })
}

/**
 * A long-running client in its own namespace on the client LAN: udhcpc or ISC dhclient. The
 * hook logs every event (with the time) and configures the address and a default route via
 * the router, so renewals go by unicast to the server-id (RFC 2131 RENEWING) and rebinding by
 * broadcast, which only the relay forwards (to the VIP).
 */
function startClient(name: string, mac: string, kind: 'udhcpc' | 'dhclient'): { proc: LabProcess; records: () => HookRecord[] } {
  const ns = lab.ns(name)
  const iface = `hvqp-${name}`
  lab.link(clientLan, ns, iface, { mac })
  const log = join(lab.dir, `${name}-hook.log`)
  const script = join(lab.dir, `${name}-hook.sh`)
  writeFileSync(script, `#!/bin/sh
{ echo "arg=$1"; echo "at=$(date +%s.%N)"; env | grep -E '^(reason|interface|ip|mask|serverid|lease|new_ip_address|new_subnet_mask|new_dhcp_server_identifier|new_dhcp_lease_time)='; echo "--"; } >> ${log}
case "$1$reason" in
  bound|renew) ip addr replace "$ip/$mask" dev "$interface"; ip route replace default via ${ROUTER_DOWN} dev "$interface" ;;
  BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"; ip route replace default via ${ROUTER_DOWN} dev "$interface" ;;
  deconfig|EXPIRE|FAIL|STOP|RELEASE) ip addr flush dev "$interface" ;;
esac
exit 0
`, { mode: 0o755 })
  const argv = kind === 'udhcpc'
    ? ['udhcpc', '-i', iface, '-f', '-t', '20', '-T', '2', '-A', '2', '-s', script]
    : ['dhclient', '-4', '-d', '-v', '-cf', lab.file(`${name}.conf`, DHCLIENT_CONF), '-sf', script,
        '-lf', join(lab.dir, `${name}.leases`), '-pf', join(lab.dir, `${name}.pid`), iface]
  const proc = lab.start(ns, argv, `${name}.out`)
  return { proc, records: () => parseHookLog(log) }
}

/** The hook record's fields under either client's names. */
const ev = (r: HookRecord): { kind: string; ip: string; server: string; lease: number; at: number } => ({
  kind: (r['reason'] ?? r['arg'] ?? '').toLowerCase(),
  ip: r['ip'] ?? r['new_ip_address'] ?? '',
  server: r['serverid'] ?? r['new_dhcp_server_identifier'] ?? '',
  lease: Number(r['lease'] ?? r['new_dhcp_lease_time'] ?? 0),
  at: Number(r['at']),
})

/**
 * dhclient retransmits with a doubling interval (up to backoff-cutoff, 15 s by default) and
 * only switches to the broadcast (REBINDING) when it next sends after T2; with this test's short
 * leases the default can let the lease expire before that send. A 2 s cutoff keeps the
 * REBINDING request within 2 s of T2, as it is relative to a real lease of hours.
 */
const DHCLIENT_CONF = 'timeout 30;\nretry 1;\ninitial-interval 1;\nbackoff-cutoff 2;\n'

/** `ends` and `tsfp` (Unix seconds) of the newest block for `ip` in a dhcpd.leases file. */
function newestLease(file: string, ip: string): { ends?: number; tsfp?: number } {
  const blocks = runSync(['cat', file], 5000).stdout.split(/\n(?=lease )/).filter((x) => x.startsWith(`lease ${ip} {`))
  const last = blocks[blocks.length - 1] ?? ''
  const time = (key: string): number | undefined => {
    const m = new RegExp(`\\n  ${key} \\d (\\d{4})/(\\d\\d)/(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d);`).exec(last)
    return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000 : undefined
  }
  const out: { ends?: number; tsfp?: number } = {}
  const ends = time('ends')
  const tsfp = time('tsfp')
  if (ends !== undefined) out.ends = ends
  if (tsfp !== undefined) out.tsfp = tsfp
  return out
}

const count = (text: string, re: RegExp): number => (text.match(new RegExp(re.source, 'g')) ?? []).length
const diag = (): string => `--- A ---\n${a.proc.output()}\n--- B ---\n${b.proc.output()}`

test('failover pair + VRRP + dhcrelay → VIP: planned master change by SIGHUP, then the VIP holder SIGKILLed; clients keep renewing with the survivor, no NAKs', { timeout: 240_000 }, async (t) => {
  if (!e2eCanRun(t, REQ)) return
  a.proc = await startNode(a, 'a.log')
  b.proc = await startNode(b, 'b.log')
  await waitForLog(a.proc, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 30_000).catch((e: Error) => assert.fail(`${e.message}\n${diag()}`))
  await waitForLog(b.proc, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 30_000).catch((e: Error) => assert.fail(`${e.message}\n${diag()}`))
  await waitVip(a, 10_000)
  assert.equal(hasVip(b), false)

  const relay = lab.start(relayNs, ['dhcrelay', '-4', '-d', '-iu', 'hvqp-r0', '-id', 'hvqp-r1', VIP], 'dhcrelay.out')
  await waitFor('dhcrelay listening', 10_000, () => (/Sending on|Listening on/.test(relay.output()) ? true : undefined))

  // 1. Client 1 (primary's bucket) binds through relay → VIP → A, with A's own server-id.
  const mac1 = macServedBy('primary', 0x100)
  const c1 = startClient('c1', mac1, 'udhcpc')
  const bound1 = ev(await waitFor('client 1 bound', 30_000, () => c1.records().find((r) => ev(r).kind === 'bound')))
  assert.equal(bound1.server, A_ADDR, `the server identifier is the node's own address, never the VIP\n${c1.proc.output()}`)
  assert.match(bound1.ip, /^198\.18\.63\.1[0-4]\d$/)
  await waitForLog(a.proc, new RegExp(`DHCPACK on ${bound1.ip.replace(/\./g, '\\.')} to ${mac1} via ${RELAY_DOWN.replace(/\./g, '\\.')}`))

  // A client in B's bucket asks while only A (the VIP holder) hears the relay: RFC 3074 load
  // balancing leaves it to B, who never sees it, until its `secs` exceeds `load balance max
  // seconds` (3); udhcpc's third DISCOVER carries secs 4 and A answers it (ISC behaves the same).
  const mac0 = macServedBy('secondary', 0x300)
  const c0ns = lab.ns('c0')
  lab.link(clientLan, c0ns, 'hvqp-c0', { mac: mac0 })
  const hook0 = lab.hook('c0')
  const r0 = await lab.run(c0ns, ['udhcpc', '-i', 'hvqp-c0', '-f', '-q', '-n', '-t', '6', '-T', '2', '-A', '1', '-s', hook0.script], 'c0.out', 30_000)
  assert.equal(r0.code, 0, `${r0.output}\n${diag()}`)
  assert.equal(hook0.records().find((r) => r['arg'] === 'bound')?.['serverid'], A_ADDR)
  const discovers = count(r0.output, /broadcasting discover/)
  assert.ok(discovers >= 3, `served at DISCOVER #${discovers}`)
  t.diagnostic(`a client in the peer's load-balancing bucket, relayed to the VIP only: answered by the VIP holder at its DISCOVER #${discovers} (secs > load balance max seconds 3)`)

  // 2. Planned master change: A reloads keepalived.conf with priority 80 → B (90) preempts.
  writeFileSync(a.vrrpConf, keepalivedConf(a.iface, 80))
  const hup = performance.now()
  a.proc.signalGroup('SIGHUP')
  await waitForLog(a.proc, /VI_1: applied priority \(priority 80, effective 80/, 5000)
  const planned = await waitVip(b, 10_000)
  const plannedMs = performance.now() - hup
  await waitFor('VIP off A', 3000, () => (hasVip(a) ? undefined : true))
  t.diagnostic(`planned master change (SIGHUP A priority 100 → 80): VIP on B ${plannedMs.toFixed(0)} ms after the SIGHUP (B's master-down 3×1 s + skew 0.648 s; poll ${planned.toFixed(0)} ms)`)

  // Client 2 (secondary's bucket) binds through the relay → VIP → B after the change.
  const mac2 = macServedBy('secondary', 0x200)
  const c2 = startClient('c2', mac2, 'dhclient')
  const bound2 = ev(await waitFor('client 2 bound', 40_000, () => c2.records().find((r) => ev(r).kind === 'bound')))
  assert.equal(bound2.server, B_ADDR, `client 2 is served by B through the relay after the planned change\n${c2.proc.output()}\n${diag()}`)
  const ip2 = bound2.ip
  await waitForLog(b.proc, new RegExp(`DHCPACK on ${ip2.replace(/\./g, '\\.')} to ${mac2} via ${RELAY_DOWN.replace(/\./g, '\\.')}`))
  // The binding reaches A (BNDUPD) before B dies, so A knows the lease it must renew.
  await waitFor(`A's lease file to hold ${ip2} for ${mac2}`, 10_000, () => {
    const text = runSync(['cat', a.leases], 5000).stdout
    const blocks = text.split(/\n(?=lease )/).filter((x) => x.startsWith(`lease ${ip2} {`))
    const last = blocks[blocks.length - 1] ?? ''
    return /binding state active;/.test(last) && last.includes(`hardware ethernet ${mac2};`) ? true : undefined
  })

  // 3. Crash of the VIP holder: SIGKILL B (by PID); the VIP lands on A.
  const killedAt = performance.now()
  b.proc.signalGroup('SIGKILL')
  const crash = await waitVip(a, 8000)
  const crashMs = performance.now() - killedAt
  t.diagnostic(`crash takeover (SIGKILL B → VIP on A): ${crashMs.toFixed(0)} ms after the kill (bound 3×1 s + skew(80) 0.6875 s = 3.69 s after B's last advert, + ≤1 s advert phase; poll ${crash.toFixed(0)} ms)`)
  assert.ok(crashMs < 3688 + 1000 + 1500, `takeover took ${crashMs.toFixed(0)} ms`)
  await waitForLog(a.proc, new RegExp(`failover peer ${NAME}: I move from normal to communications-interrupted`), 15_000)

  // Client 2's lease came from B: its unicast renewal to B goes unanswered; at T2 it rebinds by
  // broadcast through relay → VIP → A, and A (COMM-INT) renews the lease B issued.
  // (dhclient 4.4 reports an ACK in REBINDING as RENEW, like one in RENEWING.)
  const rebound = ev(await waitFor('client 2 rebound by A', 70_000, () => c2.records().find((r) => (ev(r).kind === 'rebind' || ev(r).kind === 'renew') && ev(r).server === A_ADDR)))
  assert.match(c2.proc.output(), /DHCPREQUEST for [0-9.]+ on hvqp-c2 to 198\.18\.62\.12 port 67[^]*DHCPREQUEST for [0-9.]+ on hvqp-c2 to 255\.255\.255\.255 port 67/, 'unicast to B first, then the broadcast (REBINDING)')
  assert.equal(rebound.ip, ip2, 'the same address is kept')
  t.diagnostic(`client 2 (lease from B, bound at T0) rebound by A through the relay ${(rebound.at - ev(c2.records().find((r) => ev(r).kind === 'bound')!).at).toFixed(1)} s after T0 (T2 = 7/8 of the ${bound2.lease} s lease), lease ${rebound.lease} s (MCLT ${MCLT_S} s, default ${LEASE_S} s)`)
  // The MCLT rule (draft §5.2.1, ISC ack_lease): A's grant ends at most MCLT past the potential
  // expiry B told it (tsfp); read from A's newest lease block for the address.
  const granted = newestLease(a.leases, ip2)
  assert.ok(granted.ends !== undefined && granted.tsfp !== undefined, JSON.stringify(granted))
  assert.ok(granted.ends <= granted.tsfp + MCLT_S, `COMM-INT grant ends ${granted.ends} > tsfp ${granted.tsfp} + MCLT ${MCLT_S}`)
  t.diagnostic(`A's COMM-INT grant for client 2 ends ${granted.ends - granted.tsfp} s after the tsfp B had sent (MCLT ${MCLT_S} s)`)
  await waitForLog(a.proc, new RegExp(`DHCPACK on ${ip2.replace(/\./g, '\\.')} to ${mac2} via ${RELAY_DOWN.replace(/\./g, '\\.')}`), 5000)
  // Its next renewal goes by unicast to A's own address (the new server-id), straight to A.
  const again = ev(await waitFor('client 2 renewed by unicast to A', 60_000, () =>
    c2.records().find((r) => ev(r).kind === 'renew' && ev(r).server === A_ADDR && ev(r).at > rebound.at)))
  assert.equal(again.ip, ip2)
  await waitForLog(a.proc, new RegExp(`DHCPACK on ${ip2.replace(/\./g, '\\.')} to ${mac2} via hvqp-a0`), 5000)

  // Client 1 renewed with A all along (unicast to its server-id).
  const renew1 = c1.records().map(ev).filter((r) => r.kind === 'renew')
  assert.ok(renew1.length >= 2, `client 1 renewed ${renew1.length} times`)
  assert.ok(renew1.every((r) => r.server === A_ADDR && r.ip === bound1.ip))

  // No NAK storm: none in either server's log or either client's output/events.
  const naks = count(a.proc.output(), /DHCPNAK/) + count(b.proc.output(), /DHCPNAK/)
  const clientNaks = count(c1.proc.output() + c2.proc.output(), /DHCPNAK|received NAK/) +
    [...c1.records(), ...c2.records()].map(ev).filter((r) => r.kind === 'nak' || r.kind === 'leasefail' || r.kind === 'expire' || r.kind === 'fail').length
  t.diagnostic(`DHCPNAKs: servers ${naks}, clients ${clientNaks}; client 2 sent ${count(c2.proc.output(), /DHCPREQUEST/)} DHCPREQUESTs in all (its unicast renewals to the dead B retried every ≤ 2 s from T1 to T2, unanswered); relay forwarded ${count(relay.output(), /Forwarded BOOTREQUEST/)} requests`)
  assert.equal(naks, 0, diag())
  assert.equal(clientNaks, 0)

  await c1.proc.stop(2000)
  await c2.proc.stop(2000)
  await relay.stop(2000)
  await a.proc.stop(5000)
})
