/**
 * An AF_UNIX datagram socket (node has none), over the raw socket addon's protocol-agnostic
 * socket/bind/sendto/recv: the syslog client sends each record to /dev/log with it, and tests
 * bind one in a temporary directory to stand in for the syslog daemon.
 *
 * Sending never blocks (the addon's sockets are non-blocking): a full receive queue in the
 * syslog daemon gives EAGAIN, a restarted or missing one ECONNREFUSED / ENOENT; the caller
 * decides what to do with the record. Every send names the path, so a syslog daemon that
 * re-creates its socket is picked up again without reopening anything (glibc reconnects).
 */
import { statSync } from 'node:fs'
import { loadNative, type NativeAddon } from './native.js'
import { NativeRawSocket } from './raw-socket.js'
import { AF_UNIX, SOCK_DGRAM, encodeSockaddrUn } from '../protocol/l2/sockaddr.js'

export type UnixDatagramOpen = { readonly ok: true; readonly socket: UnixDatagramSocket } | { readonly ok: false; readonly reason: string }

export class UnixDatagramSocket {
  private constructor(private readonly socket: NativeRawSocket, private readonly destination: Buffer | undefined) {}

  /** A socket that sends to `path`, which must exist and be a socket. */
  static connectTo(path: string, addon?: NativeAddon): UnixDatagramOpen {
    try {
      if (!statSync(path).isSocket()) return { ok: false, reason: `${path} is not a socket` }
    } catch (err) {
      return { ok: false, reason: `${path}: ${err instanceof Error && 'code' in err ? String(err.code) : String(err)}` }
    }
    return UnixDatagramSocket.open(addon, undefined, path)
  }

  /** A socket bound to `path` (tests: a stand-in for /dev/log). */
  static bindTo(path: string, addon?: NativeAddon): UnixDatagramOpen {
    return UnixDatagramSocket.open(addon, path, undefined)
  }

  private static open(addon: NativeAddon | undefined, bindPath: string | undefined, sendPath: string | undefined): UnixDatagramOpen {
    let a = addon
    if (a === undefined) {
      const load = loadNative()
      if (!load.ok) return { ok: false, reason: load.reason }
      a = load.addon
    }
    let dest: Buffer | undefined
    try {
      dest = sendPath === undefined ? undefined : encodeSockaddrUn(sendPath)
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) }
    }
    let s: NativeRawSocket | undefined
    try {
      s = new NativeRawSocket(a, AF_UNIX, SOCK_DGRAM, 0)
      if (bindPath !== undefined) s.bind(encodeSockaddrUn(bindPath))
      return { ok: true, socket: new UnixDatagramSocket(s, dest) }
    } catch (err) {
      s?.close()
      return { ok: false, reason: err instanceof Error ? err.message : String(err) }
    }
  }

  /** Sends one datagram to the path given at {@link connectTo}; the error instead of throwing. */
  send(data: Buffer): Error | undefined {
    if (this.destination === undefined) return new Error('socket has no destination')
    try {
      this.socket.send(data, this.destination)
      return undefined
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err))
    }
  }

  /** Delivers each datagram received (bound sockets). */
  receive(onDatagram: (data: Buffer) => void, onError: (err: Error) => void): void {
    this.socket.start((m) => onDatagram(m.data), onError)
  }

  /** Lets the process exit while this socket is open. */
  unref(): void {
    this.socket.unref()
  }

  close(): void {
    this.socket.stop()
    this.socket.close()
  }
}
