/**
 * The control token file: read it, or create it on first start (32 random bytes as hex, mode
 * 0600, its directory 0700 if missing). A file readable by others is used but warned about.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export const DEFAULT_TOKEN_FILE = '/var/lib/hadhcpd/control.token'

export interface TokenLoad {
  readonly token: string
  readonly created: boolean
  /** Set when the file is readable or writable by group/others. */
  readonly warning: string | undefined
}

export function readToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim()
  if (token === '') throw new Error(`${path}: the token file is empty`)
  return token
}

export function loadOrCreateToken(path: string): TokenLoad {
  let created = false
  try {
    statSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    try {
      writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
      created = true
    } catch (e) {
      // Another process created it in between: use theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
  const mode = statSync(path).mode & 0o777
  const warning = (mode & 0o077) !== 0 ? `${path} has mode ${mode.toString(8).padStart(4, '0')}; anyone who can read it controls this server (chmod 600 it)` : undefined
  return { token: readToken(path), created, warning }
}
