/** Hex helpers shared by fixtures, logs and the config (colon-separated octets). */

/** `01:02:0a` style, as ISC dhcpd prints hardware addresses and client ids. */
export function toColonHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':')
}

/**
 * Parses ISC colon-hex (`1:2:a`, each part one or two hex digits). Returns undefined when the
 * text is not that shape.
 */
export function parseColonHex(text: string): Buffer | undefined {
  const parts = text.split(':')
  const out = Buffer.alloc(parts.length)
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined
    out[i] = parseInt(p, 16)
  }
  return out
}
