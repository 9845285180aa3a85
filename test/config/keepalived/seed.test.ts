/** Seed 000's two keepalived blocks load unchanged, from disk, with the right values. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { loadKeepalivedConfig } from '../../../src/config/keepalived/index.js'
import { keepalivedFsReader } from '../../../src/config/keepalived/fs-reader.js'

const DIR = fileURLToPath(new URL('../../../../test/fixtures/keepalived/seed000/', import.meta.url))
const VIP = 0x0adf00f6 // 10.223.0.246

const nodes = [
  { file: 'node1.conf', priority: 99 },
  { file: 'node2.conf', priority: 90 },
]
for (const n of nodes) {
  test(`seed000 ${n.file}: VI_1, VRID 51, priority ${n.priority}, advert 1 s, PASS 1111, 10.223.0.246/32 on eth2`, () => {
    const path = `${DIR}${n.file}`
    const { config, warnings } = loadKeepalivedConfig(path, keepalivedFsReader())
    assert.deepEqual(warnings, [])
    assert.deepEqual(config.files, [path])
    assert.equal(config.instances.length, 1)
    const i = config.instances[0]!
    assert.deepEqual(
      {
        name: i.name, initialState: i.initialState, interface: i.interface, vrid: i.virtualRouterId, priority: i.priority,
        advertIntervalMs: i.advertIntervalMs, version: i.version, preempt: i.preempt, preemptDelayMs: i.preemptDelayMs, authPass: i.authPass,
        vips: i.virtualAddresses.map((v) => ({ address: v.address, prefix: v.prefix, dev: v.dev, label: v.label, line: v.loc.line })),
        unicast: [i.unicastSrcIp, i.unicastPeers], garp: [i.garpMasterDelayMs, i.garpMasterRepeat, i.garpMasterRefreshMs, i.garpMasterRefreshRepeat],
        tracks: i.trackInterfaces,
      },
      {
        name: 'VI_1', initialState: 'MASTER', interface: 'eth2', vrid: 51, priority: n.priority, advertIntervalMs: 1000, version: 2,
        preempt: true, preemptDelayMs: 0, authPass: '1111',
        vips: [{ address: VIP, prefix: 32, dev: undefined, label: undefined, line: 12 }],
        unicast: [undefined, []], garp: [5000, 5, 0, 1], tracks: [],
      },
    )
    assert.deepEqual(i.loc, { file: path, line: 1, col: 1 })
  })
}
