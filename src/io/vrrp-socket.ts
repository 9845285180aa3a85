/**
 * The sockets of one vrrp_instance, as keepalived 2.2.7 opens them (strace in
 * docs/raw-sockets-vrrp-clients.md §3.1):
 *
 * - receive: AF_INET/SOCK_RAW/112, SO_BINDTODEVICE (a raw socket otherwise sees every
 *   interface), IP_MULTICAST_ALL 0 (else groups joined by other sockets leak in), and in
 *   multicast mode IP_ADD_MEMBERSHIP 224.0.0.18 with an ip_mreqn naming the ifindex;
 * - send: AF_INET/SOCK_RAW/112 with IP_HDRINCL (the runner writes keepalived's header: TTL 255,
 *   TOS 0xc0, ID counting up, explicit source), IP_MULTICAST_LOOP 0, IP_MULTICAST_IF by ifindex,
 *   IP_MULTICAST_ALL 0, SO_BINDTODEVICE.
 *
 * In unicast_peer mode no group is joined; adverts go to each peer by unicast.
 * Received packets carry their IPv4 header (raw IPv4 sockets always deliver it), so the
 * runner reads the TTL from it. Packets for another VRID are dropped here silently, as
 * keepalived's demultiplexer does, so several instances on one link do not count each
 * other's adverts as discards.
 */
import type { RawSocket } from './raw-socket.js'
import { AF_INET, SOCK_RAW, SOL_SOCKET, SO_BINDTODEVICE, IPPROTO_IP, encodeSockaddrIn } from '../protocol/l2/sockaddr.js'
import { IPPROTO_VRRP } from '../protocol/vrrp/checksum.js'
import { ipToBytes } from '../lib/ip.js'

export const IP_TOS = 1
export const IP_HDRINCL = 3
export const IP_MULTICAST_IF = 32
export const IP_MULTICAST_LOOP = 34
export const IP_ADD_MEMBERSHIP = 35
export const IP_MULTICAST_ALL = 49
/** 224.0.0.18 */
export const VRRP_GROUP = 0xe0000012
const VRRP_TOS = 0xc0

export type OpenRawSocket = (domain: number, type: number, protocol: number) => RawSocket

/** struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex } (12 bytes). */
export function encodeIpMreqn(group: number, ifindex: number, address = 0): Buffer {
  const b = Buffer.alloc(12)
  ipToBytes(group >>> 0, b, 0)
  ipToBytes(address >>> 0, b, 4)
  b.writeInt32LE(ifindex, 8)
  return b
}

/** SO_BINDTODEVICE takes the NUL-terminated interface name. */
export function deviceName(ifname: string): Buffer {
  return Buffer.from(`${ifname}\0`, 'utf8')
}

export interface VrrpSocketOptions {
  readonly open: OpenRawSocket
  readonly ifname: string
  readonly ifindex: number
  /** Unicast peers configured: no multicast membership. */
  readonly unicast: boolean
  /** Only packets whose VRRP VRID is this one reach `onPacket`. */
  readonly vrid: number
}

/** Which socket options each socket got, in order (for tests and the debug log). */
export interface SocketOptionTrace {
  readonly socket: 'receive' | 'send'
  readonly level: number
  readonly name: number
}

export class VrrpSockets {
  private readonly recv: RawSocket
  private readonly send: RawSocket
  private closed = false
  readonly trace: SocketOptionTrace[] = []
  sendErrors = 0

  constructor(private readonly opts: VrrpSocketOptions) {
    this.recv = opts.open(AF_INET, SOCK_RAW, IPPROTO_VRRP)
    try {
      this.send = opts.open(AF_INET, SOCK_RAW, IPPROTO_VRRP)
    } catch (err) {
      this.recv.close()
      throw err
    }
    try {
      this.configure()
    } catch (err) {
      this.recv.close()
      this.send.close()
      throw err
    }
  }

  private set(which: 'receive' | 'send', level: number, name: number, value: number | Buffer): void {
    ;(which === 'receive' ? this.recv : this.send).setOption(level, name, value)
    this.trace.push({ socket: which, level, name })
  }

  private configure(): void {
    const { ifname, ifindex, unicast } = this.opts
    this.set('receive', SOL_SOCKET, SO_BINDTODEVICE, deviceName(ifname))
    this.set('receive', IPPROTO_IP, IP_MULTICAST_ALL, 0)
    if (!unicast) this.set('receive', IPPROTO_IP, IP_ADD_MEMBERSHIP, encodeIpMreqn(VRRP_GROUP, ifindex))
    this.set('send', IPPROTO_IP, IP_HDRINCL, 1)
    this.set('send', IPPROTO_IP, IP_TOS, VRRP_TOS)
    this.set('send', IPPROTO_IP, IP_MULTICAST_LOOP, 0)
    this.set('send', IPPROTO_IP, IP_MULTICAST_IF, encodeIpMreqn(0, ifindex))
    this.set('send', IPPROTO_IP, IP_MULTICAST_ALL, 0)
    this.set('send', SOL_SOCKET, SO_BINDTODEVICE, deviceName(ifname))
  }

  /** Starts delivering packets (IPv4 header included) of our VRID. */
  start(onPacket: (packet: Buffer) => void, onError: (err: Error) => void): void {
    this.recv.start((m) => {
      const d = m.data
      if (d.length >= 20) {
        const ihl = (d[0]! & 0x0f) * 4
        if (d.length > ihl + 1 && d[9] === IPPROTO_VRRP && d[ihl + 1] !== this.opts.vrid) return
      }
      onPacket(d)
    }, onError)
  }

  /** Sends a whole IPv4 packet (our header, IP_HDRINCL) to `dst`. Errors are counted and returned. */
  sendIpPacket(packet: Buffer, dst: number): Error | undefined {
    if (this.closed) return undefined
    try {
      this.send.send(packet, encodeSockaddrIn(dst))
      return undefined
    } catch (err) {
      this.sendErrors++
      return err instanceof Error ? err : new Error(String(err))
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.recv.stop()
    this.recv.close()
    this.send.close()
  }
}
