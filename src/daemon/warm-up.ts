/**
 * JIT warm-up of the packet path before the server answers its first client.
 *
 * A freshly started node process runs the DHCP path in V8's interpreter; it reaches optimized
 * code only after a few thousand packets, and the optimizing compiler then competes with the
 * main thread for the (often pinned) CPU. Measured with perfdhcp at 3000 DORA/s against a
 * fresh server: the first two seconds answered with a median delay of 400–650 ms (completion
 * 77 %, p99 of the 6 s run 0.9 s), the remaining seconds at 5–40 ms; the same server after a
 * 3 s warm-up load: completion 97 %, p99 54/73 ms, half the CPU per DORA (bench/PROFILE.md).
 * An HA server meets exactly this case in production: the standby that takes over gets the
 * whole client load at once.
 *
 * The warm-up drives synthetic DISCOVER → REQUEST exchanges (direct and relayed, new and
 * returning clients, on every served interface) through a {@link DhcpService} of the same classes as the real one, over a
 * scratch lease store, with a journal that only formats the lease text, a transport that
 * keeps the replies and a logger that discards. Nothing reaches the network, the lease file
 * or the log. Bounded by a count of exchanges and by wall time; it yields to the event loop
 * between rounds so finished background compilations are installed.
 */
import { InMemoryLeaseStore } from '../core/lease-store.js'
import type { LeaseChange } from '../core/lease.js'
import type { Pipeline, ReceivingInterface, ReplyRoute } from '../core/pipeline.js'
import type { InboundDatagram } from '../io/transport.js'
import { formatIPv4 } from '../lib/ip.js'
import { BOOTREQUEST, MessageType } from '../protocol/dhcp/constants.js'
import { scanServerIdentifier } from '../protocol/dhcp/option-scan.js'
import { createPacket, toBuffer } from '../protocol/dhcp/packet.js'
import type { RawOption } from '../protocol/dhcp/options.js'
import { formatLease } from '../persistence/lease-file-format.js'
import { DhcpService } from './dhcp-service.js'
import type { Logger } from './logger.js'

export interface WarmUpOptions {
  /** Builds a pipeline like the real one, over the given (scratch) store. */
  readonly makePipeline: (store: InMemoryLeaseStore) => Pipeline
  /** The served interfaces' receiving views (synthetic requests arrive "on" them). */
  readonly interfaces: readonly ReceivingInterface[]
  /** The real logger: only its `enabled` answers are used, so the same events are built. */
  readonly logger: Pick<Logger, 'enabled'>
  /** DISCOVER + REQUEST exchanges in total. */
  readonly exchanges: number
  /** Stop after this much wall time (ms) even if exchanges remain. */
  readonly maxMs: number
  /** Milliseconds since the epoch. */
  readonly now: () => number
  /** Monotonic milliseconds, for the time bound. */
  readonly clock: () => number
}

export interface WarmUpResult {
  readonly exchanges: number
  readonly acks: number
  readonly ms: number
}

const ROUND = 100
const PARAMETERS = Buffer.from([1, 3, 6, 15, 28, 51, 54])

/** Locally administered MACs 0e:77:xx:xx:xx:xx: never a real client's. */
function syntheticMac(i: number): Buffer {
  return Buffer.from([0x0e, 0x77, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255])
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(v >>> 0)
  return b
}

function request(i: number, type: number, giaddr: number, extra: { requested?: number; serverId?: number; ciaddr?: number } = {}): Buffer {
  const options: RawOption[] = [{ code: 53, data: Buffer.from([type]) }, { code: 55, data: PARAMETERS }]
  if (extra.requested !== undefined) options.push({ code: 50, data: u32(extra.requested) })
  if (extra.serverId !== undefined) options.push({ code: 54, data: u32(extra.serverId) })
  return toBuffer(createPacket({
    op: BOOTREQUEST, xid: i, chaddr: syntheticMac(i), giaddr, hops: giaddr === 0 ? 0 : 1, ciaddr: extra.ciaddr ?? 0, options,
  }), { minLength: 300 })
}

/**
 * The datagram as the transports hand it over, in their object shapes (the UDP transport's
 * for relayed requests, the packet transport's, with `receivedBroadcast`, for direct ones), so
 * the optimized code sees the shapes it will meet.
 */
function inbound(data: Buffer, receivedOn: ReceivingInterface, giaddr: number): InboundDatagram {
  return giaddr === 0
    ? { data, receivedOn, source: '0.0.0.0', sourcePort: 68, receivedBroadcast: true }
    : { data: asNativeBuffer(data), receivedOn, source: formatIPv4(giaddr), sourcePort: 67 }
}

/**
 * A copy of `b` built as node's C++ side builds the Buffers node:dgram delivers (a Uint8Array
 * whose prototype is then set to Buffer's), which gives it a different hidden class from a
 * Buffer made in JavaScript; without it the optimized code deoptimizes ("wrong map") on the
 * first real datagram.
 */
function asNativeBuffer(b: Buffer): Buffer {
  const u = new Uint8Array(b.length)
  u.set(b)
  return Object.setPrototypeOf(u, Buffer.prototype) as Buffer
}

/** yiaddr (offset 16) of an encoded reply. */
function yiaddrOf(reply: Buffer): number {
  return reply.length >= 20 ? reply.readUInt32BE(16) : 0
}

export async function warmUp(o: WarmUpOptions): Promise<WarmUpResult> {
  const start = o.clock()
  // Default capacity: the store grows during the warm-up as the real one does under load.
  const store = new InMemoryLeaseStore()
  let lastReply: Buffer | undefined
  const transport = {
    send(bytes: Buffer, _route: ReplyRoute, _via: ReceivingInterface): void {
      lastReply = bytes
    },
  }
  const journal = {
    commit(changes: readonly LeaseChange[]): Promise<void> {
      for (const c of changes) formatLease(c.after ?? { address: c.address, bindingState: 'free' })
      return Promise.resolve()
    },
  }
  const logger: Logger = { enabled: (l) => o.logger.enabled(l), log: () => {}, flush: () => {} }
  const service = new DhcpService({ pipeline: o.makePipeline(store), journal, transport, logger, now: o.now })
  let done = 0
  let acks = 0
  const ifaces = o.interfaces.filter((i) => i.addresses.length > 0)
  if (ifaces.length === 0) return { exchanges: 0, acks: 0, ms: 0 }
  while (done < o.exchanges && o.clock() - start < o.maxMs) {
    for (let r = 0; r < ROUND && done < o.exchanges; r++, done++) {
      // Every fifth exchange is a returning client (its lease exists: the reuse paths).
      const client = done % 5 === 4 ? done - 4 : done
      const iface = ifaces[client % ifaces.length]!
      // Alternate direct clients and relayed ones (giaddr = the interface's own address).
      const giaddr = (client >>> 1) % 2 === 0 ? 0 : iface.addresses[0]!
      lastReply = undefined
      service.onDatagram(inbound(request(client, MessageType.DISCOVER, giaddr), iface, giaddr))
      await service.drain()
      const offer = lastReply
      if (offer === undefined) continue
      const requested = yiaddrOf(offer)
      const serverId = scanServerIdentifier(offer)
      lastReply = undefined
      service.onDatagram(inbound(request(client, MessageType.REQUEST, giaddr, serverId === undefined ? { requested } : { requested, serverId }), iface, giaddr))
      await service.drain()
      if (lastReply !== undefined) acks++
    }
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return { exchanges: done, acks, ms: o.clock() - start }
}
