/**
 * A keepalived `vrrp_instance` (config/keepalived) seen from the VRRP side: the machine's
 * configuration, what received adverts must match (validate.ts), and the advert we send.
 * Pure glue so the driver never re-derives any of these.
 */
import type { VrrpInstance } from '../../config/keepalived/model.js'
import {
  AUTH_DATA_LENGTH, AUTH_TYPE_NONE, AUTH_TYPE_SIMPLE_TEXT, VRRP_TYPE_ADVERTISEMENT, passAuthData, type Advert,
} from '../../protocol/vrrp/advert.js'
import type { AdvertExpectation } from '../../protocol/vrrp/validate.js'
import type { MachineConfig } from './machine.js'

/**
 * The machine configuration for `inst`. `primaryAddress` is the source address adverts go out
 * with: `unicast_src_ip` when set, else the interface's primary IPv4 address, which the
 * driver looks up (keepalived does the same).
 */
export function machineConfigFor(inst: VrrpInstance, interfaceAddress: number): MachineConfig {
  return {
    name: inst.name,
    interface: inst.interface,
    priority: inst.priority,
    advertIntervalMs: inst.advertIntervalMs,
    version: inst.version,
    preempt: inst.preempt,
    preemptDelayMs: inst.preemptDelayMs,
    primaryAddress: inst.unicastSrcIp ?? interfaceAddress,
    vips: inst.virtualAddresses.map((v) => v.address),
    garpMasterDelayMs: inst.garpMasterDelayMs,
    garpMasterRepeat: inst.garpMasterRepeat,
    garpMasterRefreshMs: inst.garpMasterRefreshMs,
    garpMasterRefreshRepeat: inst.garpMasterRefreshRepeat,
  }
}

/** What keepalived's receive checks compare against for `inst`. */
export function advertExpectationFor(inst: VrrpInstance): AdvertExpectation {
  return {
    version: inst.version,
    vrid: inst.virtualRouterId,
    advertIntervalMs: inst.advertIntervalMs,
    authPass: inst.authPass,
    addresses: inst.virtualAddresses.map((v) => v.address),
    unicastPeers: inst.unicastPeers,
  }
}

/** The advert `inst` sends with `priority` (the machine's `send-advert` effect). */
export function advertFor(inst: VrrpInstance, priority: number): Advert {
  const base = { type: VRRP_TYPE_ADVERTISEMENT, vrid: inst.virtualRouterId, priority, addresses: inst.virtualAddresses.map((v) => v.address) }
  if (inst.version === 3) return { ...base, version: 3, maxAdvertIntervalCs: Math.round(inst.advertIntervalMs / 10), reserved: 0 }
  return {
    ...base, version: 2,
    authType: inst.authPass === undefined ? AUTH_TYPE_NONE : AUTH_TYPE_SIMPLE_TEXT,
    advertIntervalSec: Math.round(inst.advertIntervalMs / 1000),
    authData: inst.authPass === undefined ? new Uint8Array(AUTH_DATA_LENGTH) : passAuthData(inst.authPass),
  }
}

/** Where adverts go: each unicast peer, or the VRRP multicast group 224.0.0.18. */
export function advertDestinations(inst: VrrpInstance): readonly number[] {
  return inst.unicastPeers.length > 0 ? inst.unicastPeers : [0xe0000012]
}
