/**
 * A hash index from a key to store slots, kept in two typed arrays (bucket heads and a
 * per-slot chain link) instead of a Map, so a million entries cost 8 bytes each plus the
 * bucket table, with no per-entry objects. Several slots may share a key (one hardware
 * address can hold leases in several subnets); callers walk the bucket chain and compare
 * keys themselves, because only they know what a key is.
 */
export class SlotHashIndex {
  private heads: Int32Array
  private links: Int32Array
  private mask: number
  private entries = 0

  /** `hashOfSlot` recomputes a stored slot's hash when the table grows. */
  constructor(
    private readonly hashOfSlot: (slot: number) => number,
    slotCapacity: number,
    initialBuckets = 1024,
  ) {
    this.heads = new Int32Array(initialBuckets).fill(-1)
    this.links = new Int32Array(slotCapacity).fill(-1)
    this.mask = initialBuckets - 1
  }

  get size(): number {
    return this.entries
  }

  /** Makes room for slots numbered below `capacity`. */
  growSlots(capacity: number): void {
    if (capacity <= this.links.length) return
    const links = new Int32Array(capacity).fill(-1)
    links.set(this.links)
    this.links = links
  }

  /** First slot in the chain for `hash`, or -1. */
  first(hash: number): number {
    return this.heads[hash & this.mask]!
  }

  /** Next slot in the same chain, or -1. */
  next(slot: number): number {
    return this.links[slot]!
  }

  insert(slot: number, hash: number): void {
    if (this.entries >= this.heads.length) this.rehash(this.heads.length * 2)
    const bucket = hash & this.mask
    this.links[slot] = this.heads[bucket]!
    this.heads[bucket] = slot
    this.entries++
  }

  remove(slot: number, hash: number): void {
    const bucket = hash & this.mask
    let cur = this.heads[bucket]!
    if (cur === slot) {
      this.heads[bucket] = this.links[slot]!
    } else {
      while (cur >= 0 && this.links[cur] !== slot) cur = this.links[cur]!
      if (cur < 0) return
      this.links[cur] = this.links[slot]!
    }
    this.links[slot] = -1
    this.entries--
  }

  private rehash(buckets: number): void {
    const old = this.heads
    const oldLinks = this.links
    this.heads = new Int32Array(buckets).fill(-1)
    this.links = new Int32Array(oldLinks.length).fill(-1)
    this.mask = buckets - 1
    for (let b = 0; b < old.length; b++) {
      for (let s = old[b]!; s >= 0; s = oldLinks[s]!) {
        const bucket = this.hashOfSlot(s) & this.mask
        this.links[s] = this.heads[bucket]!
        this.heads[bucket] = s
      }
    }
  }
}

/** FNV-1a over a byte range, seeded so different key kinds do not collide trivially. */
export function hashBytes(bytes: Uint8Array, start: number, end: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = start; i < end; i++) {
    h ^= bytes[i]!
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * Hash for IPv4 addresses. Leases cluster in ranges, so the low bits already spread well;
 * folding the high bits in (instead of scrambling) keeps neighbouring addresses in
 * neighbouring buckets, which makes loading a range cache-friendly.
 */
export function hashUint32(value: number): number {
  return (value ^ (value >>> 19) ^ (value >>> 27)) >>> 0
}
