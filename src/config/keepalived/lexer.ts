/**
 * keepalived.conf tokenizer, after keepalived's own line reader: words are separated by
 * blanks; `{` and `}` are tokens of their own even when glued to a word; `#` or `!` at the
 * start of a word begins a comment to the end of the line; `"…"` quotes a word with blanks.
 * Lines matter (one keyword per line), so newlines are tokens. Never throws: problems become
 * diagnostics and the scan goes on.
 */
import type { Diagnostic, SourceLocation } from '../../lib/errors.js'

export type TokenKind = 'word' | 'open' | 'close' | 'newline' | 'eof'

export interface Token {
  readonly kind: TokenKind
  readonly text: string
  readonly loc: SourceLocation
  /** The word was written in double quotes. */
  readonly quoted?: boolean
}

export interface LexResult {
  readonly tokens: readonly Token[]
  readonly diagnostics: readonly Diagnostic[]
}

const BLANK = new Set([' ', '\t', '\r', '\f', '\v'])

/** Splits `source` (the text of `file`) into tokens ending with `eof`. */
export function tokenize(source: string, file: string): LexResult {
  const tokens: Token[] = []
  const diagnostics: Diagnostic[] = []
  let pos = 0
  let line = 1
  let lineStart = 0
  const here = (): SourceLocation => ({ file, line, col: pos - lineStart + 1 })

  while (pos < source.length) {
    const ch = source[pos]!
    if (ch === '\n') {
      tokens.push({ kind: 'newline', text: '\n', loc: here() })
      pos++
      line++
      lineStart = pos
    } else if (BLANK.has(ch)) {
      pos++
    } else if (ch === '#' || ch === '!') {
      while (pos < source.length && source[pos] !== '\n') pos++
    } else if (ch === '{' || ch === '}') {
      tokens.push({ kind: ch === '{' ? 'open' : 'close', text: ch, loc: here() })
      pos++
    } else if (ch === '"') {
      const loc = here()
      const end = source.indexOf('"', pos + 1)
      const lineEnd = source.indexOf('\n', pos + 1)
      if (end < 0 || (lineEnd >= 0 && lineEnd < end)) {
        diagnostics.push({ severity: 'error', loc, message: 'unterminated quoted string' })
        const stop = lineEnd < 0 ? source.length : lineEnd
        tokens.push({ kind: 'word', text: source.slice(pos + 1, stop), loc, quoted: true })
        pos = stop
      } else {
        tokens.push({ kind: 'word', text: source.slice(pos + 1, end), loc, quoted: true })
        pos = end + 1
      }
    } else {
      const loc = here()
      const start = pos
      while (pos < source.length && !BLANK.has(source[pos]!) && source[pos] !== '\n' && source[pos] !== '{' && source[pos] !== '}' && source[pos] !== '"') pos++
      tokens.push({ kind: 'word', text: source.slice(start, pos), loc })
    }
  }
  tokens.push({ kind: 'eof', text: '', loc: here() })
  return { tokens, diagnostics }
}
