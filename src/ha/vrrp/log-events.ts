/**
 * Stable IDs of the VRRP machine's log events (the driver's logger and metrics key on these,
 * never on the text). Messages follow keepalived 2.2.7's wording so operators can grep both.
 */
export const VrrpLogEvents = {
  /** `(VI_1) Entering BACKUP STATE` (with ` (init)` at start-up). */
  ENTER_BACKUP: 'VRRP_ENTER_BACKUP',
  /** `(VI_1) Entering MASTER STATE`. */
  ENTER_MASTER: 'VRRP_ENTER_MASTER',
  /** `(VI_1) Entering FAULT STATE` — the DHCP service cannot serve. */
  ENTER_FAULT: 'VRRP_ENTER_FAULT',
  /** `(VI_1) Stopped` after a clean shutdown. */
  STOPPED: 'VRRP_STOPPED',
  /** `(VI_1) setting VIPs.` */
  VIPS_SET: 'VRRP_VIPS_SET',
  /** `(VI_1) removing VIPs.` */
  VIPS_REMOVED: 'VRRP_VIPS_REMOVED',
  /** `(VI_1) Sending/queueing gratuitous ARPs on eth2 for 10.223.0.246`. */
  GARPS_SENT: 'VRRP_GARPS_SENT',
  /** `(VI_1) sent 0 priority` — the fast hand-over advert on shutdown or fault. */
  SENT_PRIORITY_0: 'VRRP_SENT_PRIORITY_0',
  /** `(VI_1) Backup received priority 0 advertisement`. */
  RECEIVED_PRIORITY_0: 'VRRP_RECEIVED_PRIORITY_0',
  /** `(VI_1) received lower priority (90) advert from 198.18.50.12 - discarding`. */
  LOWER_PRIORITY_DISCARDED: 'VRRP_LOWER_PRIORITY_DISCARDED',
  /** `(VI_1) Master received advert from … with higher priority 99, ours 90`. */
  HIGHER_PRIORITY_MASTER: 'VRRP_HIGHER_PRIORITY_MASTER',
  /** `(VI_1) Received advert from … with lower priority 90, ours 99, forcing new election`. */
  FORCING_ELECTION: 'VRRP_FORCING_ELECTION',
  /** `(VI_1) start preempt delay (30.000)` — lower-priority master tolerated until the delay ends. */
  PREEMPT_DELAY_STARTED: 'VRRP_PREEMPT_DELAY_STARTED',
  /** `(VI_1) Changing effective priority from 99 to 49`. */
  PRIORITY_CHANGED: 'VRRP_PRIORITY_CHANGED',
} as const

export type VrrpLogEvent = (typeof VrrpLogEvents)[keyof typeof VrrpLogEvents]
