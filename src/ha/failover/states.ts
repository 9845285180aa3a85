/**
 * Failover server states (failover-protocol.md §1.4.6) and what each lets the DHCP engine do
 * (§3.1). Names are ISC's, as printed in logs and written in dhcpd.leases.
 */
import type { FailoverStateName } from '../../core/lease.js'

export type FailoverState = FailoverStateName
export type Role = 'primary' | 'secondary'

/** server-state values on the wire (§1.4.6). RECOVER-WAIT is 254, not in the draft (§0.8). */
export const STATE_CODES: Readonly<Record<FailoverState, number>> = {
  'unknown-state': 0,
  startup: 1,
  normal: 2,
  'communications-interrupted': 3,
  'partner-down': 4,
  'potential-conflict': 5,
  recover: 6,
  paused: 7,
  shutdown: 8,
  'recover-done': 9,
  'resolution-interrupted': 10,
  'conflict-done': 11,
  'recover-wait': 254,
}

const BY_CODE = new Map<number, FailoverState>(
  (Object.entries(STATE_CODES) as [FailoverState, number][]).map(([s, c]) => [c, s]),
)

/** The state for a server-state value; undefined for values dhcpd treats as fatal (§0.8). */
export function stateFromCode(code: number): FailoverState | undefined {
  return BY_CODE.get(code)
}

export function stateCode(state: FailoverState): number {
  return STATE_CODES[state]
}

/** What the DHCP engine may do in a failover state (§3.1, §4.1, §4.3, §5.3). */
export interface ServicePolicy {
  /** Whether DISCOVER/REQUEST/RELEASE/DECLINE are answered at all. DHCPINFORM is never gated. */
  readonly responding: boolean
  /** ISC's suffix for `<msg>: not responding<reason>` / `NAME: ignored<reason>`; '' when responding. */
  readonly reason: string
  /** NORMAL: DISCOVERs are load balanced (§5.3). */
  readonly loadBalance: boolean
  /** The binding state of the addresses we allocate from: primary FREE, secondary BACKUP (§6.1). */
  readonly ownFreeState: 'free' | 'backup'
  /** Whether we may allocate new addresses from our own free-state pool. */
  readonly allocateOwn: boolean
  /** PARTNER-DOWN: the peer's free addresses too, once `max(STOS, tsfp) + MCLT` has passed (§4.3). */
  readonly allocatePeerAfterMclt: boolean
  /** COMMUNICATIONS-INTERRUPTED: un-announced leases may be rewound into our own pool (§4.4). */
  readonly rewind: boolean
  /** Lease times follow the MCLT rule of §4.1 in every responding state, PARTNER-DOWN included. */
  readonly mcltRule: boolean
}

const NOT_RESPONDING_REASON: Readonly<Record<FailoverState, string>> = {
  'unknown-state': ' (my state unknown)',
  startup: ' (startup)',
  normal: '',
  'communications-interrupted': '',
  'partner-down': '',
  'potential-conflict': ' (resolving conflicts)',
  recover: ' (recovering)',
  paused: ' (paused)',
  shutdown: ' (shut down)',
  'recover-done': ' (recover done)',
  'resolution-interrupted': ' (resolving conflicts)',
  'conflict-done': ' (resolving conflicts)',
  'recover-wait': ' (recover wait)',
}

/** Peer states that stop us answering even in a responding state (§3.1 "peer demands"). */
function peerDemand(peer: FailoverState | undefined): string {
  switch (peer) {
    case 'partner-down': return ' (peer demands: recovering)'
    case 'potential-conflict':
    case 'conflict-done':
    case 'resolution-interrupted': return ' (peer demands: resolving conflicts)'
    default: return ''
  }
}

/** Our own free state, the one we allocate from: primary FREE, secondary BACKUP (§6.1). */
export function ownFreeState(role: Role): 'free' | 'backup' {
  return role === 'primary' ? 'free' : 'backup'
}

/**
 * The service a server gives in `state` (§3.1). Only NORMAL, COMMUNICATIONS-INTERRUPTED and
 * PARTNER-DOWN answer clients; RESOLUTION-INTERRUPTED and CONFLICT-DONE do not (ISC, unlike the
 * draft). When `peerState` is given, the peer's "demands" apply too.
 */
export function servicePolicy(state: FailoverState, role: Role, peerState?: FailoverState): ServicePolicy {
  const serves = state === 'normal' || state === 'communications-interrupted' || state === 'partner-down'
  const demand = serves ? peerDemand(peerState) : ''
  const responding = serves && demand === ''
  return {
    responding,
    reason: responding ? '' : serves ? demand : NOT_RESPONDING_REASON[state],
    loadBalance: responding && state === 'normal',
    ownFreeState: ownFreeState(role),
    allocateOwn: responding,
    allocatePeerAfterMclt: responding && state === 'partner-down',
    rewind: responding && state === 'communications-interrupted',
    mcltRule: responding,
  }
}
