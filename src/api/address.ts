/** `--control` values: `HOST:PORT`, `[v6]:PORT`, `unix:/path`, or `none`. */

export const DEFAULT_CONTROL = '127.0.0.1:8067'

export type ControlAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'none' }

/** Parses a `--control` value; returns an error message instead of throwing. */
export function parseControlAddress(text: string): ControlAddress | string {
  if (text === 'none') return { kind: 'none' }
  if (text.startsWith('unix:')) {
    const path = text.slice(5)
    if (path === '') return 'unix: needs a socket path (unix:/run/hadhcpd.sock)'
    return { kind: 'unix', path }
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text)
  const port = m === null ? NaN : Number(m[3])
  if (m === null || !(port >= 1 && port <= 65535)) return `expected HOST:PORT, unix:/path or none, got ${text}`
  return { kind: 'tcp', host: m[1] ?? m[2]!, port }
}

export function describeControlAddress(a: ControlAddress, tls: boolean): string {
  switch (a.kind) {
    case 'none':
      return 'none'
    case 'unix':
      return `unix:${a.path}`
    case 'tcp':
      return `${tls ? 'https' : 'http'}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`
  }
}
