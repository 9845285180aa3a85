/** `hadhcpd ctl` against an in-process control API over a fake context: output, --json, exit codes. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlApi } from '../../src/api/auth.js'
import { ControlHttpServer } from '../../src/api/http-server.js'
import { runCtl, requestTimeoutMs, EXIT_API, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE } from '../../src/daemon/ctl.js'
import { FakeContext, SHARED } from '../api/fake-context.js'

const TOKEN = 'c0ffee'.repeat(8)

async function harness(t: import('node:test').TestContext, ctx = new FakeContext()) {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-ctl-'))
  const tokenFile = join(dir, 'token')
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 })
  const server = new ControlHttpServer({ api: new ControlApi({ token: TOKEN, ctx, warn: () => undefined, now: () => 0 }), address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, onError: () => undefined })
  await server.listen()
  t.after(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const addr = `127.0.0.1:${server.port}`
  const run = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = ''
    let err = ''
    const code = await runCtl(['--control', addr, '--token-file', tokenFile, ...args], { out: (s) => void (out += s), err: (s) => void (err += s) })
    return { code, out, err }
  }
  return { run, ctx, dir, addr, tokenFile }
}

test('ctl status: server, failover and VRRP tables', async (t) => {
  const { run } = await harness(t)
  const r = await run('status')
  assert.equal(r.code, EXIT_OK, r.err)
  assert.match(r.out, /^hadhcpd 0\.1\.0, up 12s/)
  assert.match(r.out, /interfaces eth0 \(udp\)/)
  const lines = r.out.split('\n')
  const head = lines.findIndex((l) => l.startsWith('PEER'))
  assert.ok(head > 0)
  assert.match(lines[head + 1]!, /^dhcp-failover\s+primary\s+normal\s+normal\s+up\s+2026-12-07 06:00:10\s+0s\s+3600/)
  assert.match(r.out, /VI_1\s+51\s+eth2\s+MASTER\s+99\s+99\s+-\s+198\.18\.0\.246\/32 \(held\)\s+198\.18\.0\.2\s+ok/)
})

test('ctl pools: aligned columns with utilisation percent; --json is the API JSON', async (t) => {
  const { run } = await harness(t)
  const r = await run('pools')
  assert.equal(r.code, EXIT_OK)
  const [header, row] = r.out.split('\n')
  assert.ok(header!.startsWith('POOL'))
  // Right-aligned numbers end where their header ends.
  assert.equal(row!.indexOf('11.0%') + '11.0%'.length, header!.indexOf('USED') + 'USED'.length)
  assert.equal(row!.indexOf(' 91') + 3, header!.indexOf('TOTAL') + 'TOTAL'.length)
  const j = await run('--json', 'pools')
  assert.equal(JSON.parse(j.out).pools[0].total, 91)
})

test('ctl leases: filters become the query; CSV passes through', async (t) => {
  const { run, ctx } = await harness(t)
  const r = await run('leases', '--hostname', 'print', '--limit', '5')
  assert.equal(r.code, EXIT_OK)
  assert.match(r.out, /^IP\s+STATE\s+MAC\s+HOSTNAME/)
  assert.match(r.out, /198\.18\.0\.11\s+free\s+02:00:00:00:00:02\s+printer/)
  assert.equal(ctx.calls.at(-1), 'leases {"hostname":"print"}')
  const csv = await run('leases', '--csv')
  assert.match(csv.out, /^ip,state,mac/)
  const bad = await run('leases', '--state', 'bogus')
  assert.equal(bad.code, EXIT_API)
  assert.match(bad.err, /400: state: expected one of free, active/)
  const paged = await run('leases', '--limit', '1')
  assert.match(paged.out, /\(1-1 of 2; --offset\/--limit for more\)/)
})

test('ctl lease shows the history; actions print one line', async (t) => {
  const { run, ctx } = await harness(t)
  const one = await run('lease', '198.18.0.10')
  assert.match(one.out, /^ip {8}198\.18\.0\.10\n/)
  assert.match(one.out, /History \(lease file, oldest first\)/)
  assert.equal((await run('release', '198.18.0.10')).out, '198.18.0.10: now free\n')
  assert.equal((await run('abandon', '198.18.0.10')).out, '198.18.0.10: now abandoned\n')
  assert.equal((await run('delete', '198.18.0.10')).out, '198.18.0.10: lease deleted\n')
  const missing = await run('free', '198.18.0.99')
  assert.deepEqual([missing.code, missing.err], [EXIT_API, 'hadhcpd ctl: 404: no lease for 198.18.0.99\n'])
  assert.equal((await run('rebalance', 'dhcp-failover')).code, EXIT_OK)
  assert.match((await run('vrrp-priority', 'VI_1', '20')).out, /priority set to 20, effective priority 20/)
  assert.match((await run('vrrp-priority', 'VI_1', 'clear')).out, /override cleared/)
  assert.match((await run('step-down', 'VI_1')).out, /stepped down/)
  assert.deepEqual(ctx.calls, ['release 198.18.0.10', 'abandon 198.18.0.10', 'delete 198.18.0.10', 'free 198.18.0.99', 'rebalance dhcp-failover', 'vrrp VI_1 20', 'vrrp VI_1 null', 'vrrp VI_1 step-down'])
})

test('ctl partner-down insists on --yes and explains; reload prints the config errors', async (t) => {
  const { run, ctx } = await harness(t)
  const no = await run('partner-down', 'dhcp-failover')
  assert.equal(no.code, EXIT_USAGE)
  assert.match(no.err, /needs --yes[\s\S]*really down/)
  assert.equal(ctx.calls.length, 0)
  const yes = await run('partner-down', 'dhcp-failover', '--yes')
  assert.deepEqual([yes.code, yes.out], [EXIT_OK, 'failover peer dhcp-failover: partner-down\n'])
  ctx.reloadResult = { ok: false, errors: ['/etc/dhcp/dhcpd.conf:4:2: expected ;'] }
  const rl = await run('reload')
  assert.equal(rl.code, EXIT_API)
  assert.match(rl.err, /400: the new configuration was rejected.*\n  \/etc\/dhcp\/dhcpd\.conf:4:2: expected ;\n$/)
})

test('ctl shutdown: confirms for the operator, prints the hand-over per peer; --json is the API JSON', async (t) => {
  const { run, ctx } = await harness(t)
  const r = await run('shutdown')
  assert.equal(r.code, EXIT_OK, r.err)
  const lines = r.out.split('\n')
  assert.equal(lines[0], 'hadhcpd is stopping; the partner of dhcp-failover is in partner-down and serves the whole pool')
  assert.match(lines[1]!, /^PEER\s+HAND-OVER\s+PARTNER\s+WAITED\s+RECORDED \(UTC\)$/)
  assert.match(lines[2]!, /^dhcp-failover\s+confirmed\s+partner-down\s+12 ms\s+recover since 2026-12-07 05:59:00 \(backdated by MCLT: no recover-wait on restart\)$/)
  assert.deepEqual(ctx.calls, ['shutdown'])
  const j = await run('--json', 'shutdown')
  assert.equal(j.code, EXIT_OK)
  const body = JSON.parse(j.out) as { ok: boolean; stopping: boolean; failover: { outcome: string; waitedMs: number }[] }
  assert.deepEqual([body.ok, body.stopping, body.failover[0]?.outcome, body.failover[0]?.waitedMs], [true, true, 'confirmed', 12])
  assert.equal((await run('shutdown', 'now')).code, EXIT_USAGE)
  delete ctx.shutdown
  const refused = await run('shutdown')
  assert.deepEqual([refused.code, refused.err], [EXIT_API, 'hadhcpd ctl: 409: this daemon cannot be shut down through the API\n'])
})

test('ctl --timeout: shutdown waits longer by default (the hand-over answers late); a slower answer than --timeout is reported', async (t) => {
  assert.equal(requestTimeoutMs('status', undefined), 10_000)
  assert.equal(requestTimeoutMs('shutdown', undefined), 60_000, 'past HADHCPD_FAILOVER_STOP_WAIT_MS values an operator would set')
  assert.equal(requestTimeoutMs('shutdown', '2.5'), 2_500)
  const { run, ctx } = await harness(t)
  const answer = ctx.shutdown!
  ctx.shutdown = async () => {
    await new Promise((r) => setTimeout(r, 400))
    return answer()
  }
  const late = await run('--timeout', '0.1', 'shutdown')
  assert.equal(late.code, EXIT_UNREACHABLE, late.err)
  assert.match(late.err, /no answer within 100 ms/)
  assert.equal((await run('--timeout', '5', 'shutdown')).code, EXIT_OK)
  for (const bad of ['0', '-1', 'soon', '7200']) assert.equal((await run('--timeout', bad, 'status')).code, EXIT_USAGE, bad)
})

test('ctl exit codes: usage 2, unauthorized 3, unreachable 3', async (t) => {
  const { run, dir, addr } = await harness(t)
  assert.equal((await run()).code, EXIT_USAGE)
  assert.equal((await run('frobnicate')).code, EXIT_USAGE)
  assert.equal((await run('vrrp-priority', 'VI_1', '0')).code, EXIT_USAGE)
  assert.equal((await run('lease')).code, EXIT_USAGE)
  const wrong = join(dir, 'wrong')
  writeFileSync(wrong, 'nope\n')
  let err = ''
  assert.equal(await runCtl(['--control', addr, '--token-file', wrong, 'status'], { out: () => undefined, err: (s) => void (err += s) }), EXIT_UNREACHABLE)
  assert.match(err, /401/)
  assert.equal(await runCtl(['--control', addr, '--token-file', join(dir, 'absent'), 'status'], { out: () => undefined, err: () => undefined }), EXIT_UNREACHABLE)
  assert.equal(await runCtl(['--control', 'unix:/nonexistent/x.sock', '--token-file', wrong, 'status'], { out: () => undefined, err: () => undefined }), EXIT_UNREACHABLE)
})

test('ctl metrics: 404 until enabled, then the text', async (t) => {
  const { run, ctx } = await harness(t)
  const off = await run('metrics')
  assert.deepEqual([off.code, off.err], [EXIT_API, 'hadhcpd ctl: 404: metrics not enabled\n'])
  ctx.metricsText = () => 'hadhcpd_up 1\n'
  assert.equal((await run('metrics')).out, 'hadhcpd_up 1\n')
})

test('ctl pair-check: equal shared configs agree (exit 0); a difference is listed (exit 1)', async (t) => {
  const local = await harness(t)
  const same = new FakeContext()
  same.sharedConfig = () => ({ ...SHARED, failoverPeers: SHARED.failoverPeers.map((p) => ({ ...p, role: 'secondary' as const, mclt: null, split: null })) })
  const peer = await harness(t, same)
  const ok = await local.run('pair-check', '--peer', peer.addr, '--peer-token-file', peer.tokenFile)
  assert.equal(ok.code, EXIT_OK, ok.err)
  assert.match(ok.out, /agree on subnets, pools, ranges and failover parameters/)
  const drift = new FakeContext()
  drift.sharedConfig = () => ({
    subnets: [],
    failoverPeers: SHARED.failoverPeers.map((p) => ({ ...p, role: 'secondary' as const, mclt: 1800 })),
  })
  const other = await harness(t, drift)
  const bad = await local.run('pair-check', '--peer', other.addr, '--peer-token-file', other.tokenFile)
  assert.equal(bad.code, EXIT_API)
  assert.match(bad.out, /^2 differences between/)
  assert.match(bad.out, /subnet 198\.18\.0\.0\/24\s+declared\s+missing/)
  assert.match(bad.out, /failover peer "dhcp-failover" mclt\s+3600\s+1800/)
  const j = await local.run('--json', 'pair-check', '--peer', other.addr, '--peer-token-file', other.tokenFile)
  assert.equal(JSON.parse(j.out).differences.length, 2)
})
