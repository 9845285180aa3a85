/** A readable, indented description of a compiled config for `hadhcpd check FILE`. */
import type { ServerConfig } from '../config/index.js'
import { resolveParameter } from '../config/index.js'
import { formatIPv4 } from '../lib/ip.js'
import { toColonHex } from '../lib/hex.js'
import type { ClasslessRoute, OptionValue } from '../protocol/dhcp/option-defs.js'

/** dhcpd.conf-like rendering of an option value's atoms. */
export function formatOptionValue(value: OptionValue): string {
  return value
    .map((a): string => {
      if (typeof a === 'string') return /^[0-9.]+$/.test(a) ? a : JSON.stringify(a)
      if (typeof a === 'number' || typeof a === 'boolean') return String(a)
      if (Buffer.isBuffer(a)) return toColonHex(a)
      if (Array.isArray(a)) return a.map((n) => JSON.stringify(n)).join(', ')
      const route = a as ClasslessRoute
      return `${route.destination}/${route.prefixLength} via ${route.router}`
    })
    .join(', ')
}

export function describeConfig(config: ServerConfig): string {
  const lines: string[] = []
  const authoritative = resolveParameter(config.global, 'authoritative') === true
  lines.push(`files: ${config.files.join(', ')}`)
  lines.push(`authoritative: ${authoritative ? 'yes' : 'no'}`)
  for (const peer of config.failoverPeers.values()) {
    const balance = peer.split !== undefined ? `split ${peer.split}` : peer.hba ? 'hba' : 'no split (secondary)'
    lines.push(
      `failover peer "${peer.name}": ${peer.role}, ${peer.address}:${peer.port} <-> ${peer.peerAddress}:${peer.peerPort}, ` +
        `mclt ${peer.mclt ?? '(from primary)'}, ${balance}, max-response-delay ${peer.maxResponseDelay}, ` +
        `max-unacked-updates ${peer.maxUnackedUpdates}, load balance max seconds ${peer.loadBalanceMaxSeconds}`,
    )
  }
  for (const subnet of config.subnets) {
    const lease = resolveParameter(subnet.scope, 'defaultLeaseTime')
    const max = resolveParameter(subnet.scope, 'maxLeaseTime')
    lines.push(
      `subnet ${formatIPv4(subnet.network)}/${subnet.prefixLength}` +
        (lease !== undefined ? ` default-lease-time ${lease}` : '') +
        (max !== undefined ? ` max-lease-time ${max}` : ''),
    )
    for (const opt of subnet.scope.options.values()) lines.push(`  option ${opt.def.name} ${formatOptionValue(opt.value)};`)
    for (const pool of subnet.pools) {
      const total = pool.ranges.reduce((n, r) => n + r.size, 0)
      const peer = pool.failoverPeer ? ` failover peer "${pool.failoverPeer}"` : ''
      lines.push(`  pool${peer}: ${pool.ranges.length} range(s), ${total} addresses`)
      for (const r of pool.ranges) {
        lines.push(`    range ${formatIPv4(r.first)} - ${formatIPv4(r.last)} (${r.size})${r.dynamicBootp ? ' dynamic-bootp' : ''}`)
      }
      for (const p of pool.permits) lines.push(`    ${p.allow ? 'allow' : 'deny'} ${p.subject.kind}`)
    }
  }
  for (const host of config.hosts) {
    const hw = host.hardware ? toColonHex(host.hardware.address) : host.clientId ? `client-id ${toColonHex(host.clientId)}` : '-'
    const fixed = [...host.fixedAddresses.map(formatIPv4), ...host.fixedAddressNames]
    lines.push(`host ${host.name}: ${hw}${fixed.length ? ' -> ' + fixed.join(', ') : ''}`)
  }
  return lines.join('\n') + '\n'
}
