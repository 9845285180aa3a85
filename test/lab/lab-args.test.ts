import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_PREFIX, LabUsageError, parseLabArgs } from '../../src/lab/lab-args.js'

test('parseLabArgs: defaults stay up until Ctrl-C on the hlb-x- prefix', () => {
  assert.deepEqual(parseLabArgs([]), { prefix: DEFAULT_PREFIX, durationSeconds: undefined, controlPort: 8067, statusEverySeconds: 30, help: false })
})

test('parseLabArgs: --no-wait, --duration, --prefix, --control-port', () => {
  assert.equal(parseLabArgs(['--no-wait']).durationSeconds, 0)
  assert.equal(parseLabArgs(['--duration', '90']).durationSeconds, 90)
  assert.equal(parseLabArgs(['--prefix', 'hls-x-']).prefix, 'hls-x-')
  assert.equal(parseLabArgs(['--control-port', '0']).controlPort, 0)
  assert.equal(parseLabArgs(['--help']).help, true)
})

test('parseLabArgs refuses what could touch other namespaces or makes no sense', () => {
  for (const argv of [['--prefix', 'hbn-'], ['--prefix', 'x-'], ['--prefix'], ['--prefix', 'hlb-x'], ['--duration', '-1'], ['--duration', 'soon'], ['--control-port', '70000'], ['--bogus']]) {
    assert.throws(() => parseLabArgs(argv), LabUsageError, argv.join(' '))
  }
})
