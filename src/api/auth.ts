/**
 * Bearer-token check in front of the routes: constant-time comparison (SHA-256 digests of both
 * sides, so the lengths are equal and nothing about the token's length leaks), a counter of
 * refusals, and a log line per source at most once a minute (LogThrottle).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { LogThrottle } from '../lib/log-throttle.js'
import { dispatch, errorResponse, needsToken } from './routes.js'
import type { ApiRequest, ApiResponse, ControlContext } from './types.js'

export interface ControlApiOptions {
  readonly token: string
  readonly ctx: ControlContext
  /** Warn-level log line for a refused request. */
  readonly warn: (id: string, text: string) => void
  readonly now: () => number
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(presented)
  // Compare even without a well-formed header, so the time taken says nothing.
  return timingSafeEqual(digest(expected), digest(m?.[1] ?? '')) && m !== null
}

export class ControlApi {
  /** Requests refused for a missing or wrong token. */
  unauthorized = 0
  private readonly throttle = new LogThrottle()

  constructor(private readonly o: ControlApiOptions) {}

  async handle(req: ApiRequest): Promise<ApiResponse> {
    if (needsToken(req.path) && !tokenMatches(this.o.token, req.authorization)) {
      this.unauthorized++
      const source = req.remote ?? 'unknown'
      const suppressed = this.throttle.admit(source, this.o.now())
      if (suppressed !== undefined) {
        const more = suppressed > 0 ? ` (${suppressed} more from there suppressed)` : ''
        this.o.warn('CONTROL_UNAUTHORIZED', `control API: ${req.authorization === undefined ? 'missing' : 'wrong'} token from ${source} for ${req.method} ${req.path}${more}; ${this.unauthorized} refused in total`)
      }
      return errorResponse(401, 'unauthorized', 'missing or wrong bearer token (Authorization: Bearer <token from the control token file>)')
    }
    return dispatch(req, this.o.ctx)
  }
}
