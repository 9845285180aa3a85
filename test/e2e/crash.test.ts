/**
 * Durability under crashes: while real clients take leases (four udhcpc loops, each run with
 * a fresh MAC, plus perfdhcp as a relay when installed), hadhcpd is killed with SIGKILL at
 * random moments and restarted, several times, and finally killed once more. Every lease a
 * client saw ACKed (the udhcpc hook's `ip=` on `bound`) must be in dhcpd.leases when it is
 * loaded again: the journal fsync happens before the ACK leaves.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab } from '../helpers/dhcp-lab.js'
import { findExecutable, type LabProcess } from '../../src/lab/netns.js'
import { formatIPv4 } from '../../src/lib/ip.js'
import { loadLeaseFile } from '../../src/persistence/load.js'
import { nodeFileSystem } from '../../src/persistence/node-file-system.js'

const TOOLS = ['ip', 'udhcpc']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
const CLIENTS = 4
const KILLS = 5
let lab: DhcpLab
let srvNs: string
let perfNs: string
const clientNs: string[] = []
let conf: string
let leases: string

// A deterministic PRNG so a failure can be replayed with the same kill schedule.
let seed = Number(process.env['HADHCPD_CRASH_SEED'] ?? Date.now() % 100_000)
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hde-k-')
  const br = lab.bridge('sw')
  srvNs = lab.ns('srv')
  perfNs = lab.ns('perf')
  lab.link(br, srvNs, 'hdek-s0', { address: '198.18.30.1/24' })
  lab.ip(srvNs, ['addr', 'add', '198.18.31.1/24', 'dev', 'hdek-s0'])
  lab.link(br, perfNs, 'hdek-p0', { address: '198.18.31.5/24' })
  for (let i = 0; i < CLIENTS; i++) {
    const ns = lab.ns(`c${i}`)
    lab.link(br, ns, `hdek-c${i}`)
    clientNs.push(ns)
  }
  conf = lab.file('dhcpd.conf', `authoritative;
ddns-update-style none;
ping-check false;
default-lease-time 3600;
max-lease-time 3600;
subnet 198.18.30.0 netmask 255.255.255.0 { range 198.18.30.10 198.18.30.250; }
subnet 198.18.31.0 netmask 255.255.255.0 { range 198.18.31.10 198.18.31.250; }
`)
  leases = `${lab.dir}/dhcpd.leases`
})

after(async () => {
  if (runnable) await lab.destroy()
})

test(`every ACKed lease survives ${KILLS} kill -9 restarts under load`, { timeout: 180_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  t.diagnostic(`kill schedule seed ${seed} (HADHCPD_CRASH_SEED to replay)`)
  let generation = 0
  let server: LabProcess = await lab.startServer(srvNs, { conf, leases, ifaces: ['hdek-s0'], log: `server-${generation}.log` })
  const perf = findExecutable('perfdhcp') === undefined
    ? undefined
    : lab.start(perfNs, ['perfdhcp', '-4', '-l', 'hdek-p0', '-r', '200', '-R', '200', '-p', '120'], 'perfdhcp.out')
  if (perf === undefined) t.diagnostic('perfdhcp not installed: udhcpc load only')

  const acked: Array<{ mac: string; ip: string }> = []
  let running = true
  let runs = 0
  const loop = async (k: number): Promise<void> => {
    const ns = clientNs[k]!
    const iface = `hdek-c${k}`
    const hook = lab.hook(`c${k}`)
    let seen = 0
    for (let i = 0; running && i < 255; i++) {
      const mac = `02:de:04:${k.toString(16).padStart(2, '0')}:00:${i.toString(16).padStart(2, '0')}`
      lab.ip(ns, ['link', 'set', iface, 'address', mac])
      runs++
      await lab.run(ns, ['udhcpc', '-i', iface, '-f', '-q', '-n', '-t', '2', '-T', '1', '-A', '0', '-s', hook.script], `c${k}.out`, 10_000)
      const records = hook.records()
      for (const r of records.slice(seen)) if (r['arg'] === 'bound' && r['ip'] !== undefined) acked.push({ mac, ip: r['ip'] })
      seen = records.length
    }
  }
  const loops = Array.from({ length: CLIENTS }, (_, k) => loop(k))

  for (let kill = 0; kill < KILLS; kill++) {
    await sleep(300 + random() * 1500)
    server.signalGroup('SIGKILL')
    await server.waitForExit(5000)
    generation++
    server = await lab.startServer(srvNs, { conf, leases, ifaces: ['hdek-s0'], log: `server-${generation}.log` })
  }
  await sleep(1000 + random() * 1000)
  server.signalGroup('SIGKILL') // the last word is a crash too, not a clean flush
  await server.waitForExit(5000)
  running = false
  await Promise.all(loops)
  await perf?.stop(2000)

  t.diagnostic(`${runs} udhcpc runs, ${acked.length} ACKed leases, ${generation + 1} server generations`)
  assert.ok(acked.length >= 10, `the load produced too few leases to mean anything (${acked.length})`)
  const loaded = await loadLeaseFile(nodeFileSystem, leases)
  const missing: string[] = []
  for (const { mac, ip } of acked) {
    const lease = [...loaded.store.getByHardware({ htype: 1, address: Buffer.from(mac.split(':').map((h) => parseInt(h, 16))) })]
      .find((l) => formatIPv4(l.address) === ip)
    if (lease === undefined || lease.bindingState !== 'active') missing.push(`${ip} for ${mac} (${lease?.bindingState ?? 'absent'})`)
  }
  assert.deepEqual(missing, [], `ACKed leases missing after reload:\n${missing.join('\n')}`)
})
