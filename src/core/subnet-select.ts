/**
 * Which network a client is on (RFC 2131 §4.3.1 and the relay extensions), in this order:
 *  1. relay link-selection sub-option (RFC 3527 §2): the relay names the client's link;
 *  2. subnet-selection option 118 (RFC 3011 §3): the client names its subnet;
 *  3. giaddr (RFC 2131 §4.3.1): the relay's address on the client's link;
 *  4. ciaddr, when it lies in a subnet we serve (a RENEWING client unicasting through a router);
 *     skipped for a datagram known to be broadcast: that one came from our own link;
 *  5. the receiving interface's addresses (a client on our own link).
 * The result is the shared network: all its subnets' pools are candidates (dhcpd.conf(5)
 * "shared-network"). A selector that names an address we do not serve ends the search:
 * the client is on a network we know nothing about.
 */
import { formatIPv4 } from '../lib/ip.js'
import type { SharedNetwork, Subnet } from '../config/model.js'
import type { ClientQuery } from './client-query.js'
import type { NetworkIndex } from './network-index.js'

/** The interface a packet arrived on, as the I/O layer knows it. */
export interface ReceivingInterface {
  readonly name: string
  /** The interface's IPv4 addresses (primary first). */
  readonly addresses: readonly number[]
}

export type SelectionSource = 'link-selection' | 'subnet-selection' | 'giaddr' | 'ciaddr' | 'interface'

export interface NetworkSelection {
  readonly sharedNetwork: SharedNetwork
  /** The subnet the selector address lies in. */
  readonly subnet: Subnet
  readonly source: SelectionSource
  /** The address that selected the network. */
  readonly selector: number
}

export function selectNetwork(
  index: NetworkIndex,
  query: Pick<ClientQuery, 'linkSelection' | 'subnetSelection' | 'giaddr' | 'ciaddr'>,
  iface: ReceivingInterface,
  receivedBroadcast?: boolean,
): NetworkSelection | undefined {
  if (query.linkSelection !== undefined) return bySelector(index, query.linkSelection, 'link-selection')
  if (query.subnetSelection !== undefined) return bySelector(index, query.subnetSelection, 'subnet-selection')
  if (query.giaddr !== 0) return bySelector(index, query.giaddr, 'giaddr')
  if (query.ciaddr !== 0 && receivedBroadcast !== true) {
    const byCiaddr = bySelector(index, query.ciaddr, 'ciaddr')
    if (byCiaddr !== undefined) return byCiaddr
  }
  for (const address of iface.addresses) {
    const found = bySelector(index, address, 'interface')
    if (found !== undefined) return found
  }
  return undefined
}

function bySelector(index: NetworkIndex, selector: number, source: SelectionSource): NetworkSelection | undefined {
  const subnet = index.subnetOf(selector)
  if (subnet === undefined) return undefined
  return { sharedNetwork: index.sharedNetworkOf(subnet), subnet, source, selector }
}

/** Human name of a shared network for logs, as ISC prints it (`10.0.10.0/24` for implicit ones). */
export function networkName(sn: SharedNetwork): string {
  if (!sn.implicit) return sn.name
  const s = sn.subnets[0]
  return s === undefined ? sn.name : `${formatIPv4(s.network)}/${s.prefixLength}`
}
