/**
 * The AF_PACKET transport (ISC dhcpd's LPF, Kea's `PktFilterLPF`): direct clients are
 * received and answered with whole Ethernet frames, so a reply reaches a client that has no
 * address yet by unicast to its hardware address (no ARP entry needed,
 * `canUnicastToUnconfigured`).
 *
 * Per served interface one packet socket with the BPF filter `ip and udp dst port PORT and
 * udp[32:4] = 0` (giaddr 0: relayed requests are dropped in the kernel). A UDP
 * transport runs beside it in `relayedOnly` mode, because:
 *  - relayed requests (giaddr ≠ 0) are routed IP traffic and are answered to the relay
 *    through the kernel (a routed relay may not be on any served link);
 *  - a bound UDP socket on PORT stops the kernel answering unicasts with ICMP port unreachable.
 * Both could see a relayed datagram addressed to one of our interfaces: the packet side drops
 * giaddr ≠ 0 (filter, and again in code) and the UDP side ignores giaddr = 0, so each is
 * handled exactly once.
 *
 * Replies by route (core/reply-route.ts):
 *  - relay, unicast to ciaddr → the UDP socket (kernel routing and ARP; ISC uses its fallback
 *    socket for these as well);
 *  - l2-unicast → a frame to chaddr at IP yiaddr; broadcast → a frame to ff:ff:ff:ff:ff:ff at
 *    255.255.255.255. Source IP: see {@link sourceAddressFor}.
 */
import { formatIPv4 } from '../lib/ip.js'
import type { ReceivingInterface, ReplyRoute } from '../core/pipeline.js'
import { DecodeError } from '../lib/errors.js'
import { BROADCAST_MAC, formatMac } from '../protocol/l2/ethernet.js'
import { buildUdpFrame, decodeUdpFrame } from '../protocol/l2/udp-frame.js'
import { PacketType } from '../protocol/l2/sockaddr.js'
import { scanServerIdentifier } from '../protocol/dhcp/option-scan.js'
import type { HostInterface, ServedInterface } from './interfaces.js'
import type { PacketSocket, ReceivedFrame } from './raw-socket.js'
import type { Transport, TransportHandlers } from './transport.js'

export interface PacketTransportOptions {
  /** Port requests arrive on; default 67 (clients are answered on PORT + 1). */
  readonly port?: number | undefined
  readonly served: readonly ServedInterface[]
  /** Every interface of the host: unicasts to any of its addresses are ours. */
  readonly host: readonly HostInterface[]
  /** Opens the packet socket of one interface (the addon, or a fake in tests). */
  readonly openSocket: (ifname: string) => PacketSocket
  /** The UDP transport for relays and unicast replies (constructed with `relayedOnly`). */
  readonly udp: Transport
  /** Called with one line per frame sent (debug logging of the reply route). */
  readonly trace?: ((text: string) => void) | undefined
  /**
   * The interface's current index and MAC (the addon's `ifinfo`), or undefined when it is
   * gone. With it, {@link PacketTransport.checkInterfaces} reopens the packet socket of an
   * interface that was re-created (new index) or got a new MAC.
   */
  readonly resolve?: ((ifname: string) => { index: number; mac: Buffer } | undefined) | undefined
  /** Milliseconds between automatic {@link PacketTransport.checkInterfaces} runs; 0 = never. */
  readonly watchIntervalMs?: number | undefined
  /** Interface events worth an operator's attention (reopened, vanished). */
  readonly notice?: ((text: string) => void) | undefined
}

const GIADDR_OFFSET = 24
const LIMITED_BROADCAST = 0xffffffff

interface Served {
  readonly iface: ServedInterface
  socket: PacketSocket
  /** The interface was missing at the last check (reported once). */
  missing: boolean
  /** Broadcast addresses of the interface's subnets. */
  readonly broadcasts: ReadonlySet<number>
}

export class PacketTransport implements Transport {
  readonly canUnicastToUnconfigured = true
  private readonly port: number
  private readonly byName = new Map<string, Served>()
  private readonly local: ReadonlySet<number>
  private handlers: TransportHandlers | undefined
  private paused = false
  private ipId = 0
  private watch: NodeJS.Timeout | undefined

  constructor(private readonly options: PacketTransportOptions) {
    this.port = options.port ?? 67
    this.local = new Set(options.host.flatMap((h) => h.addresses.map((a) => a.address)))
  }

  describe(): readonly string[] {
    return this.options.served.map((i) => {
      const s = this.byName.get(i.name)
      const a = i.addresses[0]!
      const mac = s === undefined ? i.mac : formatMac(s.socket.mac)
      return `LPF/${i.name}/${mac}/${formatIPv4((a.address & a.mask) >>> 0)}/${a.prefixLength}`
    })
  }

  async start(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers
    try {
      for (const iface of this.options.served) {
        const socket = this.options.openSocket(iface.name)
        const broadcasts = new Set(iface.addresses.map((a) => ((a.address & a.mask) | ~a.mask) >>> 0))
        const served: Served = { iface, socket, broadcasts, missing: false }
        this.byName.set(iface.name, served)
        this.listen(served)
      }
      await this.options.udp.start(handlers)
      const every = this.options.watchIntervalMs ?? 0
      if (every > 0 && this.options.resolve !== undefined) {
        this.watch = setInterval(() => this.checkInterfaces(), every)
        this.watch.unref()
      }
    } catch (err) {
      if (this.watch !== undefined) clearInterval(this.watch)
      this.closeSockets()
      throw err
    }
  }

  send(bytes: Buffer, route: ReplyRoute, via: ReceivingInterface): void {
    if (route.kind === 'relay' || route.kind === 'unicast') {
      this.options.udp.send(bytes, route, via)
      return
    }
    const served = this.byName.get(via.name)
    if (served === undefined) {
      this.options.udp.send(bytes, route, via)
      return
    }
    const hwUnicast = route.kind === 'l2-unicast' && route.htype === 1 && route.hardware.length === 6
    const dstMac = hwUnicast ? route.hardware : BROADCAST_MAC
    const dst = hwUnicast ? route.address : LIMITED_BROADCAST
    const src = sourceAddressFor(served.iface, serverIdentifierOf(bytes))
    this.ipId = (this.ipId + 1) & 0xffff
    const frame = buildUdpFrame({
      srcMac: served.socket.mac, dstMac, src, dst, srcPort: this.port, dstPort: this.port + 1, payload: bytes, id: this.ipId,
    })
    try {
      served.socket.send(frame, dstMac)
      this.options.trace?.(`reply via ${via.name}: ${hwUnicast ? 'L2 unicast' : 'broadcast'} to ${formatMac(dstMac)} ${formatIPv4(dst)}:${this.port + 1} from ${formatIPv4(src)} (${frame.length} bytes)`)
    } catch (err) {
      this.handlers?.onError(err instanceof Error ? err : new Error(String(err)), `send to ${formatMac(dstMac)}/${formatIPv4(dst)} via ${via.name}`)
    }
  }

  pause(): void {
    this.paused = true
    this.options.udp.pause()
  }

  /**
   * Reopens the packet socket of every served interface whose index or MAC changed since it
   * was opened (an interface deleted and created again keeps its name but not its index, and
   * a socket bound to the old index receives nothing; design doc pitfall 7). Returns the
   * names reopened.
   */
  checkInterfaces(): string[] {
    const resolve = this.options.resolve
    if (resolve === undefined || this.handlers === undefined) return []
    const reopened: string[] = []
    for (const served of this.byName.values()) {
      const name = served.iface.name
      const now = resolve(name)
      if (now === undefined) {
        if (!served.missing) this.options.notice?.(`interface ${name} is gone; its packet socket receives nothing until it is back`)
        served.missing = true
        continue
      }
      if (now.index === served.socket.ifindex && now.mac.equals(served.socket.mac) && !served.missing) continue
      let socket: PacketSocket
      try {
        socket = this.options.openSocket(name)
      } catch (err) {
        this.handlers.onError(err instanceof Error ? err : new Error(String(err)), `reopening the packet socket on ${name}`)
        continue
      }
      const old = served.socket
      served.socket = socket
      served.missing = false
      old.close()
      this.listen(served)
      reopened.push(name)
      this.options.notice?.(`interface ${name} changed (index ${old.ifindex} → ${socket.ifindex}, MAC ${formatMac(old.mac)} → ${formatMac(socket.mac)}); packet socket reopened`)
    }
    return reopened
  }

  private listen(served: Served): void {
    const socket = served.socket
    const handlers = this.handlers
    if (handlers === undefined) return
    socket.start((f) => {
      if (served.socket === socket) this.receive(served, f)
    }, (err) => handlers.onError(err, `packet socket on ${served.iface.name}`, served.iface.name))
  }

  async close(): Promise<void> {
    this.paused = true
    if (this.watch !== undefined) clearInterval(this.watch)
    this.closeSockets()
    await this.options.udp.close()
  }

  private closeSockets(): void {
    for (const s of this.byName.values()) s.socket.close()
    this.byName.clear()
  }

  private receive(served: Served, f: ReceivedFrame): void {
    const h = this.handlers
    if (h === undefined || this.paused) return
    if (f.pkttype === PacketType.OUTGOING || f.pkttype === PacketType.OTHERHOST) return
    let frame
    try {
      frame = decodeUdpFrame(f.frame, { checksumNotReady: f.checksumNotReady })
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      h.onDrop({ source: `frame on ${served.iface.name}`, reason: `malformed frame: ${err.message}` })
      return
    }
    if (frame.dstPort !== this.port) return
    const payload = frame.payload
    // Relayed: the UDP socket has it (and answers through the kernel).
    if (payload.length >= GIADDR_OFFSET + 4 && payload.readUInt32BE(GIADDR_OFFSET) !== 0) return
    const broadcast = frame.dst === LIMITED_BROADCAST || served.broadcasts.has(frame.dst)
    // A unicast routed through this host to another server is not ours.
    if (!broadcast && !this.local.has(frame.dst)) return
    if (f.checksumNotReady) {
      this.options.trace?.(`frame on ${served.iface.name} from ${formatIPv4(frame.src)}:${frame.srcPort}: UDP checksum left to offload (PACKET_AUXDATA CSUMNOTREADY), accepted unverified`)
    }
    h.onDatagram({
      data: payload,
      receivedOn: served.iface.receiving,
      source: formatIPv4(frame.src),
      sourcePort: frame.srcPort,
      receivedBroadcast: broadcast,
    })
  }
}

/**
 * The source address of a reply frame: the reply's server identifier when it is an address
 * of the sending interface (a configured `server-identifier`, or a VRRP virtual address once
 * it is configured there), else the interface's primary address. One place, so VRRP can
 * rely on it.
 */
export function sourceAddressFor(iface: Pick<HostInterface, 'addresses'>, serverIdentifier: number | undefined): number {
  if (serverIdentifier !== undefined && iface.addresses.some((a) => a.address === serverIdentifier)) return serverIdentifier
  return iface.addresses[0]?.address ?? 0
}

/** Option 54 of an encoded reply (see protocol/dhcp/option-scan.ts). */
export const serverIdentifierOf = scanServerIdentifier
