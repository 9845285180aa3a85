/**
 * A namespace lab for hadhcpd with real DHCP clients, on netns.ts: shared by the end-to-end
 * tests (test/helpers/dhcp-lab.ts re-exports it) and `npm run lab` (ha-lab.ts).
 *
 * Every namespace starts with the lab's prefix (`hde-<x>-`); every process is started by the
 * lab in its own process group and stopped by PID/group; `destroy()` removes the
 * namespaces, which also kills anything left inside them. Addresses: 198.18.0.0/15 only.
 * Client hook scripts are no-ops that log their environment (and, when asked, put the
 * address on the client's interface inside its namespace) — never the distribution hooks,
 * which rewrite the shared /etc/resolv.conf.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  cleanupByPrefix,
  createNamespace,
  findExecutable,
  LabProcess,
  runInNamespace,
} from './netns.js'
import { runChecked } from './lab-process.js'
import { processAlive } from '../daemon/pid-file.js'

/** Repository root (this file is dist/src/lab/dhcp-lab.js once compiled). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const HADHCPD = join(REPO_ROOT, 'bin', 'hadhcpd.js')
export const READY_LINE = 'Server starting service.'

const IP = findExecutable('ip') ?? '/usr/sbin/ip'

function ipCmd(args: readonly string[]): string {
  return runChecked([IP, ...args], 10_000)
}

/** One hook invocation: the script's first argument (udhcpc), `at` (Unix seconds) and the variables it saw. */
export type HookRecord = Readonly<Record<string, string>>

export class DhcpLab {
  readonly dir: string
  private readonly processes: LabProcess[] = []
  private bridges = 0

  constructor(readonly prefix: string) {
    if (!/^h[a-z]{2}-[a-z0-9]+-$/.test(prefix)) throw new Error(`lab prefix must look like hxx-y- (h + two letters, a tag, a dash): ${prefix}`)
    cleanupByPrefix(prefix)
    removeStaleDirs(prefix)
    this.dir = mkdtempSync(join(tmpdir(), prefix))
    writeFileSync(join(this.dir, OWNER_FILE), `${process.pid}\n`)
  }

  /** Creates namespace `<prefix><name>` and returns its full name. */
  ns(name: string): string {
    const full = `${this.prefix}${name}`
    createNamespace(full)
    return full
  }

  /** A bridge in its own namespace; returns a handle for {@link link}. */
  bridge(name: string): { ns: string; dev: string } {
    const ns = this.ns(name)
    const dev = `hdebr${this.bridges++}`
    ipCmd(['-n', ns, 'link', 'add', dev, 'type', 'bridge'])
    ipCmd(['-n', ns, 'link', 'set', dev, 'up'])
    return { ns, dev }
  }

  /** Plugs `ns` into `br` with interface `iface` (≤ 12 chars), optional address/MAC. */
  link(br: { ns: string; dev: string }, ns: string, iface: string, opts: { address?: string; mac?: string } = {}): void {
    const peer = `${iface}-b`
    ipCmd(['-n', br.ns, 'link', 'add', iface, 'type', 'veth', 'peer', 'name', peer])
    ipCmd(['-n', br.ns, 'link', 'set', iface, 'netns', ns])
    ipCmd(['-n', br.ns, 'link', 'set', peer, 'master', br.dev])
    ipCmd(['-n', br.ns, 'link', 'set', peer, 'up'])
    if (opts.mac !== undefined) ipCmd(['-n', ns, 'link', 'set', iface, 'address', opts.mac])
    if (opts.address !== undefined) ipCmd(['-n', ns, 'addr', 'add', opts.address, 'dev', iface])
    ipCmd(['-n', ns, 'link', 'set', iface, 'up'])
  }

  ip(ns: string, args: readonly string[]): string {
    return ipCmd(['-n', ns, ...args])
  }

  file(name: string, content: string, mode?: number): string {
    const p = join(this.dir, name)
    writeFileSync(p, content)
    if (mode !== undefined) chmodSync(p, mode)
    return p
  }

  /** Starts `argv` in `ns` (own process group), output to `<dir>/<log>`. */
  start(ns: string, argv: readonly string[], log: string): LabProcess {
    const p = runInNamespace(ns, argv, { output: { kind: 'file', path: join(this.dir, log) } })
    this.processes.push(p)
    return p
  }

  /** Runs `argv` in `ns` to completion (killed after `timeoutMs`); returns exit code and output. */
  async run(ns: string, argv: readonly string[], log: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
    const p = this.start(ns, argv, log)
    const status = await p.waitForExit(timeoutMs)
    if (status === undefined) await p.stop(1000)
    return { code: status?.code ?? null, output: p.output() }
  }

  /**
   * A no-op hook script logging to `<dir>/<name>.log`. With `configure`, it also sets the
   * bound address on the client interface (inside the client's namespace only), so that
   * renewals (unicast from the client's address) work.
   */
  hook(name: string, configure = false, defaultRoute = false): { script: string; log: string; records: () => HookRecord[] } {
    const log = join(this.dir, `${name}.log`)
    const conf = configure
      ? `
case "$reason$1" in
  BOUND|RENEW|REBIND|REBOOT) [ -n "$new_ip_address" ] && ${IP} addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"${defaultRoute ? ` && [ -n "$new_routers" ] && ${IP} route replace default via "\${new_routers%% *}" dev "$interface"` : ''} ;;
  bound|renew) [ -n "$ip" ] && ${IP} addr replace "$ip/$mask" dev "$interface"${defaultRoute ? ` && [ -n "$router" ] && ${IP} route replace default via "\${router%% *}" dev "$interface"` : ''} ;;
  deconfig|EXPIRE|RELEASE|STOP|FAIL|PREINIT|NAK) ${IP} addr flush dev "$interface" ;;
esac`
      : ''
    const script = this.file(`${name}.sh`, `#!/bin/sh
{ echo "arg=$1"; echo "at=$(date +%s)"; env | grep -E '^(reason|interface|ip|mask|serverid|lease|new_ip_address|new_subnet_mask|new_dhcp_server_identifier|new_dhcp_lease_time|old_ip_address|requested_ip_address)='; echo "--"; } >> ${log}${conf}
exit 0
`, 0o755)
    return { script, log, records: () => parseHookLog(log) }
  }

  /** Starts hadhcpd in `ns` serving `ifaces` and waits for its readiness line. */
  async startServer(ns: string, opts: { conf: string; leases: string; ifaces: readonly string[]; log: string; env?: Record<string, string>; args?: readonly string[] }): Promise<LabProcess> {
    // No control API unless the test asks for one (it would write /var/lib/hadhcpd/control.token).
    const extra = opts.args ?? []
    const control = extra.includes('--control') ? [] : ['--control', 'none']
    // Nor syslog (the host's /dev/log is not the test's), unless the test asks for it.
    if (!extra.includes('--syslog-socket')) control.push('--no-syslog')
    const argv = [process.execPath, HADHCPD, '-f', '-d', '-cf', opts.conf, '-lf', opts.leases, '-pf', join(this.dir, `${opts.log}.pid`), ...control, ...extra, ...opts.ifaces]
    const withEnv = opts.env === undefined ? argv : ['env', ...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`), ...argv]
    const p = this.start(ns, withEnv, opts.log)
    const ready = await p.waitForOutput(READY_LINE, 15_000)
    if (!ready.found) throw new Error(`hadhcpd did not start: ${ready.reason}\n${p.output()}`)
    return p
  }

  /** Synchronous last resort (exit handlers): SIGKILL every process group, remove everything. */
  destroySync(): void {
    for (const p of this.processes) p.killGroupNow()
    cleanupByPrefix(this.prefix)
    if (process.env['HADHCPD_E2E_KEEP'] === undefined) rmSync(this.dir, { recursive: true, force: true })
  }

  /** Stops every process the lab started, removes its namespaces and scratch files. */
  async destroy(keepFiles = false): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(3000)))
    cleanupByPrefix(this.prefix)
    if (!keepFiles && process.env['HADHCPD_E2E_KEEP'] === undefined) rmSync(this.dir, { recursive: true, force: true })
  }
}

const OWNER_FILE = 'lab-owner.pid'

/**
 * Removes scratch directories `<tmpdir>/<prefix>*` left by a run of the same prefix that died
 * without cleaning up (its owner PID is gone). Directories of live runs are kept.
 */
export function removeStaleDirs(prefix: string): string[] {
  const removed: string[] = []
  let names: string[]
  try {
    names = readdirSync(tmpdir())
  } catch {
    return removed
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || name.length !== prefix.length + 6) continue
    const dir = join(tmpdir(), name)
    let owner: number
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8').trim())
    } catch {
      continue
    }
    if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
      rmSync(dir, { recursive: true, force: true })
      removed.push(dir)
    }
  }
  return removed
}

export function parseHookLog(path: string): HookRecord[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return []
  }
  const out: HookRecord[] = []
  let cur: Record<string, string> = {}
  for (const line of text.split('\n')) {
    if (line === '--') {
      out.push(cur)
      cur = {}
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) cur[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

/** Polls `check` every 100 ms until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = check()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(100)
  }
}

/**
 * Waits (≤ 5 s) until a process's output matches `pattern`; the server's log lines are
 * written in batches (up to 25 ms late), so never assert on them without waiting.
 */
export async function waitForLog(proc: { output(): string }, pattern: RegExp, timeoutMs = 5000): Promise<void> {
  try {
    await waitFor(`log line ${String(pattern)}`, timeoutMs, () => (pattern.test(proc.output()) ? true : undefined))
  } catch {
    throw new Error(`no ${String(pattern)} within ${timeoutMs} ms in:\n${proc.output()}`)
  }
}
