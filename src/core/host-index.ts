/**
 * Host declarations by client identity. ISC dhcpd looks hosts up by client identifier
 * first (`find_hosts_by_uid`), then by hardware address (`find_hosts_by_haddr`). A client
 * with any matching host declaration is "known" (dhcpd.conf(5) "known-clients").
 */
import type { Host, Subnet } from '../config/model.js'
import type { ClientIdentity } from './client-identity.js'
import type { NetworkIndex } from './network-index.js'
import type { NetworkSelection } from './subnet-select.js'

export interface FixedAddressMatch {
  readonly host: Host
  readonly address: number
  readonly subnet: Subnet
}

export class HostIndex {
  private readonly byClientId = new Map<string, Host[]>()
  private readonly byHardware = new Map<string, Host[]>()
  private readonly fixed = new Set<number>()

  constructor(hosts: readonly Host[]) {
    for (const host of hosts) {
      for (const address of host.fixedAddresses) this.fixed.add(address >>> 0)
      if (host.clientId !== undefined) push(this.byClientId, host.clientId.toString('hex'), host)
      if (host.hardware !== undefined) push(this.byHardware, hardwareKey(host.hardware.htype, host.hardware.address), host)
    }
  }

  /**
   * Whether `address` is some host's fixed address. ISC warns about fixed addresses inside
   * dynamic ranges; we never hand such an address out dynamically.
   */
  isReserved(address: number): boolean {
    return this.fixed.has(address >>> 0)
  }

  /** Matching host declarations, client-identifier matches first, in declaration order. */
  find(id: ClientIdentity): readonly Host[] {
    const byId = id.clientId === undefined ? [] : this.byClientId.get(id.clientId.toString('hex')) ?? []
    const byHw = this.byHardware.get(hardwareKey(id.hardware.htype, id.hardware.address)) ?? []
    if (byId.length === 0) return byHw
    return [...byId, ...byHw.filter((h) => !byId.includes(h))]
  }

  /**
   * The reserved (fixed) address of this client on the selected shared network: the first
   * fixed address of a matching host that lies in one of the network's subnets (ISC
   * `find_fixed_lease`/`locate_network`).
   */
  fixedAddressOn(hosts: readonly Host[], selection: NetworkSelection, index: NetworkIndex): FixedAddressMatch | undefined {
    for (const host of hosts) {
      for (const address of host.fixedAddresses) {
        const subnet = index.subnetOf(address)
        if (subnet !== undefined && subnet.sharedNetwork === selection.sharedNetwork.name) return { host, address, subnet }
      }
    }
    return undefined
  }
}

function hardwareKey(htype: number, address: Buffer): string {
  return `${htype}:${address.toString('hex')}`
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}
