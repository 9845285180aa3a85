/**
 * Short in-memory holds on offered addresses, so two clients are not offered the same
 * address while the first one decides (ISC dhcpd keeps an offered lease aside the same way;
 * RFC 2131 §4.3.1: the server "SHOULD NOT" reuse an offered address until the client
 * answers or a timeout passes). Holds are not durable: a restart forgets them, which is
 * harmless because nothing was committed.
 */
export interface OfferHold {
  readonly address: number
  readonly clientKey: string
  /** Epoch seconds at which the hold lapses. */
  readonly until: number
}

export class OfferHolds {
  private readonly byAddress = new Map<number, OfferHold>()
  private readonly byClient = new Map<string, OfferHold>()
  /**
   * Holds in creation order. Every hold lasts the same time, so this is also lapse order and
   * pruning only looks at the front; replaced holds stay here until they reach the front.
   */
  private order: OfferHold[] = []
  private head = 0

  get size(): number {
    return this.byAddress.size
  }

  /**
   * Holds `address` for `clientKey`, replacing that client's previous hold and any other
   * client's hold on the address. Returns the holds it displaced, so the caller can give
   * their addresses back.
   */
  hold(address: number, clientKey: string, until: number): OfferHold[] {
    const displaced: OfferHold[] = []
    const previous = this.byClient.get(clientKey)
    if (previous !== undefined) {
      this.byAddress.delete(previous.address)
      displaced.push(previous)
    }
    const other = this.byAddress.get(address)
    if (other !== undefined && other !== previous) {
      this.byClient.delete(other.clientKey)
      displaced.push(other)
    }
    const h: OfferHold = { address, clientKey, until }
    this.byAddress.set(address, h)
    this.byClient.set(clientKey, h)
    this.order.push(h)
    return displaced
  }

  /** The client holding `address` at `now`, if any. */
  holderOf(address: number, now: number): string | undefined {
    const h = this.byAddress.get(address)
    return h !== undefined && h.until > now ? h.clientKey : undefined
  }

  /** The address held for `clientKey` at `now`, if any. */
  heldFor(clientKey: string, now: number): number | undefined {
    const h = this.byClient.get(clientKey)
    return h !== undefined && h.until > now ? h.address : undefined
  }

  /** Drops the hold on `address`; returns it when there was one. */
  releaseAddress(address: number): OfferHold | undefined {
    const h = this.byAddress.get(address)
    if (h === undefined) return undefined
    this.byAddress.delete(address)
    this.byClient.delete(h.clientKey)
    return h
  }

  releaseClient(clientKey: string): OfferHold | undefined {
    const h = this.byClient.get(clientKey)
    if (h === undefined) return undefined
    this.byClient.delete(clientKey)
    this.byAddress.delete(h.address)
    return h
  }

  /**
   * Removes and returns every hold that lapsed by `now`. Holds are expected to be created
   * with non-decreasing `until` (one fixed hold time); cost is O(lapsed + replaced).
   */
  prune(now: number): OfferHold[] {
    const lapsed: OfferHold[] = []
    while (this.head < this.order.length && this.order[this.head]!.until <= now) {
      const h = this.order[this.head++]!
      if (this.byAddress.get(h.address) !== h) continue // replaced or released meanwhile
      this.byAddress.delete(h.address)
      this.byClient.delete(h.clientKey)
      lapsed.push(h)
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head)
      this.head = 0
    }
    return lapsed
  }
}
