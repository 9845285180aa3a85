/**
 * The per-connection timers dhcpd 4.4.3 runs (failover-protocol.md §1.1, §1.6), as pure
 * arithmetic for the connection driver (Kea's `communication_state.h` idea, without its clock):
 *
 * - CONTACT when nothing was sent for `peer receive-timer / 3` s (integer division);
 * - receive timeout after our own `max-response-delay` s of silence: log
 *   `timeout waiting for failover peer NAME` and close, no DISCONNECT;
 * - 15 s from TCP connect to a completed CONNECT/CONNECTACK (`failover: link startup timeout`);
 * - redial about 5 s after a link drops.
 *
 * Times are Unix seconds.
 */

export const LINK_STARTUP_SECONDS = 15
export const RECONNECT_SECONDS = 5

export type LinkAction = 'send-contact' | 'receive-timeout' | 'startup-timeout'

export interface LinkTimes {
  /** When the TCP connection came up. */
  readonly connectedAt: number
  /** CONNECT/CONNECTACK completed (undefined while the handshake is running). */
  readonly establishedAt: number | undefined
  readonly lastSent: number
  readonly lastReceived: number
  /** The receive-timer the peer announced (option 19), seconds. */
  readonly peerReceiveTimer: number
  /** Our max-response-delay, seconds. */
  readonly maxResponseDelay: number
}

/** The CONTACT interval: peer receive-timer / 3, at least 1 s (a 0 timer would spin, §0.6). */
export function contactInterval(peerReceiveTimer: number): number {
  return Math.max(1, Math.floor(peerReceiveTimer / 3))
}

/** What is due at `now`, most urgent first. */
export function dueLinkActions(t: LinkTimes, now: number): LinkAction[] {
  if (t.establishedAt === undefined) return now >= t.connectedAt + LINK_STARTUP_SECONDS ? ['startup-timeout'] : []
  const out: LinkAction[] = []
  if (now >= t.lastReceived + t.maxResponseDelay) out.push('receive-timeout')
  else if (now >= t.lastSent + contactInterval(t.peerReceiveTimer)) out.push('send-contact')
  return out
}

/** When the driver should look again (earliest deadline after the current state). */
export function nextLinkDeadline(t: LinkTimes): number {
  if (t.establishedAt === undefined) return t.connectedAt + LINK_STARTUP_SECONDS
  return Math.min(t.lastReceived + t.maxResponseDelay, t.lastSent + contactInterval(t.peerReceiveTimer))
}
