/**
 * In-memory stand-ins for the addon-backed sockets (Kea `pkt_filter_test_stub.h`): a
 * {@link FakePacketSocket} records what is sent and lets a test inject received frames; a
 * {@link FakeRawSocket} does the same for raw IP/ICMP sockets.
 */
import type { PacketSocket, RawMessage, RawSocket, ReceivedFrame } from '../../src/io/raw-socket.js'
import { PacketType } from '../../src/protocol/l2/sockaddr.js'

export interface SentFrame {
  readonly frame: Buffer
  readonly dst: Buffer
}

export class FakePacketSocket implements PacketSocket {
  readonly sent: SentFrame[] = []
  closed = false
  private onFrame: ((f: ReceivedFrame) => void) | undefined
  private onError: ((err: Error) => void) | undefined

  constructor(readonly ifname: string, readonly ifindex: number, readonly mac: Buffer) {}

  start(onFrame: (f: ReceivedFrame) => void, onError: (err: Error) => void): void {
    this.onFrame = onFrame
    this.onError = onError
  }

  send(frame: Buffer, dst: Buffer): void {
    if (this.closed) throw Object.assign(new Error('socket is closed'), { code: 'EBADF' })
    this.sent.push({ frame: Buffer.from(frame), dst: Buffer.from(dst) })
  }

  close(): void {
    this.closed = true
  }

  /** Delivers a frame as the kernel would (outgoing frames are dropped like the real socket does). */
  receive(frame: Buffer, opts: { pkttype?: number; checksumNotReady?: boolean } = {}): void {
    const pkttype = opts.pkttype ?? PacketType.BROADCAST
    if (pkttype === PacketType.OUTGOING) return
    this.onFrame?.({ frame, ifindex: this.ifindex, pkttype, checksumNotReady: opts.checksumNotReady ?? false })
  }

  fail(err: Error): void {
    this.onError?.(err)
  }
}

export class FakeRawSocket implements RawSocket {
  readonly sent: { data: Buffer; sockaddr: Buffer | undefined }[] = []
  readonly options: { level: number; name: number; value: number | Buffer }[] = []
  closed = false
  /** When set, `send` throws it (EAGAIN, EPERM…). */
  sendError: Error | undefined
  private onMessage: ((m: RawMessage) => void) | undefined

  setOption(level: number, name: number, value: number | Buffer): void {
    this.options.push({ level, name, value })
  }

  attachFilter(): void {}

  bind(): void {}

  send(data: Buffer, sockaddr?: Buffer): number {
    if (this.sendError !== undefined) throw this.sendError
    this.sent.push({ data: Buffer.from(data), sockaddr })
    return data.length
  }

  start(onMessage: (m: RawMessage) => void): void {
    this.onMessage = onMessage
  }

  stop(): void {
    this.onMessage = undefined
  }

  unref(): void {}

  close(): void {
    this.closed = true
  }

  receive(data: Buffer, address: Buffer = Buffer.alloc(16), control: Buffer = Buffer.alloc(0)): void {
    this.onMessage?.({ data, address, control })
  }
}
