/**
 * Whole-config address checks, run after the walk: every range inside its subnet, no two
 * ranges overlapping, fixed addresses outside dynamic ranges (a warning, as in ISC), and no
 * hardware address claimed by two hosts.
 */
import type { Diagnostic, SourceLocation } from '../lib/errors.js'
import { toColonHex } from '../lib/hex.js'
import { formatIPv4, prefixToMask } from '../lib/ip.js'
import type { Range } from './model.js'

export interface CheckedSubnet {
  readonly network: number
  readonly prefixLength: number
  readonly pools: readonly { readonly ranges: readonly Range[] }[]
}

export interface CheckedHost {
  readonly name: string
  readonly hardware: { readonly htype: number; readonly address: Buffer; readonly loc: SourceLocation } | undefined
  readonly fixedAddresses: readonly { readonly ip: number; readonly loc: SourceLocation }[]
}

export function formatRange(r: Range): string {
  return r.first === r.last ? formatIPv4(r.first) : `${formatIPv4(r.first)}-${formatIPv4(r.last)}`
}

function at(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`
}

export function checkAddresses(input: { subnets: readonly CheckedSubnet[]; hosts: readonly CheckedHost[] }): Diagnostic[] {
  const out: Diagnostic[] = []
  const ranges: { range: Range; subnet: CheckedSubnet }[] = []

  for (const subnet of input.subnets) {
    const mask = prefixToMask(subnet.prefixLength)
    const cidr = `${formatIPv4(subnet.network)}/${subnet.prefixLength}`
    for (const pool of subnet.pools) {
      for (const range of pool.ranges) {
        const inside = ((range.first & mask) >>> 0) === subnet.network && ((range.last & mask) >>> 0) === subnet.network
        if (!inside) {
          out.push({ severity: 'error', loc: range.loc, message: `range ${formatRange(range)} is outside subnet ${cidr}` })
          continue
        }
        ranges.push({ range, subnet })
      }
    }
  }

  // Overlaps: sort by start; each range is compared with the furthest-reaching one before it.
  const sorted = [...ranges].sort((a, b) => a.range.first - b.range.first || compareLoc(a.range.loc, b.range.loc))
  let reach: Range | undefined
  for (const { range } of sorted) {
    if (reach && range.first <= reach.last) {
      // Report at whichever of the two was written later.
      const [earlier, later] = compareLoc(reach.loc, range.loc) <= 0 ? [reach, range] : [range, reach]
      out.push({
        severity: 'error',
        loc: later.loc,
        message: `range ${formatRange(later)} overlaps range ${formatRange(earlier)} at ${at(earlier.loc)}`,
      })
    }
    if (!reach || range.last > reach.last) reach = range
  }

  for (const host of input.hosts) {
    for (const fixed of host.fixedAddresses) {
      const hit = ranges.find(({ range }) => fixed.ip >= range.first && fixed.ip <= range.last)
      if (hit) {
        out.push({
          severity: 'warning',
          loc: fixed.loc,
          message: `fixed-address ${formatIPv4(fixed.ip)} of host ${host.name} is inside dynamic range ${formatRange(hit.range)} (dynamic and static leases present)`,
          hint: `remove ${formatIPv4(fixed.ip)} from the range at ${at(hit.range.loc)}`,
        })
      }
    }
  }

  const byHardware = new Map<string, CheckedHost>()
  for (const host of input.hosts) {
    if (!host.hardware) continue
    const key = `${host.hardware.htype}/${toColonHex(host.hardware.address)}`
    const first = byHardware.get(key)
    if (first) {
      out.push({
        severity: 'error',
        loc: host.hardware.loc,
        message: `hardware address ${toColonHex(host.hardware.address)} of host ${host.name} is already used by host ${first.name} at ${at(first.hardware!.loc)}`,
      })
      continue
    }
    byHardware.set(key, host)
  }
  return out
}

/** Orders locations by file name, then line, then column (stable enough for reports). */
export function compareLoc(a: SourceLocation, b: SourceLocation): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  return a.line - b.line || a.col - b.col
}
