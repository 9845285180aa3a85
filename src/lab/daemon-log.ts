/**
 * What `npm run lab` reads in a node's log (`hadhcpd -d`, ISC dhcpd's and keepalived's wording):
 * one line in, at most one event out. Pure; the lab follows the log files and narrates these.
 */
export type DaemonEvent =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failover-state'; readonly peer: string; readonly from: string; readonly to: string }
  | { readonly kind: 'peer-state'; readonly peer: string; readonly from: string; readonly to: string }
  | { readonly kind: 'vrrp-state'; readonly instance: string; readonly state: 'MASTER' | 'BACKUP' | 'FAULT' }
  | { readonly kind: 'ack'; readonly address: string; readonly mac: string; readonly via: string }
  | { readonly kind: 'nak'; readonly address: string; readonly mac: string }

const FAILOVER_SELF = /failover peer (\S+): I move from ([a-z-]+) to ([a-z-]+)/
const FAILOVER_PEER = /failover peer (\S+): peer moves from ([a-z-]+) to ([a-z-]+)/
const VRRP_STATE = /\((\S+)\) Entering (MASTER|BACKUP|FAULT) STATE/
const ACK = /DHCPACK on (\d+\.\d+\.\d+\.\d+) to ([0-9a-f]{2}(?::[0-9a-f]{2})+)(?: \([^)]*\))? via (\S+)/
const NAK = /DHCPNAK on (\d+\.\d+\.\d+\.\d+) to ([0-9a-f]{2}(?::[0-9a-f]{2})+)/

export function parseDaemonLine(line: string): DaemonEvent | undefined {
  if (line.includes('Server starting service.')) return { kind: 'ready' }
  let m = FAILOVER_SELF.exec(line)
  if (m !== null) return { kind: 'failover-state', peer: m[1]!, from: m[2]!, to: m[3]! }
  m = FAILOVER_PEER.exec(line)
  if (m !== null) return { kind: 'peer-state', peer: m[1]!, from: m[2]!, to: m[3]! }
  m = VRRP_STATE.exec(line)
  if (m !== null) return { kind: 'vrrp-state', instance: m[1]!, state: m[2] as 'MASTER' | 'BACKUP' | 'FAULT' }
  m = ACK.exec(line)
  if (m !== null) return { kind: 'ack', address: m[1]!, mac: m[2]!, via: m[3]! }
  m = NAK.exec(line)
  if (m !== null) return { kind: 'nak', address: m[1]!, mac: m[2]! }
  return undefined
}

/**
 * Splits appended text into complete lines, keeping a partial last line for the next chunk
 * (log files are read while the daemon writes them).
 */
export class LineSplitter {
  private partial = ''

  push(chunk: string): string[] {
    const text = this.partial + chunk
    const lines = text.split('\n')
    this.partial = lines.pop() ?? ''
    return lines.map((l) => l.replace(/\r$/, ''))
  }
}
