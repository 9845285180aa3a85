/**
 * Reassembles a failover TCP byte stream into whole messages (failover-protocol.md §1.2),
 * pg-protocol style (architecture.md §4a): knows nothing about sockets, merges chunks, emits
 * every complete length-prefixed message and keeps the remainder.
 *
 * A length below 12 or above 2048 is a protocol error for dhcpd (the connection is dropped);
 * the framer throws DecodeError (offset = position in the stream) as soon as the two length
 * bytes are in, and stays failed: the caller must close the connection.
 */
import { DecodeError } from '../../lib/errors.js'
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from './constants.js'
import { decode, type FailoverMessage } from './message.js'

export class FailoverFramer {
  private buf: Buffer = Buffer.alloc(0)
  private start = 0
  private end = 0
  /** Stream offset of buf[start]. */
  private streamOffset = 0
  private failed: DecodeError | undefined

  /** Bytes received but not yet part of an emitted message. */
  get buffered(): number {
    return this.end - this.start
  }

  /**
   * Feeds one chunk; calls `onFrame` with each complete message's bytes (a copy the callee
   * may keep) in stream order.
   */
  push(chunk: Uint8Array, onFrame: (frame: Buffer) => void): void {
    if (this.failed) throw this.failed
    this.append(chunk)
    while (this.end - this.start >= 2) {
      const length = this.buf.readUInt16BE(this.start)
      if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
        this.failed = new DecodeError('message length', this.streamOffset, `${length} outside ${HEADER_LENGTH}..${MAX_MESSAGE_LENGTH}`)
        throw this.failed
      }
      if (this.end - this.start < length) break
      const frame = Buffer.from(this.buf.subarray(this.start, this.start + length))
      this.start += length
      this.streamOffset += length
      onFrame(frame)
    }
    if (this.start === this.end) {
      this.start = 0
      this.end = 0
    }
  }

  /** Like {@link push} but decodes each frame; a malformed message fails the framer too. */
  pushMessages(chunk: Uint8Array, onMessage: (msg: FailoverMessage) => void): void {
    this.push(chunk, (frame) => {
      const base = this.streamOffset - frame.length
      let msg: FailoverMessage
      try {
        msg = decode(frame, 0, frame.length).value
      } catch (e) {
        if (e instanceof DecodeError) {
          this.failed = new DecodeError(e.field, base + e.offset, e.reason)
          throw this.failed
        }
        throw e
      }
      onMessage(msg)
    })
  }

  private append(chunk: Uint8Array): void {
    const need = this.end + chunk.length
    if (need > this.buf.length) {
      const live = this.end - this.start
      if (live + chunk.length <= this.buf.length) {
        this.buf.copy(this.buf, 0, this.start, this.end)
      } else {
        const next = Buffer.alloc(Math.max(live + chunk.length, this.buf.length * 2, 4096))
        this.buf.copy(next, 0, this.start, this.end)
        this.buf = next
      }
      this.start = 0
      this.end = live
    }
    this.buf.set(chunk, this.end)
    this.end += chunk.length
  }
}
