/**
 * Reads keepalived.conf for `--vrrp-config FILE`, rendering errors and warnings exactly as
 * dhcpd.conf's are rendered (`file:line:col: message`, the source line and a caret), for both
 * `hadhcpd -t` and serve mode.
 */
import { readFileSync } from 'node:fs'
import { loadKeepalivedConfig, type KeepalivedConfig } from '../config/keepalived/index.js'
import { keepalivedFsReader } from '../config/keepalived/fs-reader.js'
import { applyRootMap, renderDiagnostics } from '../config/index.js'
import { ConfigError } from '../lib/errors.js'

export type VrrpConfigLoad =
  | { readonly ok: true; readonly config: KeepalivedConfig; readonly warnings: string }
  | { readonly ok: false; readonly errors: string; readonly errorCount: number }

export function loadVrrpConfig(path: string, rootMap: Readonly<Record<string, string>> = {}): VrrpConfigLoad {
  const sourceOf = (file: string): string | undefined => {
    try {
      return readFileSync(applyRootMap(file, rootMap), 'utf8')
    } catch {
      return undefined
    }
  }
  try {
    const { config, warnings } = loadKeepalivedConfig(path, keepalivedFsReader({ rootMap }))
    return { ok: true, config, warnings: renderDiagnostics(warnings, sourceOf) }
  } catch (err) {
    if (err instanceof ConfigError) {
      const errorCount = err.diagnostics.filter((d) => d.severity === 'error').length
      return { ok: false, errors: renderDiagnostics(err.diagnostics, sourceOf) || err.message, errorCount: Math.max(1, errorCount) }
    }
    if (err instanceof Error) return { ok: false, errors: `${path}: ${err.message}`, errorCount: 1 }
    throw err
  }
}
