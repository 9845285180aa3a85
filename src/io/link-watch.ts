/**
 * Which network interfaces are usable, polled: the names the host lists as up and running
 * (IFF_UP and IFF_RUNNING, i.e. administratively up with carrier). libuv's
 * `uv_interface_addresses` (node's `os.networkInterfaces()`) leaves out every interface without
 * both flags, so a link set down, a veth whose peer is gone, or a deleted interface all
 * disappear from the list; it asks the kernel (getifaddrs, netlink) in the process's own
 * network namespace. `withIpv4` additionally requires an IPv4 address (the DHCP side).
 */
import { networkInterfaces } from 'node:os'

export interface LinkSnapshot {
  /** Up and running (any address family, loopback included). */
  readonly up: ReadonlySet<string>
  /** Up and running with at least one IPv4 address. */
  readonly withIpv4: ReadonlySet<string>
}

export function readLinks(): LinkSnapshot {
  const up = new Set<string>()
  const withIpv4 = new Set<string>()
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    if (infos === undefined || infos.length === 0) continue
    up.add(name)
    if (infos.some((i) => i.family === 'IPv4')) withIpv4.add(name)
  }
  return { up, withIpv4 }
}

export function sameLinks(a: LinkSnapshot, b: LinkSnapshot): boolean {
  const eq = (x: ReadonlySet<string>, y: ReadonlySet<string>): boolean => x.size === y.size && [...x].every((n) => y.has(n))
  return eq(a.up, b.up) && eq(a.withIpv4, b.withIpv4)
}

export interface LinkWatchOptions {
  readonly intervalMs: number
  readonly onChange: (now: LinkSnapshot, before: LinkSnapshot) => void
  /** Injected for tests; default {@link readLinks}. */
  readonly read?: () => LinkSnapshot
}

/** Polls the links every `intervalMs` and reports each change once. */
export class LinkWatcher {
  private last: LinkSnapshot
  private timer: NodeJS.Timeout | undefined
  private readonly read: () => LinkSnapshot

  constructor(private readonly opts: LinkWatchOptions) {
    this.read = opts.read ?? readLinks
    this.last = this.read()
  }

  get current(): LinkSnapshot {
    return this.last
  }

  start(): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => this.poll(), this.opts.intervalMs)
    this.timer.unref()
  }

  /** One poll (the timer's job; callable from tests). */
  poll(): void {
    let now: LinkSnapshot
    try {
      now = this.read()
    } catch {
      return
    }
    if (sameLinks(now, this.last)) return
    const before = this.last
    this.last = now
    this.opts.onChange(now, before)
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }
}
