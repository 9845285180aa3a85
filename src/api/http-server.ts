/**
 * The thin node:http / node:https adapter in front of {@link ControlApi}: reads a size-limited
 * body, parses JSON, builds an {@link ApiRequest}, writes the {@link ApiResponse}. Listens on
 * TCP or a unix socket. Nothing here decides anything about the API itself.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { lstatSync, readFileSync, unlinkSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { ControlApi } from './auth.js'
import type { ControlAddress } from './address.js'
import type { ApiRequest, ApiResponse } from './types.js'

/** How long close() lets a connection that is still being answered finish. */
export const CLOSE_GRACE_MS = 1000

/** Request bodies are small JSON objects; anything bigger is refused (413). */
export const MAX_BODY_BYTES = 64 * 1024

export interface HttpAdapterOptions {
  readonly api: ControlApi
  readonly address: ControlAddress & { kind: 'tcp' | 'unix' }
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined
  /** An unexpected exception from a route (answered 500). */
  readonly onError: (err: unknown) => void
}

export class ControlHttpServer {
  private readonly server: Server

  constructor(private readonly o: HttpAdapterOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.serve(req, res)
    }
    this.server = o.tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer({ cert: readFileSync(o.tls.certFile), key: readFileSync(o.tls.keyFile) }, handler)
    this.server.headersTimeout = 10_000
    this.server.requestTimeout = 30_000
    this.server.keepAliveTimeout = 5_000
  }

  async listen(): Promise<void> {
    const a = this.o.address
    if (a.kind === 'unix') removeStaleSocket(a.path)
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.server.once('error', onError)
      const done = (): void => {
        this.server.removeListener('error', onError)
        resolve()
      }
      if (a.kind === 'unix') this.server.listen(a.path, done)
      else this.server.listen(a.port, a.host, done)
    })
  }

  /** The TCP port actually bound (useful with port 0 in tests); undefined on a unix socket. */
  get port(): number | undefined {
    const info = this.server.address()
    return info !== null && typeof info === 'object' ? (info as AddressInfo).port : undefined
  }

  /**
   * Stops listening and closes the connections: idle ones at once, one still answering (the
   * shutdown's answer, written just before) after at most {@link CLOSE_GRACE_MS}.
   */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS)
      force.unref()
      this.server.close(() => {
        clearTimeout(force)
        resolve()
      })
      this.server.closeIdleConnections()
    })
    if (this.o.address.kind === 'unix') removeStaleSocket(this.o.address.path)
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: ApiResponse
    try {
      const read = await readBody(req)
      if (read.kind === 'too-large') response = problem(413, 'too-large', `request body over ${MAX_BODY_BYTES} bytes`)
      else if (read.kind === 'bad-json') response = problem(400, 'bad-request', `body: expected JSON, got invalid JSON (${read.message})`)
      else {
        // The request target taken literally (no URL resolution: `//x/y` stays a path).
        const target = req.url ?? '/'
        const q = target.indexOf('?')
        const query: Record<string, string> = {}
        for (const [k, v] of new URLSearchParams(q < 0 ? '' : target.slice(q + 1))) query[k] = v
        const apiReq: ApiRequest = {
          method: req.method ?? 'GET',
          path: q < 0 ? target : target.slice(0, q),
          query,
          body: read.body,
          authorization: req.headers.authorization,
          remote: req.socket.remoteAddress ?? 'unix',
        }
        response = await this.o.api.handle(apiReq)
      }
    } catch (err) {
      this.o.onError(err)
      response = problem(500, 'internal', `internal error: ${err instanceof Error ? err.message : String(err)}`)
    }
    write(res, response, req.method === 'HEAD')
  }
}

function problem(status: number, error: string, message: string): ApiResponse {
  return { status, json: { error, message } }
}

function write(res: ServerResponse, r: ApiResponse, headOnly: boolean): void {
  const body = r.text !== undefined ? r.text : `${JSON.stringify(r.json ?? null)}\n`
  const type = r.text !== undefined ? (r.contentType ?? 'text/plain; charset=utf-8') : 'application/json; charset=utf-8'
  res.writeHead(r.status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...r.headers,
  })
  res.end(headOnly ? undefined : body)
}

type BodyRead =
  | { readonly kind: 'ok'; readonly body: unknown }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'bad-json'; readonly message: string }

async function readBody(req: IncomingMessage): Promise<BodyRead> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) {
      req.resume()
      return { kind: 'too-large' }
    }
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return { kind: 'ok', body: undefined }
  try {
    return { kind: 'ok', body: JSON.parse(text) as unknown }
  } catch (err) {
    return { kind: 'bad-json', message: err instanceof Error ? err.message : String(err) }
  }
}

/** A socket file left behind by a previous run is removed; anything else at the path is an error at listen. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path)
  } catch {
    // absent: nothing to remove
  }
}
