/**
 * Hex packet fixtures under test/fixtures/. Lines starting with `#` are comments (source,
 * client, Wireshark dissection); everything else is hex digits with arbitrary whitespace.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** test/fixtures, from the compiled location dist/test/helpers. */
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures')

/** Parses fixture text: drops `#` comment lines and whitespace, decodes hex. */
export function parseHexFixture(text: string, name = 'fixture'): Buffer {
  const digits = text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('')
    .replace(/\s+/g, '')
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`${name}: not an even-length hex string`)
  return Buffer.from(digits, 'hex')
}

/** Reads `test/fixtures/<relPath>` as a hex fixture. */
export function readHexFixture(relPath: string): Buffer {
  return parseHexFixture(readFileSync(resolve(FIXTURES_DIR, relPath), 'utf8'), relPath)
}
