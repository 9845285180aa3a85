/**
 * The engine's view of one client message: the BOOTP header fields and the options the server
 * acts on, decoded once and checked. Option values follow RFC 2131 §4.1 placement (options
 * field, then `file`, then `sname` when overloaded) and RFC 3396 concatenation.
 *
 * Absent options are `undefined`. A malformed option the decision depends on (53, 50, 54, 61,
 * 82, 118) makes the whole query malformed: the caller drops it and logs why, so the engine
 * never guesses. A malformed advisory option (12 host name, 51 lease time, 55 parameter
 * list, 57 maximum size) is ignored as if absent and reported, as ISC dhcpd tolerates them.
 */
import { DecodeError } from '../lib/errors.js'
import * as accessors from '../protocol/dhcp/accessors.js'
import { BOOTREQUEST, MessageType } from '../protocol/dhcp/constants.js'
import type { DhcpPacket } from '../protocol/dhcp/packet.js'
import { linkSelection, serverIdOverride } from '../protocol/dhcp/relay-agent.js'

export interface ClientQuery {
  readonly messageType: number
  readonly xid: number
  readonly flags: number
  readonly hops: number
  readonly secs: number
  readonly htype: number
  /** `hlen` bytes of chaddr (a copy). */
  readonly chaddr: Buffer
  readonly ciaddr: number
  readonly giaddr: number
  /** Option 61 (RFC 2132 §9.14). */
  readonly clientId: Buffer | undefined
  /** Option 50 (RFC 2132 §9.1). */
  readonly requestedAddress: number | undefined
  /** Option 54 (RFC 2132 §9.7). */
  readonly serverIdentifier: number | undefined
  /** Option 55 codes in the client's order (RFC 2132 §9.8). */
  readonly parameterRequestList: readonly number[] | undefined
  /** Option 57 (RFC 2132 §9.10). */
  readonly maxMessageSize: number | undefined
  /** Option 51 (RFC 2132 §9.2). */
  readonly requestedLeaseTime: number | undefined
  /** Option 12 (RFC 2132 §3.14). */
  readonly hostname: string | undefined
  /** Option 82 data exactly as received, to echo (RFC 3046 §2.2). */
  readonly relayAgentInformation: Buffer | undefined
  /** Relay sub-option 5 (RFC 3527). */
  readonly linkSelection: number | undefined
  /** Relay sub-option 11 (RFC 5107). */
  readonly serverIdOverride: number | undefined
  /** Option 118 (RFC 3011). */
  readonly subnetSelection: number | undefined
}

export type QueryParse =
  | {
      readonly ok: true
      readonly query: ClientQuery
      /** Malformed advisory options that were ignored (treated as absent), with why. */
      readonly ignored: readonly string[]
    }
  | { readonly ok: false; readonly reason: string }

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(MessageType))

/** Builds the query view of a decoded packet, or says why the packet is unusable. */
export function parseClientQuery(packet: DhcpPacket): QueryParse {
  if (packet.op !== BOOTREQUEST) return fail(`op ${packet.op} is not BOOTREQUEST`)
  if (packet.hlen > 16) return fail(`hlen ${packet.hlen} is over 16`)
  const ignored: string[] = []
  try {
    const type = accessors.messageType(packet)
    if (type === undefined) return fail('no DHCP message type (BOOTP is not served)')
    if (!KNOWN_TYPES.has(type)) return fail(`unknown DHCP message type ${type}`)
    const relay = accessors.relayAgentInformation(packet)
    const relayData = accessors.getOption(packet, 82)?.data
    const clientId = accessors.clientIdentifier(packet)
    const prl = advisory(accessors.parameterRequestList, packet, ignored)
    const query: ClientQuery = {
      messageType: type,
      xid: packet.xid,
      flags: packet.flags,
      hops: packet.hops,
      secs: packet.secs,
      htype: packet.htype,
      chaddr: Buffer.from(accessors.hardwareAddress(packet)),
      ciaddr: packet.ciaddr >>> 0,
      giaddr: packet.giaddr >>> 0,
      clientId: clientId === undefined ? undefined : Buffer.from(clientId),
      requestedAddress: accessors.requestedAddress(packet),
      serverIdentifier: accessors.serverIdentifier(packet),
      parameterRequestList: prl === undefined ? undefined : [...prl],
      maxMessageSize: advisory(accessors.maxMessageSize, packet, ignored),
      requestedLeaseTime: advisory(accessors.leaseTime, packet, ignored),
      hostname: advisory(accessors.hostName, packet, ignored),
      relayAgentInformation: relayData === undefined ? undefined : Buffer.from(relayData),
      linkSelection: relay === undefined ? undefined : linkSelection(relay),
      serverIdOverride: relay === undefined ? undefined : serverIdOverride(relay),
      subnetSelection: accessors.subnetSelection(packet),
    }
    return { ok: true, query, ignored }
  } catch (e) {
    if (e instanceof DecodeError) return fail(e.message)
    throw e
  }
}

/**
 * Reads an advisory option; a malformed one counts as absent and its error goes to `ignored`.
 * (A plain function, not a closure per option per packet.)
 */
function advisory<T>(read: (p: DhcpPacket) => T | undefined, packet: DhcpPacket, ignored: string[]): T | undefined {
  try {
    return read(packet)
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e
    ignored.push(e.message)
    return undefined
  }
}

function fail(reason: string): QueryParse {
  return { ok: false, reason }
}

export function isBroadcastFlagSet(query: Pick<ClientQuery, 'flags'>): boolean {
  return (query.flags & 0x8000) !== 0
}
