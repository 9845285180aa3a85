/** keepalived.conf semantics: defaults, keepalived's corrections (warnings) and errors, rendered like dhcpd.conf's. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '../../../src/lib/errors.js'
import { errorsOf, instance, lines, load, warningsOf } from './helpers.js'

const only = (src: string) => load(src).config.instances[0]!

const valueCases: { name: string; src: string; want: Record<string, unknown> }[] = [
  { name: 'defaults: BACKUP, priority 100, 1 s, v2, preempt, no auth, GARP 5 s × 5', src: instance(),
    want: { initialState: 'BACKUP', priority: 100, advertIntervalMs: 1000, version: 2, preempt: true, authPass: undefined, garpMasterDelayMs: 5000, garpMasterRepeat: 5, garpMasterRefreshMs: 0, garpMasterRefreshRepeat: 1 } },
  { name: 'state MASTER without priority → 255 (keepalived)', src: instance('state MASTER'), want: { initialState: 'MASTER', priority: 255 } },
  { name: 'priority 255 without state → MASTER', src: instance('priority 255'), want: { initialState: 'MASTER', priority: 255 } },
  { name: 'nopreempt with BACKUP', src: instance('state BACKUP', 'nopreempt'), want: { preempt: false } },
  { name: 'preempt_delay 2.5', src: instance('state BACKUP', 'preempt_delay 2.5'), want: { preemptDelayMs: 2500 } },
  { name: 'v3 fractional advert_int 0.25', src: instance('version 3', 'advert_int 0.25'), want: { version: 3, advertIntervalMs: 250 } },
  { name: 'global_defs vrrp_version 3 inherited', src: lines('global_defs {', '  vrrp_version 3', '}') + instance(), want: { version: 3 } },
  { name: 'instance vrrp_version overrides global', src: lines('global_defs {', '  vrrp_version 3', '}') + instance('vrrp_version 2'), want: { version: 2 } },
  { name: 'global GARP settings inherited, instance overrides', src: lines('global_defs {', '  vrrp_garp_master_delay 10', '  vrrp_garp_master_repeat 3', '  vrrp_garp_master_refresh 60', '}') + instance('garp_master_repeat 2', 'garp_master_refresh_repeat 4'),
    want: { garpMasterDelayMs: 10_000, garpMasterRepeat: 2, garpMasterRefreshMs: 60_000, garpMasterRefreshRepeat: 4 } },
  { name: 'unicast_src_ip and unicast_peer', src: instance('unicast_src_ip 198.18.50.11', 'unicast_peer {', '    198.18.50.12', '}'), want: { unicastSrcIp: 0xc612320b, unicastPeers: [0xc612320c] } },
  { name: 'one-line authentication block (doc §3)', src: instance('authentication { auth_type PASS  auth_pass 1111 }'), want: { authPass: '1111' } },
]
for (const c of valueCases) {
  test(`values: ${c.name}`, () => {
    const i = only(c.src) as unknown as Record<string, unknown>
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(i[k], v, k)
  })
}

test('virtual_ipaddress: prefix default /32, dev and label', () => {
  const i = only(lines('vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 7', '  virtual_ipaddress {', '    10.0.0.1', '    10.0.0.2/24 dev eth1 label eth1:vip', '  }', '}'))
  assert.deepEqual(i.virtualAddresses.map((v) => [v.address, v.prefix, v.dev, v.label, v.loc.line, v.loc.col]), [
    [0x0a000001, 32, undefined, undefined, 5, 5], [0x0a000002, 24, 'eth1', 'eth1:vip', 6, 5],
  ])
})

test('track_interface with and without weight', () => {
  const i = only(instance('track_interface {', '    eth0', '    eth1 weight -20', '}'))
  assert.deepEqual(i.trackInterfaces.map((t) => [t.name, t.weight]), [['eth0', undefined], ['eth1', -20]])
})

const warningCases: { name: string; src: string; want: string[]; check?: Record<string, unknown> }[] = [
  { name: 'auth_pass longer than 8 is truncated', src: instance('authentication {', '    auth_type PASS', '    auth_pass 123456789', '}'),
    want: ['keepalived.conf:9:19: warning: Truncating auth_pass to 8 characters\n        auth_pass 123456789\n                  ^\nhint: keepalived sends "12345678"'], check: { authPass: '12345678' } },
  { name: 'v3 with authentication', src: instance('version 3', 'authentication {', '    auth_type PASS', '    auth_pass 1111', '}'),
    want: ['keepalived.conf:9:9: warning: (VI_1) VRRP version 3 does not support authentication. Ignoring.\n        auth_type PASS\n        ^'], check: { authPass: undefined } },
  { name: 'auth_type without a password', src: instance('authentication {', '    auth_type PASS', '}'),
    want: ['keepalived.conf:8:9: warning: (VI_1) Authentication specified but no password given. Ignoring\n        auth_type PASS\n        ^'], check: { authPass: undefined } },
  { name: 'nopreempt with state MASTER is cleared', src: instance('state MASTER', 'priority 100', 'nopreempt'),
    want: ['keepalived.conf:9:5: warning: (VI_1) Warning - nopreempt will not work with initial state MASTER - clearing\n    nopreempt\n    ^'], check: { preempt: true } },
  { name: 'nopreempt with priority 255 is reset', src: instance('state BACKUP', 'priority 255', 'nopreempt'),
    want: ['keepalived.conf:9:5: warning: (VI_1) nopreempt is incompatible with priority 255 - resetting nopreempt\n    nopreempt\n    ^'], check: { preempt: true } },
  { name: 'preempt_delay with nopreempt is reset', src: instance('state BACKUP', 'nopreempt', 'preempt_delay 5'),
    want: ['keepalived.conf:9:5: warning: (VI_1) preempt_delay is incompatible with nopreempt mode - resetting\n    preempt_delay 5\n    ^'], check: { preemptDelayMs: 0 } },
  { name: 'v2 fractional advert_int is rounded', src: instance('advert_int 1.5'),
    want: ['keepalived.conf:7:16: warning: (VI_1) VRRPv2 advertisement interval 1.500000s must be an integer - rounding\n    advert_int 1.5\n               ^'], check: { advertIntervalMs: 2000 } },
  { name: 'v3 advert_int is rounded to 10 ms', src: instance('version 3', 'advert_int 0.123'),
    want: ['keepalived.conf:8:16: warning: (VI_1) VRRPv3 advertisement interval 0.123000s must be in units of 10ms - rounding\n    advert_int 0.123\n               ^'], check: { advertIntervalMs: 120 } },
  { name: 'v2 advert_int 300 capped at 255', src: instance('advert_int 300'),
    want: ['keepalived.conf:7:16: warning: (VI_1) VRRPv2 advertisement interval 300.00s is out of range. Must be less than 256s. Setting to 255s\n    advert_int 300\n               ^'], check: { advertIntervalMs: 255_000 } },
  { name: 'notify_master is ignored with a warning', src: instance('notify_master "/etc/keepalived/master.sh"'),
    want: ['keepalived.conf:7:5: warning: (VI_1) notify_master is not supported by hadhcpd; ignored\n    notify_master "/etc/keepalived/master.sh"\n    ^\nhint: notify scripts are not run; hadhcpd logs state changes (VRRP_ENTER_*)'] },
  { name: 'virtual_server (LVS) is ignored with a warning', src: instance() + lines('virtual_server 10.0.0.1 80 {', '  lb_algo rr', '}'),
    want: ['keepalived.conf:8:1: warning: virtual_server is not supported by hadhcpd; ignored\nvirtual_server 10.0.0.1 80 {\n^\nhint: LVS load balancing is keepalived\'s checker, not VRRP'] },
  { name: 'global_defs router_id is ignored with a warning', src: lines('global_defs {', '  router_id LVS_DEVEL', '}') + instance(),
    want: ['keepalived.conf:2:3: warning: global_defs router_id is not used by hadhcpd; ignored\n  router_id LVS_DEVEL\n  ^\nhint: hadhcpd reads vrrp_version and vrrp_garp_master_* here'] },
]
for (const c of warningCases) {
  test(`warning: ${c.name}`, () => {
    assert.deepEqual(warningsOf(c.src), c.want)
    const i = only(c.src) as unknown as Record<string, unknown>
    for (const [k, v] of Object.entries(c.check ?? {})) assert.deepEqual(i[k], v, k)
  })
}

const errorCases: { name: string; src: string; want: string[] }[] = [
  { name: 'VRID 256', src: lines('vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 256', '  virtual_ipaddress {', '    10.0.0.1', '  }', '}'),
    want: ['keepalived.conf:3:21: (VI_1) VRID 256 not valid - must be between 1 & 255\n  virtual_router_id 256\n                    ^'] },
  { name: 'VRID 0', src: instance('virtual_router_id 0'), want: ['keepalived.conf:7:23: (VI_1) VRID 0 not valid - must be between 1 & 255\n    virtual_router_id 0\n                      ^'] },
  { name: 'priority 0', src: instance('priority 0'), want: ['keepalived.conf:7:14: (VI_1) Priority 0 not valid - must be between 1 & 255\n    priority 0\n             ^'] },
  { name: 'priority not a number', src: instance('priority high'), want: ['keepalived.conf:7:14: (VI_1) Priority must be a number between 1 and 255, not `high`\n    priority high\n             ^'] },
  { name: 'missing virtual_router_id and interface', src: lines('vrrp_instance VI_1 {', '  virtual_ipaddress {', '    10.0.0.1', '  }', '}'),
    want: ['keepalived.conf:1:1: (VI_1) no interface specified\nvrrp_instance VI_1 {\n^\nhint: interface eth0', 'keepalived.conf:1:1: (VI_1) the virtual router id must be set\nvrrp_instance VI_1 {\n^\nhint: virtual_router_id 51'] },
  { name: 'v3 without VIPs', src: lines('vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 1', '  version 3', '}'),
    want: ['keepalived.conf:1:1: (VI_1) No VIP specified; at least one is required\nvrrp_instance VI_1 {\n^'] },
  { name: 'state SLAVE', src: instance('state SLAVE'), want: ['keepalived.conf:7:11: (VI_1) unknown state SLAVE\n    state SLAVE\n          ^\nhint: state MASTER or state BACKUP'] },
  { name: 'typo with did-you-mean', src: instance('advert_itn 1'), want: ['keepalived.conf:7:5: unknown keyword `advert_itn` in vrrp_instance\n    advert_itn 1\n    ^\nhint: did you mean `advert_int`?'] },
  { name: 'IPv6 VIP', src: instance('virtual_ipaddress {', '    fe80::1/64', '}'), want: ['keepalived.conf:8:9: (VI_1) invalid virtual_ipaddress `fe80::1/64`\n        fe80::1/64\n        ^\nhint: hadhcpd runs VRRP for IPv4 only'] },
  { name: 'auth_type AH', src: instance('authentication {', '    auth_type AH', '}'), want: ['keepalived.conf:8:19: (VI_1) auth_type AH is not supported by hadhcpd\n        auth_type AH\n                  ^\nhint: use auth_type PASS, or VRRP version 3 without authentication'] },
  { name: 'track_script is an error', src: instance('track_script {', '    chk_dhcpd', '}'), want: ['keepalived.conf:7:5: (VI_1) track_script is not supported by hadhcpd\n    track_script {\n    ^\nhint: hadhcpd lowers the priority from its own DHCP health instead (see --vrrp-health)'] },
  { name: 'vrrp_sync_group is an error', src: lines('vrrp_sync_group VG1 {', '  group {', '    VI_1', '  }', '}') + instance(),
    want: ['keepalived.conf:1:1: vrrp_sync_group is not supported by hadhcpd\nvrrp_sync_group VG1 {\n^\nhint: each vrrp_instance moves on its own; hadhcpd ties the address to its DHCP health instead'] },
  { name: 'vrrp_script is an error', src: lines('vrrp_script chk {', '  script "pidof dhcpd"', '}') + instance(),
    want: ['keepalived.conf:1:1: vrrp_script is not supported by hadhcpd\nvrrp_script chk {\n^\nhint: hadhcpd lowers the priority from its own DHCP health instead of scripts'] },
  { name: 'unknown section', src: lines('vrrp_instanse VI_1 {', '}'), want: ['keepalived.conf:1:1: unknown keyword `vrrp_instanse` in keepalived.conf\nvrrp_instanse VI_1 {\n^\nhint: did you mean `vrrp_instance`?'] },
  { name: 'same VRID twice on one interface', src: instance() + instance().replace('VI_1', 'VI_2'),
    want: ['keepalived.conf:8:1: (VI_2) VRID 51 is used by more than one instance on interface eth0\nvrrp_instance VI_2 {\n^\nhint: also VI_1'] },
  { name: 'vrrp_strict in global_defs', src: lines('global_defs {', '  vrrp_strict', '}') + instance(), want: ['keepalived.conf:2:3: global_defs vrrp_strict is not supported by hadhcpd\n  vrrp_strict\n  ^\nhint: strict mode is not implemented'] },
  { name: 'extra word after a value', src: instance('priority 90 91'), want: ['keepalived.conf:7:17: unexpected `91` after priority\n    priority 90 91\n                ^'] },
]
for (const c of errorCases) {
  test(`error: ${c.name}`, () => assert.deepEqual(errorsOf(c.src).rendered, c.want))
}

test('errors carry the warnings met on the way; ConfigError message names the first error', () => {
  const src = instance('notify_master x', 'priority 0')
  assert.throws(() => load(src), (e: unknown) => e instanceof ConfigError && e.message === 'keepalived.conf:8:14: (VI_1) Priority 0 not valid - must be between 1 & 255')
  assert.deepEqual(errorsOf(src).diagnostics.map((d) => d.severity), ['warning', 'error'])
})

test('a file with no vrrp_instance loads with a warning', () => {
  assert.deepEqual(warningsOf(lines('global_defs {', '}')), ['keepalived.conf:1:1: warning: no vrrp_instance in the configuration\nglobal_defs {\n^'])
})

test('dont_track_primary clears tracking of the instance\'s own interface (tracked by default)', () => {
  assert.equal(only(instance()).trackPrimary, true)
  assert.equal(only(instance('dont_track_primary')).trackPrimary, false)
})
