/**
 * A simulated disk for persistence tests. It models what survives a power cut:
 * - file data is durable only up to the last datasync of that file;
 * - directory entries (creations, renames, links, unlinks) are durable only after
 *   syncDirectory;
 * - `crashImage()` returns what a reboot would find, optionally keeping a random prefix of
 *   each file's unsynced bytes (a torn write), or that many NUL bytes (size updated, data
 *   blocks lost).
 * Every operation completes asynchronously (after a macrotask) so concurrent callers
 * interleave as they would on a real disk. Failures can be injected per operation.
 */
import type { AppendHandle, LeaseFileSystem } from '../../src/persistence/file-system.js'

interface Inode {
  data: Buffer
  /** Bytes of `data` known to be on stable storage. */
  synced: number
}

export type Operation = 'write' | 'datasync' | 'rename' | 'syncDirectory' | 'openAppend' | 'openTruncate'

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file '${path}'`), { code: 'ENOENT' })
}

export class MemoryFileSystem implements LeaseFileSystem {
  /** The namespace as processes see it. */
  private readonly names = new Map<string, Inode>()
  /** The namespace as it is on stable storage. */
  private durableNames = new Map<string, Inode>()
  private readonly failures = new Map<Operation, number>()
  /** Counts of operations performed. */
  readonly counts: Record<Operation, number> = {
    write: 0,
    datasync: 0,
    rename: 0,
    syncDirectory: 0,
    openAppend: 0,
    openTruncate: 0,
  }

  /** Puts a file in place, fully durable (a file that existed before the test). */
  seed(path: string, content: string | Buffer): void {
    const data = typeof content === 'string' ? Buffer.from(content, 'latin1') : Buffer.from(content)
    const inode = { data, synced: data.length }
    this.names.set(path, inode)
    this.durableNames.set(path, inode)
  }

  /** Current contents as a process would read them. */
  contents(path: string): string {
    const inode = this.names.get(path)
    if (inode === undefined) throw enoent(path)
    return inode.data.toString('latin1')
  }

  list(): string[] {
    return [...this.names.keys()].sort()
  }

  /** Makes the next `count` calls of `op` fail with EIO. */
  failNext(op: Operation, count = 1): void {
    this.failures.set(op, count)
  }

  /**
   * What a reboot finds: durable names, each with its synced bytes plus (with `tear`) a
   * random prefix of the unsynced ones. Returns a fresh file system.
   */
  crashImage(random: () => number = () => 0, tear: boolean | 'zeros' = false): MemoryFileSystem {
    const fs = new MemoryFileSystem()
    const copies = new Map<Inode, Inode>()
    for (const [name, inode] of this.durableNames) {
      let copy = copies.get(inode)
      if (copy === undefined) {
        const extra = tear !== false ? Math.floor(random() * (inode.data.length - inode.synced + 1)) : 0
        const data = Buffer.from(inode.data.subarray(0, inode.synced + extra))
        // 'zeros': the file grew but its new blocks never reached the disk.
        if (tear === 'zeros') data.fill(0, inode.synced)
        copy = { data, synced: data.length }
        copies.set(inode, copy)
      }
      fs.names.set(name, copy)
      fs.durableNames.set(name, copy)
    }
    return fs
  }

  private async step(op: Operation): Promise<void> {
    await tick()
    this.counts[op]++
    const left = this.failures.get(op) ?? 0
    if (left > 0) {
      this.failures.set(op, left - 1)
      throw Object.assign(new Error(`EIO: simulated ${op} failure`), { code: 'EIO' })
    }
  }

  private handle(inode: Inode): AppendHandle {
    let closed = false
    return {
      write: async (data) => {
        await this.step('write')
        if (closed) throw new Error('write after close')
        inode.data = Buffer.concat([inode.data, data])
      },
      datasync: async () => {
        const upTo = inode.data.length
        await this.step('datasync')
        inode.synced = Math.max(inode.synced, upTo)
      },
      close: async () => {
        await tick()
        closed = true
      },
    }
  }

  async openAppend(path: string): Promise<AppendHandle> {
    await this.step('openAppend')
    let inode = this.names.get(path)
    if (inode === undefined) {
      inode = { data: Buffer.alloc(0), synced: 0 }
      this.names.set(path, inode)
    }
    return this.handle(inode)
  }

  async openTruncate(path: string): Promise<AppendHandle> {
    await this.step('openTruncate')
    const inode = { data: Buffer.alloc(0), synced: 0 }
    this.names.set(path, inode)
    return this.handle(inode)
  }

  async *read(path: string): AsyncIterable<Uint8Array> {
    await tick()
    const inode = this.names.get(path)
    if (inode === undefined) throw enoent(path)
    const data = inode.data
    // Odd chunk size on purpose: records straddle chunk boundaries.
    for (let i = 0; i < data.length; i += 997) yield data.subarray(i, Math.min(data.length, i + 997))
  }

  async exists(path: string): Promise<boolean> {
    await tick()
    return this.names.has(path)
  }

  async rename(from: string, to: string): Promise<void> {
    await this.step('rename')
    const inode = this.names.get(from)
    if (inode === undefined) throw enoent(from)
    this.names.delete(from)
    this.names.set(to, inode)
  }

  async link(existing: string, newPath: string): Promise<void> {
    await tick()
    const inode = this.names.get(existing)
    if (inode === undefined) throw enoent(existing)
    this.names.set(newPath, inode)
  }

  async unlink(path: string): Promise<void> {
    await tick()
    this.names.delete(path)
  }

  async syncDirectory(_path: string): Promise<void> {
    await this.step('syncDirectory')
    this.durableNames = new Map(this.names)
  }
}

/** Deterministic PRNG (mulberry32) for reproducible random tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
