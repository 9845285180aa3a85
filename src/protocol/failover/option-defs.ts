/**
 * The failover option table (failover-protocol.md §1.4.2), after ISC's `ft_options[]` in
 * server/stables.c: one row per code with ISC's internal name (used in its error logs), the
 * decoder type, and the exact size ISC insists on for fixed-size options (§1.3 rule 4).
 * Plus the per-message allow-list of §1.4.3 (`dhcp_failover_option_filter`).
 */
import { MessageType, Opt, type MessageTypeCode, type OptCode } from './constants.js'

/** How an option's body is interpreted. */
export type FailoverOptionType = 'uint8' | 'uint16' | 'uint32' | 'ipv4' | 'bytes' | 'text'

export interface FailoverOptionDef {
  readonly code: OptCode
  /** ISC's name for the option, as printed in `FAILOVER: duplicate option %s`. */
  readonly name: string
  readonly type: FailoverOptionType
  /** Exact body length when fixed; undefined = variable (any multiple of 1 byte). */
  readonly size: number | undefined
}

const def = (code: OptCode, name: string, type: FailoverOptionType, size?: number): FailoverOptionDef => ({
  code,
  name,
  type,
  size: size ?? fixedSizeOf(type),
})

function fixedSizeOf(type: FailoverOptionType): number | undefined {
  switch (type) {
    case 'uint8': return 1
    case 'uint16': return 2
    case 'uint32': return 4
    case 'ipv4': return 4
    case 'bytes':
    case 'text': return undefined
  }
}

/** All 29 options; index = code − 1. */
export const FAILOVER_OPTIONS: readonly FailoverOptionDef[] = [
  def(Opt.ADDRESSES_TRANSFERRED, 'addresses-transferred', 'uint32'),
  def(Opt.ASSIGNED_IP_ADDRESS, 'assigned-IP-address', 'ipv4'),
  def(Opt.BINDING_STATUS, 'binding-status', 'uint8'),
  def(Opt.CLIENT_IDENTIFIER, 'client-identifier', 'bytes'),
  def(Opt.CLIENT_HARDWARE_ADDRESS, 'client-hardware-address', 'bytes'),
  def(Opt.CLIENT_LAST_TRANSACTION_TIME, 'client-last-transaction-time', 'uint32'),
  def(Opt.CLIENT_REPLY_OPTIONS, 'client-reply-options', 'bytes'),
  def(Opt.CLIENT_REQUEST_OPTIONS, 'client-request-options', 'bytes'),
  // ISC gives DDNS a fixed size of 0: any real DDNS option is fatal to dhcpd (§0.3).
  def(Opt.DDNS, 'DDNS', 'bytes', 0),
  def(Opt.DELAYED_SERVICE_PARAMETER, 'delayed-service', 'uint8'),
  // ISC requires exactly 32 bytes (§1.4.2, §5.2).
  def(Opt.HASH_BUCKET_ASSIGNMENT, 'hash-bucket-assignment', 'bytes', 32),
  // 2 bytes, although the draft's figure says 1 (§0.4).
  def(Opt.IP_FLAGS, 'IP-flags', 'uint16'),
  def(Opt.LEASE_EXPIRATION_TIME, 'lease-expiration-time', 'uint32'),
  def(Opt.MAX_UNACKED_BNDUPD, 'max-unacked-bndupd', 'uint32'),
  def(Opt.MCLT, 'MCLT', 'uint32'),
  def(Opt.MESSAGE, 'message', 'text'),
  def(Opt.MESSAGE_DIGEST, 'message-digest', 'bytes'),
  def(Opt.POTENTIAL_EXPIRATION_TIME, 'potential-expiration-time', 'uint32'),
  def(Opt.RECEIVE_TIMER, 'receive-timer', 'uint32'),
  def(Opt.PROTOCOL_VERSION, 'protocol-version', 'uint8'),
  def(Opt.REJECT_REASON, 'reject-reason', 'uint8'),
  def(Opt.RELATIONSHIP_NAME, 'relationship-name', 'text'),
  def(Opt.SERVER_FLAGS, 'server-flags', 'uint8'),
  def(Opt.SERVER_STATE, 'server-state', 'uint8'),
  def(Opt.START_TIME_OF_STATE, 'start-time-of-state', 'uint32'),
  def(Opt.TLS_REPLY, 'TLS-reply', 'uint8'),
  def(Opt.TLS_REQUEST, 'TLS-request', 'uint8'),
  def(Opt.VENDOR_CLASS_IDENTIFIER, 'vendor-class-identifier', 'text'),
  def(Opt.VENDOR_SPECIFIC_OPTIONS, 'vendor-specific-options', 'bytes'),
]

/** The definition for a code, or undefined for 0 and codes above 29 (ISC skips those, §1.3 rule 1). */
export function optionDef(code: number): FailoverOptionDef | undefined {
  return code >= 1 ? FAILOVER_OPTIONS[code - 1] : undefined
}

const BINDING_OPTIONS: readonly OptCode[] = [2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 18, 25]

/** Options dhcpd stores per received message type; anything else is skipped (§1.4.3). */
export const ALLOWED_OPTIONS: Readonly<Record<MessageTypeCode, readonly OptCode[]>> = {
  [MessageType.POOLREQ]: [],
  [MessageType.POOLRESP]: [Opt.ADDRESSES_TRANSFERRED],
  [MessageType.BNDUPD]: BINDING_OPTIONS,
  [MessageType.BNDACK]: [...BINDING_OPTIONS, Opt.REJECT_REASON, Opt.MESSAGE],
  [MessageType.CONNECT]: [22, 14, 19, 28, 20, 27, 15, 11],
  [MessageType.CONNECTACK]: [22, 14, 19, 28, 20, 26, 21, 16],
  [MessageType.UPDREQALL]: [],
  [MessageType.UPDDONE]: [],
  [MessageType.UPDREQ]: [],
  [MessageType.STATE]: [Opt.SERVER_STATE, Opt.SERVER_FLAGS, Opt.START_TIME_OF_STATE],
  [MessageType.CONTACT]: [],
  [MessageType.DISCONNECT]: [Opt.REJECT_REASON, Opt.MESSAGE],
}

/** Whether dhcpd would store option `code` when it arrives in a message of `type`. */
export function isOptionAllowed(type: MessageTypeCode, code: number): boolean {
  return (ALLOWED_OPTIONS[type] as readonly number[]).includes(code)
}
