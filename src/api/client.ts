/**
 * A small client for the control API (used by `hadhcpd ctl` and the tests): one request, JSON
 * or text back, over TCP (HTTP or HTTPS) or a unix socket. Network failures are reported as
 * `unreachable`, never thrown.
 */
import { request as httpRequest, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { ControlAddress } from './address.js'

export interface ClientOptions {
  readonly address: ControlAddress & { kind: 'tcp' | 'unix' }
  readonly token: string
  /** HTTPS; `ca` pins the server's certificate (self-signed), else the system CAs. */
  readonly tls?: { readonly ca?: Buffer | undefined } | undefined
  readonly timeoutMs?: number
}

export type ClientResult =
  | { readonly kind: 'response'; readonly status: number; readonly contentType: string; readonly text: string; readonly json: unknown }
  | { readonly kind: 'unreachable'; readonly message: string }

export class ControlClient {
  constructor(private readonly o: ClientOptions) {}

  get(path: string): Promise<ClientResult> {
    return this.request('GET', path)
  }

  request(method: string, path: string, body?: unknown): Promise<ClientResult> {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const a = this.o.address
    const options: RequestOptions = {
      method,
      path,
      headers: {
        authorization: `Bearer ${this.o.token}`,
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
      timeout: this.o.timeoutMs ?? 10_000,
      ...(a.kind === 'unix' ? { socketPath: a.path } : { host: a.host, port: a.port }),
    }
    const tls = this.o.tls
    return new Promise((resolve) => {
      const onResponse = (res: import('node:http').IncomingMessage): void => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const contentType = String(res.headers['content-type'] ?? '')
          let json: unknown
          if (contentType.startsWith('application/json')) {
            try {
              json = JSON.parse(text) as unknown
            } catch {
              json = undefined
            }
          }
          resolve({ kind: 'response', status: res.statusCode ?? 0, contentType, text, json })
        })
        res.on('error', (err) => resolve({ kind: 'unreachable', message: err.message }))
      }
      const req = tls === undefined
        ? httpRequest(options, onResponse)
        : httpsRequest({ ...options, ...(tls.ca === undefined ? {} : { ca: tls.ca }) }, onResponse)
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.o.timeoutMs ?? 10_000} ms`)))
      req.on('error', (err) => resolve({ kind: 'unreachable', message: err.message }))
      req.end(payload)
    })
  }
}
