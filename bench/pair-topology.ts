/**
 * The pair-benchmark lab (docs/benchmarking.md §3 with our `hbp-x-` names): perfdhcp and both
 * peers on one bridge, so a broadcast DISCOVER reaches both servers of a pair.
 *
 *   ns hbp-x-cli  [hbp-c0 198.18.0.2/16] --veth--+
 *   ns hbp-x-srv1 [hbp-s1 198.18.0.1/16] --veth--+-- bridge hbp-br (in ns hbp-x-sw)
 *   ns hbp-x-srv2 [hbp-s2 198.18.0.3/16] --veth--+   (pairs only)
 *
 * The single-node kind runs in hbp-x-srv1 only (hbp-x-srv2 stays idle).
 */
import type { LabSpec } from '../src/lab/netns.js'

export const PAIR_LAB_PREFIX = 'hbp-x-'

export interface PairNode {
  readonly ns: string
  readonly iface: string
  readonly ip: string
}

export const PAIR_CLIENT = { ns: 'hbp-x-cli', iface: 'hbp-c0', ip: '198.18.0.2' } as const
export const NODE1: PairNode = { ns: 'hbp-x-srv1', iface: 'hbp-s1', ip: '198.18.0.1' }
export const NODE2: PairNode = { ns: 'hbp-x-srv2', iface: 'hbp-s2', ip: '198.18.0.3' }

export const PAIR_LAB: LabSpec = {
  prefix: PAIR_LAB_PREFIX,
  switchNs: 'hbp-x-sw',
  bridge: 'hbp-br',
  members: [
    { ns: PAIR_CLIENT.ns, iface: PAIR_CLIENT.iface, address: `${PAIR_CLIENT.ip}/16`, mac: '02:18:00:00:01:02' },
    { ns: NODE1.ns, iface: NODE1.iface, address: `${NODE1.ip}/16`, mac: '02:18:00:00:01:01' },
    { ns: NODE2.ns, iface: NODE2.iface, address: `${NODE2.ip}/16`, mac: '02:18:00:00:01:03' },
  ],
}
