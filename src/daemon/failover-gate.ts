/**
 * The engine's failover gate (pipeline `haFilter`): what the relationship's current state lets
 * the server answer (servicePolicy, failover-protocol.md §3.1) and, in NORMAL, RFC 3074 load
 * balancing of DISCOVERs (§5.3). DHCPINFORM is never gated. With several relationships the
 * first one decides (pools of one server normally share one peer).
 */
import type { HaFilter } from '../core/pipeline.js'
import { loadBalance, loadBalanceKey } from '../ha/failover/load-balance.js'
import type { FailoverPeerDriver } from './failover-peer.js'

const DHCPINFORM = 8

export function failoverHaFilter(drivers: readonly FailoverPeerDriver[]): HaFilter {
  return (query) => {
    if (query.messageType === DHCPINFORM) return { accept: true }
    const d = drivers[0]
    if (d === undefined) return { accept: true }
    const policy = d.policy()
    if (!policy.responding) return { accept: false, reason: `not responding${policy.reason}`, code: 'not_serving_failover_state' }
    const hba = d.hashBuckets
    if (!policy.loadBalance || hba === undefined) return { accept: true }
    const verdict = loadBalance({
      state: d.state,
      role: d.cfg.role,
      hba,
      maxSeconds: d.peer.loadBalanceMaxSeconds,
      messageType: query.messageType,
      secs: query.secs,
      key: loadBalanceKey(query.clientId, query.chaddr, query.chaddr.length),
      peerHasFreeLeases: d.peerHasFreeLeases(),
    })
    return verdict.serve ? { accept: true } : { accept: false, reason: `load balance to peer (bucket ${verdict.bucket ?? -1})`, code: 'load_balanced_to_peer' }
  }
}
