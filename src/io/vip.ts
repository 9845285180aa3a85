/**
 * The VIP side of a vrrp_instance (the runner's VipManager port): adds and removes the
 * virtual addresses with `ip addr add|del` (execFile, argv arrays, no shell) and sends
 * keepalived's gratuitous ARP frames on an AF_PACKET socket of the addon.
 *
 * The runner calls the port synchronously in the machine's order (remove stale VIPs, add,
 * GARPs, …); `ip` runs asynchronously, so every operation goes through one queue per manager
 * and keeps that order. A VIP that is already there (add) or already gone (del) is not an
 * error: the start-up clean-up of a crashed run's VIPs usually finds nothing.
 *
 * Cost: every `ip` call is timed; `stats()` gives the count, median and maximum, which the
 * daemon prints in its final stats line (about 2–20 ms per call; rtnetlink would be ~0.1 ms,
 * but the add happens once per transition, after the adverts already went out).
 */
import { execFile } from 'node:child_process'
import type { VrrpInstance, VirtualAddress } from '../config/keepalived/model.js'
import type { VipManager } from '../ha/vrrp/runner.js'
import { garpFrame } from '../protocol/vrrp/garp.js'
import { formatIPv4 } from '../lib/ip.js'

export interface CommandResult {
  readonly code: number
  readonly stderr: string
}

/** Runs argv (no shell); resolves with the exit code and stderr, never rejects. */
export type CommandRunner = (argv: readonly string[]) => Promise<CommandResult>

export const execFileRunner: CommandRunner = (argv) =>
  new Promise((resolve) => {
    const [cmd, ...args] = argv
    if (cmd === undefined) return resolve({ code: 127, stderr: 'empty argv' })
    execFile(cmd, args, { timeout: 5000 }, (err, _stdout, stderr) => {
      if (err === null) return resolve({ code: 0, stderr: String(stderr) })
      // execFile's error carries the exit status as a numeric `code` (a string code means spawn failed).
      const status: unknown = (err as { code?: unknown }).code
      resolve({ code: typeof status === 'number' ? status : 127, stderr: String(stderr) || err.message })
    })
  })

/** Sends whole Ethernet frames out of one interface (an AF_PACKET socket). */
export interface FrameSender {
  readonly mac: Buffer
  sendBroadcast(frame: Buffer): void
}

export interface VipManagerOptions {
  readonly run?: CommandRunner
  readonly ipPath?: string | undefined
  /** The GARP socket of `ifname`, opened on first use; undefined when it cannot be opened. */
  readonly frameSender: (ifname: string) => FrameSender | undefined
  readonly log: (level: 'info' | 'warning', event: string, message: string) => void
  readonly now?: () => number
}

export interface VipStats {
  adds: number
  removes: number
  garps: number
  failures: number
  /** Durations of every `ip` call, ms. */
  readonly durationsMs: number[]
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** `ip addr add|del A/P dev D [label L]`. */
export function ipAddrArgv(ipPath: string, op: 'add' | 'del', vip: VirtualAddress, dev: string): string[] {
  const argv = [ipPath, 'addr', op, `${formatIPv4(vip.address)}/${vip.prefix}`, 'dev', dev]
  if (op === 'add' && vip.label !== undefined) argv.push('label', vip.label)
  return argv
}

export class CommandVipManager implements VipManager {
  private chain: Promise<void> = Promise.resolve()
  private readonly run: CommandRunner
  private readonly ipPath: string
  private readonly now: () => number
  readonly stats: VipStats = { adds: 0, removes: 0, garps: 0, failures: 0, durationsMs: [] }
  /** VIPs this manager believes are configured, by "dev address". */
  private readonly present = new Set<string>()

  constructor(private readonly opts: VipManagerOptions) {
    this.run = opts.run ?? execFileRunner
    this.ipPath = opts.ipPath ?? 'ip'
    this.now = opts.now ?? (() => performance.now())
  }

  add(inst: VrrpInstance): void {
    for (const v of inst.virtualAddresses) this.enqueue(() => this.ipAddr('add', v, v.dev ?? inst.interface))
  }

  remove(inst: VrrpInstance): void {
    for (const v of inst.virtualAddresses) this.enqueue(() => this.ipAddr('del', v, v.dev ?? inst.interface))
  }

  sendGratuitousArps(inst: VrrpInstance, count: number): void {
    this.enqueue(async () => {
      for (const v of inst.virtualAddresses) {
        const dev = v.dev ?? inst.interface
        const sender = this.opts.frameSender(dev)
        if (sender === undefined) {
          this.stats.failures++
          this.opts.log('warning', 'VRRP_GARP_FAILED', `${inst.name}: no packet socket on ${dev}; gratuitous ARP for ${formatIPv4(v.address)} not sent`)
          continue
        }
        const frame = garpFrame(sender.mac, v.address)
        for (let i = 0; i < count; i++) {
          try {
            sender.sendBroadcast(frame)
            this.stats.garps++
          } catch (err) {
            this.stats.failures++
            this.opts.log('warning', 'VRRP_GARP_FAILED', `${inst.name}: gratuitous ARP for ${formatIPv4(v.address)} on ${dev}: ${err instanceof Error ? err.message : String(err)}`)
            break
          }
        }
      }
    })
  }

  /** Resolves when every queued operation has run (shutdown waits for the VIP removal). */
  idle(): Promise<void> {
    return this.chain
  }

  /** Whether this manager added `address` on `dev` and has not removed it since. */
  holds(dev: string, address: number): boolean {
    return this.present.has(`${dev} ${address >>> 0}`)
  }

  private enqueue(op: () => Promise<void>): void {
    this.chain = this.chain.then(op).catch((err: unknown) => {
      this.stats.failures++
      this.opts.log('warning', 'VRRP_VIP_FAILED', err instanceof Error ? err.message : String(err))
    })
  }

  private async ipAddr(op: 'add' | 'del', v: VirtualAddress, dev: string): Promise<void> {
    const argv = ipAddrArgv(this.ipPath, op, v, dev)
    const started = this.now()
    const r = await this.run(argv)
    this.stats.durationsMs.push(this.now() - started)
    const key = `${dev} ${v.address >>> 0}`
    if (op === 'add') {
      this.stats.adds++
      this.present.add(key)
    } else {
      this.stats.removes++
      this.present.delete(key)
    }
    if (r.code === 0) return
    // Already there / already gone: the state we wanted.
    if (op === 'add' && /File exists/i.test(r.stderr)) return
    if (op === 'del' && /Cannot assign requested address|not found|No such/i.test(r.stderr)) return
    if (op === 'add') this.present.delete(key)
    this.stats.failures++
    this.opts.log('warning', 'VRRP_VIP_FAILED', `${argv.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`)
  }
}
