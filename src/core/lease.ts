/**
 * The lease model, spelled the way ISC dhcpd 4.4 spells it in dhcpd.leases(5), so a lease
 * file moves between ISC dhcpd and hadhcpd in both directions without loss.
 *
 * Times are Unix epoch seconds (UTC). `undefined` means "not set" (ISC writes nothing, and
 * stores 0); {@link NEVER} is ISC's `never`.
 */

/**
 * ISC binding states (`binding_state_names` in ISC, same numbers as the failover
 * binding-status option). `bootp` is accepted on input as a legacy word; ISC (and we) read
 * it as `active` with the dynamic-bootp flag, so stores never hold it.
 */
export type BindingState =
  | 'free'
  | 'active'
  | 'expired'
  | 'released'
  | 'abandoned'
  | 'reset'
  | 'backup'
  | 'bootp'

/** Binding states in ISC/failover numbering: binding-status value = index + 1. */
export const BINDING_STATES: readonly BindingState[] = [
  'free',
  'active',
  'expired',
  'released',
  'abandoned',
  'reset',
  'backup',
  'bootp',
]

/** Failover binding-status value (1..8) of a state. */
export function bindingStateCode(state: BindingState): number {
  switch (state) {
    case 'free': return 1
    case 'active': return 2
    case 'expired': return 3
    case 'released': return 4
    case 'abandoned': return 5
    case 'reset': return 6
    case 'backup': return 7
    case 'bootp': return 8
  }
}

/** The state for a binding-status value (1..8), or undefined. */
export function bindingStateFromCode(code: number): BindingState | undefined {
  return BINDING_STATES[code - 1]
}

export function isBindingState(word: string): word is BindingState {
  return (BINDING_STATES as readonly string[]).includes(word)
}

/** ISC's `never` (print_time prints `never;` for it). */
export const NEVER = 0xffff_ffff

/** A hardware address as ISC keeps it: ARP type and the address bytes. */
export interface LeaseHardware {
  /** ARP hardware type: 1 ethernet, 6 token-ring, 8 fddi, 32 infiniband. */
  readonly htype: number
  readonly address: Buffer
}

/**
 * A lease statement hadhcpd does not interpret, kept verbatim (exact source text, ending in
 * `;` or `}`), so a round trip loses nothing. `kind` decides where the writer puts it, in
 * the order ISC's `write_lease` uses.
 */
export interface LeaseStatement {
  /** `set` binding-scope variable, `option agent.*`, `on expiry|release|commit {…}`,
   * `billing class|subclass`, or anything else. */
  readonly kind: 'set' | 'option' | 'on' | 'billing' | 'other'
  readonly text: string
}

/** One lease: the state of one address. Only addresses that have state are ever stored. */
export interface Lease {
  /** IPv4 address as an unsigned 32-bit number. */
  readonly address: number
  readonly bindingState: BindingState
  /** State to take when the current one times out; undefined = same as bindingState. */
  readonly nextBindingState?: BindingState | undefined
  /** Last state the failover peer is known to hold; undefined = same as bindingState. */
  readonly rewindBindingState?: BindingState | undefined
  readonly starts?: number | undefined
  readonly ends?: number | undefined
  /** Time sent to partner (potential expiry we told the peer). */
  readonly tstp?: number | undefined
  /** Time sent from partner (agreed potential expiry). */
  readonly tsfp?: number | undefined
  /** Actual tsfp: the value really acknowledged/received. */
  readonly atsfp?: number | undefined
  /** Client last transaction time. */
  readonly cltt?: number | undefined
  /** ISC RESERVED_LEASE flag (`reserved;`). */
  readonly reserved?: boolean | undefined
  /** ISC BOOTP_LEASE flag (`dynamic-bootp;`). */
  readonly dynamicBootp?: boolean | undefined
  readonly hardware?: LeaseHardware | undefined
  /** Client identifier bytes (`uid`). */
  readonly uid?: Buffer | undefined
  readonly clientHostname?: string | undefined
  /** Statements kept verbatim, in source order. */
  readonly statements?: readonly LeaseStatement[] | undefined
}

/** Why a lease changed; free text beyond these is allowed for callers' own reasons. */
export type LeaseChangeReason =
  | 'allocate'
  | 'renew'
  | 'release'
  | 'decline'
  | 'expire'
  | 'reclaim'
  | 'peer-update'
  | 'admin'
  | 'load'

/** One change to the store: what the address held before and holds after. */
export interface LeaseChange {
  readonly address: number
  /** undefined when the address had no state. */
  readonly before: Lease | undefined
  /** undefined when the address's state was removed. */
  readonly after: Lease | undefined
  readonly reason?: LeaseChangeReason | undefined
}

/** ISC failover server states as written in dhcpd.leases (`failover_state_name_print`). */
export type FailoverStateName =
  | 'unknown-state'
  | 'startup'
  | 'normal'
  | 'communications-interrupted'
  | 'partner-down'
  | 'potential-conflict'
  | 'recover'
  | 'paused'
  | 'shutdown'
  | 'recover-done'
  | 'resolution-interrupted'
  | 'conflict-done'
  | 'recover-wait'

export const FAILOVER_STATE_NAMES: readonly FailoverStateName[] = [
  'unknown-state',
  'startup',
  'normal',
  'communications-interrupted',
  'partner-down',
  'potential-conflict',
  'recover',
  'paused',
  'shutdown',
  'recover-done',
  'resolution-interrupted',
  'conflict-done',
  'recover-wait',
]

export function isFailoverStateName(word: string): word is FailoverStateName {
  return (FAILOVER_STATE_NAMES as readonly string[]).includes(word)
}

/**
 * A `failover peer "NAME" state { … }` block: the persisted state of one relationship.
 * The last block for a name in the file wins.
 */
export interface FailoverPeerState {
  readonly name: string
  readonly myState: FailoverStateName
  /** When my state began (STOS); undefined when the file gave no `at` (means "now"). */
  readonly myStateAt?: number | undefined
  readonly partnerState: FailoverStateName
  readonly partnerStateAt?: number | undefined
  /** MCLT learned from the primary; ISC writes it only on the secondary. */
  readonly mclt?: number | undefined
}

/**
 * ISC writes a lease on rewrite only when it is "interesting": it has a hardware address,
 * a uid, a non-zero tsfp, or a state other than free.
 */
export function isInterestingLease(lease: Lease): boolean {
  return (
    lease.bindingState !== 'free' ||
    lease.hardware !== undefined ||
    lease.uid !== undefined ||
    (lease.tsfp !== undefined && lease.tsfp !== 0) ||
    (lease.statements !== undefined && lease.statements.length > 0)
  )
}

/** The binding state a lease moves to when its current one times out. */
export function effectiveNextState(lease: Lease): BindingState {
  return lease.nextBindingState ?? lease.bindingState
}

/**
 * The canonical form the store keeps and the file can express: legacy `bootp` becomes
 * `active` with the dynamic-bootp flag (as ISC reads it), and a next or rewind state equal
 * to the binding state is dropped (undefined already means "same"; ISC does not write it).
 */
export function normalizeLease(lease: Lease): Lease {
  const bootp = lease.bindingState === 'bootp'
  const state: BindingState = bootp ? 'active' : lease.bindingState
  const sameNext = lease.nextBindingState !== undefined && lease.nextBindingState === state
  const sameRewind = lease.rewindBindingState !== undefined && lease.rewindBindingState === state
  if (!bootp && !sameNext && !sameRewind) return lease
  const out: { -readonly [K in keyof Lease]: Lease[K] } = { ...lease, bindingState: state }
  if (bootp) out.dynamicBootp = true
  if (sameNext) delete out.nextBindingState
  if (sameRewind) delete out.rewindBindingState
  return out
}
