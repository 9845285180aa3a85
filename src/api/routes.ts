/**
 * The control API's routes (docs/control-api.md), pure: `(request, context) → response`. No
 * sockets here; authentication is auth.ts, the HTTP adapter is http-server.ts.
 */
import { leasesCsv } from './csv.js'
import { BadRequest, bodyObject, describeValue, intInRange, ipv4, leaseFilter, onlyFields, segment } from './validate.js'
import type { ActionResult, ApiRequest, ApiResponse, ControlContext, LeaseAction } from './types.js'

export const MAX_LEASE_PAGE = 1000

const LEASE_QUERY = new Set(['ip', 'mac', 'clientId', 'hostname', 'state', 'subnet', 'offset', 'limit', 'format'])

export const PARTNER_DOWN_WARNING =
  'partner-down is dangerous: confirm only when the partner server is really down (stopped, not merely unreachable). ' +
  'In PARTNER-DOWN this server takes over the whole pool once MCLT has passed; if the partner is still serving, ' +
  'both hand out the same addresses to different clients. Send {"confirm":"partner-down"} to proceed.'

export const SHUTDOWN_WARNING =
  'shutdown stops this server: DHCP service ends here. Each failover relationship in NORMAL is handed over first: ' +
  'this server moves to SHUTDOWN and the partner enters PARTNER-DOWN, serving the whole pool on its own (once MCLT has passed, ' +
  'also the addresses that were ours) until this server starts again and recovers from it (RECOVER, then NORMAL). ' +
  'Send {"confirm":"shutdown"} to proceed.'

export function jsonResponse(status: number, json: unknown): ApiResponse {
  return { status, json }
}

export function errorResponse(status: number, error: string, message: string, extra: Record<string, unknown> = {}): ApiResponse {
  return { status, json: { error, message, ...extra } }
}

function fromAction<T>(r: ActionResult<T>): ApiResponse {
  if (r.ok) return jsonResponse(200, r)
  return errorResponse(r.status, r.error, r.message)
}

type Handler = (req: ApiRequest, ctx: ControlContext, params: readonly string[]) => ApiResponse | Promise<ApiResponse>

interface Route {
  readonly method: string
  readonly pattern: RegExp
  readonly handler: Handler
}

const SEGMENT = '([^/]+)'

function route(method: string, path: string, handler: Handler): Route {
  return { method, pattern: new RegExp(`^${path.replace(/:[a-z]+/g, SEGMENT)}$`), handler }
}

function noBody(req: ApiRequest): void {
  onlyFields(bodyObject(req.body, true), [])
}

const ROUTES: readonly Route[] = [
  route('GET', '/api/v1/status', (_r, ctx) => jsonResponse(200, ctx.status())),
  route('GET', '/api/v1/pools', (_r, ctx) => jsonResponse(200, { pools: ctx.pools() })),
  route('GET', '/api/v1/config/shared', (_r, ctx) => jsonResponse(200, ctx.sharedConfig())),
  route('GET', '/api/v1/leases', (req, ctx) => {
    const filter = leaseFilter(req.query, LEASE_QUERY)
    const offset = intInRange('offset', req.query['offset'], 0, 0, Number.MAX_SAFE_INTEGER)
    const limit = intInRange('limit', req.query['limit'], 100, 1, MAX_LEASE_PAGE)
    const format = req.query['format'] ?? 'json'
    if (format !== 'json' && format !== 'csv') throw new BadRequest('format', 'json or csv', describeValue(format))
    const all = ctx.leases(filter)
    const page = all.slice(offset, offset + limit)
    if (format === 'csv') return { status: 200, text: leasesCsv(page), contentType: 'text/csv; charset=utf-8' }
    return jsonResponse(200, { total: all.length, offset, limit, leases: page })
  }),
  route('GET', '/api/v1/leases/:ip', async (_r, ctx, [ip]) => {
    const address = ipv4('ip', segment('ip', ip!))
    const lease = ctx.lease(address)
    if (lease === undefined) return errorResponse(404, 'not-found', `no lease for ${address}`)
    return jsonResponse(200, { lease, history: await ctx.leaseHistory(address) })
  }),
  route('GET', '/api/v1/events', (req, ctx) => {
    onlyKnownQuery(req, ['since'])
    return jsonResponse(200, { events: ctx.events(intInRange('since', req.query['since'], 0, 0, Number.MAX_SAFE_INTEGER)) })
  }),
  route('POST', '/api/v1/reload', async (req, ctx) => {
    noBody(req)
    const r = await ctx.reload()
    if (r.ok) return jsonResponse(200, { ok: true })
    return errorResponse(400, 'config', `the new configuration was rejected (the running one is kept): ${r.errors.length} error(s)`, { errors: r.errors })
  }),
  ...(['release', 'abandon', 'free'] as const).map((action: LeaseAction) =>
    route('POST', `/api/v1/leases/:ip/${action}`, async (req, ctx, [ip]) => {
      noBody(req)
      return fromAction(await ctx.leaseAction(ipv4('ip', segment('ip', ip!)), action))
    }),
  ),
  route('DELETE', '/api/v1/leases/:ip', async (req, ctx, [ip]) => {
    noBody(req)
    return fromAction(await ctx.deleteLease(ipv4('ip', segment('ip', ip!))))
  }),
  route('POST', '/api/v1/failover/:peer/partner-down', async (req, ctx, [peer]) => {
    const body = bodyObject(req.body, true)
    onlyFields(body, ['confirm'])
    if (body['confirm'] !== 'partner-down') {
      return errorResponse(400, 'confirmation-required', `confirm: expected "partner-down"${body['confirm'] === undefined ? '' : `, got ${describeValue(body['confirm'])}`}. ${PARTNER_DOWN_WARNING}`)
    }
    if (ctx.partnerDown === undefined) return errorResponse(409, 'not-supported', 'this daemon cannot enter partner-down')
    return fromAction(await ctx.partnerDown(segment('peer', peer!)))
  }),
  route('POST', '/api/v1/shutdown', async (req, ctx) => {
    const body = bodyObject(req.body, true)
    onlyFields(body, ['confirm'])
    if (body['confirm'] !== 'shutdown') {
      return errorResponse(400, 'confirmation-required', `confirm: expected "shutdown"${body['confirm'] === undefined ? '' : `, got ${describeValue(body['confirm'])}`}. ${SHUTDOWN_WARNING}`)
    }
    if (ctx.shutdown === undefined) return errorResponse(409, 'not-supported', 'this daemon cannot be shut down through the API')
    return fromAction(await ctx.shutdown())
  }),
  route('POST', '/api/v1/failover/:peer/rebalance', async (req, ctx, [peer]) => {
    noBody(req)
    return fromAction(await ctx.rebalance(segment('peer', peer!)))
  }),
  route('POST', '/api/v1/vrrp/:instance/priority', (req, ctx, [instance]) => {
    const body = bodyObject(req.body, false)
    onlyFields(body, ['priority'])
    const p = body['priority']
    if (!(p === null || (typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 254))) {
      throw new BadRequest('priority', 'an integer 1…254, or null to clear the override', p === undefined ? 'nothing' : describeValue(p))
    }
    return fromAction(ctx.vrrpOverride(segment('instance', instance!), p))
  }),
  route('POST', '/api/v1/vrrp/:instance/step-down', (req, ctx, [instance]) => {
    noBody(req)
    return fromAction(ctx.vrrpOverride(segment('instance', instance!), 'step-down'))
  }),
  route('GET', '/metrics', async (_r, ctx) => {
    if (ctx.metricsText === undefined) return errorResponse(404, 'not-found', 'metrics not enabled')
    return { status: 200, text: await ctx.metricsText(), contentType: 'text/plain; version=0.0.4; charset=utf-8' }
  }),
]

function onlyKnownQuery(req: ApiRequest, known: readonly string[]): void {
  for (const k of Object.keys(req.query)) {
    if (!known.includes(k)) throw new BadRequest(k, `only the parameter(s) ${known.join(', ')}`, 'an unknown parameter')
  }
}

/** Whether `path` needs the bearer token (everything except the dashboard's static files). */
export function needsToken(path: string): boolean {
  return path.startsWith('/api/') || path === '/api' || path === '/metrics'
}

const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hadhcpd</title></head>
<body><h1>hadhcpd</h1>
<p>The control API is at <a href="/api/v1/status">/api/v1/status</a> (send <code>Authorization: Bearer &lt;token&gt;</code>);
see docs/control-api.md, or use <code>hadhcpd ctl status</code>.</p>
</body></html>
`

function staticRoute(req: ApiRequest, ctx: ControlContext): ApiResponse | undefined {
  if (req.path !== '/' && !req.path.startsWith('/dashboard/') && req.path !== '/dashboard') return undefined
  if (req.method !== 'GET' && req.method !== 'HEAD') return errorResponse(405, 'method-not-allowed', `${req.method} ${req.path}: only GET`)
  const asset = ctx.staticAsset?.(req.path)
  if (asset !== undefined) return { status: 200, text: asset.body, contentType: asset.contentType, ...(asset.headers === undefined ? {} : { headers: asset.headers }) }
  if (req.path === '/') return { status: 200, text: INDEX_HTML, contentType: 'text/html; charset=utf-8' }
  return errorResponse(404, 'not-found', `no such file: ${req.path}`)
}

/**
 * Routes one (already authenticated) request. Validation failures become 400 with the field
 * and what was expected; unknown paths 404; a known path with another method 405.
 */
export async function dispatch(req: ApiRequest, ctx: ControlContext): Promise<ApiResponse> {
  const asset = staticRoute(req, ctx)
  if (asset !== undefined) return asset
  let pathMatched = false
  for (const r of ROUTES) {
    const m = r.pattern.exec(req.path)
    if (m === null) continue
    pathMatched = true
    if (r.method !== req.method) continue
    try {
      return await r.handler(req, ctx, m.slice(1))
    } catch (err) {
      if (err instanceof BadRequest) return errorResponse(400, 'bad-request', err.message, { field: err.field })
      throw err
    }
  }
  if (pathMatched) return errorResponse(405, 'method-not-allowed', `${req.method} is not allowed on ${req.path}`)
  return errorResponse(404, 'not-found', `no such route: ${req.method} ${req.path}`)
}
