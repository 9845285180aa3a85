import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildLab, canRunLab, cleanupByPrefix, findExecutable, inNamespace } from '../../src/lab/netns.js'
import { LabProcess, runSync } from '../../src/lab/lab-process.js'

// Only the parts that need no root: validation happens before any `ip` command runs.

test('cleanupByPrefix refuses prefixes that could match unrelated namespaces', () => {
  for (const p of ['', '-', 'h-', 'hbn', 'hbn-*', 'a b-']) assert.throws(() => cleanupByPrefix(p), Error, p)
})

test('buildLab rejects bad specs before touching the system', () => {
  const ok = { ns: 'tst-a', iface: 'tst-a0', address: '198.18.0.1/16' }
  const bad = [
    { prefix: 'tst-', switchNs: 'other-sw', bridge: 'tst-br', members: [ok] },
    { prefix: 'tst-', switchNs: 'tst-sw', bridge: 'tst-br', members: [ok, ok] },
    { prefix: 'tst-', switchNs: 'tst-sw', bridge: 'tst-br', members: [{ ...ok, iface: 'much-too-long0' }] },
    { prefix: 'tst-', switchNs: 'tst-sw', bridge: 'tst-br', members: [{ ...ok, address: '198.18.0.1' }] },
    { prefix: 'tst-', switchNs: 'tst-sw', bridge: 'tst-br', members: [{ ...ok, mac: '02:00:00:00:00' }] },
    { prefix: 'tst-', switchNs: 'tst-sw; reboot', bridge: 'tst-br', members: [ok] },
  ]
  for (const spec of bad) assert.throws(() => buildLab(spec), Error, JSON.stringify(spec))
})

test('inNamespace builds an argv without a shell', () => {
  assert.deepEqual(inNamespace('hbn-cli', ['perfdhcp', '-4', 'a b']), ['ip', 'netns', 'exec', 'hbn-cli', 'perfdhcp', '-4', 'a b'])
  assert.throws(() => inNamespace('$(x)', ['true']))
})

test('canRunLab reports a reason', () => {
  const r = canRunLab(['surely-not-a-real-tool-xyz'])
  assert.equal(r.ok, false)
  assert.ok(r.reason.length > 0)
  assert.equal(findExecutable('surely-not-a-real-tool-xyz'), undefined)
})

test('LabProcess: own process group, output capture, wait and stop', async () => {
  const p = LabProcess.start([process.execPath, '-e', 'console.log("ready"); setInterval(() => {}, 1000)'])
  const found = await p.waitForOutput('ready', 10_000)
  assert.equal(found.found, true)
  const pgrp = runSync(['ps', '-o', 'pgid=', '-p', String(p.pid)]).stdout.trim()
  assert.equal(Number(pgrp), p.pid)
  assert.equal(await p.waitForExit(50), undefined)
  const status = await p.stop(2_000)
  assert.equal(status.signal, 'SIGTERM')
  assert.equal(p.running, false)
})

test('LabProcess: waitForOutput gives up when the process exits', async () => {
  const p = LabProcess.start([process.execPath, '-e', 'process.exit(4)'])
  const r = await p.waitForOutput('never', 10_000)
  assert.equal(r.found, false)
  assert.match(r.reason, /exited \(code 4/)
})
