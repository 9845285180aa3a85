/**
 * Outgoing BNDACK batching as dhcpd 4.4.3 does it (failover-protocol.md §1.6): acks for received
 * BNDUPDs are queued and flushed when the queue reaches the peer's max-unacked / 2, or 2 s after
 * the first queued ack; the lease database is committed (fsync) before the flush, and queued acks
 * go out before any new BNDUPD. Pure: the driver asks `push` / `due` and arms the returned time.
 */

/** dhcpd flushes a lone ack after this many seconds. */
export const ACK_FLUSH_SECONDS = 2

export interface PendingAck {
  readonly xid: number
  readonly address: number
  /** Present for a reject (BNDACK with 21 and 16). */
  readonly rejectReason?: number | undefined
  readonly message?: string | undefined
}

export type PushResult =
  /** Commit, then send everything from {@link AckQueue.drain} now. */
  | { readonly flush: true }
  /** Keep queued; make sure a wake-up is armed for `at`. */
  | { readonly flush: false; readonly at: number }

export class AckQueue {
  private acks: PendingAck[] = []
  private firstAt: number | undefined

  /** `peerMaxUnacked`: the max-unacked-bndupd the peer announced. */
  constructor(private peerMaxUnacked: number) {}

  setPeerMaxUnacked(n: number): void {
    this.peerMaxUnacked = n
  }

  get length(): number {
    return this.acks.length
  }

  /** Queues an ack at time `now` (seconds). */
  push(ack: PendingAck, now: number): PushResult {
    this.acks.push(ack)
    this.firstAt ??= now
    if (this.acks.length >= Math.max(1, Math.floor(this.peerMaxUnacked / 2))) return { flush: true }
    return { flush: false, at: this.firstAt + ACK_FLUSH_SECONDS }
  }

  /** Whether the 2 s deadline has passed (or the queue must go out before a BNDUPD: call drain). */
  due(now: number): boolean {
    return this.firstAt !== undefined && now >= this.firstAt + ACK_FLUSH_SECONDS
  }

  /** Takes every queued ack, in arrival order. */
  drain(): PendingAck[] {
    const out = this.acks
    this.acks = []
    this.firstAt = undefined
    return out
  }
}
