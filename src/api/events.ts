/**
 * A bounded ring of the daemon's recent log events for `GET /api/v1/events`: sequence numbers
 * count up from 1 and survive the ring wrapping, so a poller asks for `since=<last seq>`.
 * Pushing is cheap (it runs for every logged line); times are formatted when read.
 */
import type { EventView } from './types.js'

interface Stored {
  readonly seq: number
  readonly at: number
  readonly level: string
  readonly event: string
  readonly text: string
}

export class EventRing {
  private readonly items: (Stored | undefined)[]
  private next = 1

  constructor(private readonly capacity = 500) {
    this.items = new Array<Stored | undefined>(capacity)
  }

  push(at: number, level: string, event: string, text: string): void {
    const seq = this.next++
    this.items[seq % this.capacity] = { seq, at, level, event, text }
  }

  /** The sequence number of the newest event (0: none yet). */
  get last(): number {
    return this.next - 1
  }

  /** Events with seq > since, oldest first (newest last). */
  since(since: number): EventView[] {
    const out: EventView[] = []
    const from = Math.max(since + 1, this.next - this.capacity, 1)
    for (let seq = from; seq < this.next; seq++) {
      const e = this.items[seq % this.capacity]
      if (e !== undefined && e.seq === seq) out.push({ seq, at: new Date(e.at).toISOString(), level: e.level, event: e.event, text: e.text })
    }
    return out
  }
}

/** The per-packet DHCP lines (one per message) that would drown everything else in the ring. */
const PER_PACKET: ReadonlySet<string> = new Set([
  'DHCP_DISCOVER', 'DHCP_OFFER', 'DHCP_REQUEST', 'DHCP_ACK', 'DHCP_NAK', 'DHCP_INFORM', 'DHCP_RELEASE', 'DHCP_DECLINE',
])

/** Whether a log line belongs in the event ring: everything at info and above except per-packet DHCP lines at info. */
export function keepInEventRing(level: string, id: string): boolean {
  return level !== 'debug' && !(level === 'info' && PER_PACKET.has(id))
}
