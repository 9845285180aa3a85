/**
 * Syslog as ISC dhcpd logs: the sink and the daemon's output choice with fakes, then the
 * daemon itself sending to a unix datagram socket standing in for /dev/log.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { memoryLogger } from '../../src/daemon/logger.js'
import { createDaemonLogger, SyslogSink } from '../../src/daemon/syslog.js'
import { loadNative } from '../../src/io/native.js'
import { UnixDatagramSocket } from '../../src/io/unix-datagram.js'

const AT = new Date(2026, 11, 7, 6, 30, 0).getTime()

function fakeTarget(fail = false) {
  const sent: string[] = []
  return { sent, target: { send: (b: Buffer) => (fail ? new Error('ECONNREFUSED') : void sent.push(b.toString())) } }
}

test('the sink frames each line at the configured facility; log-facility changes it', () => {
  const f = fakeTarget()
  const sink = new SyslogSink(f.target, { tag: 'dhcpd', pid: 4242, clock: () => AT })
  sink.write('info', 'Server starting service.')
  assert.ok(sink.setFacility('local7'))
  assert.ok(!sink.setFacility('local9'), 'unknown facility refused')
  sink.write('error', 'Configuration file errors encountered -- exiting\n/etc/dhcp/dhcpd.conf:3:1: bad')
  assert.deepEqual(f.sent, [
    '<30>Dec  7 06:30:00 dhcpd[4242]: Server starting service.',
    '<187>Dec  7 06:30:00 dhcpd[4242]: Configuration file errors encountered -- exiting',
    '<187>Dec  7 06:30:00 dhcpd[4242]: /etc/dhcp/dhcpd.conf:3:1: bad',
  ])
})

test('undeliverable records: one notice per run of failures, the line goes to the fallback', () => {
  const troubles: string[] = []
  const sink = new SyslogSink(fakeTarget(true).target, { tag: 'dhcpd', pid: 1, onTrouble: (e) => troubles.push(e.message) })
  const fallback = memoryLogger('debug')
  const log = createDaemonLogger({ level: 'info', console: 'none', syslog: sink, fallback })
  log.log('info', 'A', 'first')
  log.log('info', 'B', 'second')
  log.log('debug', 'C', 'below the level')
  assert.deepEqual(troubles, ['ECONNREFUSED'])
  assert.deepEqual(fallback.lines.map((l) => l.text), ['first', 'second'])
  assert.equal(sink.failures, 2)
})

test('while the syslog daemon\'s queue is full records wait in order and go out on retry; overflow and shutdown fall back', () => {
  const sent: string[] = []
  let busy = true
  const eagain = (): Error => Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' })
  const retries: Array<() => void> = []
  const sink = new SyslogSink(
    { send: (b) => (busy ? eagain() : void sent.push(b.toString().replace(/^.*\]: /, ''))) },
    { tag: 'dhcpd', pid: 1, schedule: (r) => retries.push(r), maxQueued: 3 },
  )
  const undelivered: string[] = []
  sink.onUndelivered = (_l, m) => undelivered.push(m)
  busy = false
  sink.write('info', 'one')
  busy = true
  sink.write('info', 'two')
  busy = false
  sink.write('info', 'three')
  assert.deepEqual(sent, ['one'], 'three waits behind two: order is kept')
  assert.equal(sink.queued, 2)
  assert.equal(retries.length, 1)
  retries.shift()!()
  assert.deepEqual(sent, ['one', 'two', 'three'])
  assert.equal(sink.queued, 0)
  busy = true
  for (const m of ['a', 'b', 'c', 'd']) sink.write('info', m)
  assert.deepEqual(undelivered, ['d'], 'beyond maxQueued a record falls back')
  sink.flush()
  assert.deepEqual(undelivered, ['d', 'a', 'b', 'c'], 'at shutdown what is still queued falls back')
  assert.equal(sink.failures, 4)
})

test('console and syslog both get each line; setFacility reaches the sink', () => {
  const f = fakeTarget()
  const sink = new SyslogSink(f.target, { tag: 'hadhcpd-a', pid: 7, clock: () => AT })
  const consoleLogger = memoryLogger('debug')
  const log = createDaemonLogger({ level: 'info', console: 'text', syslog: sink, consoleLogger })
  assert.ok(log.setFacility('local0'))
  log.log('warn', 'DHCP_NO_FREE_LEASES', 'DHCPDISCOVER from 02:00:00:00:00:09 via eth0: network 198.18.30.0/24: no free leases')
  assert.deepEqual(consoleLogger.lines.map((l) => l.text), ['DHCPDISCOVER from 02:00:00:00:00:09 via eth0: network 198.18.30.0/24: no free leases'])
  assert.deepEqual(f.sent, ['<132>Dec  7 06:30:00 hadhcpd-a[7]: DHCPDISCOVER from 02:00:00:00:00:09 via eth0: network 198.18.30.0/24: no free leases'])
})

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const HADHCPD = join(REPO, 'bin', 'hadhcpd.js')

function run(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stderr: string; stdout: string; pid: number }> {
  return new Promise((resolveRun, reject) => {
    const p = spawn(process.execPath, [HADHCPD, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HADHCPD_LOG_LEVEL: 'info' } })
    let stderr = ''
    let stdout = ''
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const timer = setTimeout(() => {
      p.kill('SIGKILL')
      reject(new Error(`hadhcpd did not exit within ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    p.on('error', reject)
    p.on('exit', (code) => {
      clearTimeout(timer)
      resolveRun({ code, stderr, stdout, pid: p.pid ?? 0 })
    })
  })
}

test('the daemon logs to the syslog socket at dhcpd.conf\'s log-facility, in ISC wording; without it, stderr after one warning', async (t) => {
  const load = loadNative()
  if (!load.ok) {
    if (process.env['CI'] === 'true') assert.fail(load.reason)
    t.skip(load.reason)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-syslog-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const conf = join(dir, 'dhcpd.conf')
  writeFileSync(conf, 'log-facility local7;\nauthoritative;\nsubnet 198.18.30.0 netmask 255.255.255.0 { range 198.18.30.10 198.18.30.20; }\n')
  const devLog = join(dir, 'log')
  const bound = UnixDatagramSocket.bindTo(devLog)
  assert.ok(bound.ok, bound.ok ? '' : bound.reason)
  t.after(() => bound.socket.close())
  const records: string[] = []
  bound.socket.receive((d) => records.push(d.toString()), (err) => assert.fail(err))
  // A named interface that does not exist: the daemon reads its configuration, then stops
  // with ISC's "Not configured to listen on any interfaces!" — no socket but ours is opened.
  const common = ['-cf', conf, '-lf', join(dir, 'leases'), '--no-pid', 'hxsl-none0']
  const r = await run(['--syslog-socket', devLog, ...common])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, '', 'not in the foreground: nothing on stderr while syslog works')
  assert.equal(r.stdout, '')
  for (let i = 0; i < 100 && !records.some((l) => l.includes('Not configured')); i++) await new Promise((res) => setTimeout(res, 20))
  const frame = /^<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) dhcpd\[(\d+)\]: (.*)$/
  for (const line of records) assert.match(line, frame)
  const parsed = records.map((l) => frame.exec(l)!)
  assert.ok(parsed.every((m) => Number(m[3]) === r.pid), 'the pid is the daemon\'s')
  const banner = parsed.find((m) => m[4]!.startsWith('Internet Systems Consortium') || m[4]!.startsWith('hadhcpd'))
  assert.ok(banner, records.join('\n'))
  assert.equal(banner[1], '30', 'before dhcpd.conf is read: daemon.info')
  const fatal = parsed.find((m) => m[4] === 'Not configured to listen on any interfaces!')
  assert.ok(fatal, records.join('\n'))
  assert.equal(fatal[1], '187', 'after dhcpd.conf is read: local7.err')

  const fallback = await run(['--syslog-socket', join(dir, 'missing'), ...common])
  assert.equal(fallback.code, 1)
  const warnings = fallback.stderr.split('\n').filter((l) => l.includes('syslog unavailable'))
  assert.equal(warnings.length, 1, fallback.stderr)
  assert.ok(fallback.stderr.includes('Not configured to listen on any interfaces!'), fallback.stderr)
})
