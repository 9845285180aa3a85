/**
 * Real one-shot named timers for the VRRP runner's NamedTimers port: arming a name again
 * replaces the previous timer, cancel is idempotent, and `close()` cancels everything (used on
 * shutdown so no stray timer fires after the runner stopped).
 */
import type { NamedTimers } from '../ha/vrrp/runner.js'
import type { VrrpTimer } from '../ha/vrrp/machine.js'

export class RealNamedTimers implements NamedTimers {
  private readonly timers = new Map<VrrpTimer, NodeJS.Timeout>()
  private fire: ((name: VrrpTimer) => void) | undefined

  /** `onFire` is usually `(n) => runner.timerFired(n)`; set after the runner exists. */
  setHandler(onFire: (name: VrrpTimer) => void): void {
    this.fire = onFire
  }

  arm(name: VrrpTimer, delayMs: number): void {
    this.cancel(name)
    const t = setTimeout(() => {
      this.timers.delete(name)
      this.fire?.(name)
    }, Math.max(0, delayMs))
    this.timers.set(name, t)
  }

  cancel(name: VrrpTimer): void {
    const t = this.timers.get(name)
    if (t === undefined) return
    clearTimeout(t)
    this.timers.delete(name)
  }

  /** Names currently armed (tests, diagnostics). */
  armed(): VrrpTimer[] {
    return [...this.timers.keys()]
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    this.fire = undefined
  }
}
