/**
 * The engine's view of one client message: the BOOTP header fields and the options the server
 * acts on, decoded once and checked. Option values follow RFC 2131 §4.1 placement (options
 * field, then `file`, then `sname` when overloaded) and RFC 3396 concatenation.
 *
 * Absent options are `undefined`; a present but malformed option makes the whole query
 * malformed (the caller drops it and logs why), so the engine never guesses.
 */
import { ipFromBytes } from '../lib/ip.js'
import { BOOTREQUEST, MessageType } from '../protocol/dhcp/constants.js'
import { AgentSubOption, OptionCode } from '../protocol/dhcp/option-defs.js'
import { joinOption, type RawOption } from '../protocol/dhcp/options.js'
import type { DhcpPacket } from '../protocol/dhcp/packet.js'

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

export type QueryParse = { readonly ok: true; readonly query: ClientQuery } | { readonly ok: false; readonly reason: string }

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(MessageType))

/** Builds the query view of a decoded packet, or says why the packet is unusable. */
export function parseClientQuery(packet: DhcpPacket): QueryParse {
  if (packet.op !== BOOTREQUEST) return fail(`op ${packet.op} is not BOOTREQUEST`)
  if (packet.hlen > 16) return fail(`hlen ${packet.hlen} is over 16`)
  const lists: readonly (readonly RawOption[])[] = [packet.options, packet.extraOptions]
  const get = (code: number): Buffer | undefined => joinOption(lists, code)?.data
  try {
    const type = get(OptionCode.MESSAGE_TYPE)
    if (type === undefined) return fail('no DHCP message type (BOOTP is not served)')
    if (type.length !== 1 || !KNOWN_TYPES.has(type[0]!)) return fail('malformed DHCP message type')
    const relay = get(OptionCode.RELAY_AGENT_INFORMATION)
    const agent = relay === undefined ? undefined : parseAgentSubOptions(relay)
    const clientId = get(OptionCode.CLIENT_IDENTIFIER)
    const prl = get(OptionCode.PARAMETER_REQUEST_LIST)
    const hostname = get(OptionCode.HOST_NAME)
    const query: ClientQuery = {
      messageType: type[0]!,
      xid: packet.xid,
      flags: packet.flags,
      hops: packet.hops,
      secs: packet.secs,
      htype: packet.htype,
      chaddr: Buffer.from(packet.chaddr.subarray(0, packet.hlen)),
      ciaddr: packet.ciaddr >>> 0,
      giaddr: packet.giaddr >>> 0,
      clientId: clientId === undefined || clientId.length === 0 ? undefined : Buffer.from(clientId),
      requestedAddress: address(get(OptionCode.REQUESTED_ADDRESS), 'requested address'),
      serverIdentifier: address(get(OptionCode.SERVER_IDENTIFIER), 'server identifier'),
      parameterRequestList: prl === undefined ? undefined : [...prl],
      maxMessageSize: uint16(get(OptionCode.MAX_MESSAGE_SIZE), 'maximum message size'),
      requestedLeaseTime: uint32(get(OptionCode.LEASE_TIME), 'lease time'),
      hostname: hostname === undefined || hostname.length === 0 ? undefined : hostname.toString('latin1').replace(/\0+$/, ''),
      relayAgentInformation: relay === undefined ? undefined : Buffer.from(relay),
      linkSelection: address(agent?.get(AgentSubOption.LINK_SELECTION), 'link-selection sub-option'),
      serverIdOverride: address(agent?.get(AgentSubOption.SERVER_ID_OVERRIDE), 'server-id-override sub-option'),
      subnetSelection: address(get(OptionCode.SUBNET_SELECTION), 'subnet selection'),
    }
    return { ok: true, query }
  } catch (e) {
    if (e instanceof MalformedOption) return fail(e.message)
    throw e
  }
}

class MalformedOption extends Error {}

function fail(reason: string): QueryParse {
  return { ok: false, reason }
}

function address(data: Buffer | undefined, what: string): number | undefined {
  if (data === undefined) return undefined
  if (data.length !== 4) throw new MalformedOption(`malformed ${what} (${data.length} bytes)`)
  return ipFromBytes(data, 0)
}

function uint16(data: Buffer | undefined, what: string): number | undefined {
  if (data === undefined) return undefined
  if (data.length !== 2) throw new MalformedOption(`malformed ${what} (${data.length} bytes)`)
  return data.readUInt16BE(0)
}

function uint32(data: Buffer | undefined, what: string): number | undefined {
  if (data === undefined) return undefined
  if (data.length !== 4) throw new MalformedOption(`malformed ${what} (${data.length} bytes)`)
  return data.readUInt32BE(0)
}

/** Option 82 sub-options by code (first instance wins), RFC 3046 §2.0. */
function parseAgentSubOptions(data: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>()
  let pos = 0
  while (pos < data.length) {
    if (pos + 2 > data.length) throw new MalformedOption('truncated relay agent sub-option')
    const code = data[pos]!
    const len = data[pos + 1]!
    if (pos + 2 + len > data.length) throw new MalformedOption(`relay agent sub-option ${code} overruns option 82`)
    if (!out.has(code)) out.set(code, data.subarray(pos + 2, pos + 2 + len))
    pos += 2 + len
  }
  return out
}

export function isBroadcastFlagSet(query: Pick<ClientQuery, 'flags'>): boolean {
  return (query.flags & 0x8000) !== 0
}
