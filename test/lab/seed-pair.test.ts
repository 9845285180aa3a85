/**
 * The lab's generated configuration (seed-pair.ts) and the shipped examples (examples/seed-pair/)
 * go through the same checks as `hadhcpd -t --vrrp-config`: the dhcpd.conf compiler and the
 * keepalived.conf loader, with no errors and no warnings.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compileConfig, memoryReader } from '../../src/config/index.js'
import { loadKeepalivedConfig } from '../../src/config/keepalived/index.js'
import { parseArgs } from '../../src/daemon/args.js'
import { runConfigCheck, type Output } from '../../src/daemon/check.js'
import { REPO_ROOT } from '../../src/lab/dhcp-lab.js'
import { LAB_LAYOUT, keepalivedConf, nodeConf, sharedConf } from '../../src/lab/seed-pair.js'

const EXAMPLES = join(REPO_ROOT, 'examples', 'seed-pair')

function capture(): Output & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) }
  return o
}

function inRange(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number)
  return a === 198 && (b === 18 || b === 19)
}

test('the lab pair compiles: a primary with split 128 and a secondary, one failover pool, the fixed host, MCLT 30', () => {
  const files = { '/lab/dhcpd.conf.SHARED': sharedConf(LAB_LAYOUT) }
  for (const node of LAB_LAYOUT.nodes) {
    const path = `/lab/${node.name}.conf`
    const { config, warnings } = compileConfig(path, memoryReader({ ...files, [path]: nodeConf(LAB_LAYOUT, node, '/lab/dhcpd.conf.SHARED') }))
    assert.deepEqual(warnings.map((w) => w.message), [])
    const peer = config.failoverPeers.get('ha-dhcp')
    assert.equal(peer?.role, node.role)
    assert.equal(peer?.mclt, 30)
    assert.equal(config.failoverPeers.size, 1)
    assert.equal(config.hosts.length, 1)
  }
})

test('the lab uses only 198.18.0.0/15 (and the VRRP group) in every file it writes', () => {
  const texts = [sharedConf(LAB_LAYOUT), ...LAB_LAYOUT.nodes.flatMap((n) => [nodeConf(LAB_LAYOUT, n, '/x'), keepalivedConf(LAB_LAYOUT, n, 'eth0')])]
  for (const text of texts) {
    for (const ip of text.match(/\b\d+\.\d+\.\d+\.\d+\b/g) ?? []) {
      if (/^255\./.test(ip)) continue // netmasks
      assert.ok(inRange(ip), `${ip} is outside 198.18.0.0/15`)
    }
  }
})

test('the lab keepalived.conf is seed 000\'s instance: VRID 51, PASS 1111, priorities 99/90, one /32 VIP', () => {
  for (const node of LAB_LAYOUT.nodes) {
    const r = loadKeepalivedConfig('k.conf', memoryReader({ 'k.conf': keepalivedConf(LAB_LAYOUT, node, `${node.name}-eth0`) }))
    const inst = r.config.instances[0]
    assert.equal(r.config.instances.length, 1)
    assert.equal(inst?.virtualRouterId, 51)
    assert.equal(inst?.priority, node.vrrpPriority)
    assert.equal(inst?.virtualAddresses.length, 1)
  }
})

for (const node of ['node1', 'node2']) {
  test(`hadhcpd -t accepts examples/seed-pair/${node} (dhcpd.conf with its include, keepalived.conf)`, async () => {
    const dir = join(EXAMPLES, node)
    const o = capture()
    const code = await runConfigCheck(parseArgs(['-t', '-cf', join(dir, 'dhcpd.conf'), '--path-map', `/etc/dhcp/=${dir}/`, '--vrrp-config', join(dir, 'keepalived.conf')]), o)
    assert.equal(code, 0, o.stderr)
    assert.match(o.stderr, /dhcpd\.conf: OK — 1 subnet, 1 pool, 1 range \(241 addresses\), 1 host, 1 failover peer/)
    assert.match(o.stderr, /keepalived\.conf: OK — 1 vrrp_instance \(VI_1 VRID 51 v2\), 1 virtual address/)
    assert.doesNotMatch(o.stderr, /warning|error/)
  })
}

test('both example nodes share the same include, byte for byte (as seed 001 recommends)', () => {
  assert.equal(readFileSync(join(EXAMPLES, 'node1', 'dhcpd.conf.SHARED'), 'utf8'), readFileSync(join(EXAMPLES, 'node2', 'dhcpd.conf.SHARED'), 'utf8'))
})
