/**
 * The append-only lease journal: the dhcpd.leases file itself, to which lease blocks and
 * failover state blocks are appended as ISC dhcpd appends them.
 *
 * Group commit: {@link LeaseJournal.append} resolves only after its bytes are written and
 * fdatasync'd, but while one fsync runs every append that arrives is queued, and the next
 * write + fsync covers the whole queue. Under load the number of fsyncs tracks the disk's
 * latency, not the number of leases.
 *
 * Callers apply a change to the store before appending it; compaction relies on that (a
 * snapshot of the store then includes every change appended before the snapshot began).
 */
import { LeaseFileError } from '../lib/errors.js'
import type { FailoverPeerState, LeaseChange } from '../core/lease.js'
import { formatLease, formatPeerState, type LeaseFileFormatOptions } from './lease-file-format.js'
import type { AppendHandle, LeaseFileSystem } from './file-system.js'
import { dirnameOf } from './file-system.js'

export interface JournalStats {
  /** Number of fdatasync calls made. */
  readonly fsyncs: number
  /** Records (lease or state blocks) made durable. */
  readonly records: number
  /** Bytes made durable. */
  readonly bytes: number
  /** Write+fsync batches completed (equals fsyncs). */
  readonly batches: number
  /** Largest number of records one fsync covered. */
  readonly maxBatchRecords: number
  /** Records per fsync on average. */
  readonly meanBatchRecords: number
  /** Appends waiting for the next batch. */
  readonly queued: number
}

export interface JournalOptions extends LeaseFileFormatOptions {
  /** Name used in error messages (defaults to the path). */
  readonly name?: string
}

/**
 * Metrics hook: called as a batch's write + fsync starts with its size; the function it
 * returns (if any) is called once the batch is durable (`ok`) or failed. The journal has no
 * clock: the observer times the batch itself.
 */
export interface JournalObserver {
  batchStarted(records: number, bytes: number): ((ok: boolean) => void) | undefined
}

interface Pending {
  readonly text: string
  readonly records: number
  readonly resolve: () => void
  readonly reject: (e: Error) => void
}

export class LeaseJournal {
  private pending: Pending[] = []
  private flushing: Promise<void> | undefined
  private paused = false
  private broken: Error | undefined
  private closed = false
  private capture: Buffer[] | undefined

  private fsyncs = 0
  private records = 0
  private bytes = 0
  private maxBatch = 0
  /** Metrics hook (set by the daemon). */
  observer: JournalObserver | undefined

  private constructor(
    readonly path: string,
    private handle: AppendHandle,
    private readonly options: JournalOptions,
  ) {}

  /** Opens `path` for appending, creating it (durably) when missing. */
  static async open(fs: LeaseFileSystem, path: string, options: JournalOptions = {}): Promise<LeaseJournal> {
    const existed = await fs.exists(path)
    const handle = await fs.openAppend(path)
    if (!existed) await fs.syncDirectory(dirnameOf(path))
    return new LeaseJournal(path, handle, options)
  }

  /**
   * Appends the `after` state of each change (a removed address is written as a free lease
   * without identity, which loading treats as "no state"). Resolves once durable.
   */
  append(changes: readonly LeaseChange[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve()
    let text = ''
    for (const c of changes) {
      text += formatLease(c.after ?? { address: c.address, bindingState: 'free' }, this.options)
    }
    return this.enqueue(text, changes.length)
  }

  /** Appends a failover state block; resolves once durable. */
  appendPeerState(state: FailoverPeerState): Promise<void> {
    return this.enqueue(formatPeerState(state, this.options), 1)
  }

  stats(): JournalStats {
    return {
      fsyncs: this.fsyncs,
      records: this.records,
      bytes: this.bytes,
      batches: this.fsyncs,
      maxBatchRecords: this.maxBatch,
      meanBatchRecords: this.fsyncs === 0 ? 0 : this.records / this.fsyncs,
      queued: this.pending.length,
    }
  }

  /** Waits for queued appends, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing
    this.closed = true
    await this.handle.close()
  }

  // ---- compaction support -----------------------------------------------------------------

  /** From now on, keep a copy of every batch written, for {@link takeCaptured}. */
  startCapture(): void {
    this.capture = []
  }

  /** The batches written since capture started (or since the last take), in order. */
  takeCaptured(): Buffer[] {
    const out = this.capture ?? []
    if (this.capture !== undefined) this.capture = []
    return out
  }

  stopCapture(): void {
    this.capture = undefined
  }

  /**
   * Runs `swap` while no batch is being written, then continues appending to the handle it
   * returns (the old one is closed). Appends made meanwhile wait in the queue. Capture stops.
   * If `swap` throws, the journal keeps its old file and the error propagates.
   */
  async switchFile(swap: (captured: Buffer[]) => Promise<AppendHandle>): Promise<void> {
    this.paused = true
    try {
      while (this.flushing !== undefined) await this.flushing
      const captured = this.takeCaptured()
      const next = await swap(captured)
      const old = this.handle
      this.handle = next
      this.broken = undefined
      this.stopCapture()
      await old.close().catch(() => undefined)
    } finally {
      this.paused = false
      this.kick()
    }
  }

  // ---- group commit -----------------------------------------------------------------------

  private enqueue(text: string, records: number): Promise<void> {
    if (this.closed) return Promise.reject(new LeaseFileError(this.name, 'journal is closed'))
    if (this.broken !== undefined) {
      return Promise.reject(new LeaseFileError(this.name, `journal unusable after a failed write: ${this.broken.message}`))
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ text, records, resolve, reject })
      this.kick()
    })
  }

  private kick(): void {
    if (this.flushing !== undefined || this.paused || this.pending.length === 0) return
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined
      this.kick()
    })
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0 && !this.paused) {
      const batch = this.pending
      this.pending = []
      let text = ''
      let records = 0
      for (const p of batch) {
        text += p.text
        records += p.records
      }
      const bytes = Buffer.from(text, 'latin1')
      this.capture?.push(bytes)
      const done = this.observer?.batchStarted(records, bytes.length)
      try {
        const h = this.handle
        if (h.writeDurable !== undefined) await h.writeDurable(bytes)
        else {
          await h.write(bytes)
          await h.datasync()
        }
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e))
        // ISC marks the file corrupt and rewrites it before the next write; we refuse
        // appends until a compaction swaps in a good file.
        this.broken = err
        done?.(false)
        const failure = new LeaseFileError(this.name, `write failed: ${err.message}`)
        for (const p of batch) p.reject(failure)
        for (const p of this.pending.splice(0)) p.reject(failure)
        return
      }
      done?.(true)
      this.fsyncs++
      this.records += records
      this.bytes += bytes.length
      if (records > this.maxBatch) this.maxBatch = records
      for (const p of batch) p.resolve()
    }
  }

  private get name(): string {
    return this.options.name ?? this.path
  }
}
