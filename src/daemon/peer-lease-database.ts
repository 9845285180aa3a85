/**
 * The lease database as the failover drivers see it, writing through the daemon's one ordered
 * journal path (the commit window in front of the lease file) instead of beside it. The journal
 * appends each change's snapshot; a driver write that went straight to the file while an
 * engine write for the same address sat in the window would land first, and the older engine
 * record after it would win on the next load (a peer's binding lost, a stale one back).
 */
import type { LeaseChange } from '../core/lease.js'
import type { Journal } from './dhcp-service.js'
import type { PeerLeaseDatabase } from './failover-updates.js'

export function peerLeaseDatabase(db: Omit<PeerLeaseDatabase, 'commit'>, journal: Journal): PeerLeaseDatabase {
  return {
    store: db.store,
    peerStates: () => db.peerStates(),
    recordPeerState: (state) => db.recordPeerState(state),
    commit: (changes: readonly LeaseChange[]) => journal.commit(changes),
  }
}
