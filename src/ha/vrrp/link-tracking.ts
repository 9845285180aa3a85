/**
 * keepalived's interface tracking for one vrrp_instance, pure: which links are up in, a
 * priority adjustment and FAULT out (keepalived.conf(5) `track_interface`).
 *
 * - The instance's own `interface` is tracked unless `dont_track_primary`: down → FAULT.
 * - A `track_interface` line without a weight (or `weight 0`): down → FAULT.
 * - `weight N > 0`: N is added to the priority while the interface is up.
 * - `weight N < 0`: |N| is taken off the priority while the interface is down.
 * "Up" is what the host reports as IFF_UP and IFF_RUNNING (carrier): io/link-watch.ts.
 */
import type { TrackedInterface } from '../../config/keepalived/model.js'

export interface LinkTrackingSpec {
  readonly interface: string
  readonly trackPrimary: boolean
  readonly trackInterfaces: readonly Pick<TrackedInterface, 'name' | 'weight'>[]
}

export interface LinkTrackingResult {
  /** Sum of the weights that apply now (added to the configured priority). */
  readonly weight: number
  /** Tracked interfaces that are down and put the instance in FAULT. */
  readonly faultBy: readonly string[]
  /** Every tracked interface that is down (for the log line). */
  readonly down: readonly string[]
}

export const NO_TRACKING: LinkTrackingResult = { weight: 0, faultBy: [], down: [] }

export function trackLinks(spec: LinkTrackingSpec, up: ReadonlySet<string>): LinkTrackingResult {
  let weight = 0
  const faultBy: string[] = []
  const down: string[] = []
  const seen = new Set<string>()
  const lines = spec.trackPrimary ? [{ name: spec.interface, weight: undefined }, ...spec.trackInterfaces] : spec.trackInterfaces
  for (const t of lines) {
    const isUp = up.has(t.name)
    if (!isUp && !seen.has(t.name)) down.push(t.name)
    seen.add(t.name)
    if (t.weight === undefined || t.weight === 0) {
      if (!isUp && !faultBy.includes(t.name)) faultBy.push(t.name)
    } else if (t.weight > 0 && isUp) {
      weight += t.weight
    } else if (t.weight < 0 && !isUp) {
      weight += t.weight
    }
  }
  return { weight, faultBy, down }
}
