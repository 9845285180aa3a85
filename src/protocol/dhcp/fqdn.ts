/**
 * Client FQDN (option 81, RFC 4702 §2): flags, two deprecated RCODE octets, a name.
 *
 * Flags (RFC 4702 §2.1): S (0x01) server updates the A RR, O (0x02) server overrode the
 * client, E (0x04) name in canonical wire form (§2.3.1) rather than ASCII (§2.3.2),
 * N (0x08) server performs no updates. The other bits must be zero; they are kept as sent.
 */
import { DecodeError } from '../../lib/errors.js'
import { labelsLength, nameToLabels, readName, writeLabels } from './domain-name.js'
import type { Decoded } from './options.js'

export const FqdnFlag = { S: 0x01, O: 0x02, E: 0x04, N: 0x08 } as const

export interface ClientFqdn {
  /** The raw flags octet (see FqdnFlag). */
  readonly flags: number
  readonly rcode1: number
  readonly rcode2: number
  /** The name without a trailing dot; wire-form labels use domain-name.ts text escapes. */
  readonly name: string
  /**
   * E=1: the name ends with the root label (else it is a partial name, §2.3.1).
   * E=0: the ASCII name ends with a dot.
   */
  readonly fullyQualified: boolean
}

export function hasFqdnFlag(f: ClientFqdn, flag: number): boolean {
  return (f.flags & flag) !== 0
}

const FIELD = 'option 81 (fqdn)'

/** The option 81 data codec. */
export const clientFqdn = {
  encodingLength(f: ClientFqdn): number {
    if (f.flags & FqdnFlag.E) {
      const labels = nameToLabels(f.name, FIELD)
      return 3 + labelsLength(labels) - (f.fullyQualified ? 0 : 1)
    }
    return 3 + Buffer.byteLength(f.name, 'latin1') + (f.fullyQualified ? 1 : 0)
  },

  encode(f: ClientFqdn, buf: Buffer, offset: number): number {
    buf[offset++] = f.flags & 0xff
    buf[offset++] = f.rcode1 & 0xff
    buf[offset++] = f.rcode2 & 0xff
    if (f.flags & FqdnFlag.E) return writeLabels(nameToLabels(f.name, FIELD), buf, offset, f.fullyQualified)
    offset += buf.write(f.name, offset, 'latin1')
    if (f.fullyQualified) buf[offset++] = 0x2e
    return offset
  },

  decode(buf: Buffer, offset: number, end: number): Decoded<ClientFqdn> {
    if (end - offset < 3) throw new DecodeError(FIELD, offset, `length ${Math.max(0, end - offset)}, expected at least 3`)
    const flags = buf[offset]!
    const rcode1 = buf[offset + 1]!
    const rcode2 = buf[offset + 2]!
    const start = offset + 3
    if (flags & FqdnFlag.E) {
      if (start === end) return { value: { flags, rcode1, rcode2, name: '', fullyQualified: false }, offset: end }
      const r = readName(buf, start, end, { field: FIELD, allowUnterminated: true })
      if (r.offset !== end) throw new DecodeError(FIELD, r.offset, `${end - r.offset} bytes after the name`)
      return { value: { flags, rcode1, rcode2, name: r.name, fullyQualified: r.terminated }, offset: end }
    }
    let text = buf.toString('latin1', start, end)
    const fullyQualified = text.endsWith('.')
    if (fullyQualified) text = text.slice(0, -1)
    return { value: { flags, rcode1, rcode2, name: text, fullyQualified }, offset: end }
  },
}

/** Allocates and encodes option 81 data. */
export function clientFqdnToBuffer(f: ClientFqdn): Buffer {
  const buf = Buffer.alloc(clientFqdn.encodingLength(f))
  clientFqdn.encode(f, buf, 0)
  return buf
}
