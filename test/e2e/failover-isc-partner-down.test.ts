/**
 * PARTNER-DOWN against a live ISC dhcpd 4.4.3 (seed 001's shape in 198.18.71.0/24, mclt 15, a
 * six-address pool: three FREE for the primary, three BACKUP handed to the secondary), with
 * hadhcpd as primary and as secondary: the pair reaches NORMAL; a client gets a lease and keeps renewing after ISC
 * is killed (hadhcpd communications-interrupted, serving only its own FREE addresses); hadhcpd is
 * stopped, `hadhcpd partner-down` records PARTNER-DOWN in its lease file, hadhcpd restarts into
 * partner-down and, once STOS + MCLT has passed, serves new clients from ISC's free addresses;
 * ISC restarts → RECOVER → both NORMAL; both lease files agree on every active address and no
 * address went to two clients.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { e2eCanRun, findTool } from '../helpers/e2e.js'
import { DHCLIENT_CONF, DhcpLab, HADHCPD, waitFor, waitForLog } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'

const TOOLS = ['ip', 'dhcpd', 'udhcpc', 'dhclient']
const NAME = 'ha-dhcp'
const NET = '198.18.71'
const MCLT = 15

function peerBlock(role: 'primary' | 'secondary', self: string, other: string): string {
  return `failover peer "${NAME}" {
  ${role};
  address ${self};
  port 678;
  peer address ${other};
  peer port 678;
  max-response-delay 30;
  max-unacked-updates 10;
  mclt ${MCLT};
${role === 'primary' ? '  split 128;\n' : ''}  load balance max seconds 3;
}
`
}

const SHARED = `ddns-update-style none;
authoritative;
subnet ${NET}.0 netmask 255.255.255.0 {
  default-lease-time         600;
  max-lease-time             600;
  option routers             ${NET}.254;
  option subnet-mask         255.255.255.0;
  pool {
    failover peer "${NAME}";
    range ${NET}.10 ${NET}.15;
  }
}
`

/** A MAC whose RFC 3074 bucket (split 128) is `owner`'s, by MAC and by udhcpc's client-id. */
function macServedBy(owner: 'primary' | 'secondary', seed: number): string {
  const hba = hbaFromSplit(128)
  for (let i = seed; ; i++) {
    const mac = Buffer.from([0x02, 0x71, 0x00, 0x00, (i >> 8) & 0xff, i & 0xff])
    if (bucketOwner(hba, mac) === owner && bucketOwner(hba, Buffer.concat([Buffer.from([1]), mac])) === owner) {
      return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':')
    }
  }
}

interface LeaseView { state: string; mac: string | undefined; ends: number }

/** Last block per address of a dhcpd.leases file. */
function leasesOf(file: string): Map<string, LeaseView> {
  const out = new Map<string, LeaseView>()
  for (const b of readFileSync(file, 'utf8').split(/\n(?=lease )/)) {
    const m = /^lease (\S+) \{([^}]*)\}/.exec(b)
    if (m?.[1] === undefined || m[2] === undefined) continue
    const body = m[2]
    const ends = /\n\s*ends \d (\d+)\/(\d+)\/(\d+) (\d+):(\d+):(\d+);/.exec(body)
    out.set(m[1], {
      state: /binding state (\w+);/.exec(body)?.[1] ?? '?',
      mac: /hardware ethernet ([0-9a-f:]+);/.exec(body)?.[1],
      ends: ends === null ? 0 : Date.UTC(+ends[1]!, +ends[2]! - 1, +ends[3]!, +ends[4]!, +ends[5]!, +ends[6]!) / 1000,
    })
  }
  return out
}

/** Active, unexpired bindings of a lease file: address → MAC. */
function activeBindings(file: string, now: number): Map<string, string> {
  const out = new Map<string, string>()
  for (const [ip, l] of leasesOf(file)) if (l.state === 'active' && l.ends > now + 2 && l.mac !== undefined) out.set(ip, l.mac)
  return out
}

/** One client's hold on an address, in Unix seconds as its hook script saw them. */
interface Binding { mac: string; ip: string; from: number; until: number }

function bindingOf(mac: string, ip: string | undefined, at: string | undefined, seconds: string | undefined): Binding | undefined {
  if (ip === undefined || at === undefined || seconds === undefined) return undefined
  return { mac, ip, from: Number(at), until: Number(at) + Number(seconds) }
}

function showBinding(b: Binding): string {
  return `${b.mac}=${b.ip}[${b.from}+${b.until - b.from}]`
}

/**
 * Pairs of bindings of one address to two different clients whose intervals overlap. The hook
 * stamps whole seconds after the server granted the lease, so each end may be late by up to a
 * second: intervals that overlap by no more than that are not counted.
 */
function overlappingHolders(all: readonly Binding[]): string[] {
  const out: string[] = []
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) {
      if (a.ip !== b.ip || a.mac === b.mac) continue
      const overlap = Math.min(a.until, b.until) - Math.max(a.from, b.from)
      if (overlap > 1) out.push(`${showBinding(a)} and ${showBinding(b)}`)
    }
  }
  return out
}

for (const [oursRole, prefix] of [['primary', 'hpd-pd-'], ['secondary', 'hpd-pds-']] as const) {
const iscRole = oursRole === 'primary' ? 'secondary' : 'primary'
/** The free state of hadhcpd's partner: ISC secondary BACKUP, ISC primary FREE (§6.1). */
const partnerFree = oursRole === 'primary' ? 'BACKUP' : 'FREE'
test(`failover with ISC dhcpd, hadhcpd ${oursRole}: PARTNER-DOWN by the offline command, the partner's ${partnerFree} addresses after MCLT, RECOVER → NORMAL with converged lease files`, { timeout: 180_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const lab = new DhcpLab(prefix)
  let ours: LabProcess | undefined
  let isc: LabProcess | undefined
  const diag = (): string => `--- hadhcpd ---\n${ours?.output() ?? ''}\n--- ISC dhcpd ---\n${isc?.output() ?? ''}`
  const step = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f()
    } catch (err) {
      throw new Error(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${diag()}`)
    }
  }
  try {
    const br = lab.bridge('sw')
    const pNs = lab.ns('p')
    const sNs = lab.ns('s')
    lab.link(br, pNs, 'hpd-p0', { address: `${NET}.1/24` })
    lab.link(br, sNs, 'hpd-s0', { address: `${NET}.2/24` })
    const shared = lab.file('dhcpd.conf.SHARED', SHARED)
    const conf = (role: 'primary' | 'secondary'): string => {
      const [self, other] = role === 'primary' ? [`${NET}.1`, `${NET}.2`] : [`${NET}.2`, `${NET}.1`]
      return lab.file(`${role}.conf`, `${peerBlock(role, self, other)}\ninclude "${shared}";\n`)
    }
    const oursConf = conf(oursRole)
    const iscConf = conf(iscRole)
    const [oursNs, oursIf, iscNs, iscIf] = oursRole === 'primary' ? [pNs, 'hpd-p0', sNs, 'hpd-s0'] : [sNs, 'hpd-s0', pNs, 'hpd-p0']
    const iscLeases = lab.file('isc.leases', '')
    const oursLeases = `${lab.dir}/ours.leases`
    const oursPid = `${lab.dir}/ours.pid`
    const iscArgv = [findTool('dhcpd') ?? 'dhcpd', '-4', '-f', '-d', '-cf', iscConf, '-lf', iscLeases, '-pf', `${lab.dir}/isc.pid`, iscIf]
    const startOurs = (log: string): Promise<LabProcess> =>
      lab.startServer(oursNs, { conf: oursConf, leases: oursLeases, ifaces: [oursIf], log, args: ['-pf', oursPid] })
    isc = lab.start(iscNs, iscArgv, 'isc.log')
    ours = await startOurs('ours.log')
    const cliNs = lab.ns('c')
    let n = 0
    /** Every binding a client was given: who, which address, and the interval it was told it holds it. */
    const bindings: Binding[] = []
    /** One-shot udhcpc with `mac`; returns the bound address or undefined when nobody answered. */
    const lease = async (mac: string, tries = 4): Promise<string | undefined> => {
      const iface = `hpd-c${n++}`
      lab.link(br, cliNs, iface, { mac })
      const hook = lab.hook(`udhcpc-${iface}`)
      await lab.run(cliNs, ['udhcpc', '-i', iface, '-f', '-q', '-n', '-t', String(tries), '-T', '2', '-A', '1', '-s', hook.script], `${iface}.out`, 30_000)
      const bound = hook.records().find((h) => h['arg'] === 'bound')
      const b = bound === undefined ? undefined : bindingOf(mac, bound['ip'], bound['at'], bound['lease'])
      if (b !== undefined) bindings.push(b)
      return b?.ip
    }

    // 1. NORMAL / NORMAL; the primary's balancing gives the secondary three BACKUP addresses.
    await step('both NORMAL', async () => {
      await waitForLog(isc!, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 60_000)
      await waitForLog(ours!, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 10_000)
    })
    const secondaryLeases = oursRole === 'secondary' ? oursLeases : iscLeases
    const backup = await step('BACKUP addresses in the secondary\'s file', () => waitFor('BACKUP leases', 15_000, () => {
      const b = [...leasesOf(secondaryLeases)].filter(([, l]) => l.state === 'backup').map(([a]) => a)
      return b.length >= 3 ? b : undefined
    }))
    const pool = [10, 11, 12, 13, 14, 15].map((h) => `${NET}.${h}`)
    /** hadhcpd's own free addresses and its partner's (the primary's FREE, the secondary's BACKUP). */
    const own = oursRole === 'primary' ? pool.filter((a) => !backup.includes(a)) : backup
    const partners = pool.filter((a) => !own.includes(a))
    t.diagnostic(`hadhcpd's ${oursRole === 'primary' ? 'FREE' : 'BACKUP'} ${own.join(' ')}; ISC's ${partnerFree} ${partners.join(' ')}`)

    // 2. A long-running dhclient (own namespace: it configures its address and renews by unicast at T1).
    const c1Ns = lab.ns('c1')
    const mac1 = macServedBy(oursRole, 1)
    lab.link(br, c1Ns, 'hpd-r0', { mac: mac1 })
    const hook1 = lab.hook('dhclient-r0', true)
    const dhclientConf = lab.file('dhclient.conf', DHCLIENT_CONF)
    const c1 = lab.start(c1Ns, ['dhclient', '-4', '-d', '-v', '-cf', dhclientConf, '-sf', hook1.script, '-lf', `${lab.dir}/c1.leases`, '-pf', `${lab.dir}/c1.pid`, 'hpd-r0'], 'dhclient-r0.out')
    const ip1 = await step('first client bound', () => waitFor('c1 bound', 30_000, () => hook1.records().find((h) => h['reason'] === 'BOUND')?.['new_ip_address']))
    assert.ok(own.includes(ip1), `${ip1} is one of hadhcpd's own addresses`)

    // 3. ISC killed → COMMUNICATIONS-INTERRUPTED; the client keeps renewing with hadhcpd.
    await isc.stop(3000)
    await step('communications-interrupted', () => waitForLog(ours!, new RegExp(`failover peer ${NAME}: I move from normal to communications-interrupted`), 40_000))
    const renews = (): number => hook1.records().filter((h) => h['reason'] === 'RENEW' && h['new_ip_address'] === ip1).length
    const renewsBefore = renews()
    await step('renewal while communications-interrupted', () => waitFor('c1 renews', 30_000, () => (renews() > renewsBefore ? true : undefined)))

    // 4. Communications-interrupted: only hadhcpd's own addresses (two left), then nothing.
    for (const i of [2, 3]) {
      const mac = macServedBy(oursRole, 100 * i)
      const ip = await lease(mac)
      assert.ok(ip !== undefined && own.includes(ip), `client ${i} got one of hadhcpd's own addresses (${ip})\n${diag()}`)
    }
    const mac4 = macServedBy(iscRole, 400)
    assert.equal(await lease(mac4, 2), undefined, `communications-interrupted: ISC's ${partnerFree} addresses are not used`)

    // 5. Offline PARTNER-DOWN: refused while hadhcpd runs, recorded once it is stopped; restart.
    const refused = await lab.run(oursNs, [process.execPath, HADHCPD, 'partner-down', '-lf', oursLeases, '-cf', oursConf, '-pf', oursPid, NAME], 'pd-refused.out', 15_000)
    assert.equal(refused.code, 1, refused.output)
    assert.match(refused.output, /a server is running/)
    await ours.stop(5000)
    const done = await lab.run(oursNs, [process.execPath, HADHCPD, 'partner-down', '-lf', oursLeases, '-cf', oursConf, '-pf', oursPid], 'pd.out', 15_000)
    assert.equal(done.code, 0, done.output)
    assert.match(readFileSync(oursLeases, 'utf8'), new RegExp(`failover peer "${NAME}" state \\{\\n  my state partner-down at \\d \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d;\\n  partner state normal at `))
    ours = await startOurs('ours2.log')
    await step('partner-down after startup', () => waitForLog(ours!, new RegExp(`failover peer ${NAME}: I move from startup to partner-down`), 25_000))
    await step('MCLT passed', () => waitForLog(ours!, /MCLT \(15 s\) has passed: the partner's free addresses are usable/, 30_000))

    // 6. New clients now get the partner's addresses.
    for (const [i, mac] of [[4, mac4], [5, macServedBy(iscRole, 500)]] as const) {
      const ip = await lease(mac)
      assert.ok(ip !== undefined && partners.includes(ip), `client ${i} got one of ISC's former ${partnerFree} addresses (${ip})\n${diag()}`)
    }

    // 7. ISC comes back: RECOVER (UPDREQALL), then both NORMAL.
    isc = lab.start(iscNs, iscArgv, 'isc2.log')
    await step('ISC recovers', async () => {
      await waitForLog(isc!, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to recover\\b`), 30_000)
      await waitForLog(isc!, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 90_000)
      await waitForLog(ours!, new RegExp(`failover peer ${NAME}: I move from partner-down to normal`), 15_000)
    })

    // 8. The databases converge; no address was held by two clients at once. The one-shot clients
    // never renew (their MCLT-short leases end within seconds), and the dhclient may have moved to
    // another address while hadhcpd restarted (its own lease ran out): every binding counts for the
    // interval its client was given, and its latest address is the dhclient's.
    const c1Bindings = (): Binding[] => hook1.records()
      .filter((h) => ['BOUND', 'RENEW', 'REBIND', 'REBOOT'].includes(h['reason'] ?? ''))
      .flatMap((h) => bindingOf(mac1, h['new_ip_address'], h['at'], h['new_dhcp_lease_time']) ?? [])
    const c1Address = (): string => c1Bindings().at(-1)?.ip ?? ip1
    // Every unexpired active binding is the same in both files (the dhclient's at least, renewed in
    // NORMAL), and each names the client that holds that address.
    const snapshot = (): string => `hadhcpd ${JSON.stringify([...leasesOf(oursLeases)])}\nISC ${JSON.stringify([...leasesOf(iscLeases)])}`
    const converged = await waitFor('lease files converge', 30_000, () => {
      const now = Date.now() / 1000
      const a = activeBindings(oursLeases, now)
      const b = activeBindings(iscLeases, now)
      const same = a.size === b.size && [...a].every(([ip, mac]) => b.get(ip) === mac)
      return same && a.get(c1Address()) === mac1 ? a : undefined
    }).catch(() => undefined)
    assert.ok(converged, `lease files differ:\n${snapshot()}\n${diag()}`)
    const all = [...bindings, ...c1Bindings()]
    assert.deepEqual(overlappingHolders(all), [], `an address was held by two clients at once:\n${all.map(showBinding).join('\n')}`)
    const latest = new Map(all.map((b) => [b.mac, b.ip]))
    for (const [ip, mac] of converged) assert.equal(latest.get(mac), ip, `${ip} is active for ${mac}, the client that holds it`)
    t.diagnostic(`active in both: ${[...converged].map(([ip, mac]) => `${ip}=${mac}`).join(' ')}; bindings: ${all.map(showBinding).join(' ')}`)
    await c1.stop(2000)
  } finally {
    await lab.destroy()
  }
})
}
