/**
 * A send-only AF_PACKET socket on one interface for gratuitous ARPs (keepalived uses
 * AF_PACKET/SOCK_RAW/ETH_P_ARP). Opened with protocol 0 so it never queues received frames;
 * each frame is addressed with a sockaddr_ll naming the interface and the broadcast MAC.
 */
import { AF_PACKET, SOCK_RAW, encodeSockaddrLl } from '../protocol/l2/sockaddr.js'
import { ETHERTYPE_ARP } from '../protocol/vrrp/garp.js'
import { NativeRawSocket } from './raw-socket.js'
import { withCode, type NativeAddon } from './native.js'
import type { FrameSender } from './vip.js'

const BROADCAST = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])

export class NativeGarpSocket implements FrameSender {
  readonly mac: Buffer
  readonly ifindex: number
  private readonly socket: NativeRawSocket
  private readonly to: Buffer

  constructor(addon: NativeAddon, ifname: string) {
    let info: { index: number; mac: Buffer }
    try {
      info = addon.ifinfo(ifname)
    } catch (err) {
      throw withCode(err)
    }
    this.mac = info.mac
    this.ifindex = info.index
    this.socket = new NativeRawSocket(addon, AF_PACKET, SOCK_RAW, 0)
    this.to = encodeSockaddrLl({ protocol: ETHERTYPE_ARP, ifindex: info.index, addr: BROADCAST })
  }

  sendBroadcast(frame: Buffer): void {
    this.socket.send(frame, this.to)
  }

  close(): void {
    this.socket.close()
  }
}
