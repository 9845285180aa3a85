/**
 * How the daemon talks DHCP on the wire, behind one interface so that the node:dgram path
 * (this build) and the AF_PACKET path (later: raw frames, L2 unicast to address-less
 * clients) are interchangeable. Kea's `PktFilter` with `isDirectResponseSupported()` is the
 * model; `canUnicastToUnconfigured` is that capability and feeds the pipeline's
 * `TransportCapabilities.directUnicast`.
 */
import type { ReceivingInterface, ReplyRoute } from '../core/pipeline.js'

export interface InboundDatagram {
  /** The UDP payload. */
  readonly data: Buffer
  /** The served interface it is attributed to. */
  readonly receivedOn: ReceivingInterface
  /** Source address as the kernel reported it (`0.0.0.0` for a client without an address). */
  readonly source: string
  readonly sourcePort: number
  /**
   * True when it was sent to a broadcast address (the packet transport sees the frame);
   * undefined when the transport cannot tell (node:dgram).
   */
  readonly receivedBroadcast?: boolean
}

/** Why a datagram was not handed over. */
export interface TransportDrop {
  readonly source: string
  readonly reason: string
}

export interface TransportHandlers {
  readonly onDatagram: (d: InboundDatagram) => void
  readonly onDrop: (d: TransportDrop) => void
  /**
   * A send or socket failure; the transport keeps running. `failedSocket` names the served
   * interface (or `*` for the wildcard socket) whose receiving socket failed, so the daemon can
   * count the transport as unusable there (VRRP health); plain send failures leave it undefined.
   */
  readonly onError: (err: Error, context: string, failedSocket?: string) => void
}

export interface Transport {
  /** True when replies can reach a client that has no address yet by unicast (needs L2). */
  readonly canUnicastToUnconfigured: boolean
  /** dhcpd-style `Listening on …` descriptions, one per served interface. */
  describe(): readonly string[]
  start(handlers: TransportHandlers): Promise<void>
  /** Sends `bytes` as the route says, out of the interface the request came in on. */
  send(bytes: Buffer, route: ReplyRoute, via: ReceivingInterface): void
  /** Stops handing over new datagrams; sending keeps working (for draining). */
  pause(): void
  close(): Promise<void>
}
