/**
 * Every Prometheus metric hadhcpd exports, named in one place (README "Metrics" lists them
 * with their meaning): snake_case, the `hadhcpd_` prefix, `_total` on counters, base units
 * (`_seconds`, `_bytes`, ratios 0–1). Pure data; daemon/metrics.ts registers them.
 */
import { messageTypeName } from '../protocol/dhcp/constants.js'

export const METRIC_PREFIX = 'hadhcpd_'

export type MetricType = 'counter' | 'gauge' | 'histogram'

export interface MetricSpec {
  readonly name: string
  readonly type: MetricType
  readonly labels: readonly string[]
  readonly help: string
}

const spec = (name: string, type: MetricType, labels: readonly string[], help: string): MetricSpec => ({ name: METRIC_PREFIX + name, type, labels, help })

export const METRICS = {
  buildInfo: spec('build_info', 'gauge', ['version'], 'Always 1; the version label says which hadhcpd runs.'),
  packetsReceived: spec('dhcp_packets_received_total', 'counter', ['type'], 'DHCP packets received, by DHCP message type (option 53; "unknown" when absent).'),
  repliesSent: spec('dhcp_replies_sent_total', 'counter', ['type'], 'DHCP replies sent, by message type (offer, ack, nak).'),
  packetsDropped: spec('dhcp_packets_dropped_total', 'counter', ['reason'], 'DHCP packets that got no reply, by reason (RELEASE and DECLINE are not drops).'),
  requestDuration: spec('dhcp_request_duration_seconds', 'histogram', ['type'], 'Time from a query\'s arrival to its reply being sent (journal fsync included), by reply type.'),
  leases: spec('pool_leases', 'gauge', ['subnet', 'pool', 'state'], 'Addresses of each pool by binding state (never-used addresses count as free, or backup on a failover secondary).'),
  poolSize: spec('pool_addresses', 'gauge', ['subnet', 'pool'], 'Addresses in each pool.'),
  poolUtilisation: spec('pool_utilisation_ratio', 'gauge', ['subnet', 'pool'], 'Share of each pool\'s addresses leased out (active or bootp), 0 to 1.'),
  journalFsyncDuration: spec('journal_fsync_duration_seconds', 'histogram', [], 'Lease journal group commit: one write plus fdatasync, seconds.'),
  journalBatchRecords: spec('journal_batch_records', 'histogram', [], 'Records (leases, failover state blocks) made durable by one journal fsync.'),
  journalFsyncFailures: spec('journal_fsync_failures_total', 'counter', [], 'Journal writes or fsyncs that failed.'),
  failoverState: spec('failover_state', 'gauge', ['peer', 'state'], 'This server\'s failover state per relationship: 1 for the current state, 0 for the others.'),
  failoverPartnerState: spec('failover_partner_state', 'gauge', ['peer', 'state'], 'The partner\'s failover state as last heard: 1 for that state, 0 for the others.'),
  failoverLinkUp: spec('failover_link_up', 'gauge', ['peer'], '1 while the failover connection to the peer is established.'),
  failoverClockSkew: spec('failover_peer_clock_skew_seconds', 'gauge', ['peer'], 'Peer clock minus ours at the last failover handshake, seconds.'),
  bindingUpdatesSent: spec('failover_binding_updates_sent_total', 'counter', ['peer'], 'BNDUPD messages sent to the peer.'),
  bindingUpdatesAcked: spec('failover_binding_updates_acked_total', 'counter', ['peer'], 'Our BNDUPDs the peer acknowledged.'),
  bindingUpdatesRejected: spec('failover_binding_updates_rejected_total', 'counter', ['peer'], 'Our BNDUPDs the peer rejected.'),
  bindingUpdatesReceived: spec('failover_binding_updates_received_total', 'counter', ['peer'], 'BNDUPD messages received from the peer.'),
  bindingUpdatesRefused: spec('failover_binding_updates_refused_total', 'counter', ['peer'], 'Peer BNDUPDs we rejected.'),
  updateQueueDepth: spec('failover_update_queue_depth', 'gauge', ['peer'], 'Binding updates waiting to be sent or acknowledged.'),
  vrrpState: spec('vrrp_state', 'gauge', ['vrrp_instance', 'state'], 'VRRP instance state: 1 for the current state, 0 for the others.'),
  vrrpTransitions: spec('vrrp_transitions_total', 'counter', ['vrrp_instance'], 'VRRP state changes.'),
  vrrpPriority: spec('vrrp_effective_priority', 'gauge', ['vrrp_instance'], 'Priority advertised now (configured priority lowered by DHCP service health).'),
  vrrpConfiguredPriority: spec('vrrp_configured_priority', 'gauge', ['vrrp_instance'], 'Priority from keepalived.conf.'),
  vrrpAdvertsSent: spec('vrrp_adverts_sent_total', 'counter', ['vrrp_instance'], 'VRRP adverts sent.'),
  vrrpAdvertsReceived: spec('vrrp_adverts_received_total', 'counter', ['vrrp_instance'], 'Valid VRRP adverts received.'),
  vrrpAdvertsDropped: spec('vrrp_adverts_dropped_total', 'counter', ['vrrp_instance', 'reason'], 'VRRP adverts discarded, by reason.'),
} as const satisfies Readonly<Record<string, MetricSpec>>

/** Request latency buckets: 0.1 ms to 1 s (seconds). */
export const LATENCY_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
/** fsync buckets: 50 µs (NVMe) to 1 s (a struggling disk), seconds. */
export const FSYNC_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
/** Records per fsync: 1 (idle) to the commit batcher's 512-record cap and beyond. */
export const BATCH_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

/** The `type` label of a DHCP message type: `discover`, `ack`…, `unknown` when absent or not a DHCP type. */
export function messageTypeLabel(type: number | undefined): string {
  const name = type === undefined ? undefined : messageTypeName(type)
  return name === undefined ? 'unknown' : name.toLowerCase()
}

/** The message types a `type` label takes, so every series exists from the start. */
export const MESSAGE_TYPE_LABELS = ['discover', 'offer', 'request', 'decline', 'ack', 'nak', 'release', 'inform', 'unknown'] as const

/** The `reason` label of a drop or discard: snake_case (`auth-type` → `auth_type`). */
export function reasonLabel(reason: string): string {
  return reason.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
}

/** Prometheus metric name rules plus ours (snake_case, prefixed). */
export function isConventionalName(name: string): boolean {
  return /^hadhcpd_[a-z][a-z0-9_]*$/.test(name) && !name.includes('__')
}
