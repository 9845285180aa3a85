/**
 * A tiny host-side HTTP proxy for the lab: listens on 127.0.0.1:<port> and forwards every request
 * (method, path, headers, body) to a daemon's control API on a unix socket. Unix sockets cross
 * network namespaces, so a browser on the host reaches a node that lives in its own namespace.
 * Responses stream back unchanged; a node that is down (socket missing or refusing) is a 502 with
 * a JSON error in the API's shape, so the dashboard can show it.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ControlProxy {
  /** The port actually bound (useful with port 0). */
  readonly port: number
  readonly url: string
  close(): Promise<void>
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])

function forwardHeaders(h: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
  return out
}

function badGateway(res: ServerResponse, socketPath: string, why: string): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = JSON.stringify({ error: 'bad_gateway', message: `node not reachable at ${socketPath}: ${why}` })
  res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function handler(socketPath: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const upstream = request({
      socketPath,
      method: req.method,
      path: req.url ?? '/',
      headers: forwardHeaders(req.headers),
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, forwardHeaders(up.headers))
      up.pipe(res)
      up.on('error', () => res.destroy())
    })
    upstream.on('error', (err: NodeJS.ErrnoException) => badGateway(res, socketPath, err.code ?? err.message))
    req.pipe(upstream)
    req.on('error', () => upstream.destroy())
  }
}

/** Starts a proxy 127.0.0.1:`port` → `socketPath` (port 0: any free port). */
export function startControlProxy(port: number, socketPath: string, host = '127.0.0.1'): Promise<ControlProxy> {
  const server: Server = createServer(handler(socketPath))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const bound = (server.address() as AddressInfo).port
      resolve({
        port: bound,
        url: `http://${host}:${bound}/`,
        close: () => new Promise<void>((done) => {
          server.close(() => done())
          server.closeAllConnections()
        }),
      })
    })
  })
}

/**
 * Tries `firstPort`, `firstPort + 1`, … (up to `attempts` ports) and returns the first proxy
 * that binds; port 0 binds any free port.
 */
export async function startControlProxyNear(firstPort: number, socketPath: string, attempts = 20): Promise<ControlProxy> {
  let last: unknown
  for (let i = 0; i < (firstPort === 0 ? 1 : attempts); i++) {
    try {
      return await startControlProxy(firstPort === 0 ? 0 : firstPort + i, socketPath)
    } catch (err) {
      last = err
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    }
  }
  throw new Error(`no free port in ${firstPort}..${firstPort + attempts - 1}: ${String(last)}`)
}
