/**
 * Typed access to a packet's options. Getters return `undefined` when an option is absent
 * and throw DecodeError when it is present but malformed, so the server can count and drop
 * bad packets instead of guessing. Options are read from the options field and, with
 * option 52, from `file` then `sname` (RFC 2131 §4.1); repeated instances are joined
 * (RFC 3396 §3). Addresses are unsigned 32-bit numbers (lib/ip.ts).
 *
 * Setters and builders edit `packet.options` for replies.
 */
import { DecodeError } from '../../lib/errors.js'
import { ipFromBytes, ipToBytes } from '../../lib/ip.js'
import { BOOTREPLY } from './constants.js'
import { clientFqdn as fqdnCodec, clientFqdnToBuffer, type ClientFqdn } from './fqdn.js'
import { OptionCode, optionByCode, type OptionDef, type OptionValue } from './option-defs.js'
import { decodeOptionValue, encodeOptionValue } from './option-values.js'
import { joinOption, PAD, type JoinedOption, type RawOption } from './options.js'
import { createPacket, readOverload, type DhcpPacket } from './packet.js'
import { relayAgentInfo as agentCodec, relayAgentInfoToBuffer, type RelayAgentInfo } from './relay-agent.js'

type OptionSource = Pick<DhcpPacket, 'options' | 'extraOptions'>

function label(code: number): string {
  const d = optionByCode(code)
  return d ? `option ${code} (${d.name})` : `option ${code}`
}

/**
 * Re-raises a DecodeError from a decoder run over option data with an absolute offset. For
 * an option joined from several TLVs (RFC 3396) positions in the joined data do not map to
 * the wire, so the error points at the first TLV.
 */
function rebased<T>(o: JoinedOption, run: () => T): T {
  try {
    return run()
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(e.field, o.parts > 1 ? o.offset : o.offset + 2 + e.offset, e.reason)
    throw e
  }
}

/** All instances of `code` joined (RFC 3396), or undefined. */
export function getOption(p: OptionSource, code: number): JoinedOption | undefined {
  return p.extraOptions.length === 0 ? joinOption([p.options], code) : joinOption([p.options, p.extraOptions], code)
}

export function hasOption(p: OptionSource, code: number): boolean {
  return getOption(p, code) !== undefined
}

/** Any option, decoded with its table definition. */
export function getTypedOption(p: OptionSource, def: OptionDef): OptionValue | undefined {
  const o = getOption(p, def.code)
  return o === undefined ? undefined : rebased(o, () => decodeOptionValue(def, o.data))
}

function fixed(p: OptionSource, code: number, length: number): JoinedOption | undefined {
  const o = getOption(p, code)
  if (o !== undefined && o.data.length !== length) {
    throw new DecodeError(label(code), o.offset, `length ${o.data.length}, expected ${length}`)
  }
  return o
}

function nonEmpty(p: OptionSource, code: number): JoinedOption | undefined {
  const o = getOption(p, code)
  if (o !== undefined && o.data.length === 0) throw new DecodeError(label(code), o.offset, 'empty')
  return o
}

function address(p: OptionSource, code: number): number | undefined {
  const o = fixed(p, code, 4)
  return o === undefined ? undefined : ipFromBytes(o.data, 0)
}

/** Option 53 (RFC 2132 §9.6); see constants.ts MessageType. */
export function messageType(p: OptionSource): number | undefined {
  return fixed(p, OptionCode.MESSAGE_TYPE, 1)?.data[0]
}

/** Option 50 (RFC 2132 §9.1). */
export function requestedAddress(p: OptionSource): number | undefined {
  return address(p, OptionCode.REQUESTED_ADDRESS)
}

/** Option 54 (RFC 2132 §9.7). */
export function serverIdentifier(p: OptionSource): number | undefined {
  return address(p, OptionCode.SERVER_IDENTIFIER)
}

/** Option 118 (RFC 3011 §3). */
export function subnetSelection(p: OptionSource): number | undefined {
  return address(p, OptionCode.SUBNET_SELECTION)
}

/** Option 61 (RFC 2132 §9.14): type octet + identifier, raw. At least one octet. */
export function clientIdentifier(p: OptionSource): Buffer | undefined {
  return nonEmpty(p, OptionCode.CLIENT_IDENTIFIER)?.data
}

/** Option 55 (RFC 2132 §9.8): requested option codes in the client's order. */
export function parameterRequestList(p: OptionSource): Uint8Array | undefined {
  return getOption(p, OptionCode.PARAMETER_REQUEST_LIST)?.data
}

/** Option 57 (RFC 2132 §9.10), as sent (the RFC minimum of 576 is the caller's policy). */
export function maxMessageSize(p: OptionSource): number | undefined {
  return fixed(p, OptionCode.MAX_MESSAGE_SIZE, 2)?.data.readUInt16BE(0)
}

/** Option 51 (RFC 2132 §9.2), seconds; 0xffffffff means infinite. */
export function leaseTime(p: OptionSource): number | undefined {
  return fixed(p, OptionCode.LEASE_TIME, 4)?.data.readUInt32BE(0)
}

/** Option 12 (RFC 2132 §3.14). Trailing NUL octets some clients send are dropped. */
export function hostName(p: OptionSource): string | undefined {
  const o = nonEmpty(p, OptionCode.HOST_NAME)
  if (o === undefined) return undefined
  let end = o.data.length
  while (end > 0 && o.data[end - 1] === 0) end--
  if (end === 0) throw new DecodeError(label(OptionCode.HOST_NAME), o.offset, 'only NUL octets')
  return o.data.toString('utf8', 0, end)
}

/** Option 60 (RFC 2132 §9.13), raw octets. */
export function vendorClassIdentifier(p: OptionSource): Buffer | undefined {
  return nonEmpty(p, OptionCode.VENDOR_CLASS_IDENTIFIER)?.data
}

/**
 * Option 77 (RFC 3004 §4): `raw` as sent, and `instances` when the data is a well-formed
 * list of length-prefixed user classes. Many clients send plain text (ISC treats 77 as
 * text), in which case `instances` is undefined.
 */
export interface UserClass {
  readonly raw: Buffer
  readonly instances: readonly Buffer[] | undefined
}

export function userClass(p: OptionSource): UserClass | undefined {
  const o = nonEmpty(p, OptionCode.USER_CLASS)
  if (o === undefined) return undefined
  const d = o.data
  const instances: Buffer[] = []
  let pos = 0
  while (pos < d.length) {
    const len = d[pos]!
    if (len === 0 || pos + 1 + len > d.length) return { raw: d, instances: undefined }
    instances.push(d.subarray(pos + 1, pos + 1 + len))
    pos += 1 + len
  }
  return { raw: d, instances }
}

/** Option 82 (RFC 3046), sub-options raw (see relay-agent.ts). */
export function relayAgentInformation(p: OptionSource): RelayAgentInfo | undefined {
  const o = getOption(p, OptionCode.RELAY_AGENT_INFORMATION)
  if (o === undefined) return undefined
  const info = rebased(o, () => agentCodec.decode(o.data, 0, o.data.length).value)
  // Sub-option offsets become absolute so sub-option getters report packet offsets.
  // (For a joined RFC 3396 option they point at its first TLV.)
  const at = (rel: number): number => (o.parts > 1 ? o.offset : o.offset + 2 + rel)
  return { subOptions: info.subOptions.map((s) => ({ code: s.code, data: s.data, offset: at(s.offset ?? 0) })) }
}

/** Option 81 (RFC 4702). */
export function clientFqdn(p: OptionSource): ClientFqdn | undefined {
  const o = getOption(p, OptionCode.CLIENT_FQDN)
  if (o === undefined) return undefined
  return rebased(o, () => fqdnCodec.decode(o.data, 0, o.data.length).value)
}

/** Option 52 (RFC 2132 §9.3): 1 file, 2 sname, 3 both. Read from the options field only. */
export function overload(p: OptionSource): number | undefined {
  return readOverload(p.options)
}

/** The client hardware address: the first `hlen` octets of chaddr (at most 16). */
export function hardwareAddress(p: DhcpPacket): Buffer {
  return p.chaddr.subarray(0, Math.min(p.hlen, 16, p.chaddr.length))
}

// ---------------------------------------------------------------------------------------
// Setters (replies)

/**
 * Sets option `code` to `data`, replacing every existing instance (at the first one's
 * position). New options are appended, but before option 82, which stays last
 * (RFC 3046 §2.1). Data over 255 bytes is split on encode (RFC 3396).
 */
export function setOption(p: DhcpPacket, code: number, data: Buffer): void {
  let at = -1
  const kept: RawOption[] = []
  for (const o of p.options) {
    if (o.code === code) {
      if (at < 0) at = kept.length
    } else kept.push(o)
  }
  if (at < 0) {
    at = kept.length
    const last = kept[at - 1]
    if (code !== OptionCode.RELAY_AGENT_INFORMATION && last?.code === OptionCode.RELAY_AGENT_INFORMATION) at--
  }
  kept.splice(at, 0, { code, data })
  p.options = kept
}

export function removeOption(p: DhcpPacket, code: number): void {
  p.options = p.options.filter((o) => o.code !== code)
}

/** Sets an option from a typed value (option-values.ts). Throws EncodeError. */
export function setTypedOption(p: DhcpPacket, def: OptionDef, value: OptionValue): void {
  setOption(p, def.code, encodeOptionValue(def, value))
}

function u8(v: number): Buffer {
  return Buffer.from([v & 0xff])
}
function u32(v: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(v >>> 0, 0)
  return b
}
function ip(v: number): Buffer {
  const b = Buffer.alloc(4)
  ipToBytes(v, b, 0)
  return b
}

export function setMessageType(p: DhcpPacket, type: number): void {
  setOption(p, OptionCode.MESSAGE_TYPE, u8(type))
}
export function setServerIdentifier(p: DhcpPacket, address: number): void {
  setOption(p, OptionCode.SERVER_IDENTIFIER, ip(address))
}
export function setLeaseTime(p: DhcpPacket, seconds: number): void {
  setOption(p, OptionCode.LEASE_TIME, u32(seconds))
}
export function setRenewalTime(p: DhcpPacket, seconds: number): void {
  setOption(p, OptionCode.RENEWAL_TIME, u32(seconds))
}
export function setRebindingTime(p: DhcpPacket, seconds: number): void {
  setOption(p, OptionCode.REBINDING_TIME, u32(seconds))
}
export function setSubnetMask(p: DhcpPacket, mask: number): void {
  setOption(p, OptionCode.SUBNET_MASK, ip(mask))
}
/** Option 56 (RFC 2132 §9.9), e.g. the reason for a NAK. */
export function setMessage(p: DhcpPacket, text: string): void {
  setOption(p, OptionCode.MESSAGE, Buffer.from(text, 'utf8'))
}
export function setRelayAgentInformation(p: DhcpPacket, info: RelayAgentInfo): void {
  setOption(p, OptionCode.RELAY_AGENT_INFORMATION, relayAgentInfoToBuffer(info))
}
export function setClientFqdn(p: DhcpPacket, f: ClientFqdn): void {
  setOption(p, OptionCode.CLIENT_FQDN, clientFqdnToBuffer(f))
}

export interface ReplyInit {
  /** Option 53 value (OFFER, ACK, NAK). */
  readonly messageType: number
  /** Option 54, the address the client should talk to (RFC 2131 §4.3.1). */
  readonly serverIdentifier: number
  /** RFC 6842 client-id echo (ISC `echo-client-id`); default false as in ISC dhcpd. */
  readonly echoClientId?: boolean
}

/**
 * A reply skeleton for `request` (RFC 2131 §4.3.1 table 3): BOOTREPLY, same htype/hlen/xid/
 * flags/giaddr/chaddr, options 53 and 54, and the request's option 82 echoed last
 * (RFC 3046 §2.2). yiaddr, ciaddr and the rest are the responder's job.
 */
export function createReply(request: DhcpPacket, init: ReplyInit): DhcpPacket {
  const reply = createPacket({
    op: BOOTREPLY,
    htype: request.htype,
    hlen: request.hlen,
    xid: request.xid,
    flags: request.flags,
    giaddr: request.giaddr,
    chaddr: Buffer.from(request.chaddr),
  })
  setMessageType(reply, init.messageType)
  setServerIdentifier(reply, init.serverIdentifier)
  if (init.echoClientId) {
    const id = getOption(request, OptionCode.CLIENT_IDENTIFIER)
    if (id) setOption(reply, OptionCode.CLIENT_IDENTIFIER, Buffer.from(id.data))
  }
  const agent = getOption(request, OptionCode.RELAY_AGENT_INFORMATION)
  if (agent) setOption(reply, OptionCode.RELAY_AGENT_INFORMATION, Buffer.from(agent.data))
  return reply
}

/** Options without Pad entries (for display and re-encoding built lists). */
export function withoutPads(options: readonly RawOption[]): RawOption[] {
  return options.filter((o) => o.code !== PAD)
}
