/**
 * `hadhcpd ctl pair-check`: compares the shared configuration (`GET /api/v1/config/shared`) of
 * the two nodes of a failover pair and lists every difference in words an operator can act on
 * — the mismatch ISC users find only when leases go missing. Pure.
 */
import type { SharedConfigView, SharedFailoverPeerView } from './types.js'

export interface PairDifference {
  /** What differs: `subnet 198.18.0.0/24`, `failover peer "x" mclt`, … */
  readonly what: string
  readonly local: string
  readonly peer: string
}

type SubnetView = SharedConfigView['subnets'][number]

const show = (v: unknown): string => (v === null || v === undefined ? '(not set)' : Array.isArray(v) ? v.join(', ') : String(v))

/** Parameters only the primary declares; a secondary may leave them unset (null). */
const PRIMARY_ONLY = ['mclt', 'split', 'hba'] as const

export function comparePair(local: SharedConfigView, peer: SharedConfigView): PairDifference[] {
  const out: PairDifference[] = []
  compareSubnets(local.subnets, peer.subnets, out)
  compareFailover(local.failoverPeers, peer.failoverPeers, out)
  return out
}

function compareSubnets(a: readonly SubnetView[], b: readonly SubnetView[], out: PairDifference[]): void {
  const bm = new Map(b.map((s) => [s.subnet, s]))
  const am = new Map(a.map((s) => [s.subnet, s]))
  for (const s of a) {
    const o = bm.get(s.subnet)
    if (o === undefined) {
      out.push({ what: `subnet ${s.subnet}`, local: 'declared', peer: 'missing' })
      continue
    }
    if (s.sharedNetwork !== o.sharedNetwork) out.push({ what: `subnet ${s.subnet} shared-network`, local: show(s.sharedNetwork), peer: show(o.sharedNetwork) })
    const n = Math.max(s.pools.length, o.pools.length)
    for (let i = 0; i < n; i++) {
      const p = s.pools[i]
      const q = o.pools[i]
      const what = `subnet ${s.subnet} pool #${i}`
      if (p === undefined || q === undefined) {
        out.push({ what, local: p === undefined ? 'missing' : show(p.ranges), peer: q === undefined ? 'missing' : show(q.ranges) })
        continue
      }
      if (p.ranges.join(',') !== q.ranges.join(',')) out.push({ what: `${what} ranges`, local: show(p.ranges), peer: show(q.ranges) })
      if (p.failoverPeer !== q.failoverPeer) out.push({ what: `${what} failover peer`, local: show(p.failoverPeer), peer: show(q.failoverPeer) })
    }
  }
  for (const s of b) if (!am.has(s.subnet)) out.push({ what: `subnet ${s.subnet}`, local: 'missing', peer: 'declared' })
}

function compareFailover(a: readonly SharedFailoverPeerView[], b: readonly SharedFailoverPeerView[], out: PairDifference[]): void {
  const bm = new Map(b.map((p) => [p.name, p]))
  for (const p of a) {
    const what = `failover peer "${p.name}"`
    const o = bm.get(p.name)
    if (o === undefined) {
      out.push({ what, local: `declared (${p.role})`, peer: 'missing' })
      continue
    }
    if (p.role === o.role) out.push({ what: `${what} role`, local: p.role, peer: `${o.role} too (one must be primary, the other secondary)` })
    for (const k of ['primary', 'secondary'] as const) {
      if (p[k] !== o[k]) out.push({ what: `${what} ${k} server address:port`, local: p[k], peer: o[k] })
    }
    for (const k of PRIMARY_ONLY) {
      const mine = p[k]
      const theirs = o[k]
      // The secondary may leave primary-only parameters out; when both give one, they must agree.
      const secondaryOmits = (p.role === 'secondary' && mine === null) || (o.role === 'secondary' && theirs === null)
      if (mine !== theirs && !secondaryOmits) out.push({ what: `${what} ${k}`, local: show(mine), peer: show(theirs) })
    }
    if (p.loadBalanceMaxSeconds !== o.loadBalanceMaxSeconds) {
      out.push({ what: `${what} load balance max seconds`, local: show(p.loadBalanceMaxSeconds), peer: show(o.loadBalanceMaxSeconds) })
    }
  }
  const am = new Set(a.map((p) => p.name))
  for (const p of b) if (!am.has(p.name)) out.push({ what: `failover peer "${p.name}"`, local: 'missing', peer: `declared (${p.role})` })
}
