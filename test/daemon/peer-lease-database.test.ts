/** The failover drivers' lease writes share the engine's commit window, in arrival order. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CommitBatcher } from '../../src/daemon/commit-batcher.js'
import { peerLeaseDatabase } from '../../src/daemon/peer-lease-database.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { FailoverPeerState, LeaseChange } from '../../src/core/lease.js'

const X = 0xc6124a0a // 198.18.74.10

test('a driver write behind an engine write held in the commit window reaches the file after it, so the newer record wins on load', async () => {
  const store = new InMemoryLeaseStore()
  const appended: Array<string | undefined> = []
  const file = {
    store,
    peerStates: (): ReadonlyMap<string, FailoverPeerState> => new Map(),
    recordPeerState: async (): Promise<void> => undefined,
    commit: async (changes: readonly LeaseChange[]): Promise<void> => {
      for (const c of changes) appended.push(c.after?.bindingState)
    },
  }
  let now = 0
  const window = new CommitBatcher(file, 5, 512, () => now)
  // Load: one engine commit just went through, so the next one is held for the window.
  await window.commit([store.upsert({ address: X + 1, bindingState: 'active', ends: 100 }, 'allocate')])
  now = 1
  const engine = window.commit([store.upsert({ address: X, bindingState: 'active', ends: 100 }, 'allocate')])
  // The peer's update for the same address, resolved against the engine's record, written by the driver.
  now = 2
  const driver = peerLeaseDatabase(file, window).commit([store.upsert({ address: X, bindingState: 'free' }, 'peer-update')])
  assert.deepEqual(appended, ['active'], 'the driver write waits behind the held engine write')
  await Promise.all([engine, driver])
  assert.deepEqual(appended, ['active', 'active', 'free'], 'file order = store order: the driver record is last')
  assert.equal(store.get(X)?.bindingState, 'free')
})
