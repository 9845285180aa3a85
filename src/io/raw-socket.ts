/**
 * Typed sockets over the addon: {@link RawSocket} is any raw socket (ICMP, raw IP), and
 * {@link PacketSocket} an AF_PACKET socket bound to one interface that sends and receives
 * whole Ethernet frames. Both are interfaces so tests use fakes
 * (test/helpers/fake-packet-socket.ts); the classes here are the only code calling the addon.
 */
import {
  AF_PACKET, ETH_P_IP, PACKET_AUXDATA, PacketType, SOCK_RAW, SOL_PACKET, SOL_SOCKET, SO_RCVBUF, TP_STATUS_CSUMNOTREADY,
  auxStatus, decodeSockaddrLl, encodeSockaddrLl,
} from '../protocol/l2/sockaddr.js'
import { withCode, type NativeAddon, type NativeHandle } from './native.js'

export interface RawMessage {
  readonly data: Buffer
  /** The source sockaddr as the kernel wrote it. */
  readonly address: Buffer
  /** recvmsg control (ancillary) data. */
  readonly control: Buffer
}

export interface RawSocket {
  setOption(level: number, name: number, value: number | Buffer): void
  attachFilter(program: Buffer): void
  bind(sockaddr: Buffer): void
  /** Throws (code EAGAIN…) instead of blocking. Returns bytes sent. */
  send(data: Buffer, sockaddr?: Buffer): number
  start(onMessage: (m: RawMessage) => void, onError: (err: Error) => void): void
  stop(): void
  unref(): void
  close(): void
}

export class NativeRawSocket implements RawSocket {
  private handle: NativeHandle | undefined

  constructor(private readonly addon: NativeAddon, domain: number, type: number, protocol: number) {
    try {
      this.handle = addon.socket(domain, type, protocol)
    } catch (err) {
      throw withCode(err)
    }
  }

  private h(): NativeHandle {
    if (this.handle === undefined) throw Object.assign(new Error('socket is closed'), { code: 'EBADF' })
    return this.handle
  }

  private call<T>(f: () => T): T {
    try {
      return f()
    } catch (err) {
      throw withCode(err)
    }
  }

  setOption(level: number, name: number, value: number | Buffer): void {
    this.call(() => this.addon.setsockopt(this.h(), level, name, value))
  }

  attachFilter(program: Buffer): void {
    this.call(() => this.addon.attachFilter(this.h(), program))
  }

  bind(sockaddr: Buffer): void {
    this.call(() => this.addon.bind(this.h(), sockaddr))
  }

  send(data: Buffer, sockaddr?: Buffer): number {
    return this.call(() => (sockaddr === undefined ? this.addon.sendto(this.h(), data) : this.addon.sendto(this.h(), data, sockaddr)))
  }

  start(onMessage: (m: RawMessage) => void, onError: (err: Error) => void): void {
    this.call(() => this.addon.recvStart(this.h(), (err, data, address, control) => {
      if (err !== undefined) onError(withCode(err))
      else if (data !== undefined) onMessage({ data, address: address ?? Buffer.alloc(0), control: control ?? Buffer.alloc(0) })
    }))
  }

  stop(): void {
    if (this.handle !== undefined) this.call(() => this.addon.recvStop(this.h()))
  }

  unref(): void {
    if (this.handle !== undefined) this.call(() => this.addon.unref(this.h()))
  }

  close(): void {
    if (this.handle === undefined) return
    const h = this.handle
    this.handle = undefined
    this.addon.close(h)
  }
}

/** One frame received on a packet socket. */
export interface ReceivedFrame {
  /** The whole Ethernet frame. */
  readonly frame: Buffer
  readonly ifindex: number
  /** sockaddr_ll pkttype: host, broadcast, multicast, other host, outgoing. */
  readonly pkttype: number
  /** PACKET_AUXDATA says the checksums were left to hardware (the UDP checksum is unfinished). */
  readonly checksumNotReady: boolean
}

/** An AF_PACKET socket on one interface. */
export interface PacketSocket {
  readonly ifindex: number
  readonly mac: Buffer
  start(onFrame: (f: ReceivedFrame) => void, onError: (err: Error) => void): void
  /** Sends a whole Ethernet frame out of the interface; `dst` is its destination MAC. */
  send(frame: Buffer, dst: Buffer): void
  close(): void
}

/** Interprets one AF_PACKET recvmsg result (pure; shared with the fake). */
export function toReceivedFrame(m: RawMessage): ReceivedFrame {
  const sa = decodeSockaddrLl(m.address)
  const status = auxStatus(m.control) ?? 0
  return { frame: m.data, ifindex: sa.ifindex, pkttype: sa.pkttype, checksumNotReady: (status & TP_STATUS_CSUMNOTREADY) !== 0 }
}

const RECEIVE_BUFFER_BYTES = 1 << 20

export class NativePacketSocket implements PacketSocket {
  readonly ifindex: number
  readonly mac: Buffer
  private readonly socket: NativeRawSocket

  /**
   * Opens with protocol 0 (receives nothing), attaches `filter`, asks for PACKET_AUXDATA and
   * only then binds to ETH_P_IP on the interface, so no unfiltered frame is ever queued.
   */
  constructor(addon: NativeAddon, ifname: string, filter: Buffer) {
    let info: { index: number; mac: Buffer }
    try {
      info = addon.ifinfo(ifname)
    } catch (err) {
      throw withCode(err)
    }
    this.ifindex = info.index
    this.mac = info.mac
    this.socket = new NativeRawSocket(addon, AF_PACKET, SOCK_RAW, 0)
    try {
      this.socket.attachFilter(filter)
      this.socket.setOption(SOL_PACKET, PACKET_AUXDATA, 1)
      // Room for a burst of DISCOVERs (the default is ~208 KiB); capped by net.core.rmem_max.
      this.socket.setOption(SOL_SOCKET, SO_RCVBUF, RECEIVE_BUFFER_BYTES)
      this.socket.bind(encodeSockaddrLl({ protocol: ETH_P_IP, ifindex: this.ifindex }))
    } catch (err) {
      this.socket.close()
      throw err
    }
  }

  start(onFrame: (f: ReceivedFrame) => void, onError: (err: Error) => void): void {
    this.socket.start((m) => {
      let f: ReceivedFrame
      try {
        f = toReceivedFrame(m)
      } catch (err) {
        onError(err instanceof Error ? err : new Error(String(err)))
        return
      }
      if (f.pkttype === PacketType.OUTGOING) return // our own replies
      onFrame(f)
    }, onError)
  }

  send(frame: Buffer, dst: Buffer): void {
    this.socket.send(frame, encodeSockaddrLl({ protocol: ETH_P_IP, ifindex: this.ifindex, addr: dst }))
  }

  close(): void {
    this.socket.close()
  }
}
