/**
 * The DHCPv4 option table: one row per option, named as ISC dhcpd.conf spells it
 * (dhcp-options(5)). The codec, the config compiler, the API and the logs all share it.
 *
 * An option's value is a sequence of typed fields (an ISC "format"). `array` says how the
 * fields repeat:
 *  - 'none'   exactly the fields, once                     (ISC "I", "L", "fto")
 *  - 'all'    the whole record repeats, at least once       (ISC "IA", "IIA")
 *  - 'last'   the last field repeats, zero or more times    (ISC "Ia", "fIa")
 *
 * Values are carried as a flat list of atoms in field order (see OptionValue).
 */

/** The field types of ISC's option definition language. */
export type FieldType =
  | 'ip-address'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'boolean'
  /** NVT ASCII text, no terminator (ISC `text`). */
  | 'text'
  /** Opaque octets; in dhcpd.conf a quoted string or colon-hex (ISC `string`). */
  | 'string'
  /** One domain name in RFC 1035 wire form (ISC `domain-name`). */
  | 'domain-name'
  /** A list of domain names in wire form, no compression (ISC `domain-list`). */
  | 'domain-list'
  /** A list of domain names with RFC 1035 §4.1.4 compression (ISC `domain-list compressed`, RFC 3397). */
  | 'domain-list-compressed'
  /** RFC 3442 destination descriptor + router: `width, significant octets, router`. */
  | 'classless-route'
  /** The option carries a sub-option space (relay agent information, vendor options…); bytes are raw. */
  | 'encapsulation'
  /** Zero-length option (rapid commit). */
  | 'empty'

export type ArrayKind = 'none' | 'all' | 'last'

export type IntegerFieldType = 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32'

/** Inclusive value range of each integer field type. */
export const INTEGER_RANGES: Readonly<Record<IntegerFieldType, readonly [number, number]>> = {
  uint8: [0, 0xff],
  uint16: [0, 0xffff],
  uint32: [0, 0xffffffff],
  int8: [-0x80, 0x7f],
  int16: [-0x8000, 0x7fff],
  int32: [-0x80000000, 0x7fffffff],
}

export function isIntegerFieldType(type: FieldType): type is IntegerFieldType {
  return Object.prototype.hasOwnProperty.call(INTEGER_RANGES, type)
}

/** Option spaces we know; `dhcp` is the top level. */
export type OptionSpace = 'dhcp' | 'agent' | 'fqdn' | 'vendor-encapsulated'

export interface OptionDef {
  readonly code: number
  /** ISC dhcpd.conf name, e.g. `domain-name-servers`. */
  readonly name: string
  readonly space: OptionSpace
  readonly fields: readonly FieldType[]
  readonly array: ArrayKind
  /** For `encapsulation` options: the space of the sub-options. */
  readonly encapsulates?: OptionSpace
  /** Where the option is defined. */
  readonly rfc: string
}

/** A destination (prefix) and the router that reaches it (RFC 3442). */
export interface ClasslessRoute {
  /** Network address as dotted quad; host bits beyond `prefixLength` are zero. */
  readonly destination: string
  readonly prefixLength: number
  readonly router: string
}

/**
 * One field value. ip-address → dotted-quad string; integers → number; boolean → boolean;
 * text → string; string → Buffer; domain-name → string (no trailing dot);
 * domain-list(-compressed) → readonly string[]; classless-route → ClasslessRoute;
 * encapsulation → Buffer (raw sub-option bytes); empty → never appears.
 */
export type Atom = string | number | boolean | Buffer | readonly string[] | ClasslessRoute

/** An option value: its atoms in field order, array repetitions flattened. */
export type OptionValue = readonly Atom[]

function def(
  code: number,
  name: string,
  fields: readonly FieldType[],
  array: ArrayKind,
  rfc: string,
  encapsulates?: OptionSpace,
): OptionDef {
  const d: OptionDef = encapsulates
    ? { code, name, space: 'dhcp', fields, array, rfc, encapsulates }
    : { code, name, space: 'dhcp', fields, array, rfc }
  return Object.freeze(d)
}

const IP: readonly FieldType[] = ['ip-address']
const U8: readonly FieldType[] = ['uint8']
const U16: readonly FieldType[] = ['uint16']
const U32: readonly FieldType[] = ['uint32']
const FLAG: readonly FieldType[] = ['boolean']
const TEXT: readonly FieldType[] = ['text']
const OCTETS: readonly FieldType[] = ['string']
const IP_PAIR: readonly FieldType[] = ['ip-address', 'ip-address']

/** The standard DHCPv4 options (the `dhcp` space). */
export const DHCP_OPTIONS: readonly OptionDef[] = Object.freeze([
  def(1, 'subnet-mask', IP, 'none', 'RFC 2132 §3.3'),
  def(2, 'time-offset', ['int32'], 'none', 'RFC 2132 §3.4'),
  def(3, 'routers', IP, 'all', 'RFC 2132 §3.5'),
  def(4, 'time-servers', IP, 'all', 'RFC 2132 §3.6'),
  def(5, 'ien116-name-servers', IP, 'all', 'RFC 2132 §3.7'),
  def(6, 'domain-name-servers', IP, 'all', 'RFC 2132 §3.8'),
  def(7, 'log-servers', IP, 'all', 'RFC 2132 §3.9'),
  def(8, 'cookie-servers', IP, 'all', 'RFC 2132 §3.10'),
  def(9, 'lpr-servers', IP, 'all', 'RFC 2132 §3.11'),
  def(10, 'impress-servers', IP, 'all', 'RFC 2132 §3.12'),
  def(11, 'resource-location-servers', IP, 'all', 'RFC 2132 §3.13'),
  def(12, 'host-name', TEXT, 'none', 'RFC 2132 §3.14'),
  def(13, 'boot-size', U16, 'none', 'RFC 2132 §3.15'),
  def(14, 'merit-dump', TEXT, 'none', 'RFC 2132 §3.16'),
  def(15, 'domain-name', TEXT, 'none', 'RFC 2132 §3.17'),
  def(16, 'swap-server', IP, 'none', 'RFC 2132 §3.18'),
  def(17, 'root-path', TEXT, 'none', 'RFC 2132 §3.19'),
  def(18, 'extensions-path', TEXT, 'none', 'RFC 2132 §3.20'),
  def(19, 'ip-forwarding', FLAG, 'none', 'RFC 2132 §4.1'),
  def(20, 'non-local-source-routing', FLAG, 'none', 'RFC 2132 §4.2'),
  def(21, 'policy-filter', IP_PAIR, 'all', 'RFC 2132 §4.3'),
  def(22, 'max-dgram-reassembly', U16, 'none', 'RFC 2132 §4.4'),
  def(23, 'default-ip-ttl', U8, 'none', 'RFC 2132 §4.5'),
  def(24, 'path-mtu-aging-timeout', U32, 'none', 'RFC 2132 §4.6'),
  def(25, 'path-mtu-plateau-table', U16, 'all', 'RFC 2132 §4.7'),
  def(26, 'interface-mtu', U16, 'none', 'RFC 2132 §5.1'),
  def(27, 'all-subnets-local', FLAG, 'none', 'RFC 2132 §5.2'),
  def(28, 'broadcast-address', IP, 'none', 'RFC 2132 §5.3'),
  def(29, 'perform-mask-discovery', FLAG, 'none', 'RFC 2132 §5.4'),
  def(30, 'mask-supplier', FLAG, 'none', 'RFC 2132 §5.5'),
  def(31, 'router-discovery', FLAG, 'none', 'RFC 2132 §5.6'),
  def(32, 'router-solicitation-address', IP, 'none', 'RFC 2132 §5.7'),
  def(33, 'static-routes', IP_PAIR, 'all', 'RFC 2132 §5.8'),
  def(34, 'trailer-encapsulation', FLAG, 'none', 'RFC 2132 §6.1'),
  def(35, 'arp-cache-timeout', U32, 'none', 'RFC 2132 §6.2'),
  def(36, 'ieee802-3-encapsulation', FLAG, 'none', 'RFC 2132 §6.3'),
  def(37, 'default-tcp-ttl', U8, 'none', 'RFC 2132 §7.1'),
  def(38, 'tcp-keepalive-interval', U32, 'none', 'RFC 2132 §7.2'),
  def(39, 'tcp-keepalive-garbage', FLAG, 'none', 'RFC 2132 §7.3'),
  def(40, 'nis-domain', TEXT, 'none', 'RFC 2132 §8.1'),
  def(41, 'nis-servers', IP, 'all', 'RFC 2132 §8.2'),
  def(42, 'ntp-servers', IP, 'all', 'RFC 2132 §8.3'),
  def(43, 'vendor-encapsulated-options', ['encapsulation'], 'none', 'RFC 2132 §8.4', 'vendor-encapsulated'),
  def(44, 'netbios-name-servers', IP, 'all', 'RFC 2132 §8.5'),
  def(45, 'netbios-dd-server', IP, 'all', 'RFC 2132 §8.6'),
  def(46, 'netbios-node-type', U8, 'none', 'RFC 2132 §8.7'),
  def(47, 'netbios-scope', TEXT, 'none', 'RFC 2132 §8.8'),
  def(48, 'font-servers', IP, 'all', 'RFC 2132 §8.9'),
  def(49, 'x-display-manager', IP, 'all', 'RFC 2132 §8.10'),
  def(50, 'dhcp-requested-address', IP, 'none', 'RFC 2132 §9.1'),
  def(51, 'dhcp-lease-time', U32, 'none', 'RFC 2132 §9.2'),
  def(52, 'dhcp-option-overload', U8, 'none', 'RFC 2132 §9.3'),
  def(53, 'dhcp-message-type', U8, 'none', 'RFC 2132 §9.6'),
  def(54, 'dhcp-server-identifier', IP, 'none', 'RFC 2132 §9.7'),
  def(55, 'dhcp-parameter-request-list', U8, 'all', 'RFC 2132 §9.8'),
  def(56, 'dhcp-message', TEXT, 'none', 'RFC 2132 §9.9'),
  def(57, 'dhcp-max-message-size', U16, 'none', 'RFC 2132 §9.10'),
  def(58, 'dhcp-renewal-time', U32, 'none', 'RFC 2132 §9.11'),
  def(59, 'dhcp-rebinding-time', U32, 'none', 'RFC 2132 §9.12'),
  def(60, 'vendor-class-identifier', OCTETS, 'none', 'RFC 2132 §9.13'),
  def(61, 'dhcp-client-identifier', OCTETS, 'none', 'RFC 2132 §9.14'),
  def(62, 'nwip-domain', TEXT, 'none', 'RFC 2242'),
  def(63, 'nwip-suboptions', ['encapsulation'], 'none', 'RFC 2242'),
  def(64, 'nisplus-domain', TEXT, 'none', 'RFC 2132 §8.11'),
  def(65, 'nisplus-servers', IP, 'all', 'RFC 2132 §8.12'),
  def(66, 'tftp-server-name', TEXT, 'none', 'RFC 2132 §9.4'),
  def(67, 'bootfile-name', TEXT, 'none', 'RFC 2132 §9.5'),
  def(68, 'mobile-ip-home-agent', IP, 'all', 'RFC 2132 §8.13'),
  def(69, 'smtp-server', IP, 'all', 'RFC 2132 §8.14'),
  def(70, 'pop-server', IP, 'all', 'RFC 2132 §8.15'),
  def(71, 'nntp-server', IP, 'all', 'RFC 2132 §8.16'),
  def(72, 'www-server', IP, 'all', 'RFC 2132 §8.17'),
  def(73, 'finger-server', IP, 'all', 'RFC 2132 §8.18'),
  def(74, 'irc-server', IP, 'all', 'RFC 2132 §8.19'),
  def(75, 'streettalk-server', IP, 'all', 'RFC 2132 §8.20'),
  def(76, 'streettalk-directory-assistance-server', IP, 'all', 'RFC 2132 §8.21'),
  def(77, 'user-class', TEXT, 'none', 'RFC 3004'),
  def(78, 'slp-directory-agent', ['boolean', 'ip-address'], 'last', 'RFC 2610'),
  def(79, 'slp-service-scope', ['boolean', 'text'], 'none', 'RFC 2610'),
  def(81, 'fqdn', ['encapsulation'], 'none', 'RFC 4702', 'fqdn'),
  def(82, 'relay-agent-information', ['encapsulation'], 'none', 'RFC 3046', 'agent'),
  def(85, 'nds-servers', IP, 'all', 'RFC 2241'),
  def(86, 'nds-tree-name', TEXT, 'none', 'RFC 2241'),
  def(87, 'nds-context', TEXT, 'none', 'RFC 2241'),
  def(88, 'bcms-controller-names', ['domain-list'], 'none', 'RFC 4280'),
  def(89, 'bcms-controller-address', IP, 'last', 'RFC 4280'),
  def(91, 'client-last-transaction-time', U32, 'none', 'RFC 4388'),
  def(92, 'associated-ip', IP, 'last', 'RFC 4388'),
  def(98, 'uap-servers', TEXT, 'none', 'RFC 2485'),
  def(112, 'netinfo-server-address', IP, 'last', 'Apple NetInfo'),
  def(113, 'netinfo-server-tag', TEXT, 'none', 'Apple NetInfo'),
  def(114, 'default-url', TEXT, 'none', 'Apple'),
  def(116, 'auto-config', U8, 'none', 'RFC 2563'),
  def(117, 'name-service-search', U16, 'last', 'RFC 2937'),
  def(118, 'subnet-selection', IP, 'none', 'RFC 3011'),
  def(119, 'domain-search', ['domain-list-compressed'], 'none', 'RFC 3397'),
  // ISC dhcpd 4.4 has no built-in name for 121; configs usually define
  // `option rfc3442-classless-static-routes code 121 = array of integer 8;` which
  // replaces this row (a custom definition with the same code wins, as in ISC).
  def(121, 'classless-static-routes', ['classless-route'], 'all', 'RFC 3442'),
  def(124, 'vivco', ['encapsulation'], 'none', 'RFC 3925'),
  def(125, 'vivso', ['encapsulation'], 'none', 'RFC 3925'),
])

/** Relay agent information sub-options (RFC 3046, 3527, 5107); ISC space `agent`. */
export const AGENT_SUBOPTIONS: readonly OptionDef[] = Object.freeze([
  { code: 1, name: 'circuit-id', space: 'agent', fields: OCTETS, array: 'none', rfc: 'RFC 3046 §2.0' },
  { code: 2, name: 'remote-id', space: 'agent', fields: OCTETS, array: 'none', rfc: 'RFC 3046 §2.0' },
  { code: 4, name: 'DOCSIS-device-class', space: 'agent', fields: U32, array: 'none', rfc: 'RFC 3256' },
  { code: 5, name: 'link-selection', space: 'agent', fields: IP, array: 'none', rfc: 'RFC 3527' },
  { code: 11, name: 'server-id-override', space: 'agent', fields: IP, array: 'none', rfc: 'RFC 5107' },
].map((d) => Object.freeze(d as OptionDef)))

/** Well-known option codes, for readable code at call sites. */
export const OptionCode = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTERS: 3,
  DOMAIN_NAME_SERVERS: 6,
  HOST_NAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST_ADDRESS: 28,
  VENDOR_ENCAPSULATED: 43,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_IDENTIFIER: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS_IDENTIFIER: 60,
  CLIENT_IDENTIFIER: 61,
  USER_CLASS: 77,
  CLIENT_FQDN: 81,
  RELAY_AGENT_INFORMATION: 82,
  SUBNET_SELECTION: 118,
  DOMAIN_SEARCH: 119,
  CLASSLESS_STATIC_ROUTES: 121,
  VIVCO: 124,
  VIVSO: 125,
  END: 255,
} as const

export const AgentSubOption = {
  CIRCUIT_ID: 1,
  REMOTE_ID: 2,
  LINK_SELECTION: 5,
  SERVER_ID_OVERRIDE: 11,
} as const

const byCode = new Map<number, OptionDef>(DHCP_OPTIONS.map((d) => [d.code, d]))
const byName = new Map<string, OptionDef>(DHCP_OPTIONS.map((d) => [d.name, d]))
const agentByName = new Map<string, OptionDef>(AGENT_SUBOPTIONS.map((d) => [d.name, d]))

/** The standard definition for a code, if there is one. */
export function optionByCode(code: number): OptionDef | undefined {
  return byCode.get(code)
}

/**
 * The standard definition for a dhcpd.conf name. Accepts `dhcp.NAME` and `agent.NAME`
 * (ISC's qualified spelling) as well as the bare name.
 */
export function optionByName(name: string): OptionDef | undefined {
  const lower = name.toLowerCase()
  if (lower.startsWith('agent.')) return agentByName.get(lower.slice(6))
  if (lower.startsWith('dhcp.')) return byName.get(lower.slice(5))
  return byName.get(lower)
}

/** All dhcp-space names; for "did you mean" hints. */
export function optionNames(): readonly string[] {
  return DHCP_OPTIONS.map((d) => d.name)
}
