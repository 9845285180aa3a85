/**
 * The outgoing BNDUPD queue of one relationship (failover-protocol.md §1.6, §2.5, §3.3.3):
 *
 * - one binding per BNDUPD, keyed by address; a newer change to an address still waiting to
 *   be sent replaces the queued one in place (dhcpd sends the lease's state at send time);
 * - at most the peer's max-unacked-bndupd in flight; an address already in flight is not sent
 *   again until its ack arrives;
 * - acks are matched by xid and address (dhcpd: `bind update on A got ack from NAME: xid
 *   mismatch.`); a reject removes the update just like an ack (it is not retried, §2.5);
 * - the pending backlog is bounded; on overflow `overflowed` is set and the caller must resync
 *   from the lease store's un-acked marks (tstp > atsfp) on the next NORMAL entry;
 * - on link loss, in-flight updates go back to the front of the queue, in send order, so a
 *   reconnect re-sends every un-acked update first;
 * - leaving NORMAL with the link up re-queues them the same way, but their acks may still come
 *   on this link: as dhcpd, which matches an ack by the lease's last xid whatever queue the lease
 *   is on, such an ack completes the update (a re-queued one not sent again leaves the queue);
 * - an UPDREQ/UPDREQALL answer completes (UPDDONE with the request's xid) once the queue is
 *   empty and nothing is in flight.
 *
 * A data structure without timers or I/O; xids come from the caller's per-link counter.
 */

export interface Outgoing<T> {
  readonly xid: number
  readonly address: number
  readonly update: T
}

export type EnqueueResult = 'queued' | 'replaced' | 'full'

export type AckResult<T> =
  | { readonly kind: 'acked'; readonly sent: Outgoing<T>; readonly updateDone: number | undefined }
  | { readonly kind: 'xid-mismatch'; readonly expected: number }
  | { readonly kind: 'not-outstanding' }

export interface UpdateQueueOptions {
  /** Largest number of pending (not yet sent) updates. */
  readonly maxBacklog: number
  /** The peer's max-unacked-bndupd (from CONNECT/CONNECTACK). */
  readonly window: number
}

export class UpdateQueue<T> {
  private pending = new Map<number, T>()
  /** address → what was sent, in send order. */
  private inFlight = new Map<number, Outgoing<T>>()
  private window: number
  private readonly maxBacklog: number
  private doneXid: number | undefined
  /** Re-queued on leaving NORMAL with the link up: address → what was sent (its ack may still come). */
  private requeued = new Map<number, Outgoing<T>>()
  /** Set when an update could not be queued; cleared by {@link clearOverflow}. */
  overflowed = false

  constructor(opts: UpdateQueueOptions) {
    if (!(opts.maxBacklog > 0)) throw new RangeError('maxBacklog must be positive')
    this.maxBacklog = opts.maxBacklog
    this.window = Math.max(0, opts.window)
  }

  get pendingCount(): number {
    return this.pending.size
  }

  get inFlightCount(): number {
    return this.inFlight.size
  }

  /** Nothing queued and nothing waiting for an ack. */
  get idle(): boolean {
    return this.pending.size === 0 && this.inFlight.size === 0
  }

  /** The peer's max-unacked-bndupd changed (new CONNECT/CONNECTACK). */
  setWindow(window: number): void {
    this.window = Math.max(0, window)
  }

  /** Queues the current state of `address`. */
  enqueue(address: number, update: T): EnqueueResult {
    // A newer state: an ack of what was sent before no longer covers what is queued.
    this.requeued.delete(address)
    if (this.pending.has(address)) {
      this.pending.set(address, update)
      return 'replaced'
    }
    if (this.pending.size >= this.maxBacklog) {
      this.overflowed = true
      return 'full'
    }
    this.pending.set(address, update)
    return 'queued'
  }

  clearOverflow(): void {
    this.overflowed = false
  }

  /**
   * Moves as many pending updates as the window allows into flight and returns them, in queue
   * order, each with a fresh xid from `nextXid` (never 0 for a BNDUPD: the caller's counter).
   * `current`, when given, rebuilds each update from the lease as it is now: dhcpd sends a
   * lease's state at send time, and a peer update accepted meanwhile may have changed it.
   */
  take(nextXid: () => number, current?: (address: number, queued: T) => T): Outgoing<T>[] {
    const out: Outgoing<T>[] = []
    for (const [address, queued] of this.pending) {
      if (this.inFlight.size >= this.window) break
      if (this.inFlight.has(address)) continue
      const update = current ? current(address, queued) : queued
      const sent: Outgoing<T> = { xid: nextXid(), address, update }
      this.pending.delete(address)
      this.inFlight.set(address, sent)
      out.push(sent)
    }
    return out
  }

  /** The update for `address` waiting for an ack, if any (for the dueling-update rule, §2.7). */
  outstanding(address: number): Outgoing<T> | undefined {
    return this.inFlight.get(address)
  }

  /** A BNDACK (accept or reject) for `address` with `xid`. */
  ack(xid: number, address: number): AckResult<T> {
    const sent = this.inFlight.get(address)
    const before = this.requeued.get(address)
    if (before !== undefined && before.xid === xid) {
      // The ack of an update re-queued on leaving NORMAL: the peer has it.
      this.requeued.delete(address)
      if (sent === undefined && this.pending.delete(address)) return { kind: 'acked', sent: before, updateDone: this.takeUpdateDone() }
      // Already sent again: that copy's ack completes it.
      return { kind: 'not-outstanding' }
    }
    if (!sent) return { kind: 'not-outstanding' }
    if (sent.xid !== xid) return { kind: 'xid-mismatch', expected: sent.xid }
    this.inFlight.delete(address)
    this.requeued.delete(address)
    return { kind: 'acked', sent, updateDone: this.takeUpdateDone() }
  }

  /**
   * Forget the outstanding update for `address` (the peer's dueling update won, §2.7). Like an
   * ack, this may complete a running UPDREQ answer (`updateDone`).
   */
  dropOutstanding(address: number): { readonly sent: Outgoing<T> | undefined; readonly updateDone: number | undefined } {
    const sent = this.inFlight.get(address)
    this.inFlight.delete(address)
    return { sent, updateDone: sent ? this.takeUpdateDone() : undefined }
  }

  /** The link went down: every un-acked update goes back to the front, in send order. */
  linkDown(): void {
    this.requeue()
    this.requeued.clear()
  }

  /**
   * Leaving NORMAL/POTENTIAL-CONFLICT/PARTNER-DOWN (effect `requeue-unacked`): as {@link linkDown},
   * but the link may still be up, so a late ack of what was sent completes the update ({@link ack}).
   */
  requeueUnacked(): void {
    for (const [address, sent] of this.inFlight) if (!this.pending.has(address)) this.requeued.set(address, sent)
    this.requeue()
  }

  private requeue(): void {
    const next = new Map<number, T>()
    for (const [address, sent] of this.inFlight) next.set(address, this.pending.get(address) ?? sent.update)
    for (const [address, update] of this.pending) if (!next.has(address)) next.set(address, update)
    this.pending = next
    this.inFlight = new Map()
  }

  /**
   * The peer sent UPDREQ/UPDREQALL with `xid`; the caller has queued the leases to send. A
   * previous unfinished request is discarded (dhcpd: "Silently discarding old request."). Returns
   * the xid for an immediate UPDDONE when nothing is pending, else undefined (it comes with the
   * last ack).
   */
  beginUpdateRequest(xid: number): number | undefined {
    this.doneXid = xid
    return this.takeUpdateDone()
  }

  private takeUpdateDone(): number | undefined {
    if (this.doneXid === undefined || !this.idle) return undefined
    const xid = this.doneXid
    this.doneXid = undefined
    return xid
  }
}
