/**
 * Child processes for the network lab: every process gets its own session and process
 * group (setsid via `detached: true`), so it can be signalled as a group without ever
 * matching processes by name. Commands are argv arrays; nothing goes through a shell.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

/** Where a child's stdout and stderr go. */
export type OutputSink =
  /** Kept in memory (up to `maxBytes` per stream; older bytes are dropped). */
  | { kind: 'capture'; maxBytes?: number }
  /** Both streams appended to one file; cheap for chatty servers such as `dhcpd -d`. */
  | { kind: 'file'; path: string }

export interface SpawnOptions {
  readonly output?: OutputSink
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

export interface ExitStatus {
  /** Exit code, or null when the process died from a signal. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

const DEFAULT_CAPTURE_BYTES = 64 * 1024 * 1024

/** Appends chunks and keeps at most `max` bytes (the newest ones). */
class BoundedText {
  private chunks: Buffer[] = []
  private size = 0
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    while (this.size > this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }
}

/**
 * A process started by the lab. `pid` is also its process-group id (it is a session
 * leader), so `signalGroup` reaches everything it forked unless that escaped its group.
 */
export class LabProcess {
  readonly pid: number
  readonly argv: readonly string[]
  private readonly child: ChildProcess
  private readonly stdoutText: BoundedText | undefined
  private readonly stderrText: BoundedText | undefined
  private readonly logPath: string | undefined
  private exitStatus: ExitStatus | undefined
  private readonly exited: Promise<ExitStatus>

  private constructor(argv: readonly string[], opts: SpawnOptions) {
    const [command, ...args] = argv
    if (command === undefined) throw new Error('LabProcess: empty argv')
    this.argv = argv
    const sink: OutputSink = opts.output ?? { kind: 'capture' }
    let fd: number | undefined
    if (sink.kind === 'file') {
      fd = openSync(sink.path, 'a')
      this.logPath = sink.path
    }
    try {
      this.child = spawn(command, args, {
        detached: true, // setsid(): own session and process group
        stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
        env: opts.env ?? process.env,
        ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      })
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
    if (this.child.pid === undefined) {
      // spawn failed synchronously (ENOENT is reported asynchronously via 'error', but
      // then pid is also undefined)
      throw new Error(`could not start ${command}`)
    }
    this.pid = this.child.pid
    if (sink.kind === 'capture') {
      const max = sink.maxBytes ?? DEFAULT_CAPTURE_BYTES
      this.stdoutText = new BoundedText(max)
      this.stderrText = new BoundedText(max)
      this.child.stdout?.on('data', (c: Buffer) => this.stdoutText?.push(c))
      this.child.stderr?.on('data', (c: Buffer) => this.stderrText?.push(c))
    }
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => {
        this.exitStatus ??= { code: 127, signal: null }
        resolve(this.exitStatus)
      })
      this.child.once('close', (code, signal) => {
        this.exitStatus ??= { code, signal }
        resolve(this.exitStatus)
      })
    })
  }

  static start(argv: readonly string[], opts: SpawnOptions = {}): LabProcess {
    return new LabProcess(argv, opts)
  }

  get running(): boolean {
    return this.exitStatus === undefined
  }

  get stdout(): string {
    return this.stdoutText?.text() ?? ''
  }

  get stderr(): string {
    return this.stderrText?.text() ?? ''
  }

  /** Everything the process wrote so far (both streams, or the log file). */
  output(): string {
    if (this.logPath !== undefined) return readTextIfExists(this.logPath)
    return this.stdout + this.stderr
  }

  /** Resolves with the exit status, or undefined if it is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus | undefined> {
    const timer = sleep(timeoutMs, undefined, { ref: false })
    return Promise.race([this.exited, timer])
  }

  /**
   * Polls the output (or `file`, e.g. a server's own log) until `pattern` appears.
   * Gives up when the process exits or after `timeoutMs`.
   */
  async waitForOutput(
    pattern: string | RegExp,
    timeoutMs: number,
    file?: string,
  ): Promise<{ found: boolean; reason: string }> {
    const deadline = Date.now() + timeoutMs
    const matches = (text: string): boolean =>
      typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)
    for (;;) {
      const text = file === undefined ? this.output() : readTextIfExists(file)
      if (matches(text)) return { found: true, reason: 'found' }
      if (!this.running) {
        const s = this.exitStatus
        return { found: false, reason: `exited (code ${s?.code ?? '-'}, signal ${s?.signal ?? '-'}) before "${String(pattern)}"` }
      }
      if (Date.now() >= deadline) return { found: false, reason: `no "${String(pattern)}" within ${timeoutMs} ms` }
      await sleep(50)
    }
  }

  /** Sends `signal` to the whole process group. Returns false if the group is gone. */
  signalGroup(signal: NodeJS.Signals): boolean {
    if (!this.running) return false
    try {
      process.kill(-this.pid, signal)
      return true
    } catch {
      return false
    }
  }

  /** SIGTERM to the group, then SIGKILL after `graceMs` if it has not exited. */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
    if (this.running) {
      this.signalGroup('SIGTERM')
      const status = await this.waitForExit(graceMs)
      if (status !== undefined) return status
      this.signalGroup('SIGKILL')
    }
    return (await this.waitForExit(5_000)) ?? { code: null, signal: 'SIGKILL' }
  }

  /** Synchronous last-resort kill for exit/signal handlers. */
  killGroupNow(): void {
    this.signalGroup('SIGKILL')
  }
}

export interface RunResult extends ExitStatus {
  readonly stdout: string
  readonly stderr: string
  readonly timedOut: boolean
}

/** Runs a short command to completion (argv, no shell) with a hard timeout. */
export function runSync(argv: readonly string[], timeoutMs = 10_000): RunResult {
  const [command, ...args] = argv
  if (command === undefined) throw new Error('runSync: empty argv')
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' })
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
  return {
    code: r.error !== undefined && !timedOut ? 127 : r.status,
    signal: r.signal,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? (r.error?.message ?? ''),
    timedOut,
  }
}

/** Like runSync, but throws with the command's stderr when it fails. */
export function runChecked(argv: readonly string[], timeoutMs = 10_000): string {
  const r = runSync(argv, timeoutMs)
  if (r.code !== 0) {
    const why = r.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${r.code ?? r.signal}`
    throw new Error(`${argv.join(' ')}: ${why}: ${r.stderr.trim()}`)
  }
  return r.stdout
}

function readTextIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
