/**
 * Effective VRRP priority from the DHCP service's state, so the service address follows the
 * node that can actually serve (issue 6 §3). Pure; the daemon calls it whenever one of the
 * inputs changes and feeds the result to the machine as a `health` input.
 *
 * Policy (each condition configurable as a weight or `fault`):
 * - **No usable transport** (the DHCP listeners or raw socket are down) → FAULT by default,
 *   like keepalived's `track_interface` going down: the node answers nothing, so it must not
 *   hold the VIP, and it sends priority 0 so the peer takes over within skew time.
 * - **Lease store failing to fsync** → priority lowered by 100 by default: the node cannot
 *   commit leases durably and should hand the VIP over, but if both nodes fail the same way
 *   the VIP still stays somewhere (a FAULT on both would black-hole every client).
 * - **Failover in a state that may not serve** (anything except NORMAL,
 *   COMMUNICATIONS-INTERRUPTED, PARTNER-DOWN and CONFLICT-DONE: STARTUP, RECOVER,
 *   RECOVER-WAIT, RECOVER-DONE, PAUSED, SHUTDOWN, POTENTIAL-CONFLICT, RESOLUTION-INTERRUPTED,
 *   unknown names) → priority lowered by 100 by default, for the same reason.
 * Penalties add up, together with keepalived's `track_interface` weights (link-tracking.ts);
 * a tracked interface without a weight that is down is a FAULT. With any adjustment the result
 * is clamped to 1..254: a 255 address owner that is unhealthy stops being the owner (keepalived
 * also refuses weights on owners).
 *
 * An operator override (control API) replaces the configured priority (penalties still apply),
 * or steps the node down: FAULT (priority-0 advert, VIPs removed, no election) until cleared.
 */
import { NO_TRACKING, type LinkTrackingResult } from './link-tracking.js'

/** What the DHCP side reports. */
export interface ServiceHealth {
  /**
   * The DHCP transport can receive and send: every served interface is up (IFF_UP and
   * IFF_RUNNING) with its address, and no socket has failed (daemon/transport-health.ts).
   */
  readonly transportUp: boolean
  /** The lease store's last fsync succeeded (journal writable). */
  readonly leaseStoreHealthy: boolean
  /** The ISC failover state name as dhcpd.leases spells it (`normal`, `partner-down`…); undefined without failover. */
  readonly failoverState?: string | undefined
}

/** A penalty subtracted from the priority, or FAULT. */
export type HealthAction = number | 'fault'

export interface HealthPolicy {
  readonly transportDown: HealthAction
  readonly leaseStoreFailing: HealthAction
  readonly failoverNotServing: HealthAction
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  transportDown: 'fault',
  leaseStoreFailing: 100,
  failoverNotServing: 100,
}

/** ISC failover states in which a server answers clients (draft-ietf-dhc-failover-12 §9). */
export const SERVING_FAILOVER_STATES: ReadonlySet<string> = new Set([
  'normal', 'communications-interrupted', 'partner-down', 'conflict-done',
])

export function failoverMayServe(state: string | undefined): boolean {
  return state === undefined || SERVING_FAILOVER_STATES.has(state.toLowerCase())
}

/**
 * The one failover state that stands for several relationships in the node's health: the first
 * that may not serve (so any relationship in RECOVER/PAUSED/… lowers the priority), else the first.
 */
export function representativeFailoverState(states: readonly string[]): string | undefined {
  return states.find((s) => !failoverMayServe(s)) ?? states[0]
}

export interface EffectiveHealth {
  readonly priority: number
  readonly fault: boolean
  /** Which conditions applied, for the log line and the API. */
  readonly reasons: readonly HealthReason[]
}

export type HealthReason =
  | 'transport-down' | 'lease-store-failing' | 'failover-not-serving' | 'interface-down' | 'operator-priority' | 'operator-step-down'

/** The operator's override: a priority 1..254 used instead of the configured one, or a step-down. */
export type PriorityOverride = number | 'step-down' | undefined

export function effectivePriority(
  configured: number, s: ServiceHealth, policy: HealthPolicy = DEFAULT_HEALTH_POLICY, override: PriorityOverride = undefined,
  links: LinkTrackingResult = NO_TRACKING,
): EffectiveHealth {
  const reasons: HealthReason[] = []
  const base = typeof override === 'number' ? override : configured
  if (typeof override === 'number') reasons.push('operator-priority')
  let penalty = 0
  let fault = false
  const apply = (bad: boolean, reason: HealthReason, action: HealthAction): void => {
    if (!bad) return
    reasons.push(reason)
    if (action === 'fault') fault = true
    else penalty += action
  }
  apply(!s.transportUp, 'transport-down', policy.transportDown)
  apply(!s.leaseStoreHealthy, 'lease-store-failing', policy.leaseStoreFailing)
  apply(!failoverMayServe(s.failoverState), 'failover-not-serving', policy.failoverNotServing)
  apply(override === 'step-down', 'operator-step-down', 'fault')
  if (links.down.length > 0) reasons.push('interface-down')
  if (links.faultBy.length > 0) fault = true
  const adjust = links.weight - penalty
  const priority = adjust !== 0 || penalty > 0 ? Math.min(254, Math.max(1, base + adjust)) : base
  return { priority, fault, reasons }
}

/**
 * `--vrrp-health transport=fault,lease-store=100,failover=100`: each input's action, a penalty
 * 0..254 or `fault`; inputs not named keep their default. Throws a readable Error.
 */
export function parseHealthPolicy(spec: string): HealthPolicy {
  const keys: Record<string, keyof HealthPolicy> = { transport: 'transportDown', 'lease-store': 'leaseStoreFailing', failover: 'failoverNotServing' }
  const out: { -readonly [K in keyof HealthPolicy]: HealthAction } = { ...DEFAULT_HEALTH_POLICY }
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([a-z-]+)=(fault|[0-9]{1,3})$/.exec(part)
    const key = m ? keys[m[1]!] : undefined
    if (!m || key === undefined) {
      throw new Error(`--vrrp-health: expected transport|lease-store|failover=fault|0..254, got ${part}`)
    }
    const n = Number(m[2])
    if (m[2] !== 'fault' && n > 254) throw new Error(`--vrrp-health: ${m[1]}=${m[2]}: a penalty is 0..254`)
    out[key] = m[2] === 'fault' ? 'fault' : n
  }
  return out
}

export function formatHealthPolicy(p: HealthPolicy): string {
  return `transport=${p.transportDown},lease-store=${p.leaseStoreFailing},failover=${p.failoverNotServing}`
}
