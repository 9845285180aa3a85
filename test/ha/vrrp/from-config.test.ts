/**
 * keepalived.conf → what goes on the wire and what the machine does: the doc §3 config gives
 * keepalived's exact advert bytes; seed 000's node 2 gives keepalived's timings.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { loadKeepalivedConfig } from '../../../src/config/keepalived/index.js'
import { keepalivedFsReader } from '../../../src/config/keepalived/fs-reader.js'
import { memoryReader } from '../../../src/config/source-reader.js'
import { advertDestinations, advertExpectationFor, advertFor, machineConfigFor } from '../../../src/ha/vrrp/from-config.js'
import { initialMachine, step } from '../../../src/ha/vrrp/machine.js'
import { toBuffer } from '../../../src/protocol/vrrp/advert.js'
import { encodeVrrpIpHeader } from '../../../src/protocol/vrrp/ip-header.js'
import { checkAdvert } from '../../../src/protocol/vrrp/validate.js'
import { A, GROUP, V2_P0, V2_P99, V2_P99_FRAME, V3_P99, V3_P99_IP } from '../../protocol/vrrp/vectors.js'

/** The doc §3 config, with its one-line authentication block. */
const DOC_CONF = [
  'vrrp_instance VI_1 {',
  '    state MASTER            # BACKUP on the peer',
  '    interface eth0',
  '    virtual_router_id 51',
  '    priority 99             # 90 on the peer',
  '    advert_int 1',
  '    authentication { auth_type PASS  auth_pass 1111 }',
  '    virtual_ipaddress { 198.18.50.100/24 }',
  '}',
].join('\n')

const docInstance = (prefix = '') =>
  loadKeepalivedConfig('keepalived.conf', memoryReader({ 'keepalived.conf': prefix + DOC_CONF })).config.instances[0]!

test('doc §3 config → keepalived\'s v2 advert bytes (priority 99 and the priority 0 shutdown)', () => {
  const inst = docInstance()
  assert.equal(toBuffer(advertFor(inst, 99)).toString('hex'), V2_P99.toString('hex'))
  assert.equal(toBuffer(advertFor(inst, 0)).toString('hex'), V2_P0.toString('hex'))
  assert.deepEqual(advertDestinations(inst), [GROUP])
})

test('doc §3 config → the whole IPv4 packet keepalived sends (IP_HDRINCL header + advert)', () => {
  const inst = docInstance()
  const vrrp = toBuffer(advertFor(inst, 99))
  const packet = Buffer.alloc(20 + vrrp.length)
  encodeVrrpIpHeader({ src: A, dst: GROUP, id: 1, payloadLength: vrrp.length }, packet, 0)
  vrrp.copy(packet, 20)
  assert.equal(packet.toString('hex'), V2_P99_FRAME.subarray(14).toString('hex'))
})

test('doc §3 config with global_defs vrrp_version 3 → keepalived\'s v3 bytes, and the auth warning', () => {
  const { config, warnings } = loadKeepalivedConfig('k.conf', memoryReader({ 'k.conf': 'global_defs {\n  vrrp_version 3\n}\n' + DOC_CONF }))
  const inst = config.instances[0]!
  assert.deepEqual(warnings.map((w) => w.message), ['(VI_1) VRRP version 3 does not support authentication. Ignoring.'])
  assert.equal(toBuffer(advertFor(inst, 99), { src: A, dst: GROUP }).toString('hex'), V3_P99.toString('hex'))
  const v = checkAdvert(V3_P99_IP, 20, V3_P99_IP.length, { ttl: 255, src: A, dst: GROUP }, advertExpectationFor(inst))
  assert.ok(v.ok)
})

test('doc §3 config accepts keepalived\'s own v2 advert', () => {
  const v = checkAdvert(V2_P99, 0, V2_P99.length, { ttl: 255, src: A, dst: GROUP }, advertExpectationFor(docInstance()))
  assert.ok(v.ok)
})

test('seed000 node2 (priority 90, state MASTER) → BACKUP at start, MASTER after 3.648 s alone', () => {
  const path = fileURLToPath(new URL('../../../../test/fixtures/keepalived/seed000/node2.conf', import.meta.url))
  const inst = loadKeepalivedConfig(path, keepalivedFsReader()).config.instances[0]!
  const cfg = machineConfigFor(inst, 0x0adf00f5)
  const [backup, startEffects] = step(initialMachine(cfg), { kind: 'startup', at: 0 }, cfg)
  assert.equal(backup.state, 'backup')
  assert.deepEqual(startEffects.at(-1), { kind: 'arm-timer', name: 'master-down', delayMs: 3648.4375 })
  const [master] = step(backup, { kind: 'timer', at: 3648.4375, name: 'master-down' }, cfg)
  assert.equal(master.state, 'master')
  assert.deepEqual(cfg.vips, [0x0adf00f6])
  assert.equal(cfg.primaryAddress, 0x0adf00f5)
})
