/**
 * Classic BPF programs as data (`struct sock_filter`: u16 code, u8 jt, u8 jf, u32 k, in host
 * byte order — little-endian on every platform we run on), attached with the addon's
 * `attachFilter` before the packet socket is bound.
 */

export interface BpfInstruction {
  readonly code: number
  readonly jt: number
  readonly jf: number
  readonly k: number
}

const i = (code: number, jt: number, jf: number, k: number): BpfInstruction => ({ code, jt, jf, k })

/**
 * `tcpdump -dd 'ip and udp dst port 67 and udp[32:4] = 0'`: IPv4, protocol UDP, not a
 * non-first fragment, UDP destination port 67 (at the IHL-dependent offset), giaddr 0 (UDP
 * payload offset 24); accept the whole frame. Relayed requests (giaddr ≠ 0) are left to the
 * UDP socket, so the kernel drops them here and relay traffic costs the packet path nothing.
 */
export const DHCP_SERVER_FILTER: readonly BpfInstruction[] = Object.freeze([
  i(0x28, 0, 0, 12), //         ldh [12]            ethertype
  i(0x15, 0, 10, 0x0800), //    jeq #0x800          IPv4?
  i(0x30, 0, 0, 23), //         ldb [23]            protocol
  i(0x15, 0, 8, 17), //         jeq #17             UDP?
  i(0x28, 0, 0, 20), //         ldh [20]            flags/fragment offset
  i(0x45, 6, 0, 0x1fff), //     jset #0x1fff        non-first fragment → drop
  i(0xb1, 0, 0, 14), //         ldxb 4*([14]&0xf)   IP header length
  i(0x48, 0, 0, 16), //         ldh [x + 16]        UDP destination port
  i(0x15, 0, 3, 67), //         jeq #67
  i(0x40, 0, 0, 46), //         ld [x + 46]         giaddr (14 + 8 + 24)
  i(0x15, 0, 1, 0), //          jeq #0              not relayed?
  i(0x06, 0, 0, 0x40000), //    ret #262144         accept
  i(0x06, 0, 0, 0), //          ret #0              drop
])

/** A filter for UDP destination port `port` instead of 67 (the `-p` option). */
export function dhcpServerFilter(port = 67): readonly BpfInstruction[] {
  if (port === 67) return DHCP_SERVER_FILTER
  return DHCP_SERVER_FILTER.map((ins, n) => (n === 8 ? { ...ins, k: port } : ins))
}

export function encodeBpf(program: readonly BpfInstruction[]): Buffer {
  const b = Buffer.alloc(program.length * 8)
  program.forEach((ins, n) => {
    b.writeUInt16LE(ins.code, n * 8)
    b[n * 8 + 2] = ins.jt
    b[n * 8 + 3] = ins.jf
    b.writeUInt32LE(ins.k >>> 0, n * 8 + 4)
  })
  return b
}

/**
 * For the raw ICMP socket of ping-check (packets start at the IPv4 header): accept ICMP echo
 * replies (type 0) with identifier `id`, drop everything else in the kernel.
 */
export function echoReplyFilter(id: number): readonly BpfInstruction[] {
  return [
    i(0xb1, 0, 0, 0), //          ldxb 4*([0]&0xf)    IP header length
    i(0x50, 0, 0, 0), //          ldb [x + 0]         ICMP type
    i(0x15, 0, 3, 0), //          jeq #0              echo reply?
    i(0x48, 0, 0, 4), //          ldh [x + 4]         identifier
    i(0x15, 0, 1, id & 0xffff), // jeq #id
    i(0x06, 0, 0, 0x40000), //    ret #262144
    i(0x06, 0, 0, 0), //          ret #0
  ]
}
