/**
 * Wraps the lease journal to know whether it is healthy: the last commit (append + fsync)
 * succeeded. The VRRP side turns an unhealthy journal into a lower priority (ha/vrrp/health.ts)
 * so the VIP moves to a node that can commit leases.
 */
import type { LeaseChange } from '../core/lease.js'
import type { Journal } from './dhcp-service.js'

export class HealthTrackingJournal implements Journal {
  private ok = true
  private listeners: Array<(healthy: boolean) => void> = []

  constructor(private readonly inner: Journal) {}

  get healthy(): boolean {
    return this.ok
  }

  onChange(listener: (healthy: boolean) => void): void {
    this.listeners.push(listener)
  }

  async commit(changes: readonly LeaseChange[]): Promise<void> {
    try {
      await this.inner.commit(changes)
      this.set(true)
    } catch (err) {
      this.set(false)
      throw err
    }
  }

  private set(v: boolean): void {
    if (v === this.ok) return
    this.ok = v
    for (const l of this.listeners) l(v)
  }
}
