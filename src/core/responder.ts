/**
 * Builds the reply message (RFC 2131 §4.3, table 3) from the query and the engine's decision.
 *
 * Header: op BOOTREPLY; htype/hlen/chaddr, xid, flags, giaddr and hops copied; yiaddr the
 * address given (0 for NAK and INFORM); ciaddr echoed only on an ACK to a client that has
 * one (RENEWING/REBINDING/INFORM); siaddr from `next-server`; sname/file from `server-name`
 * and `filename`.
 *
 * Options, in this order:
 *  1. 53 message type, 54 server identifier;
 *  2. OFFER/ACK with a lease: 51 lease time, 58 T1, 59 T2;
 *  3. configured options the client asked for, in its parameter request list order
 *     (RFC 2132 §9.8); with no list, every configured option by code;
 *  4. 1 subnet mask, when the list did not place it (always sent: RFC 2131 §4.3.1 says the
 *     server SHOULD, and ISC always does);
 *  5. 61 client identifier echoed (RFC 6842 §3). ISC dhcpd 4.4 only does this with
 *     `echo-client-id true`; we follow the RFC;
 *  6. 82 relay agent information echoed unchanged, last (RFC 3046 §2.2, §2.1).
 * A NAK carries only 53, 54, 61 and 82 (table 3). The message is fitted into the client's
 * maximum size (option 57, RFC 2132 §9.10; 576 IP bytes by default) by overloading into
 * file/sname (codec overload.ts); if even that fails, requested options are dropped from the
 * end of the list.
 */
import { EncodeError } from '../lib/errors.js'
import { ipToBytes } from '../lib/ip.js'
import { BOOTREPLY, BROADCAST_FLAG, MessageType } from '../protocol/dhcp/constants.js'
import { OptionCode } from '../protocol/dhcp/option-defs.js'
import type { RawOption } from '../protocol/dhcp/options.js'
import { encodeReply } from '../protocol/dhcp/overload.js'
import { createPacket, type DhcpPacket } from '../protocol/dhcp/packet.js'
import type { ConfiguredOption } from '../config/model.js'
import type { ClientQuery } from './client-query.js'
import type { EffectiveScope } from './effective-scope.js'
import type { LeaseTimes } from './lease-times.js'

export type ReplyKind = 'offer' | 'ack' | 'nak' | 'inform-ack'

export interface ReplyContent {
  readonly kind: ReplyKind
  /** 0 for NAK and INFORM. */
  readonly yiaddr: number
  readonly serverIdentifier: number
  /** Lease times for OFFER/ACK of a lease. */
  readonly times?: LeaseTimes | undefined
  /** The scope options and boot parameters come from (absent for NAK). */
  readonly scope?: EffectiveScope | undefined
  /** The subnet's mask (option 1 unless configured otherwise). */
  readonly subnetMask?: number | undefined
  /** Host name to send as option 12 unless one is configured (ISC `use-host-decl-names`). */
  readonly hostName?: string | undefined
}

/** Options the server computes itself; configured values for them are not copied verbatim. */
const SERVER_MANAGED: ReadonlySet<number> = new Set([
  OptionCode.SUBNET_MASK,
  OptionCode.REQUESTED_ADDRESS,
  OptionCode.LEASE_TIME,
  OptionCode.OVERLOAD,
  OptionCode.MESSAGE_TYPE,
  OptionCode.SERVER_IDENTIFIER,
  OptionCode.PARAMETER_REQUEST_LIST,
  OptionCode.MAX_MESSAGE_SIZE,
  OptionCode.RENEWAL_TIME,
  OptionCode.REBINDING_TIME,
  OptionCode.CLIENT_IDENTIFIER,
  OptionCode.RELAY_AGENT_INFORMATION,
])

/** RFC 2131 §2: every client accepts 576-byte IP datagrams; 28 bytes of IP and UDP headers. */
const MIN_IP_DATAGRAM = 576
const IP_UDP_HEADERS = 28
/** Replies are kept within an Ethernet MTU whatever the client says (no IP fragments). */
const MAX_IP_DATAGRAM = 1500

/** Largest DHCP message (BOOTP header + options) the client accepts. */
export function maxReplySize(query: Pick<ClientQuery, 'maxMessageSize'>): number {
  const datagram = Math.min(MAX_IP_DATAGRAM, Math.max(MIN_IP_DATAGRAM, query.maxMessageSize ?? MIN_IP_DATAGRAM))
  return datagram - IP_UDP_HEADERS
}

export interface BuiltReply {
  readonly packet: DhcpPacket
  /** Wire bytes, fitted into {@link maxReplySize}. */
  readonly bytes: Buffer
  /** Requested options left out because they did not fit even with overload. */
  readonly dropped: readonly number[]
}

export function buildReply(query: ClientQuery, content: ReplyContent): BuiltReply {
  const head = headerOptions(content)
  const requested = content.kind === 'nak' ? [] : requestedOptions(query, content)
  const tail = tailOptions(query, content, requested)
  const dropped: number[] = []
  const maxSize = maxReplySize(query)
  for (;;) {
    const packet = replyHeader(query, content)
    packet.options = [...head, ...requested, ...tail]
    try {
      return { packet, bytes: encodeReply(packet, { maxSize }), dropped }
    } catch (e) {
      if (!(e instanceof EncodeError) || requested.length === 0) throw e
      dropped.unshift(requested.pop()!.code)
    }
  }
}

function replyHeader(query: ClientQuery, content: ReplyContent): DhcpPacket {
  const scope = content.scope
  const nak = content.kind === 'nak'
  const echoCiaddr = content.kind === 'inform-ack' || (content.kind === 'ack' && query.ciaddr !== 0)
  const nextServer = nak ? undefined : scope?.param('nextServer')
  const serverName = nak ? undefined : scope?.param('serverName')
  const filename = nak ? undefined : scope?.param('filename')
  // RFC 2131 §4.3.2: a relayed NAK goes out with the broadcast bit set.
  const flags = nak && query.giaddr !== 0 ? query.flags | BROADCAST_FLAG : query.flags
  return createPacket({
    op: BOOTREPLY,
    htype: query.htype,
    hlen: query.chaddr.length,
    hops: query.hops,
    xid: query.xid,
    secs: 0,
    flags,
    ciaddr: echoCiaddr ? query.ciaddr : 0,
    yiaddr: content.yiaddr,
    siaddr: nextServer ?? 0,
    giaddr: query.giaddr,
    chaddr: query.chaddr,
    sname: serverName === undefined ? NO_BYTES : Buffer.from(serverName, 'latin1').subarray(0, 63),
    file: filename === undefined ? NO_BYTES : Buffer.from(filename, 'latin1').subarray(0, 127),
  })
}

function headerOptions(content: ReplyContent): RawOption[] {
  const type = content.kind === 'offer' ? MessageType.OFFER : content.kind === 'nak' ? MessageType.NAK : MessageType.ACK
  const out: RawOption[] = [
    { code: OptionCode.MESSAGE_TYPE, data: MESSAGE_TYPE_BYTES[type]! },
    { code: OptionCode.SERVER_IDENTIFIER, data: ip(content.serverIdentifier) },
  ]
  const t = content.times
  if (t !== undefined && (content.kind === 'offer' || content.kind === 'ack')) {
    out.push({ code: OptionCode.LEASE_TIME, data: u32(t.leaseTime) })
    out.push({ code: OptionCode.RENEWAL_TIME, data: u32(t.renewalTime) })
    out.push({ code: OptionCode.REBINDING_TIME, data: u32(t.rebindingTime) })
  }
  return out
}

function requestedOptions(query: ClientQuery, content: ReplyContent): RawOption[] {
  const configured: ReadonlyMap<number, ConfiguredOption> = content.scope?.options() ?? new Map()
  const mask = subnetMaskOption(configured, content.subnetMask)
  const hostName = content.hostName === undefined ? undefined : Buffer.from(content.hostName, 'latin1')
  const valueOf = (code: number): Buffer | undefined => {
    if (code === OptionCode.SUBNET_MASK) return mask
    if (code === OptionCode.HOST_NAME) return configured.get(code)?.data ?? hostName
    if (SERVER_MANAGED.has(code)) return undefined
    return configured.get(code)?.data
  }
  const out: RawOption[] = []
  const seen = new Set<number>()
  const all = hostName === undefined ? [...configured.keys()] : [...configured.keys(), OptionCode.HOST_NAME]
  const codes = query.parameterRequestList ?? all.sort((a, b) => a - b)
  for (const code of codes) {
    if (seen.has(code)) continue
    seen.add(code)
    const data = valueOf(code)
    if (data !== undefined) out.push({ code, data })
  }
  return out
}

function tailOptions(query: ClientQuery, content: ReplyContent, requested: readonly RawOption[]): RawOption[] {
  const out: RawOption[] = []
  if (content.kind !== 'nak' && !requested.some((o) => o.code === OptionCode.SUBNET_MASK)) {
    const mask = subnetMaskOption(content.scope?.options() ?? new Map(), content.subnetMask)
    if (mask !== undefined) out.push({ code: OptionCode.SUBNET_MASK, data: mask })
  }
  if (query.clientId !== undefined) out.push({ code: OptionCode.CLIENT_IDENTIFIER, data: query.clientId })
  if (query.relayAgentInformation !== undefined) {
    out.push({ code: OptionCode.RELAY_AGENT_INFORMATION, data: query.relayAgentInformation })
  }
  return out
}

function subnetMaskOption(configured: ReadonlyMap<number, ConfiguredOption>, mask: number | undefined): Buffer | undefined {
  return configured.get(OptionCode.SUBNET_MASK)?.data ?? (mask === undefined ? undefined : ip(mask))
}

/*
 * Option values are only read (by the encoder), so the small ones come from node's shared
 * buffer pool (allocUnsafe, filled at once) or are shared constants: Buffer.alloc(4) made a
 * separate zero-filled ArrayBuffer per value, five per reply.
 */
const NO_BYTES = Buffer.alloc(0)
const MESSAGE_TYPE_BYTES: readonly Buffer[] = Array.from({ length: 9 }, (_, t) => Buffer.from([t]))

function ip(address: number): Buffer {
  const b = Buffer.allocUnsafe(4)
  ipToBytes(address, b, 0)
  return b
}

function u32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32BE(v >>> 0, 0)
  return b
}
