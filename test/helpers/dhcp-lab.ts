/**
 * End-to-end lab for hadhcpd with real DHCP clients, on src/lab/netns.ts.
 *
 * Every namespace starts with the lab's prefix (`hde-<x>-`); every process is started by the
 * lab in its own process group and stopped by PID/group; `destroy()` removes the
 * namespaces, which also kills anything left inside them. Addresses: 198.18.0.0/15 only.
 * Client hook scripts are no-ops that log their environment (and, when asked, put the
 * address on the client's interface inside its namespace) — never the distribution hooks,
 * which rewrite the shared /etc/resolv.conf.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
} from '../../src/lab/netns.js'
import { runChecked } from '../../src/lab/lab-process.js'

/** Repository root (this file is dist/test/helpers/dhcp-lab.js once compiled). */
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
    this.dir = mkdtempSync(join(tmpdir(), prefix))
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
  hook(name: string, configure = false): { script: string; log: string; records: () => HookRecord[] } {
    const log = join(this.dir, `${name}.log`)
    const conf = configure
      ? `
case "$reason$1" in
  BOUND|RENEW|REBIND|REBOOT) [ -n "$new_ip_address" ] && ${IP} addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
  bound|renew) [ -n "$ip" ] && ${IP} addr replace "$ip/$mask" dev "$interface" ;;
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
    const argv = [process.execPath, HADHCPD, '-f', '-d', '-cf', opts.conf, '-lf', opts.leases, '-pf', join(this.dir, `${opts.log}.pid`), ...(opts.args ?? []), ...opts.ifaces]
    const withEnv = opts.env === undefined ? argv : ['env', ...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`), ...argv]
    const p = this.start(ns, withEnv, opts.log)
    const ready = await p.waitForOutput(READY_LINE, 15_000)
    if (!ready.found) throw new Error(`hadhcpd did not start: ${ready.reason}\n${p.output()}`)
    return p
  }

  /** Stops every process the lab started, removes its namespaces and scratch files. */
  async destroy(keepFiles = false): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(3000)))
    cleanupByPrefix(this.prefix)
    if (!keepFiles && process.env['HADHCPD_E2E_KEEP'] === undefined) rmSync(this.dir, { recursive: true, force: true })
  }
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

/** dhclient's config for tests: short timeouts, the usual options. */
export const DHCLIENT_CONF = 'timeout 20;\nretry 1;\nrequest subnet-mask, broadcast-address, routers, domain-name-servers, domain-name;\n'

/** Server config for the direct test subnet 198.18.30.0/24 (server 198.18.30.1). */
export function directConf(extra = '', leaseTime = 600): string {
  return `authoritative;
ddns-update-style none;
default-lease-time ${leaseTime};
max-lease-time ${leaseTime};
subnet 198.18.30.0 netmask 255.255.255.0 {
  option routers 198.18.30.1;
  option domain-name-servers 198.18.30.1;
  range 198.18.30.100 198.18.30.200;
}
${extra}`
}
