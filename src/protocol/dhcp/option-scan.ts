/**
 * Reads one option from an encoded DHCP message without decoding the rest: the transport
 * layers need a single field (message type, server identifier) per packet. Only the main
 * options field is scanned (not sname/file under option 52 overload); the first instance
 * wins (no RFC 3396 concatenation). Undefined when absent or the bytes are not a DHCP message.
 */
import { MAGIC_COOKIE, OPTIONS_OFFSET } from './constants.js'

export function scanOption(bytes: Buffer, code: number): Buffer | undefined {
  if (bytes.length < OPTIONS_OFFSET || bytes.readUInt32BE(236) !== MAGIC_COOKIE) return undefined
  let o = OPTIONS_OFFSET
  while (o < bytes.length) {
    const c = bytes[o]!
    if (c === 255) return undefined
    if (c === 0) {
      o++
      continue
    }
    const len = bytes[o + 1]
    if (len === undefined || o + 2 + len > bytes.length) return undefined
    if (c === code) return bytes.subarray(o + 2, o + 2 + len)
    o += 2 + len
  }
  return undefined
}

/** Option 53, or undefined. */
export function scanMessageType(bytes: Buffer): number | undefined {
  const v = scanOption(bytes, 53)
  return v !== undefined && v.length === 1 ? v[0] : undefined
}

/** Option 54, or undefined. */
export function scanServerIdentifier(bytes: Buffer): number | undefined {
  const v = scanOption(bytes, 54)
  return v !== undefined && v.length === 4 ? v.readUInt32BE(0) : undefined
}
