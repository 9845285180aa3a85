/**
 * Who a client is. RFC 2131 §4.2: the client identifier (option 61) when present, else
 * the hardware address (htype + chaddr). ISC dhcpd matches leases the same way: a lease that
 * recorded a uid belongs to the client presenting that uid; one without a uid belongs to
 * the hardware address.
 */
import type { Lease, LeaseHardware } from './lease.js'
import type { ClientQuery } from './client-query.js'

export interface ClientIdentity {
  readonly clientId: Buffer | undefined
  readonly hardware: LeaseHardware
  /** Stable text key (for offer holds and logs). */
  readonly key: string
}

export function identityOf(query: Pick<ClientQuery, 'clientId' | 'htype' | 'chaddr'>): ClientIdentity {
  const hardware = { htype: query.htype, address: query.chaddr }
  const key = query.clientId !== undefined
    ? `id:${query.clientId.toString('hex')}`
    : `hw:${query.htype}:${query.chaddr.toString('hex')}`
  return { clientId: query.clientId, hardware, key }
}

export function sameHardware(a: LeaseHardware | undefined, b: LeaseHardware): boolean {
  return a !== undefined && a.htype === b.htype && a.address.equals(b.address)
}

/** Whether `lease` was made for this client (uid first, hardware otherwise). */
export function leaseBelongsTo(lease: Lease, id: ClientIdentity): boolean {
  if (lease.uid !== undefined && lease.uid.length > 0) {
    return id.clientId !== undefined && lease.uid.equals(id.clientId)
  }
  return sameHardware(lease.hardware, id.hardware)
}

/** Hex bytes joined by colons, as ISC's print_hw_addr (`08:00:27:d9:45:96`). */
export function colonHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += (i === 0 ? '' : ':') + HEX_PAIRS[bytes[i]!]!
  return out
}

const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))
