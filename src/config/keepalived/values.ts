/**
 * Word → value helpers for keepalived.conf, each reporting into a diagnostics list and
 * returning undefined on a bad value so compilation continues and every error is shown.
 */
import type { Diagnostic, SourceLocation } from '../../lib/errors.js'
import { parseIPv4 } from '../../lib/ip.js'
import { didYouMean } from '../suggest.js'
import type { Statement, Word } from './ast.js'

/** Collects diagnostics; the compile functions share one. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = []
  error(loc: SourceLocation, message: string, hint?: string): undefined {
    this.diagnostics.push(hint === undefined ? { severity: 'error', loc, message } : { severity: 'error', loc, message, hint })
    return undefined
  }
  warn(loc: SourceLocation, message: string, hint?: string): void {
    this.diagnostics.push(hint === undefined ? { severity: 'warning', loc, message } : { severity: 'warning', loc, message, hint })
  }
  /** An unknown keyword, with a did-you-mean over the known ones. */
  unknown(word: Word, where: string, known: Iterable<string>): undefined {
    return this.error(word.loc, `unknown keyword \`${word.text}\` in ${where}`, didYouMean(word.text, known))
  }
}

/** A decimal integer in [min, max]. */
export function intValue(r: Reporter, w: Word | undefined, at: Statement, min: number, max: number, what: string): number | undefined {
  if (!w) return r.error(at.loc, `${at.keyword.text} needs a value`, `${what} between ${min} and ${max}`)
  if (!/^-?[0-9]+$/.test(w.text)) return r.error(w.loc, `${what} must be a number between ${min} and ${max}, not \`${w.text}\``)
  const n = Number(w.text)
  if (n < min || n > max) return r.error(w.loc, `${what} ${w.text} not valid - must be between ${min} & ${max}`)
  return n
}

/** Seconds written as a decimal (`1`, `0.5`, `2.25`) as whole microseconds, > 0 unless `allowZero`. */
export function secondsMicros(r: Reporter, w: Word | undefined, at: Statement, what: string, allowZero = false): number | undefined {
  if (!w) return r.error(at.loc, `${at.keyword.text} needs a value`, `${what} in seconds`)
  const m = /^([0-9]+)(?:\.([0-9]{1,6}))?$/.exec(w.text)
  if (!m) return r.error(w.loc, `${what} must be a number of seconds, not \`${w.text}\``)
  const micros = Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'))
  if (micros === 0 && !allowZero) return r.error(w.loc, `${what} must be more than 0 seconds`)
  return micros
}

export function ipValue(r: Reporter, w: Word | undefined, at: Statement, what: string): number | undefined {
  if (!w) return r.error(at.loc, `${at.keyword.text} needs an address`)
  const ip = parseIPv4(w.text)
  if (ip === undefined) {
    return r.error(w.loc, `${what} \`${w.text}\` is not an IPv4 address`, w.text.includes(':') ? 'hadhcpd runs VRRP for IPv4 only' : undefined)
  }
  return ip
}

/** Warns about words after the ones a keyword takes. */
export function extraArgs(r: Reporter, s: Statement, used: number): void {
  const extra = s.args[used]
  if (extra) r.error(extra.loc, `unexpected \`${extra.text}\` after ${s.keyword.text}`)
}

/** Errors if a statement that takes no block has one, or one that needs a block has none. */
export function wantBlock(r: Reporter, s: Statement, yes: boolean): boolean {
  if (yes && !s.block) {
    r.error(s.loc, `${s.keyword.text} needs a { … } block`)
    return false
  }
  if (!yes && s.block) {
    r.error(s.loc, `${s.keyword.text} takes no { … } block`)
    return false
  }
  return true
}

/**
 * keepalived reads one keyword per line, but a block written on one line
 * (`authentication { auth_type PASS auth_pass 1111 }`) arrives as one statement with the
 * others as arguments. This splits such statements again at each known keyword that
 * follows its predecessor's `arity` words.
 */
export function splitByArity(statements: readonly Statement[], arity: ReadonlyMap<string, number>): Statement[] {
  const out: Statement[] = []
  for (const s of statements) {
    let current = s
    for (;;) {
      const n = arity.get(current.keyword.text)
      const next = n === undefined ? undefined : current.args[n]
      if (n === undefined || !next || !arity.has(next.text) || current.block) {
        out.push(current)
        break
      }
      out.push({ ...current, args: current.args.slice(0, n), block: undefined })
      current = { keyword: next, args: current.args.slice(n + 1), block: current.block, loc: next.loc }
    }
  }
  return out
}
