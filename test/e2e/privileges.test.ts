/**
 * Running with less than root (docs: README "Transports, raw sockets and ping-check"):
 *  - started as root with `-user nobody -group nogroup`: the sockets are opened, then the
 *    process runs as nobody with no capability left, and still serves (L2 unicast, journal);
 *  - started as nobody with CAP_NET_RAW + CAP_NET_BIND_SERVICE as ambient capabilities (what
 *    systemd's AmbientCapabilities= gives): the packet transport and ping-check work;
 *  - started as nobody with only CAP_NET_BIND_SERVICE: the UDP transport, saying why.
 * Link 198.18.40.0/24; the lease directory belongs to nobody.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { chownSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab, HADHCPD, READY_LINE, waitForLog } from '../helpers/dhcp-lab.js'
import type { LabProcess } from '../../src/lab/netns.js'

const TOOLS = ['ip', 'udhcpc', 'setpriv', 'id']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
const NOBODY = 65534
let lab: DhcpLab
let srvNs: string
let cliNs: string
let home: string
let conf: string

const CONF = `authoritative;
ddns-update-style none;
default-lease-time 600;
max-lease-time 600;
ping-check true;
ping-timeout-ms 200;
subnet 198.18.40.0 netmask 255.255.255.0 {
  range 198.18.40.100 198.18.40.150;
}
`

before(() => {
  if (!runnable) return
  lab = new DhcpLab('hrw-u-')
  const br = lab.bridge('sw')
  srvNs = lab.ns('srv')
  cliNs = lab.ns('cli')
  lab.link(br, srvNs, 'hrwu-s0', { address: '198.18.40.1/24' })
  lab.link(br, cliNs, 'hrwu-c0', { mac: '02:50:00:00:00:01' })
  // The lab directory is root's (0700): nobody gets a directory of its own inside it.
  chmodSync(lab.dir, 0o755)
  home = join(lab.dir, 'nobody')
  mkdirSync(home, { mode: 0o755 })
  chownSync(home, NOBODY, NOBODY)
  conf = join(home, 'dhcpd.conf')
  writeFileSync(conf, CONF, { mode: 0o644 })
})

after(async () => {
  if (runnable) await lab.destroy()
})

function status(pid: number): { uid: string; capEff: string } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  return {
    uid: /^Uid:\s+(.*)$/m.exec(text)?.[1]?.trim() ?? '',
    capEff: /^CapEff:\s+(\S+)/m.exec(text)?.[1] ?? '',
  }
}

async function startServer(name: string, prefix: readonly string[], extra: readonly string[]): Promise<LabProcess> {
  const leases = join(home, `${name}.leases`)
  writeFileSync(leases, '')
  chownSync(leases, NOBODY, NOBODY)
  const argv = [...prefix, process.execPath, HADHCPD, '-f', '-d', '--no-pid', '--control', 'none', '-cf', conf, '-lf', leases, ...extra, 'hrwu-s0']
  const p = lab.start(srvNs, argv, `${name}.log`)
  const ready = await p.waitForOutput(READY_LINE, 15_000)
  if (!ready.found) throw new Error(`hadhcpd did not start: ${ready.reason}\n${p.output()}`)
  return p
}

async function lease(mac: string, name: string): Promise<string | undefined> {
  lab.ip(cliNs, ['link', 'set', 'hrwu-c0', 'address', mac])
  const hook = lab.hook(name)
  const r = await lab.run(cliNs, ['udhcpc', '-i', 'hrwu-c0', '-f', '-q', '-n', '-t', '4', '-T', '2', '-A', '1', '-s', hook.script], `${name}.out`, 20_000)
  assert.equal(r.code, 0, r.output)
  return hook.records().find((h) => h['arg'] === 'bound')?.['ip']
}

const asNobody = (caps: string): string[] => [
  'setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`, '--bounding-set=-all,' + caps.replace(/^-all,/, ''),
]

test('root with -user nobody -group nogroup: sockets first, then no root and no capability, still serving', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const srv = await startServer('dropped', [], ['-user', 'nobody', '-group', 'nogroup'])
  try {
    await waitForLog(srv, /Using the packet \(AF_PACKET\) transport/)
    await waitForLog(srv, new RegExp(`Running as uid ${NOBODY}, gid ${NOBODY} \\(user nobody\\)`))
    const st = status(srv.pid)
    assert.equal(st.uid, `${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`)
    assert.equal(st.capEff, '0000000000000000')
    const ip = await lease('02:50:00:00:00:01', 'dropped-client')
    assert.match(ip ?? '', /^198\.18\.40\.1[0-5]\d$/)
    await waitForLog(srv, /reply via|DHCPACK on 198\.18\.40\.1\d\d to 02:50:00:00:00:01 via hrwu-s0/)
    assert.match(readFileSync(join(home, 'dropped.leases'), 'utf8'), new RegExp(`lease ${ip!.replace(/\./g, '\\.')} \\{[^}]*binding state active;`))
  } finally {
    await srv.stop(3000)
  }
})

test('nobody with ambient CAP_NET_RAW and CAP_NET_BIND_SERVICE: packet transport and ping-check', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const srv = await startServer('ambient', asNobody('+net_raw,+net_bind_service'), [])
  try {
    await waitForLog(srv, /Using the packet \(AF_PACKET\) transport/)
    assert.doesNotMatch(srv.output(), /PING_CHECK_UNAVAILABLE|ping-check is not possible/)
    assert.equal(status(srv.pid).uid.split('\t')[0], String(NOBODY))
    const ip = await lease('02:50:00:00:00:02', 'ambient-client')
    assert.match(ip ?? '', /^198\.18\.40\.1[0-5]\d$/)
  } finally {
    await srv.stop(3000)
  }
})

test('nobody without CAP_NET_RAW: the UDP transport, and the log says why', async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const srv = await startServer('nocap', asNobody('+net_bind_service'), [])
  try {
    await waitForLog(srv, /Using the UDP transport: the process lacks CAP_NET_RAW/)
    await waitForLog(srv, /ping-check is not possible/)
    const ip = await lease('02:50:00:00:00:03', 'nocap-client')
    assert.match(ip ?? '', /^198\.18\.40\.1[0-5]\d$/)
  } finally {
    await srv.stop(3000)
  }
})
