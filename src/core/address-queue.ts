/** A FIFO of addresses in a growable Uint32Array: no object per entry. */
export class AddressQueue {
  private items = new Uint32Array(16)
  private head = 0
  private tail = 0

  get length(): number {
    return this.tail - this.head
  }

  push(address: number): void {
    if (this.tail === this.items.length) {
      const live = this.tail - this.head
      if (live * 2 >= this.items.length) {
        const bigger = new Uint32Array(this.items.length * 2)
        bigger.set(this.items.subarray(this.head, this.tail), 0)
        this.items = bigger
      } else {
        this.items.copyWithin(0, this.head, this.tail)
      }
      this.head = 0
      this.tail = live
    }
    this.items[this.tail++] = address >>> 0
  }

  /** Removes and returns the oldest address, or undefined when empty. */
  shift(): number | undefined {
    if (this.head === this.tail) return undefined
    const v = this.items[this.head++]!
    if (this.head === this.tail) this.head = this.tail = 0
    return v
  }
}
