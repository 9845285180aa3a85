/**
 * Start-up load: stream-parse dhcpd.leases into a lease store, last record wins (ISC appends
 * a block per change), and report what was odd about the file.
 *
 * A lease record that is free with no hardware address, uid, tsfp or kept statements carries
 * no state (ISC does not even write such leases on a rewrite); it removes the address from
 * the store, which is how a removal appended by the journal reads back.
 */
import { isInterestingLease, type FailoverPeerState } from '../core/lease.js'
import { InMemoryLeaseStore } from '../core/lease-store.js'
import type { LeaseFileSystem } from './file-system.js'
import {
  LeaseFileParser,
  type LeaseFileDiagnostic,
  type ParseSummary,
  type VerbatimRecord,
} from './lease-file-parse.js'

export interface LoadOptions {
  /** Epoch seconds; used for leases without a binding state (see the parser). */
  readonly now?: number
  /** Size hint for the store. */
  readonly expectedLeases?: number
  /** Keep at most this many diagnostics (counts stay exact); default 1000. */
  readonly maxDiagnostics?: number
}

export interface LoadResult {
  readonly store: InMemoryLeaseStore
  /** Last state block per relationship name. */
  readonly peerStates: Map<string, FailoverPeerState>
  /** Last verbatim record per key (server-duid, host "x", …), in first-seen order. */
  readonly verbatim: Map<string, VerbatimRecord>
  readonly summary: ParseSummary
  readonly diagnostics: LeaseFileDiagnostic[]
  /** False when the file did not exist (an empty store is returned). */
  readonly existed: boolean
}

/** Loads `path` into a new {@link InMemoryLeaseStore}. */
export async function loadLeaseFile(fs: LeaseFileSystem, path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const store = new InMemoryLeaseStore({ initialCapacity: options.expectedLeases ?? 1024 })
  const peerStates = new Map<string, FailoverPeerState>()
  const verbatim = new Map<string, VerbatimRecord>()
  const diagnostics: LeaseFileDiagnostic[] = []
  const maxDiagnostics = options.maxDiagnostics ?? 1000
  const parser = new LeaseFileParser(
    {
      onLease(lease) {
        if (isInterestingLease(lease)) store.upsert(lease, 'load')
        else store.remove(lease.address, 'load')
      },
      onPeerState(state) {
        peerStates.set(state.name, state)
      },
      onVerbatim(record) {
        verbatim.set(record.key, record)
      },
      onDiagnostic(d) {
        if (diagnostics.length < maxDiagnostics) diagnostics.push(d)
      },
    },
    options.now === undefined ? { reuseLeaseObject: true } : { now: options.now, reuseLeaseObject: true },
  )
  let existed = true
  try {
    for await (const chunk of fs.read(path)) parser.push(chunk)
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ENOENT') throw e
    existed = false
  }
  const summary = parser.end()
  return { store, peerStates, verbatim, summary, diagnostics, existed }
}
