/** The real {@link LeaseFileSystem} on node:fs. Kept small: everything else is testable. */
import { createReadStream } from 'node:fs'
import { link, open, rename, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { AppendHandle, LeaseFileSystem } from './file-system.js'

class NodeAppendHandle implements AppendHandle {
  constructor(private readonly fh: FileHandle) {}

  async write(data: Uint8Array): Promise<void> {
    let off = 0
    while (off < data.length) {
      // position null: write at the current position (end of file for 'a' / fresh 'w').
      const { bytesWritten } = await this.fh.write(data, off, data.length - off, null)
      off += bytesWritten
    }
  }

  datasync(): Promise<void> {
    return this.fh.datasync()
  }

  close(): Promise<void> {
    return this.fh.close()
  }
}

export const nodeFileSystem: LeaseFileSystem = {
  async openAppend(path) {
    return new NodeAppendHandle(await open(path, 'a', 0o664))
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
