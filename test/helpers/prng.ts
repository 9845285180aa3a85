/**
 * A small seeded PRNG (SplitMix32-style mixing over a 32-bit counter) so property tests
 * reproduce from a printed seed. Tests only; src never uses randomness.
 */
export class Prng {
  private state: number
  constructor(readonly seed: number) {
    this.state = seed >>> 0
  }
  /** Uniform uint32. */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0
    let z = this.state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n
  }
  bool(pTrue = 0.5): boolean {
    return this.next() / 0x100000000 < pTrue
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff
    return b
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }
}

/** Seed from HADHCPD_SEED (decimal or 0x hex) or a fixed default. */
export function seedFromEnv(fallback: number): number {
  const s = process.env['HADHCPD_SEED']
  if (s === undefined || s === '') return fallback
  const n = Number(s)
  return Number.isFinite(n) ? n >>> 0 : fallback
}
