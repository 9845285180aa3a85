/**
 * The real file system behind KeepalivedReader, with the globbing keepalived's `include`
 * allows (`*`, `?` and `[…]` in the last path component, the common `conf.d/*.conf` case).
 * The only module of config/keepalived/ that touches node:fs.
 */
import { readdirSync } from 'node:fs'
import { posix } from 'node:path'
import { fsReader, type FsReaderOptions } from '../fs-reader.js'
import { applyRootMap } from '../source-reader.js'
import type { KeepalivedReader } from './parser.js'

/** `*.conf` → /^[^/]*\.conf$/ (no `**`, no braces). */
export function globToRegExp(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

export function keepalivedFsReader(options: FsReaderOptions = {}): KeepalivedReader {
  const base = fsReader(options)
  return {
    read: (path) => base.read(path),
    glob(pattern: string): readonly string[] {
      const dir = posix.dirname(pattern)
      const re = globToRegExp(posix.basename(pattern))
      try {
        return readdirSync(applyRootMap(dir, options.rootMap)).filter((n) => re.test(n)).sort().map((n) => posix.join(dir, n))
      } catch {
        return []
      }
    },
  }
}
