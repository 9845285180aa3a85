/**
 * The shipped alert rules (examples/prometheus/hadhcpd-alerts.yml): every metric they use is
 * one hadhcpd exports, promtool accepts the file, and promtool's rule unit tests fire each
 * alert on the behaviour it is about (and not otherwise). Skips without promtool (Debian
 * package prometheus; .ci/run installs it).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { METRICS } from '../../src/daemon/metric-names.js'
import { findExecutable } from '../../src/lab/netns.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const RULES = join(REPO, 'examples', 'prometheus', 'hadhcpd-alerts.yml')

test('the alert rules use only metrics hadhcpd exports', () => {
  const text = readFileSync(RULES, 'utf8')
  const exported = new Set(Object.values(METRICS).map((m) => m.name))
  const used = new Set([...text.matchAll(/\b(hadhcpd_[a-z0-9_]+?)(?:_bucket|_sum|_count)?\b(?=[{[)\s])/g)].map((m) => m[1]!))
  assert.ok(used.size >= 6, [...used].join(' '))
  for (const name of used) assert.ok(exported.has(name), `${name} is not an exported metric`)
})

const UNIT_TESTS = (rules: string): string => `
rule_files: [${JSON.stringify(rules)}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'hadhcpd_pool_utilisation_ratio{job="hadhcpd",instance="a",subnet="198.18.0.0/24",pool="198.18.0.0/24#0"}'
        values: '0.95x20'
      - series: 'hadhcpd_pool_utilisation_ratio{job="hadhcpd",instance="a",subnet="198.18.1.0/24",pool="198.18.1.0/24#0"}'
        values: '0.5x20'
      - series: 'hadhcpd_failover_state{job="hadhcpd",instance="a",peer="dhcp-failover",state="normal"}'
        values: '1 1 0x18'
      - series: 'hadhcpd_failover_state{job="hadhcpd",instance="b",peer="dhcp-failover",state="normal"}'
        values: '1x20'
      - series: 'hadhcpd_failover_peer_clock_skew_seconds{job="hadhcpd",instance="a",peer="dhcp-failover"}'
        values: '-45x20'
      - series: 'hadhcpd_failover_peer_clock_skew_seconds{job="hadhcpd",instance="b",peer="dhcp-failover"}'
        values: '5x20'
      - series: 'hadhcpd_vrrp_state{job="hadhcpd",instance="a",vrrp_instance="VI_1",state="master"}'
        values: '1x20'
      - series: 'hadhcpd_vrrp_state{job="hadhcpd",instance="b",vrrp_instance="VI_1",state="master"}'
        values: '0x5 1x15'
      - series: 'hadhcpd_vrrp_state{job="hadhcpd",instance="a",vrrp_instance="VI_2",state="master"}'
        values: '0x20'
      - series: 'hadhcpd_vrrp_state{job="hadhcpd",instance="b",vrrp_instance="VI_2",state="master"}'
        values: '0x20'
      # 100 fsyncs a minute: at 0.1 s each on a, at 1 ms on b.
      - series: 'hadhcpd_journal_fsync_duration_seconds_bucket{job="hadhcpd",instance="a",le="0.05"}'
        values: '0x20'
      - series: 'hadhcpd_journal_fsync_duration_seconds_bucket{job="hadhcpd",instance="a",le="0.1"}'
        values: '0+100x20'
      - series: 'hadhcpd_journal_fsync_duration_seconds_bucket{job="hadhcpd",instance="a",le="+Inf"}'
        values: '0+100x20'
      - series: 'hadhcpd_journal_fsync_duration_seconds_bucket{job="hadhcpd",instance="b",le="0.001"}'
        values: '0+100x20'
      - series: 'hadhcpd_journal_fsync_duration_seconds_bucket{job="hadhcpd",instance="b",le="0.05"}'
        values: '0+100x20'
      - series: 'hadhcpd_journal_fsync_duration_seconds_bucket{job="hadhcpd",instance="b",le="+Inf"}'
        values: '0+100x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: HadhcpdPoolNearlyFull
        exp_alerts:
          - exp_labels: { severity: warning, job: hadhcpd, instance: a, subnet: 198.18.0.0/24, pool: "198.18.0.0/24#0" }
            exp_annotations:
              summary: "DHCP pool 198.18.0.0/24#0 is 95% used"
              description: "More than 90% of pool 198.18.0.0/24#0 (subnet 198.18.0.0/24) on a is leased. New clients will soon get no address."
      - eval_time: 5m
        alertname: HadhcpdFailoverNotNormal
        exp_alerts: []
      - eval_time: 9m
        alertname: HadhcpdFailoverNotNormal
        exp_alerts:
          - exp_labels: { severity: warning, job: hadhcpd, instance: a, peer: dhcp-failover, state: normal }
            exp_annotations:
              summary: "Failover relationship dhcp-failover on a is not NORMAL"
              description: "Not in NORMAL for 5 minutes. In COMMUNICATIONS-INTERRUPTED each server only extends leases by MCLT and the pool drains; check the partner and the failover link."
      - eval_time: 5m
        alertname: HadhcpdFailoverPeerClockSkew
        exp_alerts:
          - exp_labels: { severity: warning, job: hadhcpd, instance: a, peer: dhcp-failover }
            exp_annotations:
              summary: "Failover peer dhcp-failover clock differs by 45 s"
              description: "The partners' clocks differ by more than 30 s (ISC refuses the connection beyond 60 s). Fix NTP on both nodes."
      - eval_time: 16m
        alertname: HadhcpdJournalFsyncSlow
        exp_alerts:
          - exp_labels: { severity: warning, job: hadhcpd, instance: a }
            exp_annotations:
              summary: "Lease journal fsync p99 on a is 99.5ms"
              description: "Every ACK waits for its fsync: a slow disk is slow DHCP."
      - eval_time: 3m
        alertname: HadhcpdVrrpTwoMasters
        exp_alerts: []
      - eval_time: 8m
        alertname: HadhcpdVrrpTwoMasters
        exp_alerts:
          - exp_labels: { severity: critical, job: hadhcpd, vrrp_instance: VI_1 }
            exp_annotations:
              summary: "2 nodes are VRRP MASTER for VI_1 (split brain)"
              description: "Both nodes hold the VIP: adverts do not reach the other node (firewall, VLAN, authentication or VRID mismatch; see hadhcpd_vrrp_adverts_dropped_total)."
      - eval_time: 5m
        alertname: HadhcpdVrrpNoMaster
        exp_alerts:
          - exp_labels: { severity: critical, job: hadhcpd, vrrp_instance: VI_2 }
            exp_annotations:
              summary: "No node is VRRP MASTER for VI_2: nobody holds the VIP"
`

test('promtool accepts the rules and its unit tests fire each alert when it should', (t) => {
  const promtool = findExecutable('promtool')
  if (promtool === undefined) {
    if (process.env['CI'] === 'true') assert.fail('promtool missing (Debian package prometheus)')
    t.skip('promtool not installed (Debian package prometheus)')
    return
  }
  const check = spawnSync(promtool, ['check', 'rules', RULES], { encoding: 'utf8' })
  assert.equal(check.status, 0, check.stdout + check.stderr)
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-rules-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const tests = join(dir, 'tests.yml')
  writeFileSync(tests, UNIT_TESTS(RULES))
  const r = spawnSync(promtool, ['test', 'rules', tests], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})
