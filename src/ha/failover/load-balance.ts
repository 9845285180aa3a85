/**
 * Load balancing as ISC dhcpd 4.4.3 applies it (failover-protocol.md §5): the RFC 3074 §6 hash
 * over the client-identifier (or chaddr), the 32-byte hash bucket assignment (HBA) where a set
 * bit means the PRIMARY serves, and the DISCOVER-only, NORMAL-only gate with the
 * `load balance max seconds` override.
 */
import type { FailoverStateName } from '../../core/lease.js'

/** RFC 3074 §6 mixing table (a permutation of 0..255; same in ISC `loadb_mx_tbl` and Kea). */
const MIX = Uint8Array.from([
  251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232,
  31, 32, 55, 60, 152, 58, 17, 237, 174, 70, 160, 144, 220, 90, 57, 223,
  59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65,
  180, 48, 36, 15, 107, 46, 233, 130, 165, 30, 123, 161, 209, 23, 97, 16,
  40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108, 244, 67,
  207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5,
  20, 113, 71, 35, 128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245,
  230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115, 241, 73, 88, 105,
  39, 114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84,
  82, 163, 44, 139, 228, 236, 205, 242, 217, 11, 187, 146, 159, 64, 86, 239,
  195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253,
  137, 185, 99, 164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238,
  56, 110, 78, 248, 63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50,
  33, 104, 101, 69, 8, 252, 83, 120, 76, 135, 85, 54, 202, 125, 188, 213,
  96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1, 7, 254, 24, 4,
  216, 131, 89, 21, 28, 133, 37, 153, 149, 80, 170, 68, 6, 169, 234, 151,
])

/** The mixing table, read-only (for tests and tooling). */
export const RFC3074_MIXING_TABLE: Readonly<Uint8Array> = MIX

/**
 * RFC 3074 §6 hash: h = length mod 256, then walk the key from its LAST byte to its first,
 * h = T[h XOR byte]. Returns the bucket 0..255 (§5.1).
 */
export function loadBalanceHash(key: Uint8Array): number {
  let h = key.length & 0xff
  for (let i = key.length - 1; i >= 0; i--) h = MIX[h ^ key[i]!]!
  return h
}

/**
 * The hash key ISC uses (§5.2): the client-identifier (option 61) payload exactly as sent,
 * type byte included; otherwise the first `hlen` bytes of chaddr (no htype byte).
 */
export function loadBalanceKey(clientId: Uint8Array | undefined, chaddr: Uint8Array, hlen: number): Uint8Array {
  if (clientId !== undefined) return clientId
  return chaddr.subarray(0, Math.max(0, Math.min(hlen, chaddr.length)))
}

/** HBA for `split N` (0..256): buckets 0..N−1 set, i.e. served by the primary (§5.2). */
export function hbaFromSplit(split: number): Buffer {
  if (!Number.isInteger(split) || split < 0 || split > 256) throw new RangeError(`split ${split} outside 0..256`)
  const hba = Buffer.alloc(32)
  for (let b = 0; b < split; b++) hba[b >> 3]! |= 1 << (b & 7)
  return hba
}

/** Whether bucket `b` is the primary's: `hba[b >> 3] & (1 << (b & 7))`, set bit = primary (§0.7). */
export function bucketIsPrimary(hba: Uint8Array, bucket: number): boolean {
  return ((hba[bucket >> 3] ?? 0) & (1 << (bucket & 7))) !== 0
}

/** Which server the hash assigns `key` to. */
export function bucketOwner(hba: Uint8Array, key: Uint8Array): 'primary' | 'secondary' {
  return bucketIsPrimary(hba, loadBalanceHash(key)) ? 'primary' : 'secondary'
}

export interface LoadBalanceInput {
  /** Our failover state. */
  readonly state: FailoverStateName
  readonly role: 'primary' | 'secondary'
  /** The HBA in force: the primary's configured one, or the one received in CONNECT. */
  readonly hba: Uint8Array
  /** `load balance max seconds`; 0 (the default when absent) disables load balancing. */
  readonly maxSeconds: number
  /** DHCP message type (1 = DISCOVER). */
  readonly messageType: number
  /** The packet's `secs` field. */
  readonly secs: number
  /** {@link loadBalanceKey} of the packet. */
  readonly key: Uint8Array
  /** Whether the peer still has free-state leases in this shared network. */
  readonly peerHasFreeLeases: boolean
}

export type LoadBalanceReason =
  | 'not-discover'
  | 'not-normal'
  | 'disabled'
  | 'secs-over-max'
  | 'mine'
  | 'peer'
  | 'peer-has-no-free-leases'

export interface LoadBalanceDecision {
  readonly serve: boolean
  readonly reason: LoadBalanceReason
  readonly bucket?: number
}

const DHCPDISCOVER = 1

/**
 * Whether to answer a packet, as far as load balancing goes (§5.3). Only DHCPDISCOVER in NORMAL
 * is balanced; `secs` > max seconds answers anyway; a "peer" verdict is cancelled when the peer
 * has no free leases. The service gate of the state itself is {@link servicePolicy}'s job.
 */
export function loadBalance(i: LoadBalanceInput): LoadBalanceDecision {
  if (i.messageType !== DHCPDISCOVER) return { serve: true, reason: 'not-discover' }
  if (i.state !== 'normal') return { serve: true, reason: 'not-normal' }
  if (i.maxSeconds <= 0) return { serve: true, reason: 'disabled' }
  if (i.secs > i.maxSeconds) return { serve: true, reason: 'secs-over-max' }
  const bucket = loadBalanceHash(i.key)
  const mine = bucketIsPrimary(i.hba, bucket) === (i.role === 'primary')
  if (mine) return { serve: true, reason: 'mine', bucket }
  if (!i.peerHasFreeLeases) return { serve: true, reason: 'peer-has-no-free-leases', bucket }
  return { serve: false, reason: 'peer', bucket }
}
