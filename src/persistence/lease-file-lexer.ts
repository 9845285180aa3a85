/**
 * The byte-level lexer under the dhcpd.leases parser: blanks and `#` comments, bare words,
 * quoted strings with ISC escapes, balanced-statement skipping, and the value readers
 * (dates, numbers, IPv4 addresses, colon-hex). Works on a window of the input; reaching the
 * end of the window inside a token throws {@link INCOMPLETE}, and the parser retries the
 * record when more bytes arrive (or reports a torn tail at end of file).
 */
import { NEVER } from '../core/lease.js'
import { daysFromCivil, epochFromCivil } from './lease-file-dates.js'

/** A position in the file; line and column start at 1, column counts bytes. */
export interface LeaseFileLocation {
  readonly line: number
  readonly col: number
}

/** Thrown internally when the buffer ends inside a token or record. */
export const INCOMPLETE: unique symbol = Symbol('incomplete')

/** A syntax problem at a buffer position; the parser turns it into a diagnostic. */
export class SyntaxProblem {
  constructor(
    readonly message: string,
    readonly pos: number,
  ) {}
}

export const SEMI = 0x3b
export const LBRACE = 0x7b
export const RBRACE = 0x7d
export const QUOTE = 0x22
export const HASH = 0x23
export const NL = 0x0a
export const EMPTY = Buffer.alloc(0)

/** Bytes that end a bare word. */
const DELIMITER = new Uint8Array(256)
for (const c of ' \t\r\n;{}",#=') DELIMITER[c.charCodeAt(0)] = 1

export const kw = (s: string): Uint8Array => Buffer.from(s, 'latin1')
/** Keywords of the lease file, as bytes. */
export const K = {
  lease: kw('lease'),
  failover: kw('failover'),
  peer: kw('peer'),
  state: kw('state'),
  my: kw('my'),
  partner: kw('partner'),
  mclt: kw('mclt'),
  at: kw('at'),
  starts: kw('starts'),
  ends: kw('ends'),
  tstp: kw('tstp'),
  tsfp: kw('tsfp'),
  atsfp: kw('atsfp'),
  cltt: kw('cltt'),
  binding: kw('binding'),
  next: kw('next'),
  rewind: kw('rewind'),
  hardware: kw('hardware'),
  uid: kw('uid'),
  clientHostname: kw('client-hostname'),
  abandoned: kw('abandoned'),
  reserved: kw('reserved'),
  dynamicBootp: kw('dynamic-bootp'),
  set: kw('set'),
  option: kw('option'),
  on: kw('on'),
  billing: kw('billing'),
  never: kw('never'),
  epoch: kw('epoch'),
  ethernet: kw('ethernet'),
}

/** Lexing state and primitives; the LeaseFileParser adds the grammar on top. */
export abstract class LeaseFileLexer {
  protected buf: Buffer = EMPTY
  protected pos = 0
  protected limit = 0
  protected line = 1
  /** Index in `buf` of the first byte of the current line (may be negative after a shift). */
  protected lineStart = 0
  protected eof = false
  /** Absolute file offset of buf[0]. */
  protected base = 0
  /** Absolute offset of the last error reported, so a re-parse after more data is quiet. */
  protected lastErrorAt = -1
  protected readonly scratch = Buffer.allocUnsafe(64 * 1024)
  /** Results of numberTriple. */
  private n0 = 0
  private n1 = 0
  private n2 = 0
  /** Last calendar day converted by fixedDate, and its day number. */
  private cachedYear = -1
  private cachedMonth = -1
  private cachedDay = -1
  private cachedDays = 0

  // ---- dates and numbers ------------------------------------------------------------------

  /** A date through its `;` (and, for `epoch N;`, the comment the space skipper eats). */
  protected date(): number {
    this.skipSpace()
    const fast = this.fixedDate()
    if (fast >= 0) return fast
    const s = this.pos
    const e = this.wordEnd()
    if (this.is(s, e, K.never)) {
      this.pos = e
      this.expect(SEMI, '`;`')
      return NEVER
    }
    if (this.is(s, e, K.epoch)) {
      this.pos = e
      const v = this.integer()
      this.expect(SEMI, '`;`')
      return v
    }
    // Weekday (ignored), then YYYY/MM/DD, then HH:MM:SS.
    this.digitsOf(s, e, 'weekday')
    this.pos = e
    this.skipSpace()
    const ds = this.pos
    const de = this.wordEnd()
    this.numberTriple(ds, de, 0x2f, 'date YYYY/MM/DD')
    let year = this.n0
    const month = this.n1
    const day = this.n2
    this.pos = de
    this.skipSpace()
    const ts = this.pos
    const te = this.wordEnd()
    this.numberTriple(ts, te, 0x3a, 'time HH:MM:SS')
    this.pos = te
    this.expect(SEMI, '`;`')
    if (year < 70) year += 2000
    else if (year < 1900) year += 1900
    if (month < 1 || month > 12 || day < 1 || day > 31 || this.n0 > 23 || this.n1 > 59 || this.n2 > 60) {
      throw this.problemAt(ds, 'date out of range')
    }
    return epochFromCivil(year, month, day, this.n0, this.n1, this.n2)
  }

  protected integer(): number {
    this.skipSpace()
    const s = this.pos
    const e = this.wordEnd()
    const v = this.digitsOf(s, e, 'number')
    this.pos = e
    return v
  }

  protected digitsOf(s: number, e: number, what: string): number {
    if (s === e) throw this.problemAt(s, `expecting a ${what}`)
    let v = 0
    for (let i = s; i < e; i++) {
      const d = this.buf[i]! - 0x30
      if (d < 0 || d > 9) throw this.problemAt(s, `expecting a ${what}`)
      v = v * 10 + d
    }
    return v
  }

  /**
   * The layout ISC always writes, `W YYYY/MM/DD HH:MM:SS;` (22 bytes), read at fixed
   * offsets; -1 when the bytes at `pos` are anything else (the general path then decides).
   */
  private fixedDate(): number {
    const b = this.buf
    const p = this.pos
    if (p + 22 > this.limit) return -1
    if (b[p + 1] !== 0x20 || b[p + 6] !== 0x2f || b[p + 9] !== 0x2f || b[p + 12] !== 0x20) return -1
    if (b[p + 15] !== 0x3a || b[p + 18] !== 0x3a || b[p + 21] !== SEMI) return -1
    const d = (i: number): number => {
      const v = b[p + i]! - 0x30
      return v >= 0 && v <= 9 ? v : -1000000
    }
    if (d(0) < 0) return -1
    const year = d(2) * 1000 + d(3) * 100 + d(4) * 10 + d(5)
    const month = d(7) * 10 + d(8)
    const day = d(10) * 10 + d(11)
    const hour = d(13) * 10 + d(14)
    const minute = d(16) * 10 + d(17)
    const second = d(19) * 10 + d(20)
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return -1
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return -1
    this.pos = p + 22
    if (year !== this.cachedYear || month !== this.cachedMonth || day !== this.cachedDay) {
      this.cachedYear = year
      this.cachedMonth = month
      this.cachedDay = day
      this.cachedDays = daysFromCivil(year, month, day)
    }
    return this.cachedDays * 86400 + hour * 3600 + minute * 60 + second
  }

  /** Three decimal numbers separated by `sep`, into n0/n1/n2 (no allocation). */
  private numberTriple(s: number, e: number, sep: number, what: string): void {
    let v = 0
    let digits = 0
    let k = 0
    for (let i = s; i <= e; i++) {
      const c = i < e ? this.buf[i]! : sep
      if (c === sep) {
        if (digits === 0 || k > 2) throw this.problemAt(s, `expecting a ${what}`)
        if (k === 0) this.n0 = v
        else if (k === 1) this.n1 = v
        else this.n2 = v
        k++
        v = 0
        digits = 0
      } else if (c >= 0x30 && c <= 0x39) {
        v = v * 10 + c - 0x30
        digits++
      } else {
        throw this.problemAt(s, `expecting a ${what}`)
      }
    }
    if (k !== 3) throw this.problemAt(s, `expecting a ${what}`)
  }

  protected ipv4(s: number, e: number): number {
    let value = 0
    let part = 0
    let digits = 0
    let parts = 0
    for (let i = s; i <= e; i++) {
      const c = i < e ? this.buf[i]! : 0x2e
      if (c === 0x2e) {
        if (digits === 0 || part > 255) throw this.problemAt(s, 'expecting an IPv4 address')
        value = value * 256 + part
        parts++
        part = 0
        digits = 0
      } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
        part = part * 10 + c - 0x30
        digits++
      } else {
        throw this.problemAt(s, 'expecting an IPv4 address')
      }
    }
    if (parts !== 4) throw this.problemAt(s, 'expecting an IPv4 address')
    return value >>> 0
  }

  /** ISC colon-hex (one or two hex digits per octet) into `scratch`; its length, or -1. */
  protected colonHex(s: number, e: number): number {
    if (s === e) return -1
    const out = this.scratch
    let n = 0
    let v = 0
    let digits = 0
    for (let i = s; i <= e; i++) {
      const c = i < e ? this.buf[i]! : 0x3a
      if (c === 0x3a) {
        if (digits === 0) return -1
        out[n++] = v
        v = 0
        digits = 0
        continue
      }
      const d = hexValue(c)
      if (d < 0 || digits === 2) return -1
      v = v * 16 + d
      digits++
    }
    return n
  }

  // ---- lexing -----------------------------------------------------------------------------

  /** Skips blanks, newlines and `#` comments. A comment cut by the buffer end is incomplete. */
  protected skipSpace(): void {
    const b = this.buf
    const end = this.limit
    let p = this.pos
    while (p < end) {
      const c = b[p]!
      if (c === NL) {
        p++
        this.line++
        this.lineStart = p
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
        p++
      } else if (c === HASH) {
        let q = p
        while (q < end && b[q] !== NL) q++
        if (q >= end && !this.eof) {
          this.pos = p
          throw INCOMPLETE
        }
        p = q
      } else {
        break
      }
    }
    this.pos = p
  }

  /** Throws INCOMPLETE when the buffer is exhausted. */
  protected need(): void {
    if (this.pos >= this.limit) throw INCOMPLETE
  }

  /** End of the bare word at `pos` (may be `pos` itself when a delimiter is there). */
  protected wordEnd(): number {
    this.need()
    const b = this.buf
    const end = this.limit
    let p = this.pos
    while (p < end && DELIMITER[b[p]!] === 0) p++
    if (p >= end) throw INCOMPLETE // the word may go on in the next chunk; at EOF it is torn
    return p
  }

  /** Like wordEnd, but a lone delimiter character counts as a one-byte word. */
  protected wordEndOrSelf(): number {
    const e = this.wordEnd()
    return e === this.pos ? e + 1 : e
  }

  protected stringEnd(): number {
    const b = this.buf
    let p = this.pos + 1
    while (p < this.limit) {
      const c = b[p]!
      if (c === 0x5c) p += 2
      else if (c === QUOTE) return p + 1
      else p++
    }
    throw INCOMPLETE
  }

  /** Decodes the quoted string at `pos` into `scratch`; returns its length. */
  protected readString(): number {
    const b = this.buf
    const out = this.scratch
    let p = this.pos + 1
    let n = 0
    for (;;) {
      if (p >= this.limit) throw INCOMPLETE
      if (n >= out.length) throw this.problem('string too long')
      const c = b[p]!
      if (c === QUOTE) {
        p++
        break
      }
      if (c === NL) {
        this.line++
        this.lineStart = p + 1
      }
      if (c !== 0x5c) {
        out[n++] = c
        p++
        continue
      }
      if (p + 1 >= this.limit) throw INCOMPLETE
      const x = b[p + 1]!
      if (x >= 0x30 && x <= 0x37) {
        let v = 0
        let q = p + 1
        while (q < p + 4 && q < this.limit && b[q]! >= 0x30 && b[q]! <= 0x37) v = v * 8 + b[q++]! - 0x30
        if (q >= this.limit && q < p + 4) throw INCOMPLETE
        out[n++] = v & 255
        p = q
      } else if (x === 0x78) {
        // \xHH: one or two hex digits
        let v = 0
        let q = p + 2
        while (q < p + 4 && q < this.limit && hexValue(b[q]!) >= 0) v = v * 16 + hexValue(b[q++]!)
        if (q >= this.limit) throw INCOMPLETE
        out[n++] = v
        p = q
      } else {
        out[n++] = x === 0x74 ? 9 : x === 0x6e ? 10 : x === 0x72 ? 13 : x === 0x62 ? 8 : x
        p += 2
      }
    }
    this.pos = p
    return n
  }

  /**
   * Skips one statement from `pos`: through `;` at depth 0, or through the `}` that closes a
   * `{` opened by it. With `topLevel` false a stray `}` (the enclosing block's) is an error.
   */
  protected skipBalanced(topLevel: boolean): void {
    const b = this.buf
    let depth = 0
    let p = this.pos
    for (;;) {
      if (p >= this.limit) {
        this.pos = p
        throw INCOMPLETE
      }
      const c = b[p]!
      if (c === QUOTE) {
        this.pos = p
        p = this.stringEnd()
        continue
      }
      if (c === HASH) {
        while (p < this.limit && b[p] !== NL) p++
        continue
      }
      if (c === NL) {
        this.line++
        this.lineStart = p + 1
      } else if (c === SEMI && depth === 0) {
        this.pos = p + 1
        return
      } else if (c === LBRACE) {
        depth++
      } else if (c === RBRACE) {
        if (depth === 0) {
          if (topLevel) {
            this.pos = p + 1
            return
          }
          this.pos = p
          throw this.problem('expecting `;` before `}`')
        }
        depth--
        if (depth === 0) {
          this.pos = p + 1
          return
        }
      }
      p++
    }
  }

  protected is(s: number, e: number, word: Uint8Array): boolean {
    if (e - s !== word.length) return false
    const b = this.buf
    for (let i = 0; i < word.length; i++) if (b[s + i] !== word[i]) return false
    return true
  }

  protected expect(byte: number, what: string): void {
    this.skipSpace()
    this.need()
    if (this.buf[this.pos] !== byte) throw this.problem(`expecting ${what}`)
    this.pos++
  }

  protected expectWord(word: Uint8Array, what: string): void {
    this.skipSpace()
    const s = this.pos
    const e = this.wordEnd()
    if (!this.is(s, e, word)) throw this.problemAt(s, `expecting ${what}`)
    this.pos = e
  }

  protected here(): LeaseFileLocation {
    return this.locationOf(this.pos)
  }

  protected locationOf(pos: number): LeaseFileLocation {
    // Positions before the current line (rare: a problem found after a newline) are
    // reported on the current line's start.
    return { line: this.line, col: Math.max(1, pos - this.lineStart + 1) }
  }

  protected problem(message: string): SyntaxProblem {
    return new SyntaxProblem(message, this.pos)
  }

  protected problemAt(pos: number, message: string): SyntaxProblem {
    return new SyntaxProblem(message, pos)
  }

}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

