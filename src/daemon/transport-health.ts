/**
 * "No usable transport" for the VRRP health (ha/vrrp/health.ts `transportUp`): the DHCP side
 * cannot receive or send on a served interface when that interface is down or lost its IPv4
 * address (io/link-watch.ts), or when its receiving socket reported an error. A socket error
 * counts until a datagram arrives on that interface again or the link changes (the packet
 * transport reopens its socket when the interface comes back). Pure: the daemon feeds it.
 */
import type { LinkSnapshot } from '../io/link-watch.js'

export class TransportHealth {
  private links: LinkSnapshot | undefined
  private readonly failed = new Set<string>()

  /** `served`: the interfaces the DHCP side serves (dhcpd's interface list). */
  constructor(private readonly served: readonly string[]) {}

  setLinks(links: LinkSnapshot): void {
    this.links = links
    this.failed.clear()
  }

  socketFailed(iface: string): void {
    this.failed.add(iface)
  }

  /** A datagram arrived on `iface`: its socket (and the wildcard one) works. True when that cleared a failure. */
  socketWorked(iface: string): boolean {
    if (this.failed.size === 0) return false
    const a = this.failed.delete(iface)
    const b = this.failed.delete('*')
    return a || b
  }

  /** Why the transport is unusable, one phrase per problem; empty when usable. */
  problems(): string[] {
    const out: string[] = []
    for (const name of this.served) {
      if (this.links !== undefined && !this.links.up.has(name)) out.push(`${name} is down`)
      else if (this.links !== undefined && !this.links.withIpv4.has(name)) out.push(`${name} has no IPv4 address`)
      if (this.failed.has(name)) out.push(`the socket on ${name} failed`)
    }
    if (this.failed.has('*')) out.push('the wildcard socket failed')
    return out
  }

  get usable(): boolean {
    return this.problems().length === 0
  }
}
