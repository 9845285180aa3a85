import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from '../../src/daemon/args.js'
import { partnerDownRecord, runPartnerDown, runningPid } from '../../src/daemon/partner-down-command.js'
import { loadLeaseFile } from '../../src/persistence/load.js'
import { nodeFileSystem } from '../../src/persistence/node-file-system.js'

const NOW = Date.UTC(2026, 11, 7, 6, 30, 0) / 1000 // Monday

function io(): { out: string[]; err: string[]; o: { out(t: string): void; err(t: string): void } } {
  const out: string[] = []
  const err: string[] = []
  return { out, err, o: { out: (t) => void out.push(t), err: (t) => void err.push(t) } }
}

test('partner-down arguments: -lf, -cf, -pf, PEER', () => {
  const r = parseArgs(['partner-down', '-lf', '/tmp/x.leases', '-cf', '/tmp/d.conf', '-pf', '/tmp/p.pid', 'ha-dhcp'])
  assert.equal(r.mode, 'partner-down')
  assert.equal(r.leaseFile, '/tmp/x.leases')
  assert.equal(r.configFile, '/tmp/d.conf')
  assert.equal(r.configGiven, true)
  assert.equal(r.pidFile, '/tmp/p.pid')
  assert.equal(r.peer, 'ha-dhcp')
  assert.throws(() => parseArgs(['partner-down', 'a', 'b']), /unexpected argument b/)
  assert.throws(() => parseArgs(['partner-down', '-x']), /unknown option -x/)
})

test('appends the state block exactly as ISC writes it, keeping the partner state and the MCLT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpd-pd-'))
  const lf = join(dir, 'dhcpd.leases')
  const before = `lease 198.18.70.10 {
  starts 1 2026/12/07 06:00:00;
  ends 1 2026/12/07 06:10:00;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:01;
}

failover peer "ha-dhcp" state {
  my state communications-interrupted at 1 2026/12/07 06:20:00;
  partner state normal at 1 2026/12/07 06:00:00;
  mclt 30;
}
`
  writeFileSync(lf, before)
  const x = io()
  const code = await runPartnerDown(parseArgs(['partner-down', '-lf', lf, '--no-pid', 'ha-dhcp']), x.o, () => NOW)
  assert.equal(code, 0, x.err.join(''))
  const after = readFileSync(lf, 'utf8')
  assert.equal(after, before + `
failover peer "ha-dhcp" state {
  my state partner-down at 1 2026/12/07 06:30:00;
  partner state normal at 1 2026/12/07 06:00:00;
  mclt 30;
}
`)
  const loaded = await loadLeaseFile(nodeFileSystem, lf)
  assert.equal(loaded.peerStates.get('ha-dhcp')?.myState, 'partner-down')
  assert.equal(loaded.store.get(0xc612460a)?.bindingState, 'active', 'leases untouched')
  // again: nothing to do
  const y = io()
  assert.equal(await runPartnerDown(parseArgs(['partner-down', '-lf', lf, '--no-pid', 'ha-dhcp']), y.o, () => NOW + 5), 0)
  assert.match(y.out.join(''), /already partner-down since 2026-12-07T06:30:00.000Z/)
  assert.equal(readFileSync(lf, 'utf8'), after)
})

test('refused while the pid file names a running process; the peer comes from the config or the lease file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpd-pd-'))
  const lf = join(dir, 'dhcpd.leases')
  writeFileSync(lf, '')
  const pf = join(dir, 'dhcpd.pid')
  writeFileSync(pf, `${process.pid}\n`)
  assert.equal(runningPid(pf), process.pid)
  const x = io()
  assert.equal(await runPartnerDown(parseArgs(['partner-down', '-lf', lf, '-pf', pf, 'p']), x.o, () => NOW), 1)
  assert.match(x.err.join(''), new RegExp(`a server is running \\(pid ${process.pid}`))
  assert.equal(readFileSync(lf, 'utf8'), '')
  writeFileSync(pf, '999999999\n')
  assert.equal(runningPid(pf, () => false), undefined)
  // the only failover peer of the configuration
  const conf = join(dir, 'dhcpd.conf')
  writeFileSync(conf, `failover peer "fo" { primary; address 198.18.70.1; peer address 198.18.70.2; mclt 30; split 128; max-response-delay 30; max-unacked-updates 10; load balance max seconds 3; }
subnet 198.18.70.0 netmask 255.255.255.0 { pool { failover peer "fo"; range 198.18.70.10 198.18.70.20; } }
`)
  const y = io()
  assert.equal(await runPartnerDown(parseArgs(['partner-down', '-lf', lf, '-cf', conf, '--no-pid']), y.o, () => NOW), 0, y.err.join(''))
  assert.match(readFileSync(lf, 'utf8'), /failover peer "fo" state \{\n {2}my state partner-down at 1 2026\/12\/07 06:30:00;\n {2}partner state unknown-state at 1 2026\/12\/07 06:30:00;\n\}\n$/)
  const z = io()
  assert.equal(await runPartnerDown(parseArgs(['partner-down', '-lf', lf, '-cf', conf, '--no-pid', 'other']), z.o, () => NOW), 1)
  assert.match(z.err.join(''), /has no failover peer "other"/)
})

test('partnerDownRecord keeps what the last block knew', () => {
  assert.deepEqual(partnerDownRecord('n', undefined, 5), { name: 'n', myState: 'partner-down', myStateAt: 5, partnerState: 'unknown-state', partnerStateAt: 5 })
})
