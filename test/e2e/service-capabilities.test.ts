/**
 * examples/systemd/hadhcpd.service grants capabilities instead of root. This runs hadhcpd as
 * nobody with exactly the unit's AmbientCapabilities (read from the unit file) and
 * `--vrrp-config`, and checks what they are for: the packet transport (CAP_NET_RAW), port 67
 * (CAP_NET_BIND_SERVICE) and the VIP added by the MASTER (CAP_NET_ADMIN, inherited by `ip`).
 * Without CAP_NET_ADMIN the VIP cannot be added. Link 198.18.12.0/24, VIP 198.18.12.246.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { e2eCanRun } from '../helpers/e2e.js'
import { DhcpLab, HADHCPD, REPO_ROOT, waitFor, waitForLog } from '../helpers/dhcp-lab.js'
import { hasAddress, removeAddress } from '../../src/lab/netns.js'

const NOBODY = 65534
const VIP = '198.18.12.246/32'

function unitCapabilities(): string[] {
  const unit = readFileSync(join(REPO_ROOT, 'examples', 'systemd', 'hadhcpd.service'), 'utf8')
  const line = unit.split('\n').find((l) => l.startsWith('AmbientCapabilities='))
  assert.ok(line !== undefined)
  return line.slice('AmbientCapabilities='.length).trim().split(/\s+/)
}

/** setpriv's spelling: CAP_NET_RAW → +net_raw. */
const capList = (caps: readonly string[]): string => caps.map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`).join(',')

async function runAsNobody(lab: DhcpLab, ns: string, caps: readonly string[], tag: string): Promise<{ vip: boolean; output: string }> {
  const home = join(lab.dir, `nobody-${tag}`)
  mkdirSync(home, { mode: 0o755 })
  chownSync(home, NOBODY, NOBODY)
  const conf = join(home, 'dhcpd.conf')
  writeFileSync(conf, 'subnet 198.18.12.0 netmask 255.255.255.0 {\n  range 198.18.12.10 198.18.12.20;\n}\n', { mode: 0o644 })
  const vrrp = join(home, 'keepalived.conf')
  writeFileSync(vrrp, `vrrp_instance VI_1 {\n    state MASTER\n    interface hlsc-s0\n    virtual_router_id 51\n    priority 99\n    advert_int 1\n    virtual_ipaddress {\n        ${VIP}\n    }\n}\n`, { mode: 0o644 })
  const p = lab.start(ns, ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', `--inh-caps=${capList(caps)}`, `--ambient-caps=${capList(caps)}`,
    process.execPath, HADHCPD, '-f', '-d', '-cf', conf, '-lf', join(home, 'dhcpd.leases'), '--no-pid', '--vrrp-config', vrrp,
    '--control', 'none', '--no-syslog', 'hlsc-s0'], `hadhcpd-${tag}.log`)
  try {
    await waitForLog(p, /\(VI_1\) Entering MASTER STATE/, 20_000)
    const vip = await waitFor('the VIP', 3000, () => (hasAddress(ns, VIP, 'hlsc-s0') ? true : undefined)).catch(() => false)
    return { vip, output: p.output() }
  } finally {
    await p.stop(5000)
    removeAddress(ns, 'hlsc-s0', VIP) // a clean stop removes it already
  }
}

test('the systemd unit\'s capabilities are enough for hadhcpd with VRRP as a non-root user, and CAP_NET_ADMIN is needed for the VIP', { timeout: 90_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: ['ip', 'setpriv'] })) return
  const lab = new DhcpLab('hls-x-')
  try {
    chmodSync(lab.dir, 0o755)
    const br = lab.bridge('capsw')
    const ns = lab.ns('cap')
    lab.link(br, ns, 'hlsc-s0', { address: '198.18.12.1/24' })
    const caps = unitCapabilities()
    assert.deepEqual([...caps].sort(), ['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW'])
    const readable = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'test', '-r', HADHCPD])
    if (readable.status !== 0) {
      t.skip('the repository is not readable by nobody here')
      return
    }
    const full = await runAsNobody(lab, ns, caps, 'unit')
    assert.ok(full.vip, `VIP added by the MASTER running as nobody:\n${full.output}`)
    assert.match(full.output, /Using the packet \(AF_PACKET\) transport/)
    const noAdmin = await runAsNobody(lab, ns, caps.filter((c) => c !== 'CAP_NET_ADMIN'), 'noadmin')
    assert.equal(noAdmin.vip, false, `without CAP_NET_ADMIN the VIP cannot be added:\n${noAdmin.output}`)
  } finally {
    await lab.destroy()
  }
})
