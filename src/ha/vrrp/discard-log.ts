/**
 * Counting and rate-limiting the log lines for discarded adverts (issue 6 §2: a mismatch
 * must be visible, not silent, without one log line per advert). Pure: the caller passes
 * `now`. Every discard is counted; per reason, one line is logged at most every
 * `intervalMs`, carrying how many were suppressed since the last one.
 */
import type { DiscardReason } from '../../protocol/vrrp/validate.js'

export interface DiscardLogLine {
  readonly event: 'VRRP_ADVERT_DISCARDED'
  readonly reason: DiscardReason
  /** `(VI_1) invalid TTL/HL. Received 64 and expect 255 (12 more since the last report)`. */
  readonly message: string
}

export class DiscardLog {
  private readonly counts = new Map<DiscardReason, number>()
  private readonly lastLogged = new Map<DiscardReason, number>()
  private readonly suppressed = new Map<DiscardReason, number>()

  constructor(private readonly instance: string, private readonly intervalMs = 60_000) {}

  /** Records one discard; returns the line to log, or undefined while rate-limited. */
  record(reason: DiscardReason, message: string, now: number): DiscardLogLine | undefined {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1)
    const last = this.lastLogged.get(reason)
    if (last !== undefined && now - last < this.intervalMs) {
      this.suppressed.set(reason, (this.suppressed.get(reason) ?? 0) + 1)
      return undefined
    }
    const more = this.suppressed.get(reason) ?? 0
    this.lastLogged.set(reason, now)
    this.suppressed.set(reason, 0)
    const tail = more > 0 ? ` (${more} more since the last report)` : ''
    return { event: 'VRRP_ADVERT_DISCARDED', reason, message: `(${this.instance}) ${message}${tail}` }
  }

  /** Discards per reason since start (for metrics: vrrp_adverts_discarded_total{reason}). */
  totals(): ReadonlyMap<DiscardReason, number> {
    return this.counts
  }
}
