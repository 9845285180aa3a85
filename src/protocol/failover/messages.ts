/**
 * Typed builders and views for each message type, with the option order dhcpd 4.4.3 emits
 * (failover-protocol.md §1.5) so our bytes can be compared with captures byte for byte.
 */
import { MessageType, Opt, PROTOCOL_VERSION, ServerFlag, rejectReasonText } from './constants.js'
import type { FailoverMessage, FailoverOption } from './message.js'
import { opt, read } from './options.js'

/** Header fields every builder takes. */
export interface Header {
  /** Sender wall clock, Unix seconds. */
  readonly time: number
  readonly xid: number
}

// ---------------------------------------------------------------------------------- CONNECT

export interface ConnectFields extends Header {
  readonly relationshipName: string
  /** Our max-unacked-updates (option 14); never 0 (§0.6). */
  readonly maxUnacked: number
  /** Our max-response-delay, seconds (option 19); never 0 (§0.6). */
  readonly receiveTimer: number
  readonly vendorClass: string
  readonly mclt: number
  /** 32 bytes; ISC omits it only when no split/hba is configured. */
  readonly hba?: Buffer | undefined
  readonly protocolVersion?: number
  readonly tlsRequest?: number
}

/** CONNECT: 22, 14, 19, 28, 20, 27, 15, 11 (§1.5). */
export function connectMessage(f: ConnectFields): FailoverMessage {
  const options: FailoverOption[] = [
    opt.text(Opt.RELATIONSHIP_NAME, f.relationshipName),
    opt.u32(Opt.MAX_UNACKED_BNDUPD, f.maxUnacked),
    opt.u32(Opt.RECEIVE_TIMER, f.receiveTimer),
    opt.text(Opt.VENDOR_CLASS_IDENTIFIER, f.vendorClass),
    opt.u8(Opt.PROTOCOL_VERSION, f.protocolVersion ?? PROTOCOL_VERSION),
    opt.u8(Opt.TLS_REQUEST, f.tlsRequest ?? 0),
    opt.u32(Opt.MCLT, f.mclt),
  ]
  if (f.hba) options.push(opt.bytes(Opt.HASH_BUCKET_ASSIGNMENT, f.hba))
  return { type: MessageType.CONNECT, time: f.time, xid: f.xid, options }
}

/** What a CONNECT carried; absent options are undefined (validation is the connection's job, §1.5). */
export interface ConnectView {
  readonly relationshipName: string | undefined
  readonly maxUnacked: number | undefined
  readonly receiveTimer: number | undefined
  readonly vendorClass: string | undefined
  readonly protocolVersion: number | undefined
  readonly tlsRequest: number | undefined
  readonly mclt: number | undefined
  readonly hba: Buffer | undefined
}

export function viewConnect(m: FailoverMessage): ConnectView {
  return {
    relationshipName: read.text(m, Opt.RELATIONSHIP_NAME),
    maxUnacked: read.u32(m, Opt.MAX_UNACKED_BNDUPD),
    receiveTimer: read.u32(m, Opt.RECEIVE_TIMER),
    vendorClass: read.text(m, Opt.VENDOR_CLASS_IDENTIFIER),
    protocolVersion: read.u8(m, Opt.PROTOCOL_VERSION),
    tlsRequest: read.u8(m, Opt.TLS_REQUEST),
    mclt: read.u32(m, Opt.MCLT),
    hba: read.bytes(m, Opt.HASH_BUCKET_ASSIGNMENT),
  }
}

// ------------------------------------------------------------------------------- CONNECTACK

export interface ConnectAckFields extends Header {
  readonly relationshipName: string
  /** Omitted by ISC when it rejects an unknown relationship. */
  readonly maxUnacked?: number | undefined
  readonly receiveTimer?: number | undefined
  readonly vendorClass: string
  readonly protocolVersion?: number
  /** Sent (as 0) only if the CONNECT carried TLS-request. */
  readonly tlsReply?: number | undefined
  readonly rejectReason?: number | undefined
  /** Defaults to ISC's text for the reject reason. */
  readonly message?: string | undefined
}

/** CONNECTACK: 22, 14, 19, 28, 20, 26 [, 21, 16] (§1.5). */
export function connectAckMessage(f: ConnectAckFields): FailoverMessage {
  const options: FailoverOption[] = [opt.text(Opt.RELATIONSHIP_NAME, f.relationshipName)]
  if (f.maxUnacked !== undefined) options.push(opt.u32(Opt.MAX_UNACKED_BNDUPD, f.maxUnacked))
  if (f.receiveTimer !== undefined) options.push(opt.u32(Opt.RECEIVE_TIMER, f.receiveTimer))
  options.push(opt.text(Opt.VENDOR_CLASS_IDENTIFIER, f.vendorClass))
  options.push(opt.u8(Opt.PROTOCOL_VERSION, f.protocolVersion ?? PROTOCOL_VERSION))
  if (f.tlsReply !== undefined) options.push(opt.u8(Opt.TLS_REPLY, f.tlsReply))
  if (f.rejectReason !== undefined) {
    options.push(opt.u8(Opt.REJECT_REASON, f.rejectReason))
    options.push(opt.text(Opt.MESSAGE, f.message ?? rejectReasonText(f.rejectReason)))
  }
  return { type: MessageType.CONNECTACK, time: f.time, xid: f.xid, options }
}

export interface ConnectAckView {
  readonly relationshipName: string | undefined
  readonly maxUnacked: number | undefined
  readonly receiveTimer: number | undefined
  readonly vendorClass: string | undefined
  readonly protocolVersion: number | undefined
  readonly tlsReply: number | undefined
  readonly rejectReason: number | undefined
  readonly message: string | undefined
}

export function viewConnectAck(m: FailoverMessage): ConnectAckView {
  return {
    relationshipName: read.text(m, Opt.RELATIONSHIP_NAME),
    maxUnacked: read.u32(m, Opt.MAX_UNACKED_BNDUPD),
    receiveTimer: read.u32(m, Opt.RECEIVE_TIMER),
    vendorClass: read.text(m, Opt.VENDOR_CLASS_IDENTIFIER),
    protocolVersion: read.u8(m, Opt.PROTOCOL_VERSION),
    tlsReply: read.u8(m, Opt.TLS_REPLY),
    rejectReason: read.u8(m, Opt.REJECT_REASON),
    message: read.text(m, Opt.MESSAGE),
  }
}

// ------------------------------------------------------------------------------------ STATE

export interface StateFields extends Header {
  /** server-state value (table §1.4.6); the saved state while in STARTUP. */
  readonly serverState: number
  /** True while in STARTUP (server-flags 0x01). */
  readonly startup: boolean
  /** Start time of the (saved) state. */
  readonly stos: number
}

/** STATE: 24, 23, 25 (§1.5). */
export function stateMessage(f: StateFields): FailoverMessage {
  return {
    type: MessageType.STATE,
    time: f.time,
    xid: f.xid,
    options: [
      opt.u8(Opt.SERVER_STATE, f.serverState),
      opt.u8(Opt.SERVER_FLAGS, f.startup ? ServerFlag.STARTUP : 0),
      opt.u32(Opt.START_TIME_OF_STATE, f.stos),
    ],
  }
}

export interface StateView {
  readonly serverState: number | undefined
  readonly startup: boolean
  readonly stos: number | undefined
}

export function viewState(m: FailoverMessage): StateView {
  return {
    serverState: read.u8(m, Opt.SERVER_STATE),
    startup: ((read.u8(m, Opt.SERVER_FLAGS) ?? 0) & ServerFlag.STARTUP) !== 0,
    stos: read.u32(m, Opt.START_TIME_OF_STATE),
  }
}

// ---------------------------------------------------------------------- option-less messages

/** POOLREQ, UPDREQALL, UPDDONE, UPDREQ, CONTACT: header only (§1.5). */
export function bareMessage(
  type: typeof MessageType.POOLREQ | typeof MessageType.UPDREQALL | typeof MessageType.UPDDONE | typeof MessageType.UPDREQ | typeof MessageType.CONTACT,
  h: Header,
): FailoverMessage {
  return { type, time: h.time, xid: h.xid, options: [] }
}

// ------------------------------------------------------------------------------- DISCONNECT

/** DISCONNECT: 21, 16 (message defaults to ISC's reason text) (§1.5). */
export function disconnectMessage(h: Header, rejectReason: number, message?: string): FailoverMessage {
  return {
    type: MessageType.DISCONNECT,
    time: h.time,
    xid: h.xid,
    options: [opt.u8(Opt.REJECT_REASON, rejectReason), opt.text(Opt.MESSAGE, message ?? rejectReasonText(rejectReason))],
  }
}

export function viewDisconnect(m: FailoverMessage): { rejectReason: number | undefined; message: string | undefined } {
  return { rejectReason: read.u8(m, Opt.REJECT_REASON), message: read.text(m, Opt.MESSAGE) }
}

// --------------------------------------------------------------------------------- POOLRESP

export function poolRespMessage(h: Header, addressesTransferred: number): FailoverMessage {
  return { type: MessageType.POOLRESP, time: h.time, xid: h.xid, options: [opt.u32(Opt.ADDRESSES_TRANSFERRED, addressesTransferred)] }
}

export function viewPoolResp(m: FailoverMessage): { addressesTransferred: number | undefined } {
  return { addressesTransferred: read.u32(m, Opt.ADDRESSES_TRANSFERRED) }
}

// ----------------------------------------------------------------------------------- BNDUPD

/** One binding, as a BNDUPD carries it (§1.5, §2.4). Times are absolute Unix seconds. */
export interface Binding {
  readonly address: number
  /** binding-status value (table §1.4.5). */
  readonly status: number
  /** Exact DHCP option 61 payload, type byte included. */
  readonly clientId?: Buffer | undefined
  /** htype byte followed by the hardware address (Ethernet: 01 + 6 bytes). */
  readonly chaddr?: Buffer | undefined
  /** Lease `ends`; 0 when none. */
  readonly ends: number
  /** Lease `tstp`; may be 0. */
  readonly potentialExpiry: number
  /** Lease `starts` (ISC puts starts here, not the state's start, §2.3); may be 0. */
  readonly stos: number
  /** Omitted when 0 or undefined. */
  readonly cltt?: number | undefined
  /** Omitted when 0 or undefined. */
  readonly ipFlags?: number | undefined
}

/** BNDUPD: 2, 3, [4], [5], 13, 18, 25, [6], [12] — one binding per message (§0.2, §1.5). */
export function bndupdMessage(h: Header, b: Binding): FailoverMessage {
  const options: FailoverOption[] = [opt.ip(Opt.ASSIGNED_IP_ADDRESS, b.address), opt.u8(Opt.BINDING_STATUS, b.status)]
  if (b.clientId) options.push(opt.bytes(Opt.CLIENT_IDENTIFIER, b.clientId))
  if (b.chaddr) options.push(opt.bytes(Opt.CLIENT_HARDWARE_ADDRESS, b.chaddr))
  options.push(opt.u32(Opt.LEASE_EXPIRATION_TIME, b.ends))
  options.push(opt.u32(Opt.POTENTIAL_EXPIRATION_TIME, b.potentialExpiry))
  options.push(opt.u32(Opt.START_TIME_OF_STATE, b.stos))
  if (b.cltt) options.push(opt.u32(Opt.CLIENT_LAST_TRANSACTION_TIME, b.cltt))
  if (b.ipFlags) options.push(opt.u16(Opt.IP_FLAGS, b.ipFlags))
  return { type: MessageType.BNDUPD, time: h.time, xid: h.xid, options }
}

/** A received BNDUPD (or BNDACK); every field may be absent (dhcpd's checks are in §2.4). */
export interface BindingView {
  readonly address: number | undefined
  readonly status: number | undefined
  readonly clientId: Buffer | undefined
  readonly chaddr: Buffer | undefined
  readonly ends: number | undefined
  readonly potentialExpiry: number | undefined
  readonly stos: number | undefined
  readonly cltt: number | undefined
  readonly ipFlags: number | undefined
  readonly ddnsPresent: boolean
  readonly rejectReason: number | undefined
  readonly message: string | undefined
}

export function viewBinding(m: FailoverMessage): BindingView {
  return {
    address: read.ip(m, Opt.ASSIGNED_IP_ADDRESS),
    status: read.u8(m, Opt.BINDING_STATUS),
    clientId: read.bytes(m, Opt.CLIENT_IDENTIFIER),
    chaddr: read.bytes(m, Opt.CLIENT_HARDWARE_ADDRESS),
    ends: read.u32(m, Opt.LEASE_EXPIRATION_TIME),
    potentialExpiry: read.u32(m, Opt.POTENTIAL_EXPIRATION_TIME),
    stos: read.u32(m, Opt.START_TIME_OF_STATE),
    cltt: read.u32(m, Opt.CLIENT_LAST_TRANSACTION_TIME),
    ipFlags: read.u16(m, Opt.IP_FLAGS),
    ddnsPresent: read.has(m, Opt.DDNS),
    rejectReason: read.u8(m, Opt.REJECT_REASON),
    message: read.text(m, Opt.MESSAGE),
  }
}

// ----------------------------------------------------------------------------------- BNDACK

/**
 * BNDACK: option 2 only on success; 2, 21, 16 on reject (§1.5). Never add option 4: ISC's
 * BNDACK bug would take a zero potential expiry from it (§2.6).
 */
export function bndackMessage(h: Header, address: number, rejectReason?: number, message?: string): FailoverMessage {
  const options: FailoverOption[] = [opt.ip(Opt.ASSIGNED_IP_ADDRESS, address)]
  if (rejectReason !== undefined) {
    options.push(opt.u8(Opt.REJECT_REASON, rejectReason))
    options.push(opt.text(Opt.MESSAGE, message ?? rejectReasonText(rejectReason)))
  }
  return { type: MessageType.BNDACK, time: h.time, xid: h.xid, options }
}
