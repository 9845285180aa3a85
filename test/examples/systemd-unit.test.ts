/**
 * examples/systemd/hadhcpd.service: the command lines it runs are ones hadhcpd accepts, and it
 * grants the capabilities the daemon uses (no more) to a non-root user.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from '../../src/daemon/args.js'
import { REPO_ROOT } from '../../src/lab/dhcp-lab.js'

const unit = readFileSync(join(REPO_ROOT, 'examples', 'systemd', 'hadhcpd.service'), 'utf8')

function directive(name: string): string[] {
  return unit.split('\n').filter((l) => l.startsWith(`${name}=`)).map((l) => l.slice(name.length + 1).trim())
}

/** The hadhcpd arguments of an Exec line (after `node …/hadhcpd.js`). */
function daemonArgs(line: string): string[] {
  const words = line.split(/\s+/)
  const i = words.findIndex((w) => w.endsWith('/hadhcpd.js'))
  assert.ok(i > 0, line)
  return words.slice(i + 1)
}

test('ExecStart and ExecStartPre are hadhcpd command lines the daemon accepts', () => {
  const [start] = directive('ExecStart')
  const [pre] = directive('ExecStartPre')
  assert.ok(start !== undefined && pre !== undefined)
  const serve = parseArgs(daemonArgs(start))
  assert.equal(serve.mode, 'serve')
  assert.equal(serve.vrrpConfigFile, '/etc/keepalived/keepalived.conf')
  assert.equal(serve.leaseFile, '/var/lib/hadhcpd/dhcpd.leases')
  assert.equal(serve.pidFile, undefined, '--no-pid: systemd tracks the main PID')
  assert.deepEqual(serve.interfaces, ['eth0'])
  assert.equal(serve.failoverGracefulStop, true, 'a planned stop hands the failover relationships over')
  assert.equal(parseArgs(daemonArgs(pre)).mode, 'test-config')
})

test('a dedicated user with exactly CAP_NET_RAW, CAP_NET_BIND_SERVICE and CAP_NET_ADMIN; reload is SIGHUP; the lease dir is the only writable path', () => {
  assert.deepEqual(directive('User'), ['hadhcpd'])
  const caps = ['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW']
  assert.deepEqual(directive('AmbientCapabilities')[0]?.split(/\s+/).sort(), caps)
  assert.deepEqual(directive('CapabilityBoundingSet')[0]?.split(/\s+/).sort(), caps)
  assert.deepEqual(directive('ExecReload'), ['/bin/kill -HUP $MAINPID'])
  assert.deepEqual(directive('ProtectSystem'), ['strict'])
  assert.deepEqual(directive('ReadWritePaths'), ['/var/lib/hadhcpd'])
  assert.ok(!daemonArgs(directive('ExecStart')[0] ?? '').includes('-user'), 'no -user: it would drop the capabilities VRRP needs')
})
