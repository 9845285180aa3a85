/**
 * "Log this at most once per key per window" with an injected time, for noise that a
 * misbehaving peer can produce at packet rate (malformed datagrams, unattributable
 * broadcasts). Suppressed occurrences are counted and reported with the next line that
 * gets through. Bounded: when `maxKeys` keys are tracked, stale ones are forgotten first,
 * then everything.
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>()

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * Returns the number of occurrences suppressed since the last one let through (≥ 0) when
   * this one should be logged, or undefined when it should be suppressed.
   */
  admit(key: string, now: number): number | undefined {
    const seen = this.last.get(key)
    if (seen !== undefined && now - seen.at < this.windowMs) {
      seen.suppressed++
      return undefined
    }
    if (seen === undefined && this.last.size >= this.maxKeys) this.sweep(now)
    this.last.set(key, { at: now, suppressed: 0 })
    return seen?.suppressed ?? 0
  }

  private sweep(now: number): void {
    for (const [k, v] of this.last) if (now - v.at >= this.windowMs) this.last.delete(k)
    if (this.last.size >= this.maxKeys) this.last.clear()
  }
}
