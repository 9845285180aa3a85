/**
 * The lease database as the daemon uses it: the in-memory store, the journal that makes
 * each change durable, the failover state blocks, and periodic compaction. Start-up follows
 * ISC: read the file, rewrite it (which also drops a torn tail), then append.
 */
import { LeaseFileError } from '../lib/errors.js'
import type { FailoverPeerState, LeaseChange } from '../core/lease.js'
import type { InMemoryLeaseStore } from '../core/lease-store.js'
import { compactLeaseFile, type CompactionOptions, type CompactionResult } from './compact.js'
import type { LeaseFileSystem } from './file-system.js'
import { LeaseJournal, type JournalStats } from './journal.js'
import type { LeaseFileDiagnostic, ParseSummary, VerbatimRecord } from './lease-file-parse.js'
import { loadLeaseFile, type LoadOptions } from './load.js'

export interface LeaseDatabaseOptions extends LoadOptions, CompactionOptions {
  /**
   * What to do when the file has malformed records (they are skipped on load, so the
   * start-up rewrite would drop them): `keep-copy` (default) hard-links the original to
   * `FILE.corrupt` first; `refuse` throws a LeaseFileError instead of opening.
   */
  readonly onLoadErrors?: 'keep-copy' | 'refuse'
}

export class LeaseDatabase {
  private compacting: Promise<CompactionResult> | undefined

  private constructor(
    private readonly fs: LeaseFileSystem,
    readonly store: InMemoryLeaseStore,
    readonly journal: LeaseJournal,
    private readonly peerStateMap: Map<string, FailoverPeerState>,
    private readonly verbatimMap: Map<string, VerbatimRecord>,
    /** What loading found (torn tail, errors). */
    readonly loadSummary: ParseSummary,
    readonly loadDiagnostics: readonly LeaseFileDiagnostic[],
    private readonly options: LeaseDatabaseOptions,
  ) {}

  /** Loads `path` (missing = empty), rewrites it, and opens it for appending. */
  static async open(fs: LeaseFileSystem, path: string, options: LeaseDatabaseOptions = {}): Promise<LeaseDatabase> {
    const loaded = await loadLeaseFile(fs, path, options)
    if (loaded.summary.errors > 0) {
      const first = loaded.diagnostics.find((d) => d.severity === 'error')
      if (options.onLoadErrors === 'refuse') {
        throw new LeaseFileError(path, `${loaded.summary.errors} malformed record(s); first: ${first?.message ?? '?'}`, first?.line, first?.col)
      }
      await fs.unlink(`${path}.corrupt`)
      await fs.link(path, `${path}.corrupt`)
    }
    const journal = await LeaseJournal.open(fs, path, options)
    const db = new LeaseDatabase(
      fs,
      loaded.store,
      journal,
      loaded.peerStates,
      loaded.verbatim,
      loaded.summary,
      loaded.diagnostics,
      options,
    )
    await db.compact()
    return db
  }

  /** Failover state blocks as last recorded, by relationship name. */
  peerStates(): ReadonlyMap<string, FailoverPeerState> {
    return this.peerStateMap
  }

  /**
   * Makes changes already applied to {@link store} durable. Resolves after fsync; group
   * commit shares one fsync among everything queued meanwhile.
   */
  commit(changes: readonly LeaseChange[]): Promise<void> {
    return this.journal.append(changes)
  }

  /** Records a failover state block durably (ISC: before acting on the transition). */
  recordPeerState(state: FailoverPeerState): Promise<void> {
    this.peerStateMap.set(state.name, state)
    return this.journal.appendPeerState(state)
  }

  /** Rewrites the file from the store; concurrent calls share one rewrite. */
  compact(): Promise<CompactionResult> {
    this.compacting ??= compactLeaseFile(
      this.fs,
      this.journal,
      {
        store: this.store,
        peerStates: () => this.peerStateMap.values(),
        verbatim: () => [...this.verbatimMap.values()].filter((v) => v.kind !== 'authoring-byte-order').map((v) => v.text),
      },
      this.options,
    ).finally(() => {
      this.compacting = undefined
    })
    return this.compacting
  }

  stats(): JournalStats {
    return this.journal.stats()
  }

  close(): Promise<void> {
    return this.journal.close()
  }
}
