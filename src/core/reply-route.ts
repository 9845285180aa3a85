/**
 * Where a reply goes (RFC 2131 §4.1, "If the 'giaddr' field … is nonzero …"), decided
 * purely so it can be tested without sockets:
 *  1. giaddr ≠ 0 → the relay, giaddr:67 (a NAK too; its broadcast bit is set by the responder);
 *  2. a NAK without relay → broadcast 255.255.255.255:68;
 *  3. ciaddr ≠ 0 → unicast ciaddr:68;
 *  4. broadcast bit set → broadcast 255.255.255.255:68;
 *  5. otherwise unicast to yiaddr at chaddr, when the transport can address a client
 *     without an ARP entry (raw socket; Kea `isDirectResponseSupported`); else broadcast.
 */
import type { ClientQuery } from './client-query.js'

export const SERVER_PORT = 67
export const CLIENT_PORT = 68
export const LIMITED_BROADCAST = 0xffffffff

export type ReplyRoute =
  | { readonly kind: 'relay'; readonly address: number; readonly port: number }
  | { readonly kind: 'broadcast'; readonly address: number; readonly port: number }
  | { readonly kind: 'unicast'; readonly address: number; readonly port: number }
  /** Send to `address` at link layer `hardware` (no ARP: the client has no address yet). */
  | { readonly kind: 'l2-unicast'; readonly address: number; readonly port: number; readonly hardware: Buffer; readonly htype: number }

export interface TransportCapabilities {
  /** The transport can unicast to an address-less client by its hardware address. */
  readonly directUnicast: boolean
}

export function routeReply(
  query: Pick<ClientQuery, 'giaddr' | 'ciaddr' | 'flags' | 'chaddr' | 'htype'>,
  reply: { readonly isNak: boolean; readonly yiaddr: number },
  caps: TransportCapabilities,
): ReplyRoute {
  if (query.giaddr !== 0) return { kind: 'relay', address: query.giaddr, port: SERVER_PORT }
  if (reply.isNak) return broadcast()
  if (query.ciaddr !== 0) return { kind: 'unicast', address: query.ciaddr, port: CLIENT_PORT }
  if ((query.flags & 0x8000) !== 0) return broadcast()
  if (reply.yiaddr !== 0 && caps.directUnicast && query.chaddr.length > 0) {
    return { kind: 'l2-unicast', address: reply.yiaddr, port: CLIENT_PORT, hardware: query.chaddr, htype: query.htype }
  }
  return broadcast()
}

function broadcast(): ReplyRoute {
  return { kind: 'broadcast', address: LIMITED_BROADCAST, port: CLIENT_PORT }
}
