import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CommitBatcher } from '../../src/daemon/commit-batcher.js'
import type { LeaseChange } from '../../src/core/lease.js'
import { LogThrottle } from '../../src/lib/log-throttle.js'

const change = (address: number): LeaseChange => ({ address, before: undefined, after: undefined })

function fakeJournal(fail = false): { commits: number[][]; commit: (c: readonly LeaseChange[]) => Promise<void> } {
  const commits: number[][] = []
  return {
    commits,
    commit: async (c) => {
      commits.push(c.map((x) => x.address))
      if (fail) throw new Error('disk full')
    },
  }
}

test('commits arriving closer than the window share one journal append; each caller resolves after it', async () => {
  const j = fakeJournal()
  const b = new CommitBatcher(j, 5)
  // The first (idle) commit goes straight through; the ones right behind it are gathered.
  await Promise.all([b.commit([change(1)]), b.commit([change(2), change(3)]), b.commit([change(4)])])
  assert.deepEqual(j.commits, [[1], [2, 3, 4]])
})

test('adaptive: an idle commit is not held; one arriving within the window of the last is', async () => {
  const j = fakeJournal()
  let t = 0
  const b = new CommitBatcher(j, 5, 512, () => t)
  const first = b.commit([change(1)])
  assert.deepEqual(j.commits, [[1]], 'idle: passed through at once')
  await first
  t = 100
  const second = b.commit([change(2)])
  assert.deepEqual(j.commits, [[1], [2]], 'still idle 100 ms later')
  t = 101
  const third = b.commit([change(3)])
  assert.deepEqual(j.commits, [[1], [2]], 'within 5 ms of the previous: held')
  await Promise.all([second, third])
  assert.deepEqual(j.commits, [[1], [2], [3]])
})

test('maxRecords flushes early; window 0 passes through', async () => {
  const j = fakeJournal()
  let t = 0
  const b = new CommitBatcher(j, 10_000, 2, () => t)
  await b.commit([change(1)])
  t = 1
  await b.commit([change(2), change(3)])
  assert.deepEqual(j.commits, [[1], [2, 3]])
  const j0 = fakeJournal()
  await new CommitBatcher(j0, 0).commit([change(9)])
  assert.deepEqual(j0.commits, [[9]])
})

test('a failed append rejects every caller of the batch', async () => {
  const b = new CommitBatcher(fakeJournal(true), 1)
  const results = await Promise.allSettled([b.commit([change(1)]), b.commit([change(2)]), b.commit([change(3)])])
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected'])
})

test('LogThrottle: once per key per window, counting the suppressed', () => {
  const t = new LogThrottle(60_000, 2)
  assert.equal(t.admit('a', 0), 0)
  assert.equal(t.admit('a', 1000), undefined)
  assert.equal(t.admit('a', 2000), undefined)
  assert.equal(t.admit('b', 2000), 0)
  assert.equal(t.admit('a', 60_000), 2, 'two suppressed since the last line')
  assert.equal(t.admit('c', 60_001), 0, 'bounded: stale keys are swept')
})
