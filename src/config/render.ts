/**
 * Diagnostics as text, the way ISC's parse_warn shows them and compilers do:
 *
 *     dhcpd.conf:12:9: range 10.0.1.10-10.0.1.20 is outside subnet 10.0.0.0/24
 *       range 10.0.1.10 10.0.1.20;
 *       ^
 *     hint: …
 *
 * Warnings are prefixed `warning: ` after the location. The source line is looked up through
 * `sourceOf`; tabs before the column are kept so the caret lines up.
 */
import type { Diagnostic } from '../lib/errors.js'

/** Returns the text of a file, or undefined when unavailable (then only the message is shown). */
export type SourceLookup = (file: string) => string | undefined

export function renderDiagnostic(d: Diagnostic, sourceOf?: SourceLookup): string {
  const { file, line, col } = d.loc
  const head = `${file}:${line}:${col}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`
  const lines = [head]
  const text = sourceOf?.(file)?.split('\n')[line - 1]?.replace(/\r$/, '')
  if (text !== undefined) {
    const lead = text.slice(0, col - 1).replace(/[^\t]/g, ' ')
    lines.push(text, `${lead}^`)
  }
  if (d.hint !== undefined) lines.push(`hint: ${d.hint}`)
  return lines.join('\n')
}

/** All diagnostics, separated by newlines, in the order given. */
export function renderDiagnostics(ds: readonly Diagnostic[], sourceOf?: SourceLookup): string {
  return ds.map((d) => renderDiagnostic(d, sourceOf)).join('\n')
}
