/**
 * Lookups over the configured networks: which subnet holds an address, which shared network
 * a subnet belongs to, which pool and range hold an address. Built once per configuration.
 * Ranges are kept sorted for binary search, so a lookup costs O(log ranges).
 */
import { inSubnet } from '../lib/ip.js'
import type { Pool, Range, ServerConfig, SharedNetwork, Subnet } from '../config/model.js'

export interface RangeSlot {
  readonly range: Range
  readonly pool: Pool
  readonly subnet: Subnet
}

export class NetworkIndex {
  private readonly sharedByName = new Map<string, SharedNetwork>()
  /** Most specific subnets first, so a lookup returns the longest match. */
  private readonly subnetsBySpecificity: readonly Subnet[]
  private readonly ranges: readonly RangeSlot[]

  constructor(readonly config: ServerConfig) {
    for (const sn of config.sharedNetworks) this.sharedByName.set(sn.name, sn)
    this.subnetsBySpecificity = [...config.subnets].sort((a, b) => b.prefixLength - a.prefixLength)
    const slots: RangeSlot[] = []
    for (const subnet of config.subnets) {
      for (const pool of subnet.pools) for (const range of pool.ranges) slots.push({ range, pool, subnet })
    }
    this.ranges = slots.sort((a, b) => a.range.first - b.range.first)
  }

  /** The subnet containing `address` (longest prefix), if any. */
  subnetOf(address: number): Subnet | undefined {
    for (const s of this.subnetsBySpecificity) if (inSubnet(address, s.network, s.mask)) return s
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
