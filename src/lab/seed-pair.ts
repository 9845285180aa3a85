/**
 * The configuration files of `npm run lab`: seed 001's failover pair (peer "ha-dhcp", split 128
 * on the primary, the peer declarations in each node's dhcpd.conf and one shared include with the
 * subnet, the pool and the fixed host DHCPc) plus seed 000's keepalived `vrrp_instance VI_1`
 * (both `state MASTER`, priorities 99/90, VRID 51, PASS 1111, a /32 VIP) — rewritten from
 * 10.0.10.0/24 into 198.18.0.0/15, with a small MCLT and short leases so that the demo moves.
 *
 * Layout (examples/seed-pair/ has the same files with the seeds' own addresses):
 *   client LAN 198.18.10.0/24 (seed 001's 10.0.10.0/24): the clients, the relay at .254 (the
 *     seed's router), DHCPc's fixed address .9, the pool .10–.250;
 *   server LAN 198.18.11.0/24: node1 .251, node2 .252 (the seed's node addresses), the relay
 *     .254, the VIP .246 (seed 000's VIP host number) that the relay forwards to.
 * Pure: returns file contents; the caller writes them.
 */
export const FAILOVER_NAME = 'ha-dhcp'
export const VRRP_INSTANCE = 'VI_1'

export interface NodeAddresses {
  readonly name: 'node1' | 'node2'
  readonly role: 'primary' | 'secondary'
  /** Address on the server LAN (failover endpoint, server identifier). */
  readonly address: string
  readonly vrrpPriority: number
}

export interface PairLayout {
  readonly clientNet: string
  readonly clientMask: string
  readonly clientPrefixLength: number
  readonly router: string
  readonly broadcast: string
  readonly rangeStart: string
  readonly rangeEnd: string
  readonly serverNet: string
  readonly serverMask: string
  readonly serverPrefixLength: number
  readonly relayServerSide: string
  readonly vip: string
  readonly nameServers: string
  readonly fixedHost: { readonly name: string; readonly mac: string; readonly address: string }
  readonly failoverPort: number
  readonly mclt: number
  readonly leaseTime: number
  readonly maxResponseDelay: number
  readonly nodes: readonly [NodeAddresses, NodeAddresses]
}

export const LAB_LAYOUT: PairLayout = {
  clientNet: '198.18.10.0',
  clientMask: '255.255.255.0',
  clientPrefixLength: 24,
  router: '198.18.10.254',
  broadcast: '198.18.10.255',
  rangeStart: '198.18.10.10',
  rangeEnd: '198.18.10.250',
  serverNet: '198.18.11.0',
  serverMask: '255.255.255.0',
  serverPrefixLength: 24,
  relayServerSide: '198.18.11.254',
  vip: '198.18.11.246',
  // The seed's 1.1.1.1 and 9.9.9.9 are outside the lab's range; the relay stands in.
  nameServers: '198.18.10.254',
  fixedHost: { name: 'DHCPc', mac: '08:00:27:d9:45:96', address: '198.18.10.9' },
  failoverPort: 678,
  mclt: 30,
  leaseTime: 30,
  maxResponseDelay: 15,
  nodes: [
    { name: 'node1', role: 'primary', address: '198.18.11.251', vrrpPriority: 99 },
    { name: 'node2', role: 'secondary', address: '198.18.11.252', vrrpPriority: 90 },
  ],
}

/** The shared include (seed 001's dhcpd.conf.SHARED with the host group), plus the server LAN. */
export function sharedConf(l: PairLayout): string {
  return `# CLIENTS (seed 001's dhcpd.conf.SHARED in 198.18.10.0/24; identical on both nodes)
subnet ${l.clientNet} netmask ${l.clientMask} {
  default-lease-time         ${l.leaseTime};
  max-lease-time             ${l.leaseTime};
  option routers             ${l.router};
  option broadcast-address   ${l.broadcast};
  option subnet-mask         ${l.clientMask};
  option domain-search       "domain.com";
  option domain-name-servers ${l.nameServers};

  group
  {
    host ${l.fixedHost.name} {
      hardware ethernet ${l.fixedHost.mac};
      fixed-address ${l.fixedHost.address};
    }
  }

  pool {
    failover peer "${FAILOVER_NAME}";
    range ${l.rangeStart} ${l.rangeEnd};
  }
}

# The servers' own LAN: relayed requests arrive here (nothing is handed out on it).
subnet ${l.serverNet} netmask ${l.serverMask} {
}
`
}

/** A node's dhcpd.conf: seed 001's "# CORE" peer declaration, then the shared include. */
export function nodeConf(l: PairLayout, node: NodeAddresses, sharedPath: string): string {
  const other = l.nodes[0].name === node.name ? l.nodes[1] : l.nodes[0]
  return `# CORE (seed 001, ${node.role})
failover peer "${FAILOVER_NAME}" {
  ${node.role};
  address ${node.address};
  port ${l.failoverPort};
  peer address ${other.address};
  peer port ${l.failoverPort};
  max-response-delay ${l.maxResponseDelay};
  max-unacked-updates 10;
  mclt ${l.mclt};
${node.role === 'primary' ? '  split 128;\n' : ''}  load balance max seconds 3;
}

include "${sharedPath}";
`
}

/** One seed 000-shaped `vrrp_instance VI_1` (VRID 51, advert_int 1, PASS 1111, one /32 VIP). */
export interface VrrpInstanceSpec {
  readonly iface: string
  readonly state: 'MASTER' | 'BACKUP'
  readonly priority: number
  readonly vip: string
  readonly routerId: string
  readonly version?: 2 | 3
  readonly nopreempt?: boolean
  /** unicast_src_ip / unicast_peer instead of 224.0.0.18. */
  readonly unicast?: { readonly src: string; readonly peer: string }
}

/** keepalived.conf text for `s` (shared by the lab and the VRRP interop tests). */
export function seed000Instance(s: VrrpInstanceSpec): string {
  return `global_defs {
    router_id ${s.routerId}
${s.version === 3 ? '    vrrp_version 3\n' : ''}}

vrrp_instance ${VRRP_INSTANCE} {
    state ${s.state}
    interface ${s.iface}
    virtual_router_id 51
    priority ${s.priority}
    advert_int 1
${s.nopreempt === true ? '    nopreempt\n' : ''}${s.unicast === undefined ? '' : `    unicast_src_ip ${s.unicast.src}\n    unicast_peer {\n        ${s.unicast.peer}\n    }\n`}    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        ${s.vip}/32
    }
}
`
}

/** Seed 000's keepalived.conf instance for `node` on interface `iface` (both say `state MASTER`). */
export function keepalivedConf(l: PairLayout, node: NodeAddresses, iface: string): string {
  return seed000Instance({ iface, state: 'MASTER', priority: node.vrrpPriority, vip: l.vip, routerId: `hadhcpd-${node.name}` })
}
