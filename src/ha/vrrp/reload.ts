/**
 * SIGHUP for keepalived.conf, pure: what a reloaded `vrrp_instance` changes on a running one.
 * Like keepalived's reload, priority, advert_int, preemption, authentication, the VIP list, GARP
 * settings and interface tracking are applied in place (the machine keeps its state; a MASTER
 * swaps its VIPs and sends gratuitous ARPs for the new ones). What would need new sockets or a
 * new identity on the wire — interface, virtual_router_id, VRRP version, unicast_src_ip /
 * unicast_peer — and added or removed instances are reported and keep their running values
 * until a restart, so a reload never leaves an instance half-built.
 */
import type { KeepalivedConfig, VrrpInstance } from '../../config/keepalived/model.js'

export interface InstanceReload {
  readonly name: string
  /** The instance to run from now on (running values kept for what cannot change). */
  readonly instance: VrrpInstance
  /** keepalived keywords whose new values are applied. */
  readonly applied: readonly string[]
  /** keepalived keywords that changed but need a restart. */
  readonly restartNeeded: readonly string[]
}

export interface ReloadPlan {
  readonly instances: readonly InstanceReload[]
  /** Instances in the new file that are not running (need a restart). */
  readonly added: readonly string[]
  /** Running instances missing from the new file (kept running until a restart). */
  readonly removed: readonly string[]
}

const sameList = <T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean): boolean =>
  a.length === b.length && a.every((x, i) => eq(x, b[i]!))

type Field = { keyword: string; same: (a: VrrpInstance, b: VrrpInstance) => boolean }

const APPLIED: readonly Field[] = [
  { keyword: 'priority', same: (a, b) => a.priority === b.priority },
  { keyword: 'advert_int', same: (a, b) => a.advertIntervalMs === b.advertIntervalMs },
  { keyword: 'nopreempt', same: (a, b) => a.preempt === b.preempt },
  { keyword: 'preempt_delay', same: (a, b) => a.preemptDelayMs === b.preemptDelayMs },
  { keyword: 'authentication', same: (a, b) => a.authPass === b.authPass },
  {
    keyword: 'virtual_ipaddress',
    same: (a, b) => sameList(a.virtualAddresses, b.virtualAddresses, (x, y) => x.address === y.address && x.prefix === y.prefix && x.dev === y.dev && x.label === y.label),
  },
  { keyword: 'garp_master_delay', same: (a, b) => a.garpMasterDelayMs === b.garpMasterDelayMs },
  { keyword: 'garp_master_repeat', same: (a, b) => a.garpMasterRepeat === b.garpMasterRepeat },
  { keyword: 'garp_master_refresh', same: (a, b) => a.garpMasterRefreshMs === b.garpMasterRefreshMs && a.garpMasterRefreshRepeat === b.garpMasterRefreshRepeat },
  {
    keyword: 'track_interface',
    same: (a, b) => a.trackPrimary === b.trackPrimary && sameList(a.trackInterfaces, b.trackInterfaces, (x, y) => x.name === y.name && x.weight === y.weight),
  },
  { keyword: 'state', same: (a, b) => a.initialState === b.initialState },
]

const RESTART: readonly Field[] = [
  { keyword: 'interface', same: (a, b) => a.interface === b.interface },
  { keyword: 'virtual_router_id', same: (a, b) => a.virtualRouterId === b.virtualRouterId },
  { keyword: 'vrrp_version', same: (a, b) => a.version === b.version },
  { keyword: 'unicast_src_ip', same: (a, b) => a.unicastSrcIp === b.unicastSrcIp },
  { keyword: 'unicast_peer', same: (a, b) => sameList(a.unicastPeers, b.unicastPeers, (x, y) => x === y) },
]

export function planReload(running: KeepalivedConfig, next: KeepalivedConfig): ReloadPlan {
  const nextByName = new Map(next.instances.map((i) => [i.name, i]))
  const runningNames = new Set(running.instances.map((i) => i.name))
  const instances: InstanceReload[] = []
  const removed: string[] = []
  for (const old of running.instances) {
    const nu = nextByName.get(old.name)
    if (nu === undefined) {
      removed.push(old.name)
      continue
    }
    const restartNeeded = RESTART.filter((f) => !f.same(old, nu)).map((f) => f.keyword)
    const applied = APPLIED.filter((f) => !f.same(old, nu)).map((f) => f.keyword)
    const instance: VrrpInstance = {
      ...nu,
      interface: old.interface, virtualRouterId: old.virtualRouterId, version: old.version,
      unicastSrcIp: old.unicastSrcIp, unicastPeers: old.unicastPeers,
      // v3 carries no authentication; a version change is not applied, so keep the running one's.
      authPass: nu.version === old.version ? nu.authPass : old.authPass,
    }
    instances.push({ name: old.name, instance, applied, restartNeeded })
  }
  const added = next.instances.filter((i) => !runningNames.has(i.name)).map((i) => i.name)
  return { instances, added, removed }
}
