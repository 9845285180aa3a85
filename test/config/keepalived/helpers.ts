/** Helpers for the keepalived.conf tests. */
import { ConfigError, type Diagnostic } from '../../../src/lib/errors.js'
import { loadKeepalivedConfig, type KeepalivedLoadResult } from '../../../src/config/keepalived/index.js'
import { renderDiagnostic } from '../../../src/config/render.js'
import { memoryReader } from '../../../src/config/source-reader.js'

export const lines = (...ls: string[]): string => ls.join('\n') + '\n'

/** Loads an in-memory keepalived.conf (main file `keepalived.conf`). */
export function load(files: Record<string, string> | string, main = 'keepalived.conf'): KeepalivedLoadResult {
  const map = typeof files === 'string' ? { [main]: files } : files
  return loadKeepalivedConfig(main, memoryReader(map))
}

/** Rendered warnings of a config that loads. */
export function warningsOf(files: Record<string, string> | string): string[] {
  const map = typeof files === 'string' ? { 'keepalived.conf': files } : files
  return load(map).warnings.map((d) => renderDiagnostic(d, (f) => map[f]))
}

/** Rendered errors (and all diagnostics) of a config that must fail. */
export function errorsOf(files: Record<string, string> | string): { rendered: string[]; diagnostics: readonly Diagnostic[] } {
  const map = typeof files === 'string' ? { 'keepalived.conf': files } : files
  try {
    load(map)
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    const errors = e.diagnostics.filter((d) => d.severity === 'error')
    return { rendered: errors.map((d) => renderDiagnostic(d, (f) => map[f])), diagnostics: e.diagnostics }
  }
  throw new Error('expected the keepalived.conf to fail')
}

/** A minimal valid instance with extra lines inserted before the closing brace. */
export function instance(...extra: string[]): string {
  return lines('vrrp_instance VI_1 {', '    interface eth0', '    virtual_router_id 51', '    virtual_ipaddress {', '        198.18.50.100/24', '    }', ...extra.map((l) => `    ${l}`), '}')
}
