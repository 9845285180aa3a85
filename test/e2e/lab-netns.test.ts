/**
 * The lab module against the real kernel: needs root and iproute2, skipped otherwise.
 * Uses its own `hbn-t-` namespaces so it cannot disturb a bench run (`hbn-sw`, ...).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildLab, canRunLab, cleanupByPrefix, listNamespaces, runInNamespace } from '../../src/lab/netns.js'
import { runSync } from '../../src/lab/lab-process.js'

const check = canRunLab()
const PREFIX = 'hbn-t-'

test('two namespaces on a bridge exchange UDP; nothing leaks into the root namespace', { skip: check.ok ? false : check.reason, timeout: 60_000 }, async () => {
  const lab = buildLab({
    prefix: PREFIX,
    switchNs: 'hbn-t-sw',
    bridge: 'hbn-t-br',
    members: [
      { ns: 'hbn-t-a', iface: 'hbn-t-a0', address: '198.18.200.1/24', mac: '02:18:c8:00:00:01' },
      { ns: 'hbn-t-b', iface: 'hbn-t-b0', address: '198.18.200.2/24' },
    ],
  })
  try {
    assert.deepEqual(listNamespaces().filter((n) => n.startsWith(PREFIX)).sort(), ['hbn-t-a', 'hbn-t-b', 'hbn-t-sw'])
    assert.doesNotMatch(runSync(['ip', '-o', 'link']).stdout, /hbn-t-/, 'no lab interface in the root namespace')
    const link = runSync(['ip', '-n', 'hbn-t-a', '-o', 'link', 'show', 'hbn-t-a0']).stdout
    assert.match(link, /02:18:c8:00:00:01/)
    const v6 = runSync(['ip', 'netns', 'exec', 'hbn-t-a', 'sysctl', '-n', 'net.ipv6.conf.all.disable_ipv6']).stdout.trim()
    assert.equal(v6, '1')

    const listener = lab.run('hbn-t-a', [process.execPath, '-e', `
      const s = require('node:dgram').createSocket('udp4')
      s.on('message', (m) => { console.log('got ' + m); process.exit(0) })
      s.bind(6767, '198.18.200.1', () => console.log('listening'))
      setTimeout(() => process.exit(9), 20000)`])
    assert.equal((await listener.waitForOutput('listening', 10_000)).found, true)
    const sender = runInNamespace('hbn-t-b', [process.execPath, '-e', `
      const s = require('node:dgram').createSocket('udp4')
      s.send('hello', 6767, '198.18.200.1', () => s.close())`])
    assert.equal((await sender.waitForExit(10_000))?.code, 0)
    assert.equal((await listener.waitForOutput('got hello', 10_000)).found, true)
    await listener.stop(2_000)
  } finally {
    lab.destroy()
  }
  assert.deepEqual(listNamespaces().filter((n) => n.startsWith(PREFIX)), [])
  assert.deepEqual(cleanupByPrefix(PREFIX), [], 'cleanup is idempotent')
})
