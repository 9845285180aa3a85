/**
 * dhcpd.conf tokenizer. Produces tokens with their source location; never throws: problems
 * (an unterminated string, a stray byte) become diagnostics and the scan goes on, so the
 * parser can report every error in one run.
 *
 * ISC names may contain `-`, `.` and `:` (`max-lease-time`, `10.0.0.1`, `08:00:27:d9:45:96`),
 * so a "word" is a maximal run of those characters plus letters, digits and `_`; its kind
 * (number, dotted quad, colon-hex, name) is decided from the text.
 */
import type { Diagnostic, SourceLocation } from '../lib/errors.js'
import { parseIPv4 } from '../lib/ip.js'

export type TokenKind =
  /** Decimal integer, optionally negative: `86400`, `-5`. */
  | 'number'
  /** Dotted quad: `10.0.0.1`. */
  | 'ip'
  /** Colon-separated hex octets: `08:00:27:d9:45:96`. */
  | 'hex'
  /** Any other word: keywords and identifiers (`subnet`, `ha-dhcp`, `agent.circuit-id`). */
  | 'name'
  /** A quoted string; `text` holds the unescaped contents. */
  | 'string'
  /** One punctuation character: `{ } ; , =` and the expression operators. */
  | 'punct'
  | 'eof'

export interface Token {
  readonly kind: TokenKind
  /** Unescaped text (for strings, without the quotes). */
  readonly text: string
  readonly loc: SourceLocation
}

export interface LexResult {
  readonly tokens: readonly Token[]
  readonly diagnostics: readonly Diagnostic[]
}

const WORD_CHAR = /[A-Za-z0-9_.:\-]/
const PUNCT = new Set(['{', '}', ';', ',', '=', '(', ')', '!', '~', '+', '&', '|', '/', '<', '>', '[', ']'])

/** Classifies a word by its shape. */
export function classifyWord(text: string): TokenKind {
  if (/^-?[0-9]+$/.test(text)) return 'number'
  if (parseIPv4(text) !== undefined) return 'ip'
  if (/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2})+$/.test(text)) return 'hex'
  return 'name'
}

/** Splits `source` (the contents of `file`) into tokens, ending with one `eof` token. */
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
      pos++
      line++
      lineStart = pos
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      pos++
    } else if (ch === '#') {
      while (pos < source.length && source[pos] !== '\n') pos++
    } else if (ch === '"') {
      const loc = here()
      pos++
      let text = ''
      let closed = false
      while (pos < source.length) {
        const c = source[pos]!
        if (c === '"') {
          pos++
          closed = true
          break
        }
        if (c === '\n') {
          // Strings may span lines in ISC; keep counting lines.
          text += c
          pos++
          line++
          lineStart = pos
          continue
        }
        if (c === '\\' && pos + 1 < source.length) {
          const escaped = readEscape(source, pos + 1)
          text += escaped.text
          pos = escaped.next
          continue
        }
        text += c
        pos++
      }
      if (!closed) {
        diagnostics.push({ severity: 'error', loc, message: 'unterminated string' })
      }
      tokens.push({ kind: 'string', text, loc })
    } else if (WORD_CHAR.test(ch)) {
      const loc = here()
      const start = pos
      while (pos < source.length && WORD_CHAR.test(source[pos]!)) pos++
      const text = source.slice(start, pos)
      tokens.push({ kind: classifyWord(text), text, loc })
    } else if (PUNCT.has(ch)) {
      tokens.push({ kind: 'punct', text: ch, loc: here() })
      pos++
    } else {
      diagnostics.push({ severity: 'error', loc: here(), message: `unexpected character ${JSON.stringify(ch)}` })
      pos++
    }
  }
  tokens.push({ kind: 'eof', text: '', loc: here() })
  return { tokens, diagnostics }
}

/** Reads the escape after a backslash at `start`: \t \r \n \b, octal \NNN, hex \xHH, else the char. */
function readEscape(source: string, start: number): { text: string; next: number } {
  const c = source[start]!
  switch (c) {
    case 't':
      return { text: '\t', next: start + 1 }
    case 'r':
      return { text: '\r', next: start + 1 }
    case 'n':
      return { text: '\n', next: start + 1 }
    case 'b':
      return { text: '\b', next: start + 1 }
    case 'x': {
      const m = /^[0-9a-fA-F]{1,2}/.exec(source.slice(start + 1, start + 3))
      if (!m) return { text: 'x', next: start + 1 }
      return { text: String.fromCharCode(parseInt(m[0], 16)), next: start + 1 + m[0].length }
    }
    default: {
      const m = /^[0-7]{1,3}/.exec(source.slice(start, start + 3))
      if (m) return { text: String.fromCharCode(parseInt(m[0], 8) & 255), next: start + m[0].length }
      return { text: c, next: start + 1 }
    }
  }
}
