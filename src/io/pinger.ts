/**
 * ICMP echo for ping-check (ISC common/icmp.c): one raw ICMP socket per process, one echo per
 * probe in ISC's shape (8-byte header + 20 zero bytes), replies matched on (source address,
 * id, sequence). Many probes run at once; a second probe of an address already being probed
 * shares the first one's result. Timers are real (this is the I/O edge).
 *
 * The raw socket sees every ICMP datagram of the network namespace; anything that is not an
 * echo reply to one of our outstanding probes is ignored.
 */
import { DecodeError } from '../lib/errors.js'
import type { ProbeResult } from '../core/ping-checks.js'
import { decodeIcmpDatagram, encodeEcho, ICMP_ECHO_REPLY } from '../protocol/l2/icmp.js'
import { encodeSockaddrIn } from '../protocol/l2/sockaddr.js'
import type { RawSocket } from './raw-socket.js'

export interface Prober {
  /** Resolves 'answered' when `address` replies within `timeoutMs`, else 'silent'. */
  probe(address: number, timeoutMs: number): Promise<ProbeResult>
  close(): void
}

interface Pending {
  readonly address: number
  readonly seq: number
  readonly timer: NodeJS.Timeout
  readonly resolve: (r: ProbeResult) => void
  readonly promise: Promise<ProbeResult>
}

export interface IcmpPingerOptions {
  /** Echo identifier; default derived from the process id. */
  readonly id?: number
  /** Send failures (the probe then counts as silent, as ISC offers when it cannot ping). */
  readonly onError?: (err: Error, address: number) => void
}

export class IcmpPinger implements Prober {
  private readonly id: number
  private seq = 0
  /** By address: at most one outstanding probe per address. */
  private readonly byAddress = new Map<number, Pending>()
  private closed = false

  constructor(private readonly socket: RawSocket, private readonly options: IcmpPingerOptions = {}) {
    this.id = (options.id ?? process.pid) & 0xffff
    socket.start((m) => this.receive(m.data), () => {})
    socket.unref()
  }

  get outstanding(): number {
    return this.byAddress.size
  }

  probe(address: number, timeoutMs: number): Promise<ProbeResult> {
    const existing = this.byAddress.get(address)
    if (existing !== undefined) return existing.promise
    if (this.closed) return Promise.resolve('silent')
    this.seq = (this.seq + 1) & 0xffff
    const seq = this.seq
    let resolve!: (r: ProbeResult) => void
    const promise = new Promise<ProbeResult>((r) => {
      resolve = r
    })
    const timer = setTimeout(() => this.settle(address, seq, 'silent'), Math.max(0, timeoutMs))
    this.byAddress.set(address, { address, seq, timer, resolve, promise })
    try {
      this.socket.send(encodeEcho({ id: this.id, seq }), encodeSockaddrIn(address))
    } catch (err) {
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)), address)
      this.settle(address, seq, 'silent')
    }
    return promise
  }

  close(): void {
    this.closed = true
    for (const p of [...this.byAddress.values()]) this.settle(p.address, p.seq, 'silent')
    this.socket.close()
  }

  private receive(datagram: Buffer): void {
    let reply
    try {
      reply = decodeIcmpDatagram(datagram)
    } catch (err) {
      if (err instanceof DecodeError) return
      throw err
    }
    if (reply.icmp.type !== ICMP_ECHO_REPLY || reply.icmp.id !== this.id) return
    this.settle(reply.src, reply.icmp.seq, 'answered')
  }

  private settle(address: number, seq: number, result: ProbeResult): void {
    const p = this.byAddress.get(address)
    if (p === undefined || p.seq !== seq) return
    clearTimeout(p.timer)
    this.byAddress.delete(address)
    p.resolve(result)
  }
}
