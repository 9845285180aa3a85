/**
 * VRRP timer arithmetic (RFC 3768 §6.1, RFC 5798 §6.1), as keepalived computes it
 * (`VRRP_TIMER_SKEW`, `VRRP_MS_DOWN_TIMER`) but in exact milliseconds: the /256 keeps every
 * value a binary fraction, so a priority-90 backup's master-down interval is 3648.4375 ms.
 */

/** Skew_Time = ((256 − Priority) × Master_Adver_Interval) / 256 (RFC 5798 §6.1; RFC 3768 in seconds). */
export function skewTimeMs(priority: number, masterAdvertIntervalMs: number): number {
  return ((256 - priority) * masterAdvertIntervalMs) / 256
}

/** Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time (RFC 3768 §6.1, RFC 5798 §6.1). */
export function masterDownIntervalMs(priority: number, masterAdvertIntervalMs: number): number {
  return 3 * masterAdvertIntervalMs + skewTimeMs(priority, masterAdvertIntervalMs)
}
