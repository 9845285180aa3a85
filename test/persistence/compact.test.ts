import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LeaseDatabase } from '../../src/persistence/lease-database.js'
import { loadLeaseFile } from '../../src/persistence/load.js'
import { parseLeaseFile } from '../../src/persistence/lease-file-parse.js'
import type { Lease } from '../../src/core/lease.js'
import type { LeaseStore } from '../../src/core/lease-store.js'
import { MemoryFileSystem, seededRandom } from '../helpers/memory-file-system.js'

const PATH = '/var/lib/dhcp/dhcpd.leases'

function lease(address: number, version: number): Lease {
  return {
    address,
    bindingState: 'active',
    nextBindingState: 'free',
    starts: 1_800_000_000,
    ends: 1_800_003_600,
    cltt: 1_800_000_000 + version,
    hardware: { htype: 1, address: Buffer.from([2, 0, 0, 0, (address >> 8) & 255, address & 255]) },
    uid: Buffer.from([1, 2, 0, 0, 0, (address >> 8) & 255, address & 255]),
  }
}

function snapshot(store: LeaseStore): Map<number, Lease> {
  return new Map([...store.leases()].map((l) => [l.address, l]))
}

async function seeded(n: number, chunkBytes?: number): Promise<{ fs: MemoryFileSystem; db: LeaseDatabase }> {
  const fs = new MemoryFileSystem()
  const db = await LeaseDatabase.open(fs, PATH, chunkBytes === undefined ? {} : { chunkBytes })
  await Promise.all(Array.from({ length: n }, (_, i) => db.commit([db.store.upsert(lease(i, 0))])))
  return { fs, db }
}

test('start-up: a torn tail is dropped and the rewrite leaves a clean file to append to', async () => {
  const fs = new MemoryFileSystem()
  fs.seed(
    PATH,
    'lease 10.0.0.1 {\n  binding state active;\n  hardware ethernet 02:00:00:00:00:01;\n}\nlease 10.0.0.2 {\n  starts 1 2026/11/2',
  )
  const db = await LeaseDatabase.open(fs, PATH)
  assert.deepEqual(db.loadSummary.torn, { line: 5, col: 1, bytes: 37 })
  await db.commit([db.store.upsert(lease(9, 1))])
  const reread = parseLeaseFile(fs.contents(PATH))
  assert.deepEqual(reread.diagnostics, [])
  assert.equal(reread.summary.torn, undefined)
  assert.deepEqual(reread.leases.map((l) => l.address).sort((a, b) => a - b), [9, 0x0a000001])
  assert.ok(fs.list().includes(`${PATH}~`), 'the previous file is kept as FILE~ (ISC)')
  assert.ok(!fs.list().includes(`${PATH}.tmp`))
})

test('compaction concurrent with appends: nothing is lost, the file shrinks, appends are not stalled', async () => {
  // Small chunks: the snapshot takes many writes, so appends interleave with it.
  const { fs, db } = await seeded(300, 2000)
  // Churn so the journal holds many superseded blocks.
  for (let v = 1; v <= 3; v++) await Promise.all(Array.from({ length: 300 }, (_, i) => db.commit([db.store.upsert(lease(i, v))])))
  const before = fs.contents(PATH).length

  let stop = false
  let appendsDuring = 0
  let resolvedDuring = 0
  const writer = (async () => {
    let v = 100
    while (!stop) {
      const a = appendsDuring % 350 // includes new addresses
      appendsDuring++
      await db.commit([db.store.upsert(lease(a, v++))])
      resolvedDuring++
    }
  })()
  const result = await db.compact()
  const resolvedWhileCompacting = resolvedDuring
  stop = true
  await writer
  assert.ok(resolvedWhileCompacting > 10, `appends kept completing during compaction (${resolvedWhileCompacting})`)
  assert.ok(result.carriedBatches > 0, 'batches written during the snapshot were carried into the new file')
  assert.ok(fs.contents(PATH).length < before, 'superseded blocks are gone')
  const loaded = await loadLeaseFile(fs, PATH)
  assert.deepEqual(snapshot(loaded.store), snapshot(db.store))
  const crashed = await loadLeaseFile(fs.crashImage(), PATH)
  assert.deepEqual(snapshot(crashed.store), snapshot(db.store), 'and it is durable')
})

test('a failed compaction (rename fails) leaves the journal appending to the old file', async () => {
  const { fs, db } = await seeded(50)
  fs.failNext('rename')
  await assert.rejects(db.compact(), /EIO/)
  assert.ok(!fs.list().includes(`${PATH}.tmp`), 'the temporary file is removed')
  await db.commit([db.store.upsert(lease(7, 99))])
  const loaded = await loadLeaseFile(fs.crashImage(), PATH)
  assert.deepEqual(snapshot(loaded.store), snapshot(db.store))
  await db.compact()
  assert.deepEqual(snapshot((await loadLeaseFile(fs.crashImage(), PATH)).store), snapshot(db.store))
})

test('failover state blocks and verbatim records survive compaction; the last state wins', async () => {
  const fs = new MemoryFileSystem()
  fs.seed(PATH, 'server-duid "\\000\\001";\n\nhost h1 {\n  dynamic;\n  hardware ethernet 02:00:00:00:00:09;\n}\n')
  const db = await LeaseDatabase.open(fs, PATH)
  await db.recordPeerState({ name: 'fo', myState: 'normal', myStateAt: 1, partnerState: 'normal', partnerStateAt: 1 })
  await db.recordPeerState({ name: 'fo', myState: 'partner-down', myStateAt: 2, partnerState: 'communications-interrupted', partnerStateAt: 2, mclt: 3600 })
  await db.compact()
  const text = fs.contents(PATH)
  assert.equal(text.match(/failover peer/g)!.length, 1)
  const loaded = await loadLeaseFile(fs, PATH)
  assert.equal(loaded.peerStates.get('fo')!.myState, 'partner-down')
  assert.deepEqual([...loaded.verbatim.keys()], ['authoring-byte-order', 'server-duid', 'host h1'])
  assert.equal(text.match(/authoring-byte-order/g)!.length, 2, 'header comment + statement, once')
})

/**
 * Crash simulation: workers append while compactions run; at a random instant the power
 * goes. Every append whose promise had resolved must be in the reloaded store (at that
 * version or a later one), and the file must load without errors.
 */
test('crash at random points: every resolved append survives reload (torn writes, NUL tails, compactions)', async () => {
  for (let trial = 0; trial < 120; trial++) {
    const rnd = seededRandom(1000 + trial)
    const fs = new MemoryFileSystem()
    // Odd trials: tiny snapshot chunks, so appends land while the snapshot is being written.
    const db = await LeaseDatabase.open(fs, PATH, trial % 2 === 1 ? { chunkBytes: 300 } : {})
    const acked = new Map<number, number>() // address → highest version whose append resolved
    let crashed = false
    let version = 0
    const worker = async (): Promise<void> => {
      while (!crashed) {
        const a = Math.floor(rnd() * 40)
        const v = ++version
        const p = db.commit([db.store.upsert(lease(a, v))])
        await p.catch(() => undefined)
        if (!crashed) acked.set(a, Math.max(acked.get(a) ?? 0, v))
      }
    }
    const compactor = async (): Promise<void> => {
      while (!crashed) {
        await db.compact().catch(() => undefined)
        for (let i = 0; i < 5 && !crashed; i++) await new Promise((r) => setImmediate(r))
      }
    }
    const running = [worker(), worker(), worker(), compactor()]
    const ticks = 5 + Math.floor(rnd() * 400)
    for (let i = 0; i < ticks; i++) await new Promise((r) => setImmediate(r))
    // Power cut: freeze what is durable *now*, including a random part of unsynced bytes.
    const image = fs.crashImage(rnd, trial % 3 === 2 ? 'zeros' : true)
    const ackedAtCrash = new Map(acked)
    crashed = true
    await Promise.all(running)

    const reloaded = await loadLeaseFile(image, PATH)
    assert.equal(reloaded.summary.errors, 0, `trial ${trial}: ${JSON.stringify(reloaded.diagnostics)}`)
    for (const [a, v] of ackedAtCrash) {
      const got = reloaded.store.get(a)
      assert.ok(got !== undefined, `trial ${trial}: acked lease ${a} lost`)
      assert.ok(got.cltt! - 1_800_000_000 >= v, `trial ${trial}: lease ${a} went back from v${v} to v${got.cltt! - 1_800_000_000}`)
    }
    // Restart on the crashed disk: the torn tail is cleaned and appending works.
    const db2 = await LeaseDatabase.open(image, PATH)
    await db2.commit([db2.store.upsert(lease(1000, 1))])
    const again = await loadLeaseFile(image.crashImage(), PATH)
    assert.equal(again.summary.errors, 0)
    assert.equal(again.summary.torn, undefined)
    assert.deepEqual(snapshot(again.store), snapshot(db2.store))
  }
})

test('start-up with malformed records: the original is kept as FILE.corrupt, or opening is refused', async () => {
  const text = 'lease 10.0.0.1 {\n  binding state bogus;\n}\nlease 10.0.0.2 {\n  binding state active;\n  hardware ethernet 02:00:00:00:00:02;\n}\n'
  const fs = new MemoryFileSystem()
  fs.seed(PATH, text)
  await assert.rejects(LeaseDatabase.open(fs, PATH, { onLoadErrors: 'refuse' }), /dhcpd\.leases:2:17: 1 malformed record/)
  assert.equal(fs.contents(PATH), text, 'nothing written when refusing')
  const db = await LeaseDatabase.open(fs, PATH)
  assert.equal(db.loadSummary.errors, 1)
  assert.equal(db.loadDiagnostics[0]!.line, 2)
  assert.equal(fs.contents(`${PATH}.corrupt`), text)
  assert.deepEqual([...db.store.leases()].map((l) => l.address), [0x0a000002])
})

test('every lease field survives store → journal → reload → compaction → reload', async () => {
  const rnd = seededRandom(5)
  const fs = new MemoryFileSystem()
  const db = await LeaseDatabase.open(fs, PATH, { chunkBytes: 512 })
  const states = ['free', 'active', 'expired', 'released', 'abandoned', 'reset', 'backup'] as const
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  for (let i = 0; i < 400; i++) {
    const l: Lease = {
      address: (0xc0a80000 + Math.floor(rnd() * 300)) >>> 0,
      bindingState: pick(states),
      nextBindingState: pick(states),
      rewindBindingState: pick(states),
      starts: 1_790_000_000 + i,
      ends: 1_790_003_600 + i,
      tstp: 1_790_003_700 + i,
      tsfp: 1_790_003_800 + i,
      atsfp: 1_790_003_900 + i,
      cltt: 1_790_000_000 + i,
      reserved: rnd() < 0.5 ? true : undefined,
      hardware: { htype: 1, address: Buffer.from([2, 0, 0, 0, i >> 8, i & 255]) },
      uid: Buffer.from([0, 0x22, 0x5c, 0x7f, 0x80, i & 255]),
      clientHostname: `h-${i} "q"`,
      statements: [{ kind: 'set', text: `set ddns-fwd-name = "h-${i}.example.com";` }],
    }
    await db.commit([db.store.upsert(l)])
  }
  const expected = snapshot(db.store)
  const viaJournal = await loadLeaseFile(fs.crashImage(), PATH)
  assert.deepEqual(snapshot(viaJournal.store), expected)
  await db.compact()
  const viaRewrite = await loadLeaseFile(fs.crashImage(), PATH)
  assert.deepEqual(snapshot(viaRewrite.store), expected)
})

