/** The real {@link LeaseFileSystem} on node:fs. Kept small: everything else is testable. */
import { constants, createReadStream, write as writeCb } from 'node:fs'
import { link, open, rename, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { AppendHandle, LeaseFileSystem } from './file-system.js'

/** Appending descriptor whose every write is also synced (O_DSYNC: write + fdatasync). */
const APPEND_DSYNC = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC

function writeAll(fd: number, data: Uint8Array, off: number, resolve: () => void, reject: (e: Error) => void): void {
  // Callback fs.write: lighter than FileHandle.write (no FileHandle bookkeeping per call).
  writeCb(fd, data, off, data.length - off, null, (err, n) => {
    if (err !== null) reject(err)
    else if (off + n < data.length) writeAll(fd, data, off + n, resolve, reject)
    else resolve()
  })
}

class NodeAppendHandle implements AppendHandle {
  constructor(
    private readonly fh: FileHandle,
    private readonly dsync = false,
  ) {}

  /** Only on an O_DSYNC handle (openAppend): one write(2) that returns once durable. */
  get writeDurable(): ((data: Uint8Array) => Promise<void>) | undefined {
    return this.dsync ? this.appendDurable : undefined
  }

  private readonly appendDurable = (data: Uint8Array): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (data.length === 0) resolve()
      else writeAll(this.fh.fd, data, 0, resolve, reject)
    })

  async write(data: Uint8Array): Promise<void> {
    let off = 0
    while (off < data.length) {
      // position null: write at the current position (end of file for 'a' / fresh 'w').
      const { bytesWritten } = await this.fh.write(data, off, data.length - off, null)
      off += bytesWritten
    }
  }

  datasync(): Promise<void> {
    // Every write on an O_DSYNC handle is already durable.
    return this.dsync ? Promise.resolve() : this.fh.datasync()
  }

  close(): Promise<void> {
    return this.fh.close()
  }
}

export const nodeFileSystem: LeaseFileSystem = {
  async openAppend(path) {
    return new NodeAppendHandle(await open(path, APPEND_DSYNC, 0o664), true)
  },
  async openTruncate(path) {
    return new NodeAppendHandle(await open(path, 'w', 0o664))
  },
  read(path) {
    return createReadStream(path, { highWaterMark: 1 << 20 })
  },
  async exists(path) {
    try {
      await stat(path)
      return true
    } catch {
      return false
    }
  },
  rename(from, to) {
    return rename(from, to)
  },
  link(existing, newPath) {
    return link(existing, newPath)
  },
  async unlink(path) {
    try {
      await unlink(path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
  },
  async syncDirectory(path) {
    const fh = await open(path, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  },
}
