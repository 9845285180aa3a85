/**
 * An indexed binary min-heap of (time, slot): every slot is in the heap at most once and
 * knows its position, so a lease whose expiry moves is updated in place (O(log n)) and no
 * stale entries pile up. Lives in typed arrays: 12 bytes per slot.
 */
export class ExpiryHeap {
  private times: Float64Array
  private slots: Int32Array
  private positions: Int32Array
  private length = 0

  constructor(slotCapacity: number) {
    this.times = new Float64Array(Math.max(16, slotCapacity))
    this.slots = new Int32Array(Math.max(16, slotCapacity))
    this.positions = new Int32Array(slotCapacity).fill(-1)
  }

  get size(): number {
    return this.length
  }

  growSlots(capacity: number): void {
    if (capacity > this.positions.length) {
      const p = new Int32Array(capacity).fill(-1)
      p.set(this.positions)
      this.positions = p
    }
  }

  /** Earliest time in the heap, or undefined when empty. */
  peekTime(): number | undefined {
    return this.length > 0 ? this.times[0] : undefined
  }

  has(slot: number): boolean {
    return this.positions[slot]! >= 0
  }

  /** Inserts `slot` or moves it to `time`. */
  set(slot: number, time: number): void {
    const at = this.positions[slot]!
    if (at >= 0) {
      const old = this.times[at]!
      this.times[at] = time
      if (time < old) this.up(at)
      else if (time > old) this.down(at)
      return
    }
    if (this.length === this.times.length) this.growHeap()
    const i = this.length++
    this.times[i] = time
    this.slots[i] = slot
    this.positions[slot] = i
    this.up(i)
  }

  remove(slot: number): void {
    const at = this.positions[slot]!
    if (at < 0) return
    this.positions[slot] = -1
    const last = --this.length
    if (at === last) return
    const moved = this.slots[last]!
    this.times[at] = this.times[last]!
    this.slots[at] = moved
    this.positions[moved] = at
    this.up(at)
    this.down(this.positions[moved]!)
  }

  /**
   * Up to `max` slots with time ≤ `until`, earliest first, without removing them: a
   * best-first walk of the heap tree, O(max · log max).
   */
  earliest(until: number, max: number): number[] {
    const out: number[] = []
    if (this.length === 0 || max <= 0) return out
    // Frontier of heap indices, itself kept as a small binary heap ordered by time.
    const frontier: number[] = [0]
    const t = this.times
    const less = (a: number, b: number): boolean => t[a]! < t[b]!
    while (frontier.length > 0 && out.length < max) {
      const i = popMin(frontier, less)
      if (t[i]! > until) break
      out.push(this.slots[i]!)
      const l = 2 * i + 1
      if (l < this.length) pushMin(frontier, l, less)
      if (l + 1 < this.length) pushMin(frontier, l + 1, less)
    }
    return out
  }

  private growHeap(): void {
    const n = this.times.length * 2
    const times = new Float64Array(n)
    times.set(this.times)
    const slots = new Int32Array(n)
    slots.set(this.slots)
    this.times = times
    this.slots = slots
  }

  private up(i: number): void {
    const { times, slots, positions } = this
    const time = times[i]!
    const slot = slots[i]!
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (times[parent]! <= time) break
      times[i] = times[parent]!
      slots[i] = slots[parent]!
      positions[slots[i]!] = i
      i = parent
    }
    times[i] = time
    slots[i] = slot
    positions[slot] = i
  }

  private down(i: number): void {
    const { times, slots, positions } = this
    const n = this.length
    const time = times[i]!
    const slot = slots[i]!
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      if (child + 1 < n && times[child + 1]! < times[child]!) child++
      if (times[child]! >= time) break
      times[i] = times[child]!
      slots[i] = slots[child]!
      positions[slots[i]!] = i
      i = child
    }
    times[i] = time
    slots[i] = slot
    positions[slot] = i
  }
}

function pushMin(h: number[], v: number, less: (a: number, b: number) => boolean): void {
  h.push(v)
  let i = h.length - 1
  while (i > 0) {
    const p = (i - 1) >> 1
    if (!less(h[i]!, h[p]!)) break
    ;[h[i], h[p]] = [h[p]!, h[i]!]
    i = p
  }
}

function popMin(h: number[], less: (a: number, b: number) => boolean): number {
  const top = h[0]!
  const last = h.pop()!
  if (h.length > 0) {
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= h.length) break
      const c = l + 1 < h.length && less(h[l + 1]!, h[l]!) ? l + 1 : l
      if (!less(h[c]!, h[i]!)) break
      ;[h[i], h[c]] = [h[c]!, h[i]!]
      i = c
    }
  }
  return top
}
