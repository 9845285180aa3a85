/**
 * A bounded ring of the daemon's recent log events for `GET /api/v1/events`: sequence numbers
 * count up from 1 and survive the ring wrapping, so a poller asks for `since=<last seq>`.
 */
import type { EventView } from './types.js'

export class EventRing {
  private readonly items: EventView[] = []
  private next = 1

  constructor(private readonly capacity = 500) {}

  push(at: number, level: string, event: string, text: string): void {
    this.items.push({ seq: this.next++, at: new Date(at).toISOString(), level, event, text })
    if (this.items.length > this.capacity) this.items.shift()
  }

  /** Events with seq > since, oldest first (newest last). */
  since(since: number): readonly EventView[] {
    const first = this.items[0]
    if (first === undefined || since < first.seq) return [...this.items]
    return this.items.slice(since - first.seq + 1)
  }
}
