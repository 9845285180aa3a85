/**
 * Log events of the packet path: a stable ID (for metrics, filters and tests), structured
 * fields, and the text ISC dhcpd 4.4 operators already grep for (server/dhcp.c wording:
 * `DHCPDISCOVER from … via …`, `DHCPACK on … to … via …`, `… no free leases`).
 */
import { formatIPv4 } from '../lib/ip.js'

export type LogEventId =
  | 'DHCP_PACKET_DROPPED'
  | 'DHCP_OPTION_IGNORED'
  | 'DHCP_REPLY_TRUNCATED'
  | 'DHCP_PING_CONFLICT'
  | 'DHCP_NOT_IN_SCOPE'
  | 'DHCP_DISCOVER'
  | 'DHCP_OFFER'
  | 'DHCP_NO_FREE_LEASES'
  | 'DHCP_REQUEST'
  | 'DHCP_REQUEST_IGNORED'
  | 'DHCP_ACK'
  | 'DHCP_NAK'
  | 'DHCP_RELEASE'
  | 'DHCP_DECLINE'
  | 'DHCP_LEASE_ABANDONED'
  | 'DHCP_ABANDONED_RECLAIMED'
  | 'DHCP_INFORM'
  | 'DHCP_UNKNOWN_NETWORK'
  | 'DHCP_LEASES_RECLAIMED'
  | 'DHCP_LEASE_REUSED'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface LogEvent {
  readonly id: LogEventId
  readonly level: LogLevel
  /** ISC-shaped one-line text. */
  readonly text: string
  readonly fields: Readonly<Record<string, string | number>>
}

export function logEvent(
  id: LogEventId,
  level: LogLevel,
  text: string,
  fields: Readonly<Record<string, string | number>> = {},
): LogEvent {
  return { id, level, text, fields }
}

/** The parts of ISC's "from HW (hostname) via IFACE-or-giaddr" tail. */
export interface ClientLabel {
  /** Hardware address as colon hex, or the uid, or `<no identifier>`. */
  readonly hardware: string
  readonly hostname: string | undefined
  /** The relay's address when relayed, else the interface name. */
  readonly via: string
}

/** `08:00:27:d9:45:96 (host) via eth0` */
export function describeClient(c: ClientLabel): string {
  return `${c.hardware} ${c.hostname === undefined ? '' : `(${c.hostname}) `}via ${c.via}`
}

export function ip(address: number): string {
  return formatIPv4(address)
}
