/**
 * Bookkeeping for ISC `ping-check`, pure (time comes in as `now`, milliseconds): which
 * probes the pipeline asks for actually have to be sent.
 *
 * An address that stayed silent for a client is not probed again for that client while it
 * could still be the same offer (`clearedForMs`, the offer hold): a client retransmitting its
 * DISCOVER after our OFFER gets the same address at once, without another second of delay.
 * A conflict (someone answered) forgets the address; the engine has abandoned it.
 */

/** Addresses tried for one DISCOVER at most, before the server stays silent (ISC: 1). */
export const MAX_PROBES_PER_DISCOVER = 8

export type ProbeResult = 'answered' | 'silent'

export class PingChecks {
  private readonly cleared = new Map<number, { readonly key: string; readonly until: number }>()

  constructor(private readonly clearedForMs = 60_000, private readonly maxEntries = 100_000) {}

  /** Whether a probe of `address` before offering it to client `key` must be sent. */
  needed(address: number, key: string, now: number): boolean {
    const c = this.cleared.get(address)
    if (c === undefined) return true
    if (c.until <= now) {
      this.cleared.delete(address)
      return true
    }
    return c.key !== key
  }

  /** Nobody answered: `address` may be offered to `key` without another probe for a while. */
  passed(address: number, key: string, now: number): void {
    if (this.cleared.size >= this.maxEntries) this.prune(now)
    this.cleared.delete(address) // re-insert: Map order = insertion order = expiry order
    this.cleared.set(address, { key, until: now + this.clearedForMs })
  }

  /** Something answered: forget any earlier clearance. */
  conflicted(address: number): void {
    this.cleared.delete(address)
  }

  get size(): number {
    return this.cleared.size
  }

  private prune(now: number): void {
    for (const [address, c] of this.cleared) {
      if (c.until > now && this.cleared.size < this.maxEntries) break
      this.cleared.delete(address)
    }
  }
}
