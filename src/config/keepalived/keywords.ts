/**
 * The keywords of a `vrrp_instance` block: those hadhcpd reads (with how many words each
 * takes), keepalived keywords accepted with a warning because they do not change what goes
 * on the wire, and keepalived keywords rejected because they would change behaviour hadhcpd
 * does not implement. Unknown words are errors with a did-you-mean hint.
 */

/** Keywords hadhcpd reads, with the number of words each takes (−1: a block). */
export const SUPPORTED = new Map<string, number>([
  ['state', 1], ['interface', 1], ['virtual_router_id', 1], ['priority', 1], ['advert_int', 1], ['nopreempt', 0],
  ['preempt_delay', 1], ['version', 1], ['vrrp_version', 1], ['unicast_src_ip', 1], ['mcast_src_ip', 1],
  ['garp_master_delay', 1], ['garp_master_repeat', 1], ['garp_master_refresh', 1], ['garp_master_refresh_repeat', 1],
  ['authentication', -1], ['virtual_ipaddress', -1], ['unicast_peer', -1], ['track_interface', -1], ['dont_track_primary', 0],
])

/** keepalived keywords that do not change what goes on the wire: accepted with a warning. */
export const IGNORED = new Map<string, string>([
  ['notify', 'notify scripts are not run; hadhcpd logs state changes (VRRP_ENTER_*)'],
  ['notify_master', 'notify scripts are not run; hadhcpd logs state changes (VRRP_ENTER_*)'],
  ['notify_backup', 'notify scripts are not run; hadhcpd logs state changes (VRRP_ENTER_*)'],
  ['notify_fault', 'notify scripts are not run; hadhcpd logs state changes (VRRP_ENTER_*)'],
  ['notify_stop', 'notify scripts are not run; hadhcpd logs state changes (VRRP_ENTER_*)'],
  ['smtp_alert', 'hadhcpd sends no mail'],
  ['debug', 'use hadhcpd\'s log level'],
  ['promote_secondaries', 'hadhcpd adds the VIPs as secondary addresses already'],
  ['garp_lower_prio_delay', 'no gratuitous ARPs are sent on lower-priority adverts'],
  ['garp_lower_prio_repeat', 'no gratuitous ARPs are sent on lower-priority adverts'],
])

/** keepalived keywords that would change behaviour hadhcpd does not implement: errors. */
export const UNSUPPORTED = new Map<string, string>([
  ['track_script', 'hadhcpd lowers the priority from its own DHCP health instead (see --vrrp-health)'],
  ['track_process', 'hadhcpd lowers the priority from its own DHCP health instead'],
  ['track_file', 'hadhcpd lowers the priority from its own DHCP health instead'],
  ['track_bfd', 'BFD is not implemented'],
  ['use_vmac', 'virtual MAC interfaces are not implemented'],
  ['vmac_xmit_base', 'virtual MAC interfaces are not implemented'],
  ['use_ipvlan', 'ipvlan interfaces are not implemented'],
  ['virtual_ipaddress_excluded', 'every VIP is advertised; list them in virtual_ipaddress'],
  ['virtual_routes', 'routes are not managed'],
  ['virtual_rules', 'rules are not managed'],
  ['strict_mode', 'strict mode is not implemented'],
  ['accept', 'accept mode is not implemented'],
  ['no_accept', 'accept mode is not implemented'],
  ['native_ipv6', 'hadhcpd runs VRRP for IPv4 only'],
  ['lower_prio_no_advert', 'keepalived\'s default behaviour is the one implemented'],
  ['higher_prio_send_advert', 'keepalived\'s default behaviour is the one implemented'],
  ['unicast_ttl', 'adverts are sent and checked with TTL 255'],
  ['sync_group_tracking_weight', 'sync groups are not implemented'],
])

