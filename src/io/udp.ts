/**
 * The node:dgram transport.
 *
 * Sockets (all with SO_REUSEADDR and SO_BROADCAST):
 *  - one on 0.0.0.0:PORT: receives broadcasts (clients without an address, relays sending to
 *    255.255.255.255 such as perfdhcp) and unicasts to addresses no other socket is bound to;
 *  - one per address of each served interface, bound to ADDRESS:PORT: receives unicasts to
 *    that address (relays, renewing clients) — so for those the receiving interface is
 *    exact — and sends every reply that leaves through that interface. Sending to
 *    255.255.255.255 from a socket bound to an interface address makes Linux route the
 *    broadcast out of that interface, even without a default route.
 *
 * Limitation (node has no SO_BINDTODEVICE, IP_PKTINFO or AF_PACKET): for a datagram on the
 * wildcard socket the receiving interface is inferred from the source address (the interface
 * on-link with it). A client without an address sends from 0.0.0.0; it is attributed to the
 * served interface when exactly one is served, and otherwise dropped unless relayed
 * (giaddr set) — serve one interface per process, or wait for the raw transport. Datagrams
 * on-link with an interface that is not served are dropped, as dhcpd ignores them.
 * Replies to a client without an address are broadcast (`canUnicastToUnconfigured` false);
 * the AF_PACKET transport will unicast them at layer 2.
 *
 * Ports: requests on PORT (67, or `-p`), replies to relays on PORT, to clients on PORT + 1,
 * as dhcpd does.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { lookup as dnsLookup } from 'node:dns'
import { formatIPv4, parseIPv4 } from '../lib/ip.js'
import type { ReceivingInterface, ReplyRoute } from '../core/pipeline.js'
import { describeInterface, interfaceOnLinkWith, type HostInterface, type ServedInterface } from './interfaces.js'
import type { Transport, TransportHandlers } from './transport.js'

export interface UdpTransportOptions {
  /** Port requests arrive on; default 67. */
  readonly port?: number | undefined
  readonly served: readonly ServedInterface[]
  /** Every interface of the host, to recognise (and drop) traffic from unserved ones. */
  readonly host: readonly HostInterface[]
  /**
   * Hand over relayed datagrams (giaddr ≠ 0) only, silently ignoring the rest: the packet
   * transport receives direct clients on its AF_PACKET sockets and keeps this transport for
   * relays, so each datagram is handled exactly once.
   */
  readonly relayedOnly?: boolean
}

const GIADDR_OFFSET = 24

/**
 * Receive buffer asked for each socket (capped by net.core.rmem_max): the default ~208 KiB
 * holds ~200 datagrams, about 25 ms of traffic at 4000 DORA/s, so a GC pause or a moment
 * without the CPU dropped packets (UdpRcvbufErrors) well below the server's capacity.
 */
const RECV_BUFFER_BYTES = 2 * 1024 * 1024

/**
 * dgram resolves every send address through dns.lookup (a process.nextTick per datagram even
 * for a literal). Replies always go to literal IPv4 addresses: answer those synchronously.
 */
function literalLookup(
  address: string,
  family: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (parseIPv4(address) !== undefined) callback(null, address, 4)
  else dnsLookup(address, { family: 4 }, (err, a, f) => callback(err, a, f))
}

export class UdpTransport implements Transport {
  readonly canUnicastToUnconfigured = false
  private readonly port: number
  private readonly served: readonly ServedInterface[]
  private readonly host: readonly HostInterface[]
  private wildcard: Socket | undefined
  /** Sending socket per served interface name (bound to its first address). */
  private readonly bySender = new Map<string, Socket>()
  private readonly sockets: Socket[] = []
  private handlers: TransportHandlers | undefined
  private paused = false
  private readonly relayedOnly: boolean

  constructor(options: UdpTransportOptions) {
    this.relayedOnly = options.relayedOnly ?? false
    this.port = options.port ?? 67
    this.served = options.served
    this.host = options.host
  }

  describe(): readonly string[] {
    return this.served.map(describeInterface)
  }

  async start(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers
    this.wildcard = await this.open('0.0.0.0', undefined)
    for (const iface of this.served) {
      for (const a of iface.addresses) {
        const s = await this.open(formatIPv4(a.address), iface)
        if (!this.bySender.has(iface.name)) this.bySender.set(iface.name, s)
      }
    }
  }

  send(bytes: Buffer, route: ReplyRoute, via: ReceivingInterface): void {
    const socket = this.bySender.get(via.name) ?? this.wildcard
    if (socket === undefined) return
    // The engine speaks in well-known ports; -p moves both (dhcpd: relay = port, client = port + 1).
    const port = route.kind === 'relay' ? this.port : this.port + 1
    socket.send(bytes, port, formatIPv4(route.address), (err) => {
      if (err) this.handlers?.onError(err, `send to ${formatIPv4(route.address)}:${port} via ${via.name}`)
    })
  }

  pause(): void {
    this.paused = true
  }

  async close(): Promise<void> {
    this.paused = true
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => {
      try {
        s.close(() => resolve())
      } catch {
        resolve()
      }
    })))
    this.sockets.length = 0
    this.bySender.clear()
  }

  private open(address: string, iface: ServedInterface | undefined): Promise<Socket> {
    const s = createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: RECV_BUFFER_BYTES, lookup: literalLookup })
    s.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.receive(msg, rinfo, iface))
    return new Promise((resolve, reject) => {
      s.once('error', reject)
      s.bind({ address, port: this.port }, () => {
        s.removeListener('error', reject)
        s.on('error', (err) => this.handlers?.onError(err, `socket ${address}:${this.port}`, iface?.name ?? '*'))
        s.setBroadcast(true)
        this.sockets.push(s)
        resolve(s)
      })
    })
  }

  private receive(data: Buffer, rinfo: RemoteInfo, boundTo: ServedInterface | undefined): void {
    const h = this.handlers
    if (h === undefined || this.paused) return
    if (this.relayedOnly && !(data.length >= GIADDR_OFFSET + 4 && data.readUInt32BE(GIADDR_OFFSET) !== 0)) return
    if (boundTo !== undefined) {
      h.onDatagram({ data, receivedOn: boundTo.receiving, source: rinfo.address, sourcePort: rinfo.port })
      return
    }
    const iface = this.attribute(data, rinfo.address)
    if (typeof iface === 'string') {
      h.onDrop({ source: rinfo.address, reason: iface })
      return
    }
    h.onDatagram({ data, receivedOn: iface.receiving, source: rinfo.address, sourcePort: rinfo.port })
  }

  /** The served interface a wildcard-socket datagram belongs to, or why it has none. */
  private attribute(data: Buffer, source: string): ServedInterface | string {
    const src = parseIPv4(source) ?? 0
    if (src !== 0) {
      const onLink = interfaceOnLinkWith(this.host, src)
      if (onLink !== undefined) {
        const served = this.served.find((s) => s.name === onLink.name)
        return served ?? `arrived from ${onLink.name}, which is not served`
      }
    }
    if (this.served.length === 1) return this.served[0]!
    const relayed = data.length > GIADDR_OFFSET + 4 && data.readUInt32BE(GIADDR_OFFSET) !== 0
    if (relayed && src !== 0) return this.served[0]!
    return `cannot tell the receiving interface of a datagram from ${source} with ${this.served.length} interfaces served (node:dgram has no IP_PKTINFO; serve one interface per process)`
  }
}
