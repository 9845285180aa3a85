/**
 * Request validation for the control API: each check names the field and what was expected, so
 * a 400 tells the caller exactly what to fix.
 */
import { parseIPv4, formatIPv4, prefixToMask, networkOf } from '../lib/ip.js'
import { BINDING_STATES } from '../core/lease.js'
import type { LeaseFilter } from './types.js'

export class BadRequest extends Error {
  constructor(readonly field: string, readonly expected: string, readonly got?: string) {
    super(`${field}: expected ${expected}${got === undefined ? '' : `, got ${got}`}`)
  }
}

const HEX_PAIRS = /^[0-9a-f]{2}(:[0-9a-f]{2})*$/

function short(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value)
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

export function ipv4(field: string, text: string): string {
  const n = parseIPv4(text)
  if (n === undefined) throw new BadRequest(field, 'an IPv4 address like 198.18.0.10', short(text))
  return formatIPv4(n)
}

export function cidr(field: string, text: string): string {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text)
  const addr = m === null ? undefined : parseIPv4(m[1]!)
  const prefix = m === null ? NaN : Number(m[2])
  if (addr === undefined || !(prefix >= 0 && prefix <= 32)) throw new BadRequest(field, 'a CIDR like 198.18.0.0/24', short(text))
  return `${formatIPv4(networkOf(addr, prefixToMask(prefix)))}/${prefix}`
}

export function intInRange(field: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || text === '') return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max) throw new BadRequest(field, `an integer ${min}…${max}`, short(text))
  return n
}

/** The lease filter from a query string (unknown parameters are errors, so typos do not widen a search). */
export function leaseFilter(query: Readonly<Record<string, string>>, allowed: ReadonlySet<string>): LeaseFilter {
  for (const k of Object.keys(query)) {
    if (!allowed.has(k)) throw new BadRequest(k, `one of the parameters ${[...allowed].join(', ')}`, 'an unknown parameter')
  }
  const f: { -readonly [K in keyof LeaseFilter]: string } = {}
  const ip = query['ip']
  if (ip !== undefined && ip !== '') f.ip = ipv4('ip', ip)
  const mac = query['mac']
  if (mac !== undefined && mac !== '') {
    const m = mac.toLowerCase().replace(/-/g, ':')
    if (!HEX_PAIRS.test(m)) throw new BadRequest('mac', 'a hardware address like 02:00:00:00:00:01', short(mac))
    f.mac = m
  }
  const cid = query['clientId']
  if (cid !== undefined && cid !== '') {
    const c = cid.toLowerCase()
    if (!HEX_PAIRS.test(c)) throw new BadRequest('clientId', 'colon hex like 01:02:00:00:00:00:01', short(cid))
    f.clientId = c
  }
  const hostname = query['hostname']
  if (hostname !== undefined && hostname !== '') f.hostname = hostname
  const state = query['state']
  if (state !== undefined && state !== '') {
    if (!(BINDING_STATES as readonly string[]).includes(state)) throw new BadRequest('state', `one of ${BINDING_STATES.join(', ')}`, short(state))
    f.state = state
  }
  const subnet = query['subnet']
  if (subnet !== undefined && subnet !== '') f.subnet = cidr('subnet', subnet)
  return f
}

/** A path segment, percent-decoded (a malformed escape is a 400, not a crash). */
export function segment(field: string, raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new BadRequest(field, 'a valid percent-encoded path segment', short(raw))
  }
}

/** The body must be a JSON object (or absent when `optional`). */
export function bodyObject(body: unknown, optional: boolean): Readonly<Record<string, unknown>> {
  if (body === undefined && optional) return {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('body', 'a JSON object', body === undefined ? 'no body' : short(body))
  return body as Record<string, unknown>
}

/** Rejects fields the route does not know. */
export function onlyFields(body: Readonly<Record<string, unknown>>, known: readonly string[]): void {
  for (const k of Object.keys(body)) {
    if (!known.includes(k)) throw new BadRequest(k, known.length === 0 ? 'no fields (empty body)' : `only the field(s) ${known.join(', ')}`, 'an unknown field')
  }
}

export { short as describeValue }
