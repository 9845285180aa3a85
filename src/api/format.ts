/**
 * Human-readable output for `hadhcpd ctl`: aligned tables and key/value blocks built from the
 * API's JSON views. Pure (strings in, strings out).
 */
import type { EventView, LeaseHistoryEntry, LeasePage, LeaseView, PoolView, ShutdownView, StatusView } from './types.js'
import type { PairDifference } from './pair-check.js'

/** Columns padded to their widest cell; `right` lists right-aligned (numeric) columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(headers), ...rows.map(line)].join('\n') + '\n'
}

const dash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v))

/** `2026-12-07T06:30:00.000Z` → `2026-12-07 06:30:00` (UTC). */
export function shortTime(t: string | null): string {
  return t === null ? '-' : t.replace('T', ' ').replace(/\.\d{3}Z$/, '')
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}

export function formatStatus(s: StatusView): string {
  const lines = [
    `hadhcpd ${s.version}, up ${duration(s.uptimeSeconds)} (since ${shortTime(s.startedAt)} UTC)`,
    `config     ${s.config.file} (sha256 ${s.config.sha256.slice(0, 12)}…, loaded ${shortTime(s.config.loadedAt)})`,
    `leases     ${s.leaseFile}`,
    `interfaces ${s.interfaces.length === 0 ? '-' : s.interfaces.map((i) => `${i.name} (${i.transport})`).join(', ')}`,
  ]
  let out = `${lines.join('\n')}\n`
  if (s.failover.length > 0) {
    out += '\nFailover\n'
    out += table(
      ['PEER', 'ROLE', 'STATE', 'PARTNER', 'LINK', 'LAST CONTACT', 'SKEW', 'MCLT', 'UNACKED', 'PENDING', 'FREE', 'BACKUP'],
      s.failover.map((f) => [
        f.peer, f.role, f.state, f.partnerState, f.connected ? 'up' : 'down', shortTime(f.lastContact),
        f.clockSkewSeconds === null ? '-' : `${f.clockSkewSeconds}s`, String(f.mclt), String(f.unackedUpdates), String(f.pendingUpdates),
        String(f.poolBalance.free), String(f.poolBalance.backup),
      ]),
      new Set([6, 7, 8, 9, 10, 11]),
    )
  }
  if (s.vrrp.length > 0) {
    out += '\nVRRP\n'
    out += table(
      ['INSTANCE', 'VRID', 'IFACE', 'STATE', 'PRIO', 'EFFECTIVE', 'OVERRIDE', 'VIP', 'MASTER', 'HEALTH'],
      s.vrrp.map((v) => [
        v.instance, String(v.vrid), v.interface, v.state, String(v.configuredPriority), String(v.effectivePriority),
        dash(v.priorityOverride), `${v.vips.join(',')}${v.holdsVip ? ' (held)' : ''}`, dash(v.masterAddress),
        v.healthReasons.length === 0 ? 'ok' : v.healthReasons.join(','),
      ]),
      new Set([1, 4, 5]),
    )
  }
  return out
}

/** `ctl shutdown`: the summary, then per failover relationship what the partner did and what was recorded. */
export function formatShutdown(v: ShutdownView): string {
  if (v.failover.length === 0) return `${v.message}\n`
  const rows = v.failover.map((f) => [
    f.peer,
    f.outcome,
    f.partnerState,
    f.outcome === 'confirmed' || f.outcome === 'unconfirmed' ? `${f.waitedMs} ms` : '-',
    `${f.recordedState} since ${shortTime(f.recordedStateSince)}${f.backdated ? ' (backdated by MCLT: no recover-wait on restart)' : ''}`,
  ])
  return `${v.message}\n${table(['PEER', 'HAND-OVER', 'PARTNER', 'WAITED', 'RECORDED (UTC)'], rows, new Set([3]))}`
}

export function formatPools(pools: readonly PoolView[]): string {
  if (pools.length === 0) return 'no pools\n'
  return table(
    ['POOL', 'RANGES', 'PEER', 'TOTAL', 'FREE', 'BACKUP', 'ACTIVE', 'EXPIRED', 'RELEASED', 'ABANDONED', 'USED'],
    pools.map((p) => [
      p.id, p.ranges.join(','), dash(p.failoverPeer), String(p.total), String(p.free), String(p.backup), String(p.active),
      String(p.expired), String(p.released), String(p.abandoned), percent(p.utilisation),
    ]),
    new Set([3, 4, 5, 6, 7, 8, 9, 10]),
  )
}

export function formatLeases(page: LeasePage): string {
  const rows = page.leases.map((l) => [l.ip, l.state, dash(l.mac), dash(l.hostname), shortTime(l.ends), dash(l.pool)])
  const body = rows.length === 0 ? 'no matching leases\n' : table(['IP', 'STATE', 'MAC', 'HOSTNAME', 'ENDS (UTC)', 'POOL'], rows)
  const shown = page.leases.length === 0 ? '' : `${page.offset + 1}-${page.offset + page.leases.length} of ${page.total}`
  return page.total > page.leases.length && shown !== '' ? `${body}(${shown}; --offset/--limit for more)\n` : body
}

export function formatLease(lease: LeaseView, history: readonly LeaseHistoryEntry[]): string {
  const fields: [string, string][] = [
    ['ip', lease.ip], ['state', lease.state], ['mac', dash(lease.mac)], ['client-id', dash(lease.clientId)], ['hostname', dash(lease.hostname)],
    ['starts', shortTime(lease.starts)], ['ends', shortTime(lease.ends)], ['cltt', shortTime(lease.cltt)], ['tstp', shortTime(lease.tstp)],
    ['tsfp', shortTime(lease.tsfp)], ['atsfp', shortTime(lease.atsfp)], ['pool', dash(lease.pool)],
  ]
  let out = fields.map(([k, v]) => `${k.padEnd(10)}${v}`).join('\n') + '\n'
  if (history.length > 0) {
    out += `\nHistory (lease file, oldest first)\n`
    out += table(['AT (UTC)', 'STATE', 'MAC', 'CLIENT-ID', 'ENDS (UTC)'], history.map((h) => [shortTime(h.at), h.state, dash(h.mac), dash(h.clientId), shortTime(h.ends)]))
  }
  return out
}

export function formatEvents(events: readonly EventView[]): string {
  if (events.length === 0) return 'no events\n'
  return events.map((e) => `${String(e.seq).padStart(6)} ${shortTime(e.at)} ${e.level.padEnd(5)} ${e.event}: ${e.text}`).join('\n') + '\n'
}

export function formatPairDifferences(local: string, peer: string, diffs: readonly PairDifference[]): string {
  if (diffs.length === 0) return `${local} and ${peer} agree on subnets, pools, ranges and failover parameters\n`
  return `${diffs.length} difference${diffs.length === 1 ? '' : 's'} between ${local} (local) and ${peer} (peer):\n` +
    table(['WHAT', 'LOCAL', 'PEER'], diffs.map((d) => [d.what, d.local, d.peer]))
}
