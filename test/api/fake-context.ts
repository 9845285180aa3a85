/** An in-memory ControlContext recording the actions it was asked to do. */
import type { ActionResult, ControlContext, LeaseAction, LeaseFilter, LeaseView, ReloadResult, SharedConfigView, ShutdownView, StaticAsset, StatusView } from '../../src/api/types.js'
import { EventRing } from '../../src/api/events.js'

export function lease(ip: string, patch: Partial<LeaseView> = {}): LeaseView {
  return {
    ip, state: 'active', mac: '02:00:00:00:00:01', clientId: null, hostname: 'laptop',
    starts: '2026-12-07T06:00:00.000Z', ends: '2026-12-07T07:00:00.000Z', cltt: '2026-12-07T06:00:00.000Z',
    tstp: null, tsfp: null, atsfp: null, pool: '198.18.0.0/24#0', ...patch,
  }
}

export const STATUS: StatusView = {
  version: '0.1.0', startedAt: '2026-12-07T06:00:00.000Z', uptimeSeconds: 12,
  config: { file: '/etc/dhcp/dhcpd.conf', sha256: 'ab'.repeat(32), loadedAt: '2026-12-07T06:00:00.000Z' },
  leaseFile: '/var/lib/dhcp/dhcpd.leases',
  interfaces: [{ name: 'eth0', transport: 'udp' }],
  failover: [{
    peer: 'dhcp-failover', role: 'primary', state: 'normal', stateSince: '2026-12-07T06:00:00.000Z', partnerState: 'normal',
    partnerStateSince: null, connected: true, lastContact: '2026-12-07T06:00:10.000Z', clockSkewSeconds: 0, mclt: 3600, split: 128,
    unackedUpdates: 0, pendingUpdates: 0, poolBalance: { free: 45, backup: 45 },
  }],
  vrrp: [{
    instance: 'VI_1', vrid: 51, interface: 'eth2', state: 'MASTER', configuredPriority: 99, effectivePriority: 99, priorityOverride: null,
    healthReasons: [], vips: ['198.18.0.246/32'], holdsVip: true, masterAddress: '198.18.0.2',
  }],
}

export const SHARED: SharedConfigView = {
  subnets: [{ subnet: '198.18.0.0/24', sharedNetwork: null, pools: [{ failoverPeer: 'dhcp-failover', ranges: ['198.18.0.10-198.18.0.100'] }] }],
  failoverPeers: [{
    name: 'dhcp-failover', role: 'primary', primary: '198.18.0.2:647', secondary: '198.18.0.3:647', mclt: 3600, split: 128, hba: null,
    loadBalanceMaxSeconds: 3,
  }],
}

export const SHUTDOWN: ShutdownView = {
  stopping: true,
  message: 'hadhcpd is stopping; the partner of dhcp-failover is in partner-down and serves the whole pool',
  failover: [{
    peer: 'dhcp-failover', outcome: 'confirmed', confirmed: true, previousState: 'normal', recordedState: 'recover',
    recordedStateSince: '2026-12-07T05:59:00.000Z', backdated: true, partnerState: 'partner-down', pendingUpdates: 0, waitedMs: 12,
    message: 'failover peer dhcp-failover: graceful shutdown: the peer confirmed partner-down after 12 ms; recover recorded, STOS backdated by MCLT (60 s): no recover-wait on restart',
  }],
}

export class FakeContext implements ControlContext {
  readonly calls: string[] = []
  readonly ring = new EventRing(3)
  leaseList: LeaseView[] = [lease('198.18.0.10'), lease('198.18.0.11', { mac: '02:00:00:00:00:02', hostname: 'printer', state: 'free' })]
  reloadResult: ReloadResult = { ok: true }
  metricsText?: () => string
  staticAsset?: (path: string) => StaticAsset | undefined
  partnerDown?: (peer: string) => Promise<ActionResult<{ readonly state: string }>> = async (peer) => {
    this.calls.push(`partner-down ${peer}`)
    return peer === 'dhcp-failover' ? { ok: true, state: 'partner-down' } : { ok: false, status: 404, error: 'not-found', message: `no failover peer ${peer}` }
  }

  shutdown?: () => Promise<ActionResult<ShutdownView>> = async () => {
    this.calls.push('shutdown')
    return { ok: true, ...SHUTDOWN }
  }

  status(): StatusView { return STATUS }
  pools() {
    return [{ id: '198.18.0.0/24#0', subnet: '198.18.0.0/24', sharedNetwork: null, ranges: ['198.18.0.10-198.18.0.100'], failoverPeer: 'dhcp-failover',
      total: 91, free: 40, backup: 40, active: 10, expired: 0, released: 1, abandoned: 0, reset: 0, utilisation: 0.1099 }]
  }
  leases(f: LeaseFilter) {
    this.calls.push(`leases ${JSON.stringify(f)}`)
    return this.leaseList.filter((l) => (f.ip === undefined || l.ip === f.ip) && (f.mac === undefined || l.mac === f.mac)
      && (f.state === undefined || l.state === f.state) && (f.hostname === undefined || (l.hostname ?? '').includes(f.hostname)))
  }
  lease(ip: string) { return this.leaseList.find((l) => l.ip === ip) }
  async leaseHistory(ip: string) { return [{ at: '2026-12-07T06:00:00.000Z', state: 'active', mac: '02:00:00:00:00:01', clientId: null, ends: null, ip }].map(({ ip: _ip, ...h }) => h) }
  events(since: number) { return this.ring.since(since) }
  sharedConfig() { return SHARED }
  reload() { this.calls.push('reload'); return this.reloadResult }
  async leaseAction(ip: string, action: LeaseAction): Promise<ActionResult<{ readonly lease: LeaseView }>> {
    this.calls.push(`${action} ${ip}`)
    const l = this.lease(ip)
    if (l === undefined) return { ok: false, status: 404, error: 'not-found', message: `no lease for ${ip}` }
    return { ok: true, lease: { ...l, state: action === 'abandon' ? 'abandoned' : 'free' } }
  }
  async deleteLease(ip: string): Promise<ActionResult> {
    this.calls.push(`delete ${ip}`)
    return this.lease(ip) === undefined ? { ok: false, status: 404, error: 'not-found', message: `no lease for ${ip}` } : { ok: true }
  }
  async rebalance(peer: string): Promise<ActionResult> {
    this.calls.push(`rebalance ${peer}`)
    return { ok: true }
  }
  vrrpOverride(instance: string, o: number | 'step-down' | null): ActionResult<{ readonly effectivePriority: number }> {
    this.calls.push(`vrrp ${instance} ${String(o)}`)
    if (instance !== 'VI_1') return { ok: false, status: 404, error: 'not-found', message: `no vrrp instance ${instance}` }
    return { ok: true, effectivePriority: o === null ? 99 : o === 'step-down' ? 0 : o }
  }
}
