import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from '../../src/daemon/args.js'
import { runConfigCheck, runLeaseCheck, runModelDump, type Output } from '../../src/daemon/check.js'
import { FIXTURES_DIR } from '../helpers/fixtures.js'

function capture(): Output & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) }
  return o
}

const seeds: Array<[string, string[]]> = [
  ['seed 000 primary', ['-cf', join(FIXTURES_DIR, 'config/seed000/primary.conf')]],
  ['seed 000 secondary', ['-cf', join(FIXTURES_DIR, 'config/seed000/secondary.conf')]],
  ['seed 001 primary', ['-cf', join(FIXTURES_DIR, 'config/seed001/primary/dhcpd.conf'), '--path-map', `/usr/local/etc/=${join(FIXTURES_DIR, 'config/seed001/shared-with-host')}/`]],
  ['seed 001 secondary', ['-cf', join(FIXTURES_DIR, 'config/seed001/secondary/dhcpd.conf'), '--path-map', `/usr/local/etc/=${join(FIXTURES_DIR, 'config/seed001/shared')}/`]],
]

for (const [name, args] of seeds) {
  test(`hadhcpd -t accepts ${name} (exit 0)`, async () => {
    const o = capture()
    assert.equal(await runConfigCheck(parseArgs(['-t', ...args]), o), 0, o.stderr)
    assert.match(o.stderr, /: OK — 1 subnet, 1 pool/)
  })
}

test('hadhcpd -t on seed 000 warns about `authorized;` with its location and a hint', async () => {
  const o = capture()
  await runConfigCheck(parseArgs(['-t', '-cf', join(FIXTURES_DIR, 'config/seed000/primary.conf')]), o)
  assert.match(o.stderr, /seed000\/primary\.conf:5:1: warning: .*`authorized`/)
  assert.match(o.stderr, /hint: did you mean `authoritative`\?/)
})

test('hadhcpd -t on a bad config exits 1 with file:line:col, the source line and a caret', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-check-'))
  try {
    const file = join(dir, 'dhcpd.conf')
    writeFileSync(file, 'subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.1.10 10.0.1.20;\n}\n')
    const o = capture()
    assert.equal(await runConfigCheck(parseArgs(['-t', '-cf', file]), o), 1)
    assert.match(o.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:\\d+: .*outside subnet 10\\.0\\.0\\.0/24`))
    assert.match(o.stderr, /\n  range 10\.0\.1\.10 10\.0\.1\.20;\n\s*\^/)
    assert.match(o.stderr, /Configuration file errors encountered -- exiting/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('hadhcpd check --json prints the compiled model', async () => {
  const o = capture()
  const code = await runModelDump(parseArgs(['check', join(FIXTURES_DIR, 'config/seed000/primary.conf'), '--json']), o)
  assert.equal(code, 0)
  const model = JSON.parse(o.stdout) as { subnets: Array<{ pools: Array<{ ranges: unknown[]; addresses: number; failoverPeer: string }> }>; failoverPeers: Array<{ split: number; mclt: number }> }
  assert.equal(model.subnets[0]!.pools[0]!.ranges.length, 16)
  assert.equal(model.subnets[0]!.pools[0]!.addresses, 3680)
  assert.equal(model.subnets[0]!.pools[0]!.failoverPeer, 'oob')
  assert.equal(model.failoverPeers[0]!.split, 128)
  assert.equal(model.failoverPeers[0]!.mclt, 3600)
})

test('hadhcpd -T -lf accepts an ISC failover lease file', async () => {
  const o = capture()
  const code = await runLeaseCheck(parseArgs(['-T', '-lf', join(FIXTURES_DIR, 'leases/failover-primary.leases')]), o)
  assert.equal(code, 0, o.stderr)
  assert.match(o.stderr, /OK — \d+ lease records?, 1 failover state block/)
})

test('hadhcpd -T -lf reports a malformed record with line:col and exits 1; a torn tail is a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-leases-'))
  try {
    const bad = join(dir, 'bad.leases')
    writeFileSync(bad, 'lease 10.0.0.5 {\n  starts 3 2026/11/23 19:30:00;\n  binding state sideways;\n}\n')
    const o = capture()
    assert.equal(await runLeaseCheck(parseArgs(['-T', '-lf', bad]), o), 1)
    assert.match(o.stderr, /bad\.leases:3:\d+: /)
    const torn = join(dir, 'torn.leases')
    writeFileSync(torn, 'lease 10.0.0.5 {\n  starts 3 2026/11/23 19:30:00;\n  binding state active;\n}\nlease 10.0.0.6 {\n  starts 3 20')
    const t = capture()
    assert.equal(await runLeaseCheck(parseArgs(['-T', '-lf', torn]), t), 0, t.stderr)
    assert.match(t.stderr, /warning: .*torn\.leases:5:1: file ends inside a record/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('hadhcpd -t --vrrp-config checks seed 000 keepalived.conf too', async () => {
  const o = capture()
  const args = ['-t', '-cf', join(FIXTURES_DIR, 'config/seed000/primary.conf'), '--vrrp-config', join(FIXTURES_DIR, 'keepalived/seed000/node2.conf')]
  assert.equal(await runConfigCheck(parseArgs(args), o), 0, o.stderr)
  assert.match(o.stderr, /node2\.conf: OK — 1 vrrp_instance \(VI_1 VRID 51 v2\), 1 virtual address/)
})

test('hadhcpd -t renders keepalived.conf errors like dhcpd.conf ones and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-check-'))
  try {
    const file = join(dir, 'keepalived.conf')
    writeFileSync(file, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 300\n  virtual_ipaddress {\n    198.18.60.100/24\n  }\n}\n')
    const o = capture()
    const code = await runConfigCheck(parseArgs(['-t', '-cf', join(FIXTURES_DIR, 'config/seed000/primary.conf'), '--vrrp-config', file]), o)
    assert.equal(code, 1)
    assert.match(o.stderr, /: OK — 1 subnet/) // dhcpd.conf itself is fine
    assert.match(o.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+: `))
    assert.match(o.stderr, /\n  virtual_router_id 300\n\s*\^/)
    assert.match(o.stderr, /1 error in .*keepalived\.conf\nConfiguration file errors encountered -- exiting/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
