/** Shared helpers for the config compiler tests. */
import { fileURLToPath } from 'node:url'
import { ConfigError, type Diagnostic } from '../../src/lib/errors.js'
import { compileConfig, type CompileResult } from '../../src/config/compile.js'
import { renderDiagnostic } from '../../src/config/render.js'
import { memoryReader } from '../../src/config/source-reader.js'

/** Repository root (tests run from dist/test/config). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const FIXTURES = `${REPO_ROOT}test/fixtures/config/`

/** Joins lines into a config text. */
export const lines = (...ls: string[]): string => ls.join('\n') + '\n'

/** Compiles an in-memory file set whose main file is `dhcpd.conf`. */
export function compileMemory(files: Record<string, string> | string, main = 'dhcpd.conf'): CompileResult {
  const map = typeof files === 'string' ? { [main]: files } : files
  return compileConfig(main, memoryReader(map))
}

/** The rendered diagnostics of a failing compile (throws if it compiles). */
export function compileErrors(files: Record<string, string> | string, main = 'dhcpd.conf'): { rendered: string[]; diagnostics: readonly Diagnostic[] } {
  const map = typeof files === 'string' ? { [main]: files } : files
  try {
    compileMemory(map, main)
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    const errors = e.diagnostics.filter((d) => d.severity === 'error')
    return { rendered: errors.map((d) => renderDiagnostic(d, (f) => map[f])), diagnostics: e.diagnostics }
  }
  throw new Error('expected the config to fail')
}

/** A valid primary peer declaration (7 lines) for configs that need one. */
export const PRIMARY_PEER = [
  'failover peer "p" {',
  '  primary;',
  '  address 10.0.0.1;',
  '  peer address 10.0.0.2;',
  '  mclt 3600;',
  '  split 128;',
  '}',
]
