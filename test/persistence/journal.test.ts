import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LeaseJournal } from '../../src/persistence/journal.js'
import { loadLeaseFile } from '../../src/persistence/load.js'
import { parseLeaseFile } from '../../src/persistence/lease-file-parse.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { Lease, LeaseChange } from '../../src/core/lease.js'
import { LeaseFileError } from '../../src/lib/errors.js'
import { MemoryFileSystem } from '../helpers/memory-file-system.js'

const PATH = '/var/lib/dhcp/dhcpd.leases'

function change(address: number, version: number): LeaseChange {
  const after: Lease = {
    address,
    bindingState: 'active',
    nextBindingState: 'free',
    starts: 1_800_000_000,
    ends: 1_800_000_600,
    cltt: 1_800_000_000 + version,
    hardware: { htype: 1, address: Buffer.from([2, 0, 0, 0, address >> 8, address & 255]) },
  }
  return { address, before: undefined, after }
}

/** Leases durable right now (what a crash at this instant leaves). */
async function durableLeases(fs: MemoryFileSystem): Promise<Map<number, Lease>> {
  const loaded = await loadLeaseFile(fs.crashImage(), PATH)
  return new Map([...loaded.store.leases()].map((l) => [l.address, l]))
}

test('group commit: 200 concurrent appends share a handful of fsyncs; each resolves only once durable', async () => {
  const fs = new MemoryFileSystem()
  const journal = await LeaseJournal.open(fs, PATH)
  const checks: Promise<void>[] = []
  for (let i = 0; i < 200; i++) {
    checks.push(
      journal.append([change(i, 1)]).then(async () => {
        // At the moment our promise resolves, a crash must not lose the record.
        const durable = await durableLeases(fs)
        assert.ok(durable.has(i), `lease ${i} durable when its append resolved`)
      }),
    )
  }
  await Promise.all(checks)
  const s = journal.stats()
  assert.equal(s.records, 200)
  assert.ok(s.fsyncs <= 3, `fsyncs ${s.fsyncs}`)
  assert.equal(s.fsyncs, fs.counts.datasync)
  assert.ok(s.maxBatchRecords >= 100)
  assert.equal(s.queued, 0)
  await journal.close()
})

test('sequential appends: one fsync each, bytes in order, file parses back', async () => {
  const fs = new MemoryFileSystem()
  const journal = await LeaseJournal.open(fs, PATH)
  assert.equal(fs.counts.syncDirectory, 1, 'a newly created journal file is made durable in its directory')
  for (let v = 1; v <= 5; v++) await journal.append([change(7, v)])
  await journal.appendPeerState({ name: 'fo', myState: 'normal', myStateAt: 1, partnerState: 'normal', partnerStateAt: 1 })
  assert.equal(journal.stats().fsyncs, 6)
  const parsed = parseLeaseFile(fs.contents(PATH))
  assert.deepEqual(parsed.leases.map((l) => l.cltt), [1, 2, 3, 4, 5].map((v) => 1_800_000_000 + v))
  assert.equal(parsed.peerStates.length, 1)
  assert.equal(journal.stats().bytes, fs.contents(PATH).length)
})

test('a removal is appended as a free lease without identity and loads as "no state"', async () => {
  const fs = new MemoryFileSystem()
  const journal = await LeaseJournal.open(fs, PATH)
  const store = new InMemoryLeaseStore()
  await journal.append([store.upsert(change(1, 1).after!), store.upsert(change(2, 1).after!)])
  await journal.append([store.remove(1)])
  const loaded = await loadLeaseFile(fs, PATH)
  assert.deepEqual([...loaded.store.leases()].map((l) => l.address), [2])
})

test('a failed write rejects its batch and later appends with LeaseFileError', async () => {
  const fs = new MemoryFileSystem()
  const journal = await LeaseJournal.open(fs, PATH)
  await journal.append([change(1, 1)])
  fs.failNext('datasync')
  await assert.rejects(journal.append([change(2, 1)]), (e: unknown) => e instanceof LeaseFileError && /write failed/.test(e.message))
  await assert.rejects(journal.append([change(3, 1)]), LeaseFileError)
})

test('an existing file is appended to, not replaced', async () => {
  const fs = new MemoryFileSystem()
  fs.seed(PATH, 'lease 10.0.0.1 {\n  binding state active;\n  hardware ethernet 02:00:00:00:00:01;\n}\n')
  const journal = await LeaseJournal.open(fs, PATH)
  assert.equal(fs.counts.syncDirectory, 0)
  await journal.append([change(5, 1)])
  assert.equal(parseLeaseFile(fs.contents(PATH)).leases.length, 2)
})
