import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseArgs, DEFAULT_LEASE_FILE, USAGE } from '../../src/daemon/args.js'
import { UsageError } from '../../src/lib/errors.js'

test('dhcpd -t -cf FILE selects config test mode', () => {
  const r = parseArgs(['-t', '-cf', '/etc/dhcp/x.conf'])
  assert.equal(r.mode, 'test-config')
  assert.equal(r.configFile, '/etc/dhcp/x.conf')
  assert.equal(r.leaseFile, DEFAULT_LEASE_FILE)
})

test('a full dhcpd command line, as Debian and the seeds run it', () => {
  const r = parseArgs(['-4', '-f', '-d', '-q', '-cf', 'c', '-lf', 'l', '-pf', 'p', '-p', '6767', 'eth0', 'eth1'])
  assert.deepEqual(
    { mode: r.mode, fg: r.foreground, debug: r.debug, quiet: r.quiet, cf: r.configFile, lf: r.leaseFile, pf: r.pidFile, port: r.port, ifs: r.interfaces },
    { mode: 'serve', fg: true, debug: true, quiet: true, cf: 'c', lf: 'l', pf: 'p', port: 6767, ifs: ['eth0', 'eth1'] },
  )
})

test('-T -lf selects lease file test mode', () => {
  const r = parseArgs(['-T', '-lf', '/var/lib/dhcp/dhcpd.leases'])
  assert.equal(r.mode, 'test-leases')
  assert.equal(r.leaseFile, '/var/lib/dhcp/dhcpd.leases')
})

test('check sub-command with --json', () => {
  const r = parseArgs(['check', 'a.conf', '--json'])
  assert.equal(r.mode, 'check')
  assert.equal(r.configFile, 'a.conf')
  assert.equal(r.json, true)
})

test('compatibility flags that do nothing yet are accepted and explained', () => {
  const r = parseArgs(['-user', 'dhcpd', '-group', 'dhcpd', '-chroot', '/var/empty', 'eth0'])
  assert.equal(r.notes.length, 1)
  assert.match(r.notes[0]!, /^-chroot is ignored/)
  assert.deepEqual([r.user, r.group], ['dhcpd', 'dhcpd'])
  assert.equal(parseArgs(['eth0']).user, undefined)
  assert.throws(() => parseArgs(['-user']), UsageError)
  assert.deepEqual(r.interfaces, ['eth0'])
})

const bad: Array<[string, string[], RegExp]> = [
  ['unknown flag', ['-x'], /unknown option -x/],
  ['missing value', ['-cf'], /-cf needs a value/],
  ['bad port', ['-p', '70000'], /bad port/],
  ['-6', ['-6'], /DHCPv4 only/],
  ['-t with -T', ['-t', '-T'], /cannot be used together/],
]
for (const [name, argv, re] of bad) {
  test(`usage error: ${name}`, () => {
    assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message))
  })
}

test('--path-map maps absolute include prefixes, in both modes', () => {
  const r = parseArgs(['-t', '-cf', 'x', '--path-map', '/usr/local/etc/=conf/'])
  assert.deepEqual(r.pathMap, { '/usr/local/etc/': 'conf/' })
  const c = parseArgs(['check', 'x', '--path-map', '/a/=b/'])
  assert.deepEqual(c.pathMap, { '/a/': 'b/' })
  assert.throws(() => parseArgs(['--path-map', 'nonsense']), /FROM=TO/)
})

test('--transport selects the DHCP transport; auto by default; bad values are usage errors', () => {
  assert.equal(parseArgs(['eth0']).transport, 'auto')
  assert.equal(parseArgs(['--transport', 'udp', 'eth0']).transport, 'udp')
  const r = parseArgs(['-d', '--transport', 'packet', 'eth0'])
  assert.equal(r.transport, 'packet')
  assert.deepEqual(r.interfaces, ['eth0'])
  assert.throws(() => parseArgs(['--transport', 'lpf']), UsageError)
  assert.throws(() => parseArgs(['--transport']), UsageError)
})

test('--vrrp-config FILE is taken beside the dhcpd flags', () => {
  const r = parseArgs(['-f', '-cf', 'c', '-lf', 'l', '--vrrp-config', '/etc/keepalived/keepalived.conf', 'eth0'])
  assert.equal(r.vrrpConfigFile, '/etc/keepalived/keepalived.conf')
  assert.deepEqual(r.interfaces, ['eth0'])
  assert.equal(parseArgs(['eth0']).vrrpConfigFile, undefined)
  assert.throws(() => parseArgs(['--vrrp-config']), UsageError)
  assert.equal(parseArgs(['-t', '--vrrp-config', 'k.conf']).mode, 'test-config')
})

test('control API flags', () => {
  const d = parseArgs([])
  assert.deepEqual(d.control.address, { kind: 'tcp', host: '127.0.0.1', port: 8067 })
  assert.equal(d.control.tokenFile, '/var/lib/hadhcpd/control.token')
  assert.equal(d.control.explicit, false)
  assert.equal(d.control.tls, undefined)
  const u = parseArgs(['--control', 'unix:/run/hadhcpd.sock', '--control-token-file', '/tmp/t', '--control-tls-cert', 'c.pem', '--control-tls-key', 'k.pem'])
  assert.deepEqual(u.control, { address: { kind: 'unix', path: '/run/hadhcpd.sock' }, tokenFile: '/tmp/t', explicit: true, tls: { certFile: 'c.pem', keyFile: 'k.pem' } })
  assert.equal(parseArgs(['--control', 'none']).control.address.kind, 'none')
  assert.throws(() => parseArgs(['--control', 'localhost']), /--control: expected HOST:PORT/)
  assert.throws(() => parseArgs(['--control-tls-cert', 'c.pem']), /go together/)
  const ctl = parseArgs(['ctl', '--json', 'status'])
  assert.deepEqual([ctl.mode, ctl.ctlArgs], ['ctl', ['--json', 'status']])
})

test('logging flags: --syslog-socket, --no-syslog, --syslog-tag, --log-format', () => {
  const d = parseArgs(['eth0'])
  assert.equal(d.syslogSocket, '/dev/log')
  assert.equal(d.syslogTag, 'dhcpd')
  assert.equal(d.logFormat, undefined)
  const r = parseArgs(['--syslog-socket', '/run/test/log', '--syslog-tag', 'hadhcpd-a', '--log-format', 'json', 'eth0'])
  assert.equal(r.syslogSocket, '/run/test/log')
  assert.equal(r.syslogTag, 'hadhcpd-a')
  assert.equal(r.logFormat, 'json')
  assert.deepEqual(r.interfaces, ['eth0'])
  assert.equal(parseArgs(['--no-syslog']).syslogSocket, undefined)
  assert.throws(() => parseArgs(['--log-format', 'xml']), /--log-format/)
  assert.throws(() => parseArgs(['--syslog-tag', 'a b']), /--syslog-tag/)
  assert.throws(() => parseArgs(['--syslog-tag', 'x[1]']), /--syslog-tag/)
})

test('--vrrp-health SPEC: parsed into the policy; a bad spec is a usage error', () => {
  assert.equal(parseArgs(['-f']).vrrpHealth, undefined)
  assert.deepEqual(parseArgs(['--vrrp-health', 'transport=40,lease-store=fault']).vrrpHealth, { transportDown: 40, leaseStoreFailing: 'fault', failoverNotServing: 100 })
  assert.throws(() => parseArgs(['--vrrp-health', 'transport=loud']), UsageError)
  assert.throws(() => parseArgs(['--vrrp-health']), UsageError)
})

test('--failover-graceful-stop: signals hand the failover relationships over first (default off, as Debian\'s dhcpd)', () => {
  assert.equal(parseArgs(['-f']).failoverGracefulStop, false)
  assert.equal(parseArgs(['-f', '--failover-graceful-stop', 'eth0']).failoverGracefulStop, true)
  assert.deepEqual(parseArgs(['--failover-graceful-stop', 'eth0']).interfaces, ['eth0'])
  assert.match(USAGE, /--failover-graceful-stop\n\s+on SIGTERM\/SIGINT, first hand each failover relationship/)
})
