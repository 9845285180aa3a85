/**
 * Which binding-state changes a server accepts from its peer, and who wins a dueling update
 * (failover-protocol.md §2.7). Same predicates as dhcpd 4.4.3 so a mixed pair converges like
 * an ISC pair. Times are Unix seconds.
 */
import type { BindingState } from '../../core/lease.js'
import type { Role } from './states.js'

/** dhcpd's fixed slack when judging an incoming EXPIRED for an ACTIVE lease (§2.3, §2.7). */
export const EXPIRY_SLACK_SECONDS = 65

export interface IncomingBinding {
  /** Our current binding state of the address. */
  readonly ours: BindingState
  /** Our lease `ends`. */
  readonly oursEnds: number
  /** The state in the peer's BNDUPD. */
  readonly theirs: BindingState
  /** potential-expiration-time of the BNDUPD (0 when absent). */
  readonly tsfp: number
  readonly now: number
  /** Our role. */
  readonly role: Role
  /**
   * Seconds before our `ends` at which an incoming EXPIRED is accepted for an ACTIVE lease;
   * dhcpd uses 65. Note: a non-zero slack lets the peer free an address up to that long before
   * the client's lease ends (the two-node simulation finds such overlaps); 0 is strictly safe.
   */
  readonly expirySlack?: number
  /**
   * Whether the update names the client of our ACTIVE binding. When false, a non-ACTIVE update
   * is about an older binding and is refused, in NORMAL and in the other states (hadhcpd safety
   * rule; dhcpd does not compare clients, and the two-node simulation finds a re-sent RELEASED
   * of the previous client freeing a newer grant that way). Undefined = dhcpd's behaviour.
   */
  readonly sameClient?: boolean
  /** `ends` of the incoming update; with `sameClient: false`, an ACTIVE whose ends has passed is stale and refused. */
  readonly theirsEnds?: number
  /**
   * cltt of our binding and of the update. When both are given, a non-ACTIVE update older than
   * our ACTIVE binding (theirs < ours) is outdated and refused (hadhcpd safety rule: a re-sent
   * RELEASED must not end a later grant to the same client).
   */
  readonly oursCltt?: number
  readonly theirsCltt?: number
}

const norm = (s: BindingState): BindingState => (s === 'bootp' ? 'active' : s)
const isFreeish = (s: BindingState): boolean => s === 'free' || s === 'backup'

/**
 * dhcpd's `normal_binding_state_transition_check` when it is NORMAL; a rejection is BNDACK
 * reason 2 `A.B.C.D: invalid state transition: X to Y` (§2.4).
 */
export function acceptInNormal(i: IncomingBinding): boolean {
  const ours = norm(i.ours)
  const theirs = norm(i.theirs)
  if (ours === theirs) return ours !== 'active' || !staleOtherClient(i)
  if (ours === 'active' && (i.sameClient === false || outdated(i))) return false
  switch (ours) {
    case 'free':
    case 'abandoned':
    case 'released':
    case 'backup':
      return true
    case 'active':
      if (i.role === 'primary') return theirs === 'released' || theirs === 'abandoned'
      if (isFreeish(theirs)) return i.tsfp <= i.now
      if (theirs === 'expired') return i.oursEnds - (i.expirySlack ?? EXPIRY_SLACK_SECONDS) <= i.now
      return true // released, abandoned, reset
    case 'expired':
    case 'reset':
      return isFreeish(theirs) ? i.tsfp <= i.now : true
    default:
      return true
  }
}

/** hadhcpd safety rule: an ACTIVE update for another client whose lease has already ended. */
function staleOtherClient(i: IncomingBinding): boolean {
  return i.sameClient === false && i.theirsEnds !== undefined && i.theirsEnds <= i.now
}

/** hadhcpd safety rule: a non-ACTIVE update older than our ACTIVE binding. */
function outdated(i: IncomingBinding): boolean {
  return i.oursCltt !== undefined && i.theirsCltt !== undefined && i.theirsCltt < i.oursCltt
}

/** The looser check dhcpd uses in every other failover state (§2.7, last paragraph). */
export function acceptInOtherStates(i: IncomingBinding): boolean {
  const ours = norm(i.ours)
  const theirs = norm(i.theirs)
  if (ours !== 'active') return true
  if (theirs === 'active') return !staleOtherClient(i)
  if (isFreeish(theirs)) return false
  if (i.sameClient === false || outdated(i)) return false
  if (theirs === 'expired') return i.oursEnds - (i.expirySlack ?? EXPIRY_SLACK_SECONDS) <= i.now
  return true
}

export interface DuelSide {
  readonly state: BindingState
  /** client-last-transaction-time; 0/undefined when absent. */
  readonly cltt?: number | undefined
}

/**
 * A peer BNDUPD arrived while our own BNDUPD for the same address is un-acked (§2.7):
 * 'mine' = reject theirs with reason 16; 'theirs' = accept it and forget our pending update.
 */
export function duelWinner(mine: DuelSide, theirs: DuelSide, role: Role): 'mine' | 'theirs' {
  const m = norm(mine.state)
  const t = norm(theirs.state)
  const primaryWins = role === 'primary' ? 'mine' : 'theirs'
  if (m === 'active' && t === 'active') {
    const mc = mine.cltt ?? 0
    const tc = theirs.cltt ?? 0
    if (mc !== tc) return mc > tc ? 'mine' : 'theirs'
    return primaryWins
  }
  if (m === 'active' && t === 'expired') return 'theirs'
  if (t === 'active') return 'theirs'
  // hadhcpd safety rule: our un-acked ACTIVE binding beats the peer's FREE/BACKUP on both sides
  // (dhcpd: the secondary yields to any non-ACTIVE update of the primary). The primary's update
  // predates our grant (it never saw it: our BNDUPD is in flight), e.g. an affinity BACKUP re-sent
  // after a partition in which the secondary handed that BACKUP address to a client; the primary
  // accepts our ACTIVE in the same duel, so yielding here would leave the client's address free on
  // both servers (two-node simulation, 1 in ~100,000 schedules).
  if (m === 'active' && (t === 'free' || t === 'backup')) return 'mine'
  return primaryWins
}
