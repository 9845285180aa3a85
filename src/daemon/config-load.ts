/**
 * Reads and compiles dhcpd.conf for the server, turning ConfigError into rendered text
 * (`file:line:col: message`, the source line and a caret) instead of an exception.
 */
import { readFileSync } from 'node:fs'
import { readConfigFile, renderDiagnostics } from '../config/index.js'
import type { ServerConfig } from '../config/model.js'
import { ConfigError } from '../lib/errors.js'

export type ConfigLoad =
  | { readonly ok: true; readonly config: ServerConfig; readonly warnings: string }
  /** `errors`: rendered (with source lines); `list`: one `file:line:col: message` per error. */
  | { readonly ok: false; readonly errors: string; readonly list: readonly string[] }

function sourceOf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

export function loadConfig(path: string): ConfigLoad {
  try {
    const { config, warnings } = readConfigFile(path)
    return { ok: true, config, warnings: renderDiagnostics(warnings, sourceOf) }
  } catch (err) {
    if (err instanceof ConfigError) {
      const list = err.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.loc.file}:${d.loc.line}:${d.loc.col}: ${d.message}${d.hint === undefined ? '' : ` (hint: ${d.hint})`}`)
      return { ok: false, errors: renderDiagnostics(err.diagnostics, sourceOf) || err.message, list: list.length > 0 ? list : [err.message] }
    }
    if (err instanceof Error) return { ok: false, errors: `${path}: ${err.message}`, list: [`${path}: ${err.message}`] }
    throw err
  }
}
