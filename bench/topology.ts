/**
 * The benchmark lab (docs/benchmarking.md §3, with our own `hbn-` names):
 *
 *   ns hbn-cli  [hbn-c0 198.18.0.2/16] --veth--+
 *   ns hbn-srv1 [hbn-s1 198.18.0.1/16] --veth--+-- bridge hbn-br (in ns hbn-sw)
 *
 * perfdhcp acts as a relay (giaddr 198.18.0.2), so the served subnet must contain it.
 */
import type { LabSpec } from '../src/lab/netns.js'

export const LAB_PREFIX = 'hbn-'

export const CLIENT = { ns: 'hbn-cli', iface: 'hbn-c0', ip: '198.18.0.2', prefixLength: 16 } as const
export const SERVER = { ns: 'hbn-srv1', iface: 'hbn-s1', ip: '198.18.0.1', prefixLength: 16 } as const

export const SERVED_SUBNET = { network: '198.18.0.0', netmask: '255.255.0.0', cidr: '198.18.0.0/16' } as const
/** 65,279 addresses. */
export const POOL = { first: '198.18.1.0', last: '198.18.255.254' } as const
export const LEASE_TIME_S = 3600

export const BENCH_LAB: LabSpec = {
  prefix: LAB_PREFIX,
  switchNs: 'hbn-sw',
  bridge: 'hbn-br',
  members: [
    { ns: CLIENT.ns, iface: CLIENT.iface, address: `${CLIENT.ip}/${CLIENT.prefixLength}`, mac: '02:18:00:00:00:02' },
    { ns: SERVER.ns, iface: SERVER.iface, address: `${SERVER.ip}/${SERVER.prefixLength}`, mac: '02:18:00:00:00:01' },
  ],
}
