import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseOptions } from '../../bench/options.js'
import { loadArgv, probeArgv } from '../../bench/perfdhcp.js'

test('defaults follow docs/benchmarking.md', () => {
  const o = parseOptions([], {})
  assert.deepEqual(o.kinds, ['dhcpd', 'kea', 'hadhcpd'])
  assert.deepEqual(o.rates.dhcpd, [250, 500, 750, 1000, 1500])
  assert.deepEqual(o.rates.kea, [1000, 2000, 3000, 4000, 6000, 8000])
  assert.deepEqual(o.rates.hadhcpd, [1000, 2000, 4000, 6000, 8000])
  assert.equal(o.durationS, 12)
  assert.equal(o.repeats, 1)
  assert.deepEqual(o.modes, ['bcast'])
  assert.equal(o.timestamps, true)
  assert.equal(o.serverCpu, '0')
  assert.equal(o.clientCpu, '1')
  assert.equal(o.hadhcpdReadyLine, 'Server starting service.')
})

test('quick mode: 3 s steps and two rates per kind; explicit duration wins', () => {
  const o = parseOptions(['--quick'], {})
  assert.equal(o.durationS, 3)
  assert.deepEqual(o.rates.kea, [1000, 2000])
  assert.equal(parseOptions(['--quick', '--duration', '5'], {}).durationS, 5)
})

test('flags win over env; env is used otherwise', () => {
  const env = { BENCH_KINDS: 'kea', RATES_kea: '500 700', DURATION: '4', REPEATS: '3', MODES: 'ucast', TIMESTAMPS: '0', SERVER_CPUS: '' }
  const o = parseOptions(['--rates-kea', '100'], env)
  assert.deepEqual(o.kinds, ['kea'])
  assert.deepEqual(o.rates.kea, [100])
  assert.equal(o.durationS, 4)
  assert.equal(o.repeats, 3)
  assert.deepEqual(o.modes, ['ucast'])
  assert.equal(o.timestamps, false)
  assert.equal(o.serverCpu, '')
  assert.deepEqual(parseOptions(['--kinds', 'dhcpd,kea', '--mode', 'bcast,ucast'], env).modes, ['bcast', 'ucast'])
})

test('bad options throw', () => {
  const bad = [['--kinds', 'isc'], ['--mode', 'anycast'], ['--duration', '0.5'], ['--repeats', '0'], ['--server-cpu', '0;rm'], ['--bogus']]
  for (const argv of bad) assert.throws(() => parseOptions(argv, {}), Error, argv.join(' '))
})

test('perfdhcp argv matches the doc for bcast and ucast', () => {
  assert.deepEqual(loadArgv({ rate: 500, durationS: 12, mode: 'bcast', timestamps: true, clientCpu: '1' }),
    ['taskset', '-c', '1', 'perfdhcp', '-4', '-r', '500', '-p', '12', '-R', '40000', '-W', '500000', '-x', 't', '-l', 'hbn-c0'])
  assert.deepEqual(loadArgv({ rate: 500, durationS: 12, mode: 'ucast', timestamps: false, clientCpu: '' }),
    ['perfdhcp', '-4', '-r', '500', '-p', '12', '-R', '40000', '-W', '500000', '-l', '198.18.0.2', '198.18.0.1'])
  assert.throws(() => loadArgv({ rate: 1, durationS: 0.3, mode: 'bcast', timestamps: false, clientCpu: '' }))
  assert.deepEqual(probeArgv(), ['perfdhcp', '-4', '-l', 'hbn-c0', '-r', '20', '-p', '1', '-W', '200000', '-R', '1', '-b', 'mac=02:ab:ff:00:00:01'])
})
