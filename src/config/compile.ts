/**
 * The config compiler's front door: read → tokenize → parse (with includes) → analyze.
 * Returns the frozen model and its warnings, or throws ConfigError holding every error found
 * (and the warnings seen on the way), sorted by file order, line and column.
 */
import { ConfigError, type Diagnostic } from '../lib/errors.js'
import type { ServerConfig } from './model.js'
import { parseConfig } from './parser.js'
import { analyze } from './semantic.js'
import type { SourceReader } from './source-reader.js'

export interface CompileResult {
  readonly config: ServerConfig
  readonly warnings: readonly Diagnostic[]
}

/** Compiles `path` (and its includes) read through `reader`. Throws ConfigError on any error. */
export function compileConfig(path: string, reader: SourceReader): CompileResult {
  const parsed = parseConfig(path, reader)
  const analysis = analyze(parsed.config)
  const fileOrder = new Map(parsed.config.files.map((f, i) => [f, i]))
  const all = sortDiagnostics([...parsed.diagnostics, ...analysis.diagnostics], fileOrder)
  const warnings = Object.freeze(all.filter((d) => d.severity === 'warning'))
  if (all.some((d) => d.severity === 'error')) throw new ConfigError(all)
  return { config: Object.freeze({ ...analysis.config, warnings }), warnings }
}

function sortDiagnostics(ds: Diagnostic[], fileOrder: ReadonlyMap<string, number>): Diagnostic[] {
  const rank = (f: string): number => fileOrder.get(f) ?? Number.MAX_SAFE_INTEGER
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d.loc.file) - rank(b.d.loc.file) || a.d.loc.line - b.d.loc.line || a.d.loc.col - b.d.loc.col || a.i - b.i)
    .map((x) => x.d)
}
