/**
 * POOLREQ/POOLRESP with a live ISC dhcpd 4.4.3 (failover-protocol.md §6), both directions, over a
 * 12-address pool. The primary hands 6 leases to the secondary as BACKUP on reaching NORMAL;
 * clients of the secondary's hash buckets use all 6 up; the secondary's next balancing timer run
 * (its peer statement has min-balance 5, max-balance 10) finds lts below the panic level, logs
 * `(requesting peer rebalance!)` and sends POOLREQ; the primary runs its balancing and answers
 * POOLRESP with the count it moved (3), and the secondary holds BACKUP leases again.
 * (a) ISC primary + hadhcpd secondary, (b) hadhcpd primary + ISC secondary.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { e2eCanRun, findTool } from '../helpers/e2e.js'
import { DhcpLab, waitForLog } from '../helpers/dhcp-lab.js'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'

const TOOLS = ['ip', 'dhcpd', 'udhcpc']
const NAME = 'ha-dhcp'

function peerBlock(role: 'primary' | 'secondary', self: string, other: string, extra: string): string {
  return `failover peer "${NAME}" {
  ${role};
  address ${self};
  port 678;
  peer address ${other};
  peer port 678;
  max-response-delay 30;
  max-unacked-updates 10;
  mclt 60;
${role === 'primary' ? '  split 128;\n' : ''}${extra}  load balance max seconds 3;
}
`
}

const SHARED = `ddns-update-style none;
authoritative;
subnet 198.18.71.0 netmask 255.255.255.0 {
  default-lease-time 600;
  max-lease-time 600;
  option subnet-mask 255.255.255.0;
  pool {
    failover peer "${NAME}";
    range 198.18.71.10 198.18.71.21;
  }
}
`

/** Distinct client MACs whose bucket (MAC and udhcpc's 01+MAC client-id alike) is the secondary's with split 128. */
function secondaryMacs(n: number): string[] {
  const hba = hbaFromSplit(128)
  const out: string[] = []
  for (let i = 1; out.length < n; i++) {
    const mac = Buffer.from([0x02, 0x71, 0x00, 0x00, (i >> 8) & 0xff, i & 0xff])
    if (bucketOwner(hba, mac) === 'secondary' && bucketOwner(hba, Buffer.concat([Buffer.from([1]), mac])) === 'secondary') {
      out.push([...mac].map((b) => b.toString(16).padStart(2, '0')).join(':'))
    }
  }
  return out
}

/** Addresses whose latest block in a lease file says `binding state backup;`. */
function backupLeases(file: string): string[] {
  const latest = new Map<string, string>()
  for (const b of readFileSync(file, 'utf8').split(/\n(?=lease )/)) {
    const m = /^lease (\S+) \{[^}]*?binding state (\w+);/.exec(b)
    if (m?.[1] !== undefined && m[2] !== undefined) latest.set(m[1], m[2])
  }
  return [...latest].filter(([, st]) => st === 'backup').map(([a]) => a)
}

async function scenario(t: TestContext, oursRole: 'primary' | 'secondary'): Promise<void> {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const lab = new DhcpLab('hpb-x-') // the two scenarios run one after the other
  try {
    const br = lab.bridge('sw')
    const pNs = lab.ns('p')
    const sNs = lab.ns('s')
    const cNs = lab.ns('c')
    lab.link(br, pNs, 'hpb-p0', { address: '198.18.71.1/24' })
    lab.link(br, sNs, 'hpb-s0', { address: '198.18.71.2/24' })
    const shared = lab.file('dhcpd.conf.SHARED', SHARED)
    // The secondary balances every 5..10 s; the primary's own timer stays out of the way.
    const pConf = lab.file('primary.conf', `${peerBlock('primary', '198.18.71.1', '198.18.71.2', '  min-balance 300;\n')}\ninclude "${shared}";\n`)
    const sConf = lab.file('secondary.conf', `${peerBlock('secondary', '198.18.71.2', '198.18.71.1', '  min-balance 5;\n  max-balance 10;\n')}\ninclude "${shared}";\n`)
    const iscLeases = lab.file('isc.leases', '')
    const oursLeases = `${lab.dir}/ours.leases`
    const [iscNs, iscIf, iscConf, oursNs, oursIf, oursConf] = oursRole === 'secondary'
      ? [pNs, 'hpb-p0', pConf, sNs, 'hpb-s0', sConf]
      : [sNs, 'hpb-s0', sConf, pNs, 'hpb-p0', pConf]
    const isc = lab.start(iscNs, [findTool('dhcpd') ?? 'dhcpd', '-4', '-f', '-d', '-cf', iscConf, '-lf', iscLeases, '-pf', `${lab.dir}/isc.pid`, iscIf], 'isc.log')
    const ours = await lab.startServer(oursNs, { conf: oursConf, leases: oursLeases, ifaces: [oursIf], log: 'ours.log' })
    const [primary, secondary] = oursRole === 'secondary' ? [isc, ours] : [ours, isc]
    const secondaryLeases = oursRole === 'secondary' ? oursLeases : iscLeases
    const diag = (): string => `--- hadhcpd ---\n${ours.output()}\n--- ISC dhcpd ---\n${isc.output()}`
    const step = async (what: Promise<void>): Promise<void> => {
      try {
        await what
      } catch (err) {
        throw new Error(`${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${diag()}`)
      }
    }
    await step(waitForLog(isc, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 60_000))
    await step(waitForLog(ours, new RegExp(`failover peer ${NAME}: I move from [a-z-]+ to normal`), 10_000))
    // The primary's balancing on NORMAL: 6 of the 12 leases become the secondary's BACKUP.
    await step(waitForLog(primary, /balanced pool \S+ \S*\s+total 12 +free 6 +backup 6 +lts 0/, 10_000))
    const deadline = Date.now() + 10_000
    while (backupLeases(secondaryLeases).length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    const first = backupLeases(secondaryLeases)
    assert.equal(first.length, 6, diag())
    // Six secondary-bucket clients take all of them from the secondary.
    for (const [i, mac] of secondaryMacs(6).entries()) {
      const iface = `hpb-c${i}`
      lab.link(br, cNs, iface, { mac })
      const hook = lab.hook(`udhcpc-${iface}`)
      const r = await lab.run(cNs, ['udhcpc', '-i', iface, '-f', '-q', '-n', '-t', '6', '-T', '2', '-A', '1', '-s', hook.script], `${iface}.out`, 30_000)
      assert.equal(r.code, 0, `${r.output}\n${diag()}`)
      const ip = hook.records().find((h) => h['arg'] === 'bound')?.['ip'] ?? ''
      assert.ok(first.includes(ip), `${mac} got ${ip}, not one of the secondary's BACKUP leases ${first.join(' ')}\n${diag()}`)
    }
    // free 6, backup 0: lts −3 < panic −2 → POOLREQ on the next timer run (≤ max-balance 10 s).
    await step(waitForLog(secondary, /balancing pool \S+ \S+\s+total 12 +free 6 +backup 0 +lts -3 +max-own \(\+\/-\)1 +\(requesting peer rebalance!\)/, 30_000))
    await step(waitForLog(secondary, /pool response: [1-9]\d* leases/, 10_000))
    const moved = Number(/pool response: (\d+) leases/.exec(secondary.output())?.[1])
    t.diagnostic(`POOLRESP ${moved}; primary: ${primary.output().split('\n').filter((l) => /balanc|POOLREQ/i.test(l)).join(' | ')}`)
    assert.equal(moved, 3, 'the primary gives half of its 6 FREE leases (lts 3)')
    assert.doesNotMatch(primary.output(), /answering negatively/)
    await step(waitForLog(primary, /balanced pool \S+ \S*\s+total 12 +free 3 +backup 3 +lts 0/, 5_000))
    const deadline2 = Date.now() + 10_000
    while (backupLeases(secondaryLeases).length < moved && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 200))
    assert.equal(backupLeases(secondaryLeases).length, moved, diag())
  } finally {
    await lab.destroy()
  }
}

test('POOLREQ with ISC dhcpd (a): a hadhcpd secondary out of BACKUP leases asks; the ISC primary rebalances and answers POOLRESP 3', { timeout: 180_000 }, (t) => scenario(t, 'secondary'))

test('POOLREQ with ISC dhcpd (b): an ISC secondary out of BACKUP leases asks; the hadhcpd primary rebalances and answers POOLRESP 3', { timeout: 180_000 }, (t) => scenario(t, 'primary'))
