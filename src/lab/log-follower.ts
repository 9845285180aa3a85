/**
 * Follows a growing log file (`tail -f` without a process): polls every `intervalMs`, reads the
 * bytes appended since the last poll and hands complete lines to `onLine`. A file that does not
 * exist yet is fine (it is waited for); `stop()` reads what is left once more.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import { LineSplitter } from './daemon-log.js'

const CHUNK = 64 * 1024

export class LogFollower {
  private offset = 0
  private readonly decoder = new StringDecoder('utf8')
  private readonly lines = new LineSplitter()
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.timer ??= setInterval(() => this.poll(), this.intervalMs)
    return this
  }

  /** Reads everything appended since the last call. */
  poll(): void {
    let fd: number
    try {
      fd = openSync(this.path, 'r')
    } catch {
      return
    }
    try {
      const size = fstatSync(fd).size
      if (size < this.offset) this.offset = 0 // truncated: start over
      const buf = Buffer.alloc(CHUNK)
      while (this.offset < size) {
        const n = readSync(fd, buf, 0, Math.min(CHUNK, size - this.offset), this.offset)
        if (n <= 0) break
        this.offset += n
        for (const line of this.lines.push(this.decoder.write(buf.subarray(0, n)))) this.onLine(line)
      }
    } finally {
      closeSync(fd)
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.poll()
  }
}
