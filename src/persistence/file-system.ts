/**
 * The few file operations the lease database needs, behind an interface so tests can run
 * against a simulated disk that loses unsynced data on a "crash" and tears writes
 * (test/helpers/memory-file-system.ts). The real implementation is node-file-system.ts,
 * the only module here that touches node:fs.
 */

/** An open file written sequentially from its end. */
export interface AppendHandle {
  /** Appends all of `data` (a short write is retried by the implementation). */
  write(data: Uint8Array): Promise<void>
  /** Makes every byte written so far durable (fdatasync). */
  datasync(): Promise<void>
  /**
   * Optional: appends all of `data` and makes it (and everything written before) durable in
   * one operation, as `write` + `datasync` would. The node implementation writes through an
   * O_DSYNC descriptor: one thread-pool round trip per group commit instead of two.
   */
  readonly writeDurable?: ((data: Uint8Array) => Promise<void>) | undefined
  close(): Promise<void>
}

export interface LeaseFileSystem {
  /** Opens for appending, creating an empty file when missing. */
  openAppend(path: string): Promise<AppendHandle>
  /** Creates (or truncates) and opens for writing. */
  openTruncate(path: string): Promise<AppendHandle>
  /** The file's bytes in chunks; throws an error with code `ENOENT` when it does not exist. */
  read(path: string): AsyncIterable<Uint8Array>
  exists(path: string): Promise<boolean>
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): Promise<void>
  /** Hard link (for ISC's `dhcpd.leases~` backup). */
  link(existing: string, newPath: string): Promise<void>
  /** Removes a file; a missing file is not an error. */
  unlink(path: string): Promise<void>
  /** Makes directory entries (creations, renames) durable. */
  syncDirectory(path: string): Promise<void>
}

/** Directory part of a path ('.' when there is none). */
export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/')
  if (i < 0) return '.'
  return i === 0 ? '/' : path.slice(0, i)
}
