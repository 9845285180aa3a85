/**
 * VIP manager with a fake `ip` and a fake packet socket: the runner's synchronous calls run in
 * order, `ip` argv is exact, already-present / already-gone is not an error, GARPs are
 * keepalived's 42-byte frames, `ip` durations are recorded.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CommandVipManager, ipAddrArgv, median, type CommandResult, type FrameSender } from '../../src/io/vip.js'
import { loadKeepalivedConfig } from '../../src/config/keepalived/index.js'
import { memoryReader } from '../../src/config/source-reader.js'
import { garpFrame } from '../../src/protocol/vrrp/garp.js'

const CONF = `vrrp_instance VI_1 {
  interface eth2
  virtual_router_id 51
  priority 99
  virtual_ipaddress {
    10.223.0.246/32
    198.18.60.100/24 dev eth3 label eth3:vip
  }
}
`
const inst = loadKeepalivedConfig('k.conf', memoryReader({ 'k.conf': CONF })).config.instances[0]!
const MAC = Buffer.from([2, 0xfa, 0, 0, 0, 2])

function harness(results: (argv: readonly string[]) => CommandResult = () => ({ code: 0, stderr: '' })) {
  const calls: string[] = []
  const frames: { ifname: string; frame: Buffer }[] = []
  const logs: string[] = []
  let t = 0
  const vips = new CommandVipManager({
    ipPath: '/sbin/ip',
    run: async (argv) => {
      calls.push(argv.join(' '))
      await new Promise((r) => setTimeout(r, argv.includes('add') ? 5 : 1)) // adds slower than dels: order must still hold
      t += 3
      return results(argv)
    },
    frameSender: (ifname): FrameSender => ({ mac: MAC, sendBroadcast: (frame) => void frames.push({ ifname, frame }) }),
    log: (_level, event, message) => void logs.push(`${event} ${message}`),
    now: () => t,
  })
  return { vips, calls, frames, logs }
}

test('ip argv: address/prefix, the VIP\'s own dev, label only on add', () => {
  const v = inst.virtualAddresses[1]!
  assert.deepEqual(ipAddrArgv('ip', 'add', v, 'eth3'), ['ip', 'addr', 'add', '198.18.60.100/24', 'dev', 'eth3', 'label', 'eth3:vip'])
  assert.deepEqual(ipAddrArgv('ip', 'del', v, 'eth3'), ['ip', 'addr', 'del', '198.18.60.100/24', 'dev', 'eth3'])
})

test('operations run in the order the runner called them, GARPs after the add', async () => {
  const h = harness()
  h.vips.remove(inst) // start-up stale removal
  h.vips.add(inst)
  h.vips.sendGratuitousArps(inst, 5)
  h.vips.remove(inst)
  await h.vips.idle()
  assert.deepEqual(h.calls, [
    '/sbin/ip addr del 10.223.0.246/32 dev eth2', '/sbin/ip addr del 198.18.60.100/24 dev eth3',
    '/sbin/ip addr add 10.223.0.246/32 dev eth2', '/sbin/ip addr add 198.18.60.100/24 dev eth3 label eth3:vip',
    '/sbin/ip addr del 10.223.0.246/32 dev eth2', '/sbin/ip addr del 198.18.60.100/24 dev eth3',
  ])
  assert.equal(h.frames.length, 10)
  assert.deepEqual(h.frames[0]!, { ifname: 'eth2', frame: garpFrame(MAC, inst.virtualAddresses[0]!.address) })
  assert.equal(h.frames[5]!.ifname, 'eth3')
  assert.deepEqual({ adds: h.vips.stats.adds, removes: h.vips.stats.removes, garps: h.vips.stats.garps, failures: h.vips.stats.failures }, { adds: 2, removes: 4, garps: 10, failures: 0 })
  assert.deepEqual(h.vips.stats.durationsMs, [3, 3, 3, 3, 3, 3])
  assert.equal(h.vips.holds('eth2', inst.virtualAddresses[0]!.address), false)
})

test('an address already there (add) or already gone (del) is the wanted state, other failures are logged', async () => {
  const h = harness((argv) => {
    if (argv.includes('add') && argv.includes('eth2')) return { code: 2, stderr: 'RTNETLINK answers: File exists\n' }
    if (argv.includes('del') && argv.includes('eth2')) return { code: 2, stderr: 'RTNETLINK answers: Cannot assign requested address\n' }
    return { code: 2, stderr: 'RTNETLINK answers: Operation not permitted\n' }
  })
  h.vips.remove(inst)
  h.vips.add(inst)
  await h.vips.idle()
  assert.equal(h.vips.holds('eth2', inst.virtualAddresses[0]!.address), true)
  assert.equal(h.vips.holds('eth3', inst.virtualAddresses[1]!.address), false)
  assert.equal(h.vips.stats.failures, 2)
  assert.equal(h.logs.length, 2)
  assert.match(h.logs[0]!, /^VRRP_VIP_FAILED \/sbin\/ip addr del 198\.18\.60\.100\/24 dev eth3: RTNETLINK answers: Operation not permitted$/)
})

test('a GARP send failure is logged once per VIP and counted', async () => {
  const logs: string[] = []
  const vips = new CommandVipManager({
    run: async () => ({ code: 0, stderr: '' }),
    frameSender: (ifname) => (ifname === 'eth2' ? { mac: MAC, sendBroadcast: () => { throw new Error('sendto: ENETDOWN') } } : undefined),
    log: (_l, e, m) => void logs.push(`${e} ${m}`),
  })
  vips.sendGratuitousArps(inst, 5)
  await vips.idle()
  assert.equal(vips.stats.failures, 2)
  assert.match(logs[0]!, /gratuitous ARP for 10\.223\.0\.246 on eth2: sendto: ENETDOWN/)
  assert.match(logs[1]!, /no packet socket on eth3/)
})

test('median', () => {
  assert.equal(median([]), 0)
  assert.equal(median([5, 1, 3]), 3)
  assert.equal(median([4, 1, 3, 2]), 2.5)
})
