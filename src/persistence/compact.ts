/**
 * Lease file rewrite (ISC `new_lease_file`, run at start-up and then about hourly): write a
 * complete snapshot to `FILE.tmp`, fsync it, keep the old file as `FILE~`, rename the new one
 * over FILE, fsync the directory.
 *
 * Appends never stall for the length of the snapshot. The journal keeps appending to the old
 * file and hands over a copy of every batch written after the snapshot began; those batches
 * are copied after the snapshot into the new file (last record wins on load, so a lease seen
 * both in the snapshot and in a later batch loads as the later one). Only the final switch —
 * copy the last batches, fsync, rename, fsync the directory — runs with appends queued.
 *
 * Crash safety: until the rename, FILE is the complete old journal; after it, FILE holds the
 * snapshot plus every batch written since, fsync'd before the rename.
 */
import type { FailoverPeerState } from '../core/lease.js'
import { isInterestingLease } from '../core/lease.js'
import type { LeaseStore } from '../core/lease-store.js'
import { dirnameOf, type AppendHandle, type LeaseFileSystem } from './file-system.js'
import type { LeaseJournal } from './journal.js'
import {
  formatHeader,
  formatLease,
  formatPeerState,
  formatVerbatim,
  type LeaseFileFormatOptions,
} from './lease-file-format.js'

export interface CompactionSource {
  readonly store: LeaseStore
  /** Failover state blocks to write (ISC writes all of them before the leases). */
  peerStates(): Iterable<FailoverPeerState>
  /** Verbatim top-level records to keep (server-duid, host, group, class…). */
  verbatim(): Iterable<string>
}

export interface CompactionOptions extends LeaseFileFormatOptions {
  /** Keep the previous file as `FILE~`, as ISC does (default true). */
  readonly keepBackup?: boolean
  /** Bytes to gather before each write to the new file (default 1 MiB). */
  readonly chunkBytes?: number
  /** Lets other work run between chunks (default: setImmediate). */
  readonly yieldToOthers?: () => Promise<void>
  /** Header author string (default "hadhcpd"). */
  readonly author?: string
}

export interface CompactionResult {
  readonly leases: number
  readonly peerStates: number
  readonly bytes: number
  /** Journal batches written during the snapshot and copied into the new file. */
  readonly carriedBatches: number
  readonly carriedBytes: number
}

const defaultYield = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Rewrites `journal.path` from `source` without stopping appends to `journal`. */
export async function compactLeaseFile(
  fs: LeaseFileSystem,
  journal: LeaseJournal,
  source: CompactionSource,
  options: CompactionOptions = {},
): Promise<CompactionResult> {
  const path = journal.path
  const tmp = `${path}.tmp`
  const chunkBytes = options.chunkBytes ?? 1 << 20
  const yieldToOthers = options.yieldToOthers ?? defaultYield

  journal.startCapture()
  let out: AppendHandle | undefined
  let switched = false
  let dirSyncError: unknown
  try {
    out = await fs.openTruncate(tmp)
    const sink = new ChunkWriter(out, chunkBytes)
    sink.add(formatHeader(options.author))
    for (const v of source.verbatim()) sink.add(formatVerbatim(v))
    let peerStates = 0
    for (const s of source.peerStates()) {
      sink.add(formatPeerState(s, options))
      peerStates++
    }
    let leases = 0
    for (const lease of source.store.leases()) {
      if (!isInterestingLease(lease)) continue
      sink.add(formatLease(lease, options))
      leases++
      if (sink.full) {
        await sink.flush()
        await yieldToOthers()
      }
    }
    await sink.flush()
    const bytes = sink.written

    // Copy what the journal wrote meanwhile, while appends keep flowing…
    let carriedBatches = 0
    let carriedBytes = 0
    const carry = async (batches: Buffer[]): Promise<void> => {
      for (const b of batches) {
        await out!.write(b)
        carriedBatches++
        carriedBytes += b.length
      }
    }
    for (let round = 0; round < 8; round++) {
      const batches = journal.takeCaptured()
      if (batches.length === 0) break
      await carry(batches)
    }
    await out.datasync()

    // …then switch with appends briefly queued.
    const handle = out
    await journal.switchFile(async (rest) => {
      await carry(rest)
      await handle.datasync()
      await handle.close()
      if (options.keepBackup ?? true) {
        await fs.unlink(`${path}~`)
        if (await fs.exists(path)) await fs.link(path, `${path}~`)
      }
      await fs.rename(tmp, path)
      // From here on FILE is the new file: appends must go there even if a step fails.
      switched = true
      try {
        await fs.syncDirectory(dirnameOf(path))
      } catch (e) {
        dirSyncError = e
      }
      return fs.openAppend(path)
    })
    if (dirSyncError !== undefined) throw dirSyncError
    return { leases, peerStates, bytes: bytes + carriedBytes, carriedBatches, carriedBytes }
  } finally {
    if (!switched) {
      journal.stopCapture()
      await out?.close().catch(() => undefined)
      await fs.unlink(tmp).catch(() => undefined)
    }
  }
}

/**
 * Gathers records into one reused byte buffer (text is latin1: the lease file is bytes) and
 * writes it when full; cheaper than joining megabyte strings and converting them.
 */
class ChunkWriter {
  private buf: Buffer
  private used = 0
  written = 0

  constructor(
    private readonly out: AppendHandle,
    private readonly chunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes + 4096)
  }

  get full(): boolean {
    return this.used >= this.chunkBytes
  }

  add(text: string): void {
    if (this.used + text.length > this.buf.length) {
      // Only an oversized record gets here (add is always followed by a flush when full).
      const bigger = Buffer.allocUnsafe(this.used + text.length + this.chunkBytes)
      this.buf.copy(bigger, 0, 0, this.used)
      this.buf = bigger
    }
    this.used += this.buf.write(text, this.used, 'latin1')
  }

  async flush(): Promise<void> {
    if (this.used === 0) return
    // The write completes before the buffer is reused.
    await this.out.write(this.buf.subarray(0, this.used))
    this.written += this.used
    this.used = 0
  }
}
