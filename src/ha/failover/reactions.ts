/**
 * The peer-state reaction table of failover-protocol.md §3.3.2 as data: for our state L (the
 * saved state while in STARTUP) and the peer's new state P, what dhcpd 4.4.3 does.
 */
import type { FailoverState } from './states.js'

export type Reaction =
  /** Nothing beyond recording the peer state. */
  | { readonly do: 'nothing' }
  /** Move to `to`. */
  | { readonly do: 'move'; readonly to: FailoverState }
  /** Move to `to`, or to RECOVER when we are in STARTUP (NORMAL seeing PARTNER-DOWN). */
  | { readonly do: 'move-unless-startup'; readonly to: FailoverState; readonly inStartup: FailoverState }
  /** `Peer NAME: Invalid state transition X to Y.` → SHUTDOWN. */
  | { readonly do: 'invalid-transition' }
  /** `Peer NAME moves to normal during conflict resolution - panic, shutting down.` → SHUTDOWN. */
  | { readonly do: 'panic' }
  /** Send UPDREQALL (not while in STARTUP); with `log`, `requesting full update from peer`. */
  | { readonly do: 'request-all'; readonly log: boolean }
  /** UPDREQ if the previous peer state was POTENTIAL-CONFLICT, else `Unexpected move to conflict-done.` */
  | { readonly do: 'request-if-peer-was-conflict' }
  /** CONFLICT-DONE seeing anything unexpected: dhcpd exits (log_fatal). */
  | { readonly do: 'fatal' }
  /** NORMAL/NORMAL: reschedule pool balancing. */
  | { readonly do: 'rebalance' }
  /** `Both servers have entered recover-done!` → NORMAL. */
  | { readonly do: 'both-recover-done' }

export interface ReactionRow {
  /** Reactions for specific peer states. */
  readonly on: Readonly<Partial<Record<FailoverState, Reaction>>>
  /** For every other peer state. */
  readonly otherwise: Reaction
  /** Overrides everything when the peer's STATE carries the STARTUP flag. */
  readonly peerStartup?: Reaction
}

const nothing: Reaction = { do: 'nothing' }
const move = (to: FailoverState): Reaction => ({ do: 'move', to })
const each = (states: readonly FailoverState[], r: Reaction): Partial<Record<FailoverState, Reaction>> =>
  Object.fromEntries(states.map((s) => [s, r]))

/** §3.3.2, row by row. STARTUP never appears as L (the saved state is used). */
export const PEER_STATE_REACTIONS: Readonly<Record<FailoverState, ReactionRow>> = {
  normal: {
    on: {
      normal: { do: 'rebalance' },
      'partner-down': { do: 'move-unless-startup', to: 'potential-conflict', inStartup: 'recover' },
      ...each(['potential-conflict', 'resolution-interrupted', 'conflict-done'], { do: 'invalid-transition' }),
      ...each(['recover', 'shutdown'], move('partner-down')),
      paused: move('communications-interrupted'),
    },
    otherwise: nothing,
  },
  recover: {
    on: {
      recover: { do: 'request-all', log: true },
      ...each(['potential-conflict', 'resolution-interrupted', 'conflict-done', 'normal'], move('potential-conflict')),
      ...each(['partner-down', 'communications-interrupted'], { do: 'request-all', log: false }),
      shutdown: move('partner-down'),
    },
    otherwise: nothing,
  },
  'potential-conflict': {
    on: {
      normal: { do: 'panic' },
      'conflict-done': { do: 'request-if-peer-was-conflict' },
      recover: move('recover'),
      shutdown: move('partner-down'),
    },
    otherwise: nothing,
  },
  'conflict-done': {
    on: {
      normal: move('normal'),
      shutdown: move('shutdown'),
      ...each(['potential-conflict', 'resolution-interrupted'], nothing),
    },
    otherwise: { do: 'fatal' },
  },
  'partner-down': {
    peerStartup: nothing,
    on: {
      ...each(['recover', 'recover-wait'], nothing),
      'recover-done': move('normal'),
      ...each(
        ['normal', 'potential-conflict', 'partner-down', 'communications-interrupted', 'resolution-interrupted', 'conflict-done'],
        move('potential-conflict'),
      ),
    },
    otherwise: nothing,
  },
  'communications-interrupted': {
    on: {
      recover: move('partner-down'),
      ...each(['normal', 'communications-interrupted', 'recover-done', 'recover-wait'], move('normal')),
      ...each(['potential-conflict', 'partner-down', 'resolution-interrupted', 'conflict-done'], move('potential-conflict')),
      shutdown: move('partner-down'),
    },
    otherwise: nothing,
  },
  'resolution-interrupted': {
    on: {
      ...each(
        ['normal', 'recover', 'potential-conflict', 'partner-down', 'communications-interrupted', 'resolution-interrupted',
          'conflict-done', 'recover-done', 'recover-wait'],
        move('potential-conflict'),
      ),
      shutdown: move('partner-down'),
    },
    otherwise: nothing,
  },
  'recover-wait': { on: {}, otherwise: nothing },
  'recover-done': {
    on: {
      'recover-done': { do: 'both-recover-done' },
      normal: move('normal'),
      shutdown: move('partner-down'),
    },
    otherwise: nothing,
  },
  shutdown: { on: {}, otherwise: nothing },
  paused: { on: {}, otherwise: nothing },
  'unknown-state': { on: {}, otherwise: nothing },
  startup: { on: {}, otherwise: nothing },
}

/** The reaction for our state `local` to the peer's new state `peer`. */
export function reactionFor(local: FailoverState, peer: FailoverState, peerStartup: boolean): Reaction {
  const row = PEER_STATE_REACTIONS[local]
  if (peerStartup && row.peerStartup) return row.peerStartup
  return row.on[peer] ?? row.otherwise
}

/**
 * When the peer repeats the state we already recorded, these local states ignore it outright
 * (§3.3.2, first paragraph); the others re-run the table.
 */
export const IGNORE_REPEATED_PEER_STATE: ReadonlySet<FailoverState> = new Set<FailoverState>([
  'normal', 'potential-conflict', 'recover-done', 'shutdown', 'paused', 'recover-wait',
])
