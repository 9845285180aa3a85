/**
 * The keyed-queue key of a received DHCP datagram, read straight from the bytes before the
 * pipeline decodes it: `c:<hex>` for the client identifier (option 61, RFC 2132 §9.14), else
 * `h:<htype>:<hex chaddr>`. This is the same identity order the engine uses
 * (core/client-identity.ts), so two packets the engine treats as one client share a key.
 *
 * Only the options field is scanned for option 61 (not sname/file under option 52 overload:
 * such a client falls back to its chaddr key, which is still stable per client). Returns
 * undefined when the datagram cannot be a BOOTREQUEST at all (too short, wrong op, no magic
 * cookie, hlen > 16); the caller counts and drops it without involving the pipeline.
 */
import { BOOTREQUEST, MAGIC_COOKIE, OPTIONS_OFFSET } from '../protocol/dhcp/constants.js'

const CLIENT_ID = 61
const PAD = 0
const END = 255

export function clientKeyOf(d: Buffer): string | undefined {
  if (d.length < OPTIONS_OFFSET || d[0] !== BOOTREQUEST) return undefined
  if (d.readUInt32BE(236) !== MAGIC_COOKIE) return undefined
  const hlen = d[2]!
  if (hlen > 16) return undefined
  let i = OPTIONS_OFFSET
  while (i < d.length) {
    const code = d[i]!
    if (code === PAD) {
      i++
      continue
    }
    if (code === END || i + 1 >= d.length) break
    const len = d[i + 1]!
    const start = i + 2
    if (start + len > d.length) break
    if (code === CLIENT_ID && len > 0) return `c:${d.toString('hex', start, start + len)}`
    i = start + len
  }
  return `h:${d[1]!}:${d.toString('hex', 28, 28 + hlen)}`
}
