/**
 * CONNECT / CONNECTACK checks as dhcpd 4.4.3 makes them (failover-protocol.md §1.5), pure: the
 * connection driver decodes the message, calls these, and sends CONNECTACK / DISCONNECT with the
 * returned reason and message, logging the returned line.
 */
import { MAX_CONNECT_SKEW_SECONDS, HBA_LENGTH, RejectReason, rejectReasonText } from '../../protocol/failover/constants.js'
import type { ConnectAckView, ConnectView } from '../../protocol/failover/messages.js'

export type Verdict =
  | { readonly accept: true; readonly skew: number }
  | {
      readonly accept: false
      readonly reason: number
      readonly message: string
      /** ISC's log line. */
      readonly log: string
      /** Measured skew (peer header time − our clock), when computed. */
      readonly skew?: number
    }

export interface ConnectContext {
  /** Our clock, Unix seconds. */
  readonly now: number
  /** Relationship names we have a peer statement for (exact, case-sensitive bytes). */
  readonly knownNames: ReadonlySet<string>
  /** That relationship already has a live link. */
  readonly alreadyLinked: (name: string) => boolean
}

/**
 * Secondary receiving CONNECT: name present; known; |skew| ≤ 60 s; HBA of 32 bytes; not
 * already linked; MCLT present — in that order (§1.5). Protocol version and TLS are not checked.
 */
export function checkConnect(c: ConnectView, headerTime: number, ctx: ConnectContext): Verdict {
  const name = c.relationshipName
  const reject = (reason: number, message: string, skew?: number): Verdict => ({
    accept: false, reason, message, log: `Failover CONNECT from ${name ?? '(unknown)'}: ${message}`,
    ...(skew === undefined ? {} : { skew }),
  })
  if (name === undefined) return reject(RejectReason.INVALID_PARTNER, 'missing relationship-name')
  if (!ctx.knownNames.has(name)) return reject(RejectReason.INVALID_PARTNER, 'unknown failover relationship name')
  const skew = headerTime - ctx.now
  if (Math.abs(skew) > MAX_CONNECT_SKEW_SECONDS) return reject(RejectReason.TIME_MISMATCH, 'time offset too large', skew)
  if (c.hba === undefined || c.hba.length !== HBA_LENGTH) return reject(RejectReason.HBA_CONFLICT, 'invalid HBA', skew)
  if (ctx.alreadyLinked(name)) return reject(RejectReason.DUPLICATE_CONNECTION, 'already connected', skew)
  if (c.mclt === undefined) return reject(RejectReason.INVALID_MCLT, 'no MCLT provided', skew)
  return { accept: true, skew }
}

export interface ConnectAckContext {
  readonly now: number
  /** The relationship we sent CONNECT for. */
  readonly name: string
  readonly alreadyLinked: boolean
}

/**
 * Primary receiving CONNECTACK (§1.5): a reject closes the link (log only); anything else that
 * is wrong is answered with DISCONNECT (`reason`, `message`) and a close.
 */
export function checkConnectAck(a: ConnectAckView, headerTime: number, ctx: ConnectAckContext): Verdict & { readonly disconnect?: boolean } {
  const name = ctx.name
  if (a.relationshipName === undefined) {
    return { accept: false, reason: RejectReason.INVALID_PARTNER, message: 'missing relationship-name', log: `Failover CONNECTACK from ${name}: missing relationship-name`, disconnect: true }
  }
  if (a.rejectReason !== undefined) {
    const text = rejectReasonText(a.rejectReason)
    return { accept: false, reason: a.rejectReason, message: a.message ?? text, log: `Failover CONNECT to ${name} rejected: ${text}`, disconnect: false }
  }
  if (a.relationshipName !== name) {
    const message = `remote failover relationship name ${a.relationshipName} does not match`
    return { accept: false, reason: RejectReason.INVALID_PARTNER, message, log: `Failover CONNECTACK from ${name}: ${message}`, disconnect: true }
  }
  if (ctx.alreadyLinked) {
    return { accept: false, reason: RejectReason.DUPLICATE_CONNECTION, message: 'already connected', log: `Failover CONNECTACK from ${name}: already connected`, disconnect: true }
  }
  const skew = headerTime - ctx.now
  if (Math.abs(skew) > MAX_CONNECT_SKEW_SECONDS) {
    return { accept: false, reason: RejectReason.TIME_MISMATCH, message: 'time offset too large', log: `Failover CONNECTACK from ${name}: time offset too large`, skew, disconnect: true }
  }
  return { accept: true, skew }
}
