/**
 * keepalived 2.2.7's bytes as docs/raw-sockets-vrrp-clients.md §3.1 records them, typed by
 * hand from the doc (never produced by our encoder). A = 198.18.50.11 (MAC 02:fa:00:00:00:01),
 * peer B = 198.18.50.12, VIP 198.18.50.100, VRID 51, advert_int 1, PASS 1111.
 */
import { hex } from '../../helpers/bytes.js'

/** v2, priority 99: the full 54-byte frame (Ethernet, IPv4 with IP_HDRINCL header, VRRP). */
export const V2_P99_FRAME = hex(`
  01 00 5e 00 00 12  02 fa 00 00 00 01  08 00                  # eth: 224.0.0.18 multicast MAC, A, IPv4
  45 c0 00 28 00 01 00 00 ff 70 e2 74 c6 12 32 0b e0 00 00 12  # ip: TOS c0, len 40, id 1, TTL 255, proto 112
  21 33 63 01 01 01 1f f1 c6 12 32 64 31 31 31 31 00 00 00 00  # vrrp v2 advert VRID 51 prio 99
`)

/** v2 VRRP bytes alone, priority 99 (checksum 0x1ff1). */
export const V2_P99 = hex('21 33 63 01 01 01 1f f1 c6 12 32 64 31 31 31 31 00 00 00 00')
/** v2 from peer B, priority 90: same bytes except priority 0x5a and checksum 0x28f1. */
export const V2_P90 = hex('21 33 5a 01 01 01 28 f1 c6 12 32 64 31 31 31 31 00 00 00 00')
/** v2 shutdown advert: priority 0, checksum 0x82f1. */
export const V2_P0 = hex('21 33 00 01 01 01 82 f1 c6 12 32 64 31 31 31 31 00 00 00 00')

/** v3 (`vrrp_version 3`), priority 99: IPv4 header + VRRP (max-adver-int 100 cs, checksum 0x9a43). */
export const V3_P99_IP = hex(`
  45 c0 00 20 00 01 00 00 ff 70 e2 7c c6 12 32 0b e0 00 00 12  # ip: len 32, TTL 255, proto 112
  31 33 63 01 00 64 9a 43 c6 12 32 64                          # vrrp v3 advert VRID 51 prio 99
`)
export const V3_P99 = hex('31 33 63 01 00 64 9a 43 c6 12 32 64')

/** The gratuitous ARP node B (MAC 02:fa:00:00:00:02) sent for the VIP on becoming MASTER. */
export const GARP_B = hex(`
  ff ff ff ff ff ff  02 fa 00 00 00 02  08 06                  # eth: broadcast, B, ARP
  00 01 08 00 06 04 00 01                                      # Ethernet/IPv4, request
  02 fa 00 00 00 02  c6 12 32 64                               # sender: B's MAC, VIP
  ff ff ff ff ff ff  c6 12 32 64                               # target: broadcast MAC, VIP
`)

export const A = 0xc612320b // 198.18.50.11
export const B = 0xc612320c // 198.18.50.12
export const VIP = 0xc6123264 // 198.18.50.100
export const GROUP = 0xe0000012 // 224.0.0.18
export const MAC_B = hex('02 fa 00 00 00 02')
