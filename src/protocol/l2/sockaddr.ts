/**
 * Linux socket address and ancillary-data layouts the raw path needs, built and read in TS so
 * the addon stays protocol-agnostic (x86-64/arm64 Linux ABI: 8-byte cmsg alignment):
 *  - `struct sockaddr_ll` (packet(7)): family u16, protocol u16 (network order), ifindex i32,
 *    hatype u16, pkttype u8, halen u8, addr[8] — 20 bytes;
 *  - `struct sockaddr_in` (ip(7)): family u16, port u16 (network order), addr u32, zero[8];
 *  - `struct cmsghdr`: len size_t, level i32, type i32, data (aligned);
 *  - `struct tpacket_auxdata` (PACKET_AUXDATA): tp_status u32 first.
 */
import { DecodeError } from '../../lib/errors.js'

export const AF_UNIX = 1
export const AF_INET = 2
export const AF_PACKET = 17
export const SOCK_RAW = 3
export const SOCK_DGRAM = 2
export const IPPROTO_ICMP = 1
export const ETH_P_ALL = 0x0003
export const ETH_P_IP = 0x0800
export const SOL_SOCKET = 1
export const SOL_PACKET = 263
export const PACKET_AUXDATA = 8
export const SO_BINDTODEVICE = 25
export const SO_RCVBUF = 8
export const IPPROTO_IP = 0
export const IP_TTL = 2

/** sockaddr_ll.sll_pkttype values (linux/if_packet.h). */
export const PacketType = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4 } as const

/** tpacket_auxdata.tp_status bits (linux/if_packet.h). */
export const TP_STATUS_CSUMNOTREADY = 0x8
export const TP_STATUS_CSUM_VALID = 0x80

export const SOCKADDR_LL_SIZE = 20
export const SOCKADDR_IN_SIZE = 16

export interface SockaddrLl {
  readonly protocol: number
  readonly ifindex: number
  readonly hatype: number
  readonly pkttype: number
  /** Hardware address (halen bytes). */
  readonly addr: Buffer
}

export function encodeSockaddrLl(v: { protocol: number; ifindex: number; addr?: Buffer | undefined }): Buffer {
  const b = Buffer.alloc(SOCKADDR_LL_SIZE)
  b.writeUInt16LE(AF_PACKET, 0)
  b.writeUInt16BE(v.protocol, 2)
  b.writeInt32LE(v.ifindex, 4)
  const addr = v.addr ?? Buffer.alloc(0)
  if (addr.length > 8) throw new RangeError(`hardware address of ${addr.length} bytes does not fit sockaddr_ll`)
  b[11] = addr.length
  addr.copy(b, 12)
  return b
}

export function decodeSockaddrLl(b: Buffer): SockaddrLl {
  if (b.length < 12) throw new DecodeError('sockaddr_ll', 0, `${b.length} bytes, need 12`)
  if (b.readUInt16LE(0) !== AF_PACKET) throw new DecodeError('sockaddr_ll.family', 0, `family ${b.readUInt16LE(0)} is not AF_PACKET`)
  const halen = Math.min(b[11]!, 8, Math.max(0, b.length - 12))
  return {
    protocol: b.readUInt16BE(2),
    ifindex: b.readInt32LE(4),
    hatype: b.readUInt16LE(8),
    pkttype: b[10]!,
    addr: Buffer.from(b.subarray(12, 12 + halen)),
  }
}

export function encodeSockaddrIn(address: number, port = 0): Buffer {
  const b = Buffer.alloc(SOCKADDR_IN_SIZE)
  b.writeUInt16LE(AF_INET, 0)
  b.writeUInt16BE(port, 2)
  b.writeUInt32BE(address >>> 0, 4)
  return b
}

export function decodeSockaddrIn(b: Buffer): { address: number; port: number } {
  if (b.length < 8 || b.readUInt16LE(0) !== AF_INET) throw new DecodeError('sockaddr_in', 0, 'not an AF_INET address')
  return { address: b.readUInt32BE(4), port: b.readUInt16BE(2) }
}

export interface ControlMessage {
  readonly level: number
  readonly type: number
  readonly data: Buffer
}

const CMSG_HEADER = 16
const align8 = (n: number): number => (n + 7) & ~7

/** Splits a recvmsg control buffer into its messages; stops at the first malformed one. */
export function parseControlMessages(b: Buffer): ControlMessage[] {
  const out: ControlMessage[] = []
  let off = 0
  while (off + CMSG_HEADER <= b.length) {
    const len = Number(b.readBigUInt64LE(off))
    if (len < CMSG_HEADER || off + len > b.length) break
    out.push({ level: b.readInt32LE(off + 8), type: b.readInt32LE(off + 12), data: b.subarray(off + CMSG_HEADER, off + len) })
    off += align8(len)
  }
  return out
}

/** tp_status of the PACKET_AUXDATA message, or undefined when absent. */
export function auxStatus(control: Buffer): number | undefined {
  for (const m of parseControlMessages(control)) {
    if (m.level === SOL_PACKET && m.type === PACKET_AUXDATA && m.data.length >= 4) return m.data.readUInt32LE(0)
  }
  return undefined
}

/** A control buffer holding one PACKET_AUXDATA message (for tests and fakes). */
export function encodeAuxdata(status: number, length: number): Buffer {
  const b = Buffer.alloc(CMSG_HEADER + 20 + 4) // tpacket_auxdata is 20 bytes; pad to 8
  b.writeBigUInt64LE(BigInt(CMSG_HEADER + 20), 0)
  b.writeInt32LE(SOL_PACKET, 8)
  b.writeInt32LE(PACKET_AUXDATA, 12)
  b.writeUInt32LE(status, 16)
  b.writeUInt32LE(length, 20)
  b.writeUInt32LE(length, 24)
  return b
}

/** Longest path a `struct sockaddr_un` holds (108 bytes with the terminating NUL). */
export const UNIX_PATH_MAX = 107

/** `struct sockaddr_un` (unix(7)): family u16 (host order), the path, NUL-terminated. */
export function encodeSockaddrUn(path: string): Buffer {
  const bytes = Buffer.from(path, 'utf8')
  if (bytes.length === 0 || bytes.length > UNIX_PATH_MAX) throw new RangeError(`unix socket path must be 1 to ${UNIX_PATH_MAX} bytes: ${path}`)
  const b = Buffer.alloc(2 + bytes.length + 1)
  b.writeUInt16LE(AF_UNIX, 0)
  bytes.copy(b, 2)
  return b
}
