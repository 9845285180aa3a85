/**
 * Which network interfaces the server serves, and on which of them a datagram most likely
 * arrived. The host's interface list comes in as data (see {@link readHostInterfaces}, the
 * only function here that asks the OS), so the choice itself is pure and tested.
 *
 * dhcpd semantics: interfaces named on the command line are served; with none named, every
 * interface with an IPv4 address inside a declared subnet is. A named interface without such
 * an address is reported and ignored ("No subnet declaration for …"), as dhcpd does.
 */
import { networkInterfaces } from 'node:os'
import { formatIPv4, parseIPv4, prefixToMask } from '../lib/ip.js'
import type { ServerConfig } from '../config/model.js'
import type { ReceivingInterface } from '../core/subnet-select.js'

export interface InterfaceAddress {
  readonly address: number
  readonly mask: number
  readonly prefixLength: number
}

export interface HostInterface {
  readonly name: string
  readonly mac: string
  readonly addresses: readonly InterfaceAddress[]
}

/** A served interface: what the pipeline is told about it, plus its addresses with masks. */
export interface ServedInterface extends HostInterface {
  readonly receiving: ReceivingInterface
}

/** IPv4 interfaces of this host (network namespace), loopback excluded. */
export function readHostInterfaces(): HostInterface[] {
  const out: HostInterface[] = []
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const addresses: InterfaceAddress[] = []
    let mac = ''
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4' || info.internal) continue
      const address = parseIPv4(info.address)
      const prefixLength = Number(info.cidr?.split('/')[1] ?? 32)
      if (address === undefined) continue
      mac = info.mac
      addresses.push({ address, mask: prefixToMask(prefixLength), prefixLength })
    }
    if (addresses.length > 0) out.push({ name, mac, addresses })
  }
  return out
}

export interface InterfaceChoice {
  readonly served: readonly ServedInterface[]
  /** dhcpd-style complaints about named interfaces that cannot be served. */
  readonly problems: readonly string[]
}

function inDeclaredSubnet(config: ServerConfig, address: number): boolean {
  return config.subnets.some((s) => ((address & s.mask) >>> 0) === s.network)
}

export function chooseInterfaces(host: readonly HostInterface[], named: readonly string[], config: ServerConfig): InterfaceChoice {
  const problems: string[] = []
  const served: ServedInterface[] = []
  const candidates = named.length === 0 ? host : named.map((n) => host.find((h) => h.name === n) ?? n)
  for (const c of candidates) {
    if (typeof c === 'string') {
      problems.push(`${c}: no such interface with an IPv4 address`)
      continue
    }
    const inSubnet = c.addresses.filter((a) => inDeclaredSubnet(config, a.address))
    if (inSubnet.length === 0) {
      if (named.length > 0) {
        const a = c.addresses[0]!
        problems.push(`No subnet declaration for ${c.name} (${formatIPv4(a.address)}). ** Ignoring requests on ${c.name}.`)
      }
      continue
    }
    // Addresses in a declared subnet first: they are the natural server identifiers.
    const ordered = [...inSubnet, ...c.addresses.filter((a) => !inSubnet.includes(a))]
    served.push({ ...c, addresses: ordered, receiving: { name: c.name, addresses: ordered.map((a) => a.address) } })
  }
  return { served, problems }
}

/**
 * The interface a datagram from `source` arrived on, judged by the source address: the
 * interface (served or not) whose subnet holds it. `undefined` when no interface is on-link
 * with the source (a routed relay, or a client without an address).
 */
export function interfaceOnLinkWith(interfaces: readonly HostInterface[], source: number): HostInterface | undefined {
  for (const i of interfaces) {
    for (const a of i.addresses) if (((source & a.mask) >>> 0) === ((a.address & a.mask) >>> 0)) return i
  }
  return undefined
}

/** dhcpd's "Listening on" line, with UDP instead of LPF: `UDP/eth0/198.18.30.1/24`. */
export function describeInterface(i: ServedInterface): string {
  const a = i.addresses[0]!
  const net = formatIPv4((a.address & a.mask) >>> 0)
  return `UDP/${i.name}${i.mac === '' ? '' : `/${i.mac}`}/${net}/${a.prefixLength}`
}
