/**
 * TCP for one failover relationship (failover-protocol.md §1.1): listen on `address:port`,
 * dial `peer address:peer port` from `address` while no link is up (every few seconds,
 * bounded backoff), accept inbound connections only from the peer's address (dhcpd: `failover:
 * listener: no matching state`), and frame each stream into messages. It knows nothing about
 * CONNECT/CONNECTACK: the driver decides which connection becomes the link (`setLinked`) and
 * closes the others.
 */
import { createServer, Socket, type Server } from 'node:net'
import { FailoverFramer } from '../protocol/failover/framer.js'
import { toBuffer, type FailoverMessage } from '../protocol/failover/message.js'

export interface FailoverTransportOptions {
  readonly address: string
  readonly port: number
  readonly peerAddress: string
  readonly peerPort: number
  /** First redial delay, ms (dhcpd: about 5 s). */
  readonly redialMs?: number
  /** Upper bound of the redial backoff, ms. */
  readonly maxRedialMs?: number
}

export interface FailoverConnection {
  readonly id: number
  readonly direction: 'inbound' | 'outbound'
  send(msg: FailoverMessage): void
  close(): void
  readonly open: boolean
}

export interface FailoverTransportEvents {
  onOpen(c: FailoverConnection): void
  onMessage(c: FailoverConnection, msg: FailoverMessage): void
  onClose(c: FailoverConnection, reason: string): void
  onLog(level: 'info' | 'warn' | 'error', id: string, text: string): void
}

/** The part of a stream socket {@link coalescingWriter} uses. */
export interface CorkableStream {
  cork(): void
  uncork(): void
  write(chunk: Buffer): boolean
}

/**
 * Writes to `stream` with every chunk of one tick in a single syscall: the first write of a
 * tick corks the socket and a `process.nextTick` uncorks it, so N messages sent together (a
 * window of BNDUPDs, the BNDACKs one group commit released) leave as one `writev` instead of N
 * `write`s. Order is kept; nothing waits longer than the current tick.
 */
export function coalescingWriter(stream: CorkableStream, nextTick: (fn: () => void) => void = process.nextTick): (chunk: Buffer) => void {
  let corked = false
  const release = (): void => {
    corked = false
    stream.uncork()
  }
  return (chunk) => {
    if (!corked) {
      corked = true
      stream.cork()
      nextTick(release)
    }
    stream.write(chunk)
  }
}

class Conn implements FailoverConnection {
  open = true
  private readonly framer = new FailoverFramer()
  private readonly write: (chunk: Buffer) => void
  constructor(
    readonly id: number,
    readonly direction: 'inbound' | 'outbound',
    private readonly socket: Socket,
    private readonly events: FailoverTransportEvents,
    private readonly onGone: (c: Conn) => void,
  ) {
    socket.setNoDelay(true)
    this.write = coalescingWriter(socket)
    socket.on('data', (chunk: Buffer) => {
      if (!this.open) return
      try {
        this.framer.pushMessages(chunk, (msg) => {
          if (this.open) this.events.onMessage(this, msg)
        })
      } catch (err) {
        this.finish(`FAILOVER: ${err instanceof Error ? err.message : String(err)}`)
      }
    })
    socket.on('error', (err) => this.finish(err.message))
    socket.on('close', () => this.finish('connection closed'))
  }

  send(msg: FailoverMessage): void {
    if (this.open) this.write(toBuffer(msg))
  }

  close(): void {
    if (!this.open) return
    this.socket.end()
    this.finish('closed locally')
    setTimeout(() => this.socket.destroy(), 1000).unref()
  }

  private finish(reason: string): void {
    if (!this.open) return
    this.open = false
    this.socket.destroy()
    this.onGone(this)
    this.events.onClose(this, reason)
  }
}

export class FailoverTransport {
  private server: Server | undefined
  private readonly conns = new Set<Conn>()
  private nextId = 1
  private linked = false
  private dialing = false
  private closed = false
  private redialTimer: NodeJS.Timeout | undefined
  private backoff: number

  constructor(private readonly o: FailoverTransportOptions, private readonly events: FailoverTransportEvents) {
    this.backoff = o.redialMs ?? 5000
  }

  /** Binds the listener and starts dialing. */
  async start(): Promise<void> {
    const server = createServer((socket) => this.accepted(socket))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: this.o.address, port: this.o.port }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err) => this.events.onLog('error', 'FAILOVER_LISTENER_ERROR', `failover: listener: ${err.message}`))
    this.dial()
  }

  /** The driver says whether a relationship link is up (no dialing while it is). */
  setLinked(linked: boolean): void {
    this.linked = linked
    if (linked) {
      this.backoff = this.o.redialMs ?? 5000
      this.clearRedial()
    } else {
      this.scheduleRedial()
    }
  }

  async close(): Promise<void> {
    this.closed = true
    this.clearRedial()
    for (const c of [...this.conns]) c.close()
    const server = this.server
    if (server) await new Promise<void>((r) => server.close(() => r()))
  }

  private accepted(socket: Socket): void {
    const remote = (socket.remoteAddress ?? '').replace(/^::ffff:/, '')
    if (this.closed || remote !== this.o.peerAddress) {
      this.events.onLog('warn', 'FAILOVER_NO_MATCHING_STATE', `failover: listener: no matching state (connection from ${remote})`)
      socket.destroy()
      return
    }
    this.adopt(socket, 'inbound')
  }

  private adopt(socket: Socket, direction: 'inbound' | 'outbound'): void {
    const c = new Conn(this.nextId++, direction, socket, this.events, (gone) => {
      this.conns.delete(gone)
      if (this.conns.size === 0 && !this.linked) this.scheduleRedial()
    })
    this.conns.add(c)
    this.events.onOpen(c)
  }

  private dial(): void {
    if (this.closed || this.linked || this.dialing) return
    this.dialing = true
    const socket = new Socket()
    let done = false
    const fail = (err: Error): void => {
      if (done) return
      done = true
      this.dialing = false
      socket.destroy()
      this.events.onLog('info', 'FAILOVER_DIAL_FAILED', `failover peer: connect to ${this.o.peerAddress}:${this.o.peerPort}: ${err.message}`)
      this.backoff = Math.min(this.backoff * 2, this.o.maxRedialMs ?? 30_000)
      this.scheduleRedial()
    }
    socket.once('error', fail)
    socket.setTimeout(10_000, () => fail(new Error('connect timeout')))
    socket.connect({ host: this.o.peerAddress, port: this.o.peerPort, localAddress: this.o.address }, () => {
      if (done) return
      done = true
      this.dialing = false
      socket.setTimeout(0)
      socket.off('error', fail)
      if (this.closed) {
        socket.destroy()
        return
      }
      this.adopt(socket, 'outbound')
    })
  }

  private scheduleRedial(): void {
    if (this.closed || this.linked || this.redialTimer !== undefined) return
    const delay = this.conns.size === 0 ? this.backoff : this.o.redialMs ?? 5000
    this.redialTimer = setTimeout(() => {
      this.redialTimer = undefined
      if (this.conns.size === 0) this.dial()
      else this.scheduleRedial()
    }, delay)
    this.redialTimer.unref()
  }

  private clearRedial(): void {
    if (this.redialTimer !== undefined) clearTimeout(this.redialTimer)
    this.redialTimer = undefined
  }
}
