/** A failover driver's lease database whose commits resolve (or fail) only when the test says so. */
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import type { FailoverPeerState, LeaseChange } from '../../src/core/lease.js'
import type { PeerLeaseDatabase } from '../../src/daemon/failover-updates.js'

export class HeldDb implements PeerLeaseDatabase {
  readonly store = new InMemoryLeaseStore()
  readonly held: Array<{ changes: readonly LeaseChange[]; resolve: () => void; reject: (e: Error) => void }> = []
  peerStates(): ReadonlyMap<string, FailoverPeerState> {
    return new Map()
  }
  async recordPeerState(): Promise<void> {}
  commit(changes: readonly LeaseChange[]): Promise<void> {
    return new Promise((resolve, reject) => this.held.push({ changes, resolve, reject }))
  }
}
