/**
 * Wire constants of the ISC DHCP failover protocol as dhcpd 4.4.3 speaks it
 * (failover-protocol.md §1.2, §1.4). Numbers are draft-12 numbering, which ISC uses since 3.1.
 */

/** Fixed header size; ISC sends payload offset 12 (the draft's "8" is an error, §0.1). */
export const HEADER_LENGTH = 12
/** Largest message dhcpd accepts (§1.2); longer ones are a protocol error. */
export const MAX_MESSAGE_LENGTH = 2048
/** IANA `dhcp-failover`, ISC's default for `port` and `peer port` (§1.1). */
export const DEFAULT_FAILOVER_PORT = 647
/** Permitted clock skew on CONNECT/CONNECTACK header time, seconds (§0.5, §2.3). */
export const MAX_CONNECT_SKEW_SECONDS = 60
/** The protocol-version value ISC sends (option 20). */
export const PROTOCOL_VERSION = 1

/** Message types, table §1.4.1. */
export const MessageType = {
  POOLREQ: 1,
  POOLRESP: 2,
  BNDUPD: 3,
  BNDACK: 4,
  CONNECT: 5,
  CONNECTACK: 6,
  UPDREQALL: 7,
  UPDDONE: 8,
  UPDREQ: 9,
  STATE: 10,
  CONTACT: 11,
  DISCONNECT: 12,
} as const
export type MessageTypeName = keyof typeof MessageType
export type MessageTypeCode = (typeof MessageType)[MessageTypeName]

/** ISC's log names for message types (§1.4.1 "ISC log name"), indexed by code. */
export const MESSAGE_TYPE_LOG_NAMES: Readonly<Record<MessageTypeCode, string>> = {
  1: 'pool-request',
  2: 'pool-response',
  3: 'bind-update',
  4: 'bind-ack',
  5: 'connect',
  6: 'connect-ack',
  7: 'update-request-all',
  8: 'update-done',
  9: 'update-request',
  10: 'state',
  11: 'contact',
  12: 'disconnect',
}

export function isMessageTypeCode(n: number): n is MessageTypeCode {
  return Number.isInteger(n) && n >= 1 && n <= 12
}

/** Option codes, table §1.4.2. */
export const Opt = {
  ADDRESSES_TRANSFERRED: 1,
  ASSIGNED_IP_ADDRESS: 2,
  BINDING_STATUS: 3,
  CLIENT_IDENTIFIER: 4,
  CLIENT_HARDWARE_ADDRESS: 5,
  CLIENT_LAST_TRANSACTION_TIME: 6,
  CLIENT_REPLY_OPTIONS: 7,
  CLIENT_REQUEST_OPTIONS: 8,
  DDNS: 9,
  DELAYED_SERVICE_PARAMETER: 10,
  HASH_BUCKET_ASSIGNMENT: 11,
  IP_FLAGS: 12,
  LEASE_EXPIRATION_TIME: 13,
  MAX_UNACKED_BNDUPD: 14,
  MCLT: 15,
  MESSAGE: 16,
  MESSAGE_DIGEST: 17,
  POTENTIAL_EXPIRATION_TIME: 18,
  RECEIVE_TIMER: 19,
  PROTOCOL_VERSION: 20,
  REJECT_REASON: 21,
  RELATIONSHIP_NAME: 22,
  SERVER_FLAGS: 23,
  SERVER_STATE: 24,
  START_TIME_OF_STATE: 25,
  TLS_REPLY: 26,
  TLS_REQUEST: 27,
  VENDOR_CLASS_IDENTIFIER: 28,
  VENDOR_SPECIFIC_OPTIONS: 29,
} as const
export type OptName = keyof typeof Opt
export type OptCode = (typeof Opt)[OptName]

/** server-flags bits (option 23). */
export const ServerFlag = { STARTUP: 0x01 } as const
/** IP-flags bits (option 12, 16 bits). */
export const IpFlag = { RESERVED: 0x0001, BOOTP: 0x0002 } as const

/** HBA length in bytes (option 11): 256 buckets, one bit each (§5.2). */
export const HBA_LENGTH = 32

/** Reject reasons, table §1.4.4. */
export const RejectReason = {
  ILLEGAL_IP_ADDRESS: 1,
  FATAL_CONFLICT: 2,
  MISSING_BINDING_INFO: 3,
  TIME_MISMATCH: 4,
  INVALID_MCLT: 5,
  UNKNOWN: 6,
  DUPLICATE_CONNECTION: 7,
  INVALID_PARTNER: 8,
  TLS_UNSUPPORTED: 9,
  TLS_UNCONFIGURED: 10,
  TLS_REQUIRED: 11,
  DIGEST_UNSUPPORTED: 12,
  DIGEST_UNCONFIGURED: 13,
  VERSION_MISMATCH: 14,
  OUTDATED_BINDING_INFO: 15,
  LESS_CRITICAL_BINDING_INFO: 16,
  NO_TRAFFIC: 17,
  HBA_CONFLICT: 18,
  IP_NOT_RESERVED: 19,
  DIGEST_FAILED: 20,
  MISSING_DIGEST: 21,
  UNKNOWN_ERROR: 254,
} as const

const REJECT_TEXT: Readonly<Record<number, string>> = {
  1: 'Illegal IP address (not part of any address pool).',
  2: 'Fatal conflict exists: address in use by other client.',
  3: 'Missing binding information.',
  4: 'Connection rejected, time mismatch too great.',
  5: 'Connection rejected, invalid MCLT.',
  6: 'Connection rejected, unknown reason.',
  7: 'Connection rejected, duplicate connection.',
  8: 'Connection rejected, invalid failover partner.',
  9: 'TLS not supported.',
  10: 'TLS supported but not configured.',
  11: 'TLS required but not supported by partner.',
  12: 'Message digest not supported.',
  13: 'Message digest not configured.',
  14: 'Protocol version mismatch.',
  15: 'Outdated binding information.',
  16: 'Less critical binding information.',
  17: 'No traffic within sufficient time.',
  18: 'Hash bucket assignment conflict.',
  19: 'IP not reserved on this server.',
  20: 'Message digest failed to compare.',
  21: 'Missing message digest.',
  254: 'Unknown Error.',
}

/** The text ISC prints for a reject reason (`dhcp_failover_reject_reason_print`, §1.4.4). */
export function rejectReasonText(code: number): string {
  return REJECT_TEXT[code] ?? `Undefined-${code}: This reason code is not defined in the protocol standard.`
}
