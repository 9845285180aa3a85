/**
 * Quoting as ISC dhcpd writes strings into dhcpd.leases (`quotify_buf`/`quotify_string`
 * in common/print.c): printable ASCII stays, `"` and `\` get a backslash, every other byte
 * becomes a three-digit octal escape `\ooo`. Client ids can also be written as colon-hex
 * (`lease-id-format hex`).
 */

/** Which form `uid` takes in the file (ISC `lease-id-format`). */
export type LeaseIdFormat = 'octal' | 'hex'

/** The bytes as an ISC quoted string, quotes included. */
export function quoteBytes(bytes: Uint8Array): string {
  let out = '"'
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!
    if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c)
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c)
    else out += '\\' + (c < 8 ? '00' : c < 64 ? '0' : '') + c.toString(8)
  }
  return out + '"'
}

/** A text value (hostname) as an ISC quoted string: UTF-8 bytes, escaped as above. */
export function quoteText(text: string): string {
  // Fast path: printable ASCII without quote or backslash needs no work.
  if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(text)) return `"${text}"`
  return quoteBytes(Buffer.from(text, 'utf8'))
}

/** Colon-separated lowercase hex, two digits per byte (ISC `print_hw_addr`). */
export function colonHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    out += (i === 0 ? '' : ':') + (b < 16 ? '0' : '') + b.toString(16)
  }
  return out
}

/** The `uid` value as ISC writes it in the given format. */
export function formatLeaseId(uid: Uint8Array, format: LeaseIdFormat): string {
  return format === 'hex' ? colonHex(uid) : quoteBytes(uid)
}

/** ISC `hardware_types[]` names for the hardware statement. */
export function hardwareTypeName(htype: number): string {
  switch (htype) {
    case 1:
      return 'ethernet'
    case 6:
      return 'token-ring'
    case 8:
      return 'fddi'
    case 32:
      return 'infiniband'
    default:
      return `unknown-${htype}`
  }
}

/** Hardware type number for a name from the file, or undefined. */
export function hardwareTypeFromName(name: string): number | undefined {
  switch (name) {
    case 'ethernet':
      return 1
    case 'token-ring':
      return 6
    case 'fddi':
      return 8
    case 'infiniband':
      return 32
  }
  const m = /^unknown-([0-9]{1,3})$/.exec(name)
  if (m !== null && Number(m[1]) < 256) return Number(m[1])
  return undefined
}
