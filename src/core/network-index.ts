/**
 * Lookups over the configured networks: which subnet holds an address, which shared network
 * a subnet belongs to, which pool and range hold an address. Built once per configuration.
 * Subnets are hashed per prefix length and ranges kept sorted for binary search, so lookups
 * stay cheap with thousands of subnets.
 */
import { prefixToMask } from '../lib/ip.js'
import type { Pool, Range, ServerConfig, SharedNetwork, Subnet } from '../config/model.js'

export interface RangeSlot {
  readonly range: Range
  readonly pool: Pool
  readonly subnet: Subnet
}

export class NetworkIndex {
  private readonly sharedByName = new Map<string, SharedNetwork>()
  /** Subnets by network address, one map per prefix length, longest prefix first. */
  private readonly subnetsByPrefix: readonly { readonly mask: number; readonly byNetwork: ReadonlyMap<number, Subnet> }[]
  private readonly ranges: readonly RangeSlot[]

  constructor(readonly config: ServerConfig) {
    for (const sn of config.sharedNetworks) this.sharedByName.set(sn.name, sn)
    const byPrefix = new Map<number, Map<number, Subnet>>()
    for (const subnet of config.subnets) {
      let m = byPrefix.get(subnet.prefixLength)
      if (m === undefined) byPrefix.set(subnet.prefixLength, (m = new Map()))
      if (!m.has(subnet.network)) m.set(subnet.network, subnet) // first declaration wins
    }
    this.subnetsByPrefix = [...byPrefix.entries()]
      .sort((a, b) => b[0] - a[0])
      .map(([prefix, byNetwork]) => ({ mask: prefixToMask(prefix), byNetwork }))
    const slots: RangeSlot[] = []
    for (const subnet of config.subnets) {
      for (const pool of subnet.pools) for (const range of pool.ranges) slots.push({ range, pool, subnet })
    }
    this.ranges = slots.sort((a, b) => a.range.first - b.range.first)
  }

  /** The subnet containing `address` (longest prefix), if any; O(distinct prefix lengths). */
  subnetOf(address: number): Subnet | undefined {
    for (const level of this.subnetsByPrefix) {
      const found = level.byNetwork.get((address & level.mask) >>> 0)
      if (found !== undefined) return found
    }
    return undefined
  }

  sharedNetworkOf(subnet: Subnet): SharedNetwork {
    const sn = this.sharedByName.get(subnet.sharedNetwork)
    if (sn === undefined) throw new Error(`BUG: subnet's shared network ${subnet.sharedNetwork} is not in the config`)
    return sn
  }

  /** The range (with its pool and subnet) holding `address`, if any. */
  rangeOf(address: number): RangeSlot | undefined {
    const a = address >>> 0
    let lo = 0
    let hi = this.ranges.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const slot = this.ranges[mid]!
      if (a < slot.range.first) hi = mid - 1
      else if (a > slot.range.last) lo = mid + 1
      else return slot
    }
    return undefined
  }

  allRanges(): readonly RangeSlot[] {
    return this.ranges
  }
}
