/**
 * The raw socket addon (native/raw_socket.c), loaded lazily (undici's llhttp idea): nothing
 * touches it until a raw transport or the ping checker asks. {@link loadNative} reports why it
 * is unusable — not built, or the process lacks CAP_NET_RAW — instead of throwing deep inside
 * the transport.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { constants as osConstants } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Opaque handle the addon returns from `socket`. */
export type NativeHandle = { readonly __nativeHandle: unique symbol }

export type RecvCallback = (err: NativeError | undefined, data: Buffer | undefined, address: Buffer | undefined, control: Buffer | undefined) => void

/** The addon's exports, exactly (see the header of native/raw_socket.c). */
export interface NativeAddon {
  socket(domain: number, type: number, protocol: number): NativeHandle
  setsockopt(h: NativeHandle, level: number, name: number, value: number | Buffer): void
  attachFilter(h: NativeHandle, program: Buffer): void
  bind(h: NativeHandle, sockaddr: Buffer): void
  sendto(h: NativeHandle, data: Buffer, sockaddr?: Buffer): number
  recvStart(h: NativeHandle, cb: RecvCallback): void
  recvStop(h: NativeHandle): void
  ref(h: NativeHandle): void
  unref(h: NativeHandle): void
  close(h: NativeHandle): void
  ifinfo(name: string): { index: number; mac: Buffer }
}

/** What the addon throws: an Error with the errno; {@link errnoCode} gives the symbolic code. */
export interface NativeError extends Error {
  errno?: number
  syscall?: string
  code?: string
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(osConstants.errno).map(([name, n]) => [n, name]))

/** Adds node's `code` (`EPERM`, `EAGAIN`…) to an addon error, in place. */
export function withCode(err: unknown): NativeError {
  const e: NativeError = err instanceof Error ? err : new Error(String(err))
  if (e.code === undefined && typeof e.errno === 'number') {
    const name = ERRNO_NAMES.get(e.errno)
    if (name !== undefined) e.code = name
  }
  return e
}

export function errnoCode(err: unknown): string | undefined {
  return withCode(err).code
}

export type NativeLoad = { readonly ok: true; readonly addon: NativeAddon } | { readonly ok: false; readonly reason: string }

/** Where the addon is looked for: $HADHCPD_NATIVE_ADDON, else build/Release under the package root. */
export function addonPath(): string {
  const env = process.env['HADHCPD_NATIVE_ADDON']
  if (env !== undefined && env !== '') return env
  // This file is src/io/native.ts, compiled to dist/src/io/native.js.
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    const candidate = resolve(dir, 'build', 'Release', 'raw_socket.node')
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'build', 'Release', 'raw_socket.node')
}

let cached: NativeLoad | undefined

/** Loads the addon once; never throws. */
export function loadNative(): NativeLoad {
  if (cached !== undefined) return cached
  const path = addonPath()
  if (process.platform !== 'linux') {
    cached = { ok: false, reason: `raw sockets need Linux (this is ${process.platform})` }
  } else if (!existsSync(path)) {
    cached = { ok: false, reason: `the raw socket addon is not built (${path} missing; run npm install or npm run build:native)` }
  } else {
    try {
      const req = createRequire(import.meta.url)
      cached = { ok: true, addon: req(path) as NativeAddon }
    } catch (err) {
      cached = { ok: false, reason: `the raw socket addon at ${path} does not load: ${err instanceof Error ? err.message : String(err)}` }
    }
  }
  return cached
}

/**
 * Whether this process may open raw sockets: opens (and closes) an AF_PACKET socket, which
 * needs CAP_NET_RAW in the network namespace. Returns the reason when it may not.
 */
export function rawCapability(addon: NativeAddon): { ok: true } | { ok: false; reason: string } {
  try {
    const h = addon.socket(17 /* AF_PACKET */, 3 /* SOCK_RAW */, 0)
    addon.close(h)
    return { ok: true }
  } catch (err) {
    const code = errnoCode(err)
    if (code === 'EPERM' || code === 'EACCES') {
      return { ok: false, reason: 'the process lacks CAP_NET_RAW (run as root, or grant CAP_NET_RAW as an ambient capability)' }
    }
    return { ok: false, reason: `raw sockets unavailable: ${err instanceof Error ? err.message : String(err)}` }
  }
}

/** Loads the addon and checks the capability; the one call transports use. */
export function nativeForRawSockets(): NativeLoad {
  const load = loadNative()
  if (!load.ok) return load
  const cap = rawCapability(load.addon)
  return cap.ok ? load : { ok: false, reason: cap.reason }
}
