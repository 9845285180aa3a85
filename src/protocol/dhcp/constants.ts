/** DHCPv4 wire constants (RFC 951, RFC 2131, RFC 2132). */

export const BOOTREQUEST = 1
export const BOOTREPLY = 2

/** RFC 2132 §2: the first four octets of the options field. */
export const MAGIC_COOKIE = 0x63825363

/** Fixed BOOTP header size up to (not including) the magic cookie. */
export const BOOTP_HEADER_LENGTH = 236
export const SNAME_OFFSET = 44
export const SNAME_LENGTH = 64
export const FILE_OFFSET = 108
export const FILE_LENGTH = 128
export const OPTIONS_OFFSET = 240

/** RFC 1542 §3.2 / RFC 951: BOOTP messages are at least 300 octets; relays may drop shorter. */
export const BOOTP_MIN_LENGTH = 300

/** RFC 2131 §2: a client must be able to receive 576-byte IP datagrams (548 bytes of DHCP). */
export const DEFAULT_MAX_DHCP_MESSAGE = 576 - 20 - 8

export const BROADCAST_FLAG = 0x8000

/** Option 53 values (RFC 2132 §9.6, RFC 4388 for leasequery types). */
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const

export type MessageTypeName = keyof typeof MessageType

const names: Record<number, MessageTypeName> = Object.fromEntries(
  Object.entries(MessageType).map(([k, v]) => [v, k as MessageTypeName]),
)

export function messageTypeName(value: number): MessageTypeName | undefined {
  return names[value]
}

/** Option 52 values (RFC 2132 §9.3). */
export const Overload = { FILE: 1, SNAME: 2, BOTH: 3 } as const
