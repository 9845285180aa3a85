import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { validateLeaseFile } from '../../src/persistence/validate.js'
import { LeaseDatabase } from '../../src/persistence/lease-database.js'
import { loadLeaseFile } from '../../src/persistence/load.js'
import { nodeFileSystem } from '../../src/persistence/node-file-system.js'

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/leases/${name}`, import.meta.url))

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-leases-'))
    try {
      await fn(dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

test('validateLeaseFile: a good ISC file', withDir(async (dir) => {
  const path = join(dir, 'dhcpd.leases')
  writeFileSync(path, fixture('failover-primary.leases'))
  assert.deepEqual(await validateLeaseFile(path), { leases: 7, peers: 1, warnings: [], errors: [] })
}))

test('validateLeaseFile: errors and warnings as FILE:LINE:COL, torn tail as a warning', withDir(async (dir) => {
  const path = join(dir, 'dhcpd.leases')
  writeFileSync(
    path,
    'lease 10.0.0.1 {\n  binding state bogus;\n}\nlease 10.0.0.2 {\n  frobnicate 1;\n}\nlease 10.0.0.3 {\n  starts',
  )
  const r = await validateLeaseFile(path)
  assert.equal(r.leases, 1)
  assert.deepEqual(r.errors, [`${path}:2:17: unknown binding state \`bogus\``])
  assert.equal(r.warnings.length, 2)
  assert.equal(r.warnings[0], `${path}:5:3: unknown lease statement \`frobnicate\` kept verbatim`)
  assert.match(r.warnings[1]!, new RegExp(`^${path}:7:1: file ends inside a record`))
}))

test('validateLeaseFile: a missing file is an error, not an exception', async () => {
  const r = await validateLeaseFile('/nonexistent/dhcpd.leases')
  assert.deepEqual(r.errors, ['/nonexistent/dhcpd.leases: no such file'])
})

test('node file system: open, append, compact and reload on a real disk', withDir(async (dir) => {
  const path = join(dir, 'dhcpd.leases')
  writeFileSync(path, fixture('failover-secondary.leases'))
  const db = await LeaseDatabase.open(nodeFileSystem, path)
  assert.equal(db.peerStates().get('dhcp-failover')!.myState, 'partner-down')
  const base = db.store.get(0x0a63006e)!
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => db.commit([db.store.upsert({ ...base, address: 0x0a630100 + i })])),
  )
  assert.ok(db.stats().fsyncs < 50)
  await db.compact()
  await db.close()
  const loaded = await loadLeaseFile(nodeFileSystem, path)
  assert.equal(loaded.store.size, 52)
  assert.equal(loaded.peerStates.get('dhcp-failover')!.mclt, 3600)
  assert.ok(readFileSync(path, 'latin1').startsWith('# The format of this file is documented in the dhcpd.leases(5) manual page.\n'))
  assert.ok(readFileSync(`${path}~`).length > 0)
}))
