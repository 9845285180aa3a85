/**
 * Time as an input. Core code takes a Clock (or a `now` value) and never reads the wall clock
 * itself, so tests can drive months of lease time in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

/** A clock that only moves when told to; for tests and simulations. */
export class ManualClock implements Clock {
  private current: number
  constructor(start = 0) {
    this.current = start
  }
  now(): number {
    return this.current
  }
  advance(ms: number): void {
    this.current += ms
  }
  set(ms: number): void {
    this.current = ms
  }
}
