import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  backupAddressCount, countOccurrences, ioSyscalls, failoverPairConf, iscLeaseDate, keaHaConfig, pairLoadArgv, seededNormalLeases,
  FAILOVER_NAME, KEA_HALVES,
} from '../../bench/pair-configs.js'
import { parsePairOptions, DEFAULT_PAIR_RATES } from '../../bench/pair-options.js'
import { pairRatios, sharePct, summarizePairStep, type PairRun } from '../../bench/pair-report.js'
import { compileMemory } from '../config/helpers.js'

test('failover pair confs: split and mclt on the primary only, the pool names the peer, both parse', () => {
  const p = failoverPairConf({ role: 'primary', self: '198.18.0.1', peer: '198.18.0.3' })
  const s = failoverPairConf({ role: 'secondary', self: '198.18.0.3', peer: '198.18.0.1' })
  assert.match(p, /primary;\n {2}address 198\.18\.0\.1;[\s\S]*peer address 198\.18\.0\.3;[\s\S]*split 128;/)
  assert.doesNotMatch(s, /split|mclt/)
  for (const conf of [p, s]) {
    assert.match(conf, new RegExp(`pool \\{\\n {4}failover peer "${FAILOVER_NAME}";\\n {4}range 198\\.18\\.1\\.0 198\\.18\\.255\\.254;`))
    const { config } = compileMemory(conf)
    assert.equal(config.failoverPeers.get(FAILOVER_NAME)?.role, conf === p ? 'primary' : 'secondary')
  }
})

test('seeded lease file starts both sides NORMAL with ISC dates (weekday first, UTC)', () => {
  const at = new Date(Date.UTC(2026, 11, 7, 6, 5, 9)) // a Monday
  assert.equal(iscLeaseDate(at), '1 2026/12/07 06:05:09')
  assert.equal(seededNormalLeases(at), `failover peer "${FAILOVER_NAME}" state {\n  my state normal at 1 2026/12/07 06:05:09;\n  partner state normal at 1 2026/12/07 06:05:09;\n}\n`)
})

test('Kea HA config: both hooks, load-balancing, this-server-name, split pools by HA class, MT for the listener', () => {
  const json = JSON.parse(keaHaConfig({ which: 2, iface: 'hbp-s2', ips: ['198.18.0.1', '198.18.0.3'], dir: '/w' })) as {
    Dhcp4: {
      'hooks-libraries': Array<{ library: string; parameters?: { 'high-availability': Array<Record<string, unknown> & { peers: Array<{ name: string; url: string; role: string }> }> } }>
      'multi-threading': { 'enable-multi-threading': boolean }
      subnet4: Array<{ pools: Array<{ pool: string; 'client-class': string }> }>
    }
  }
  const d = json.Dhcp4
  assert.deepEqual(d['hooks-libraries'].map((h) => h.library.split('/').pop()), ['libdhcp_lease_cmds.so', 'libdhcp_ha.so'])
  const ha = d['hooks-libraries'][1]?.parameters?.['high-availability'][0]
  assert.equal(ha?.['this-server-name'], 'server2')
  assert.equal(ha?.['mode'], 'load-balancing')
  assert.deepEqual(ha?.peers.map((p) => [p.name, p.url, p.role]), [
    ['server1', 'http://198.18.0.1:8001/', 'primary'], ['server2', 'http://198.18.0.3:8001/', 'secondary'],
  ])
  assert.equal(d['multi-threading']['enable-multi-threading'], true)
  assert.deepEqual(d.subnet4[0]?.pools, [
    { pool: `${KEA_HALVES[0].first} - ${KEA_HALVES[0].last}`, 'client-class': 'HA_server1' },
    { pool: `${KEA_HALVES[1].first} - ${KEA_HALVES[1].last}`, 'client-class': 'HA_server2' },
  ])
})

test('perfdhcp load argv broadcasts on the client interface, pinned when asked', () => {
  assert.deepEqual(pairLoadArgv({ rate: 2000, durationS: 10, clientCpu: '1', iface: 'hbp-c0', clients: 40000 }),
    ['taskset', '-c', '1', 'perfdhcp', '-4', '-r', '2000', '-p', '10', '-R', '40000', '-W', '500000', '-x', 't', '-l', 'hbp-c0'])
  assert.throws(() => pairLoadArgv({ rate: 1, durationS: 0.5, clientCpu: '', iface: 'x', clients: 1 }), /whole seconds/)
})

test('backup count uses the latest block per address and ignores rewind states', () => {
  const text = [
    'lease 198.18.1.1 {\n  binding state backup;\n}',
    'lease 198.18.1.2 {\n  binding state backup;\n}',
    'lease 198.18.1.2 {\n  binding state active;\n  rewind binding state backup;\n}',
    'lease 198.18.1.3 {\n  binding state free;\n  rewind binding state backup;\n}',
    'lease 198.18.1.1 {\n  binding state backup;\n}',
  ].join('\n')
  assert.equal(backupAddressCount(text), 1)
  assert.equal(countOccurrences('DHCPACK on a\nDHCPACK on b\nDHCPOFFER on c\n', 'DHCPACK on'), 2)
})

test('options: defaults, kinds validated, rates shared by every kind', () => {
  const o = parsePairOptions([], {})
  assert.deepEqual(o.kinds, ['hadhcpd', 'hadhcpd-pair', 'dhcpd-pair', 'kea-ha'])
  assert.deepEqual(o.rates, [...DEFAULT_PAIR_RATES])
  assert.equal(o.serverCpu, '0')
  assert.deepEqual(parsePairOptions(['--kinds', 'kea-ha', '--rates', '2000 1000'], {}).rates, [1000, 2000])
  assert.throws(() => parsePairOptions(['--kinds', 'kea'], {}), /unknown kind/)
  assert.deepEqual(parsePairOptions(['--kinds', 'isc-hadhcpd-pair'], {}).kinds, ['isc-hadhcpd-pair'], 'interop extras by name only')
})

function run(kind: string, rate: number, compl: number, cpu: number, acks: number[]): PairRun {
  return {
    kind, offeredRate: rate, repeat: 1, durationS: 10, syncMs: 0, discoversSent: 100, offersReceived: 100, requestsSent: 100,
    acksReceived: compl, dropsDO: 0, dropsRA: 0, orphansDO: 0, orphansRA: 0, sentRate: 10, achievedRate: compl / 10,
    completionPct: compl, serverCpuMs: cpu * compl, cpuMsPerNode: [cpu * compl], cpuMsPerDora: cpu,
    offersPerNode: acks, acksPerNode: acks, loadavg1: 0,
  }
}

test('report: per-node share, duplicate-offer ratio, ratio of max sustained rates and of CPU at common rates', () => {
  assert.deepEqual(sharePct([30, 10]), [75, 25])
  const s = summarizePairStep([run('hadhcpd-pair', 1000, 100, 0.2, [50, 50])])
  assert.deepEqual(s.ackSharePct, [50, 50])
  assert.equal(s.offersLoggedPerReceived, 1)
  const outcome = (kind: string, steps: PairRun[]): { kind: string; label: string; durability: string; steps: ReturnType<typeof summarizePairStep>[] } =>
    ({ kind, label: kind, durability: '', steps: steps.map((r) => summarizePairStep([r])) })
  const r = pairRatios([
    outcome('hadhcpd-pair', [run('hadhcpd-pair', 500, 100, 0.2, [1, 1]), run('hadhcpd-pair', 2000, 99.5, 0.25, [1, 1])]),
    outcome('kea-ha', [run('kea-ha', 500, 100, 0.6, [1, 1]), run('kea-ha', 1000, 90, 0.7, [1, 1])]),
  ])
  assert.equal(r.rate, 4)
  assert.ok(r.cpu !== undefined && Math.abs(r.cpu - 3) < 1e-9)
})

test('/proc/PID/io: read and write syscall counters', () => {
  assert.deepEqual(ioSyscalls('rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 3\nread_bytes: 0\n'), { reads: 10, writes: 3 })
  assert.equal(ioSyscalls(''), undefined)
})
