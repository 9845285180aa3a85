/**
 * A streaming parser for ISC dhcpd.leases(5) (as ISC dhcpd 4.4 reads it in
 * server/confpars.c), working directly on bytes so a million-lease file loads in seconds.
 *
 * Feed chunks with {@link LeaseFileParser.push} and finish with {@link LeaseFileParser.end}.
 * Records are handed to callbacks as soon as they are complete; the caller applies
 * last-record-wins (ISC appends a new block for every change).
 *
 * - A record the file ends inside (a torn append after a crash) is reported in the summary
 *   as `torn` and dropped; everything before it loads.
 * - A malformed record is reported with `line:col`, skipped up to its closing brace, and
 *   parsing goes on, as ISC's `parse_warn` + `skip_to_rbrace` do.
 * - Statements inside a lease that hadhcpd does not interpret (`set`, `on`, `option agent.*`,
 *   `billing`, anything else) are kept verbatim; top-level records other than leases and
 *   failover state (`server-duid`, `host`, `group`, `class`…) are kept verbatim too.
 */
import {
  NEVER,
  type BindingState,
  type FailoverPeerState,
  type FailoverStateName,
  type Lease,
  type LeaseHardware,
  type LeaseStatement,
  isFailoverStateName,
} from '../core/lease.js'
import { daysFromCivil, epochFromCivil } from './lease-file-dates.js'
import { hardwareTypeFromName } from './lease-file-strings.js'

/** A position in the file; line and column start at 1, column counts bytes. */
export interface LeaseFileLocation {
  readonly line: number
  readonly col: number
}

export interface LeaseFileDiagnostic extends LeaseFileLocation {
  readonly severity: 'error' | 'warning'
  readonly message: string
}

/** A top-level record kept verbatim (exact source text). */
export interface VerbatimRecord {
  /** First word: `server-duid`, `authoring-byte-order`, `host`, `group`, `class`, … */
  readonly kind: string
  /** `kind` plus the record's name, used for last-wins (e.g. `host "pc1"`). */
  readonly key: string
  readonly text: string
}

export interface LeaseFileHandlers {
  onLease?(lease: Lease, at: LeaseFileLocation): void
  onPeerState?(state: FailoverPeerState, at: LeaseFileLocation): void
  onVerbatim?(record: VerbatimRecord, at: LeaseFileLocation): void
  onDiagnostic?(diagnostic: LeaseFileDiagnostic): void
}

export interface LeaseFileParserOptions {
  /**
   * Epoch seconds used for ISC's default when a lease has no `binding state` line (active
   * while `ends` is in the future, else free). Without it such a lease is active when it
   * has an `ends`.
   */
  readonly now?: number
  /**
   * Hand every lease to `onLease` in one reused object with a fixed shape (all fields
   * present, unset ones undefined) instead of a fresh one. Much less garbage when loading a
   * large file; the object is only valid during the callback, so the callback must copy what
   * it keeps (the lease store does).
   */
  readonly reuseLeaseObject?: boolean
}

export interface ParseSummary {
  readonly leases: number
  readonly peerStates: number
  readonly verbatim: number
  readonly errors: number
  readonly warnings: number
  /** Bytes consumed in total. */
  readonly bytes: number
  /** Set when the file ended inside a record; that record was dropped. */
  readonly torn: (LeaseFileLocation & { readonly bytes: number }) | undefined
}

/** Thrown internally when the buffer ends inside a token or record. */
const INCOMPLETE: unique symbol = Symbol('incomplete')

class SyntaxProblem {
  constructor(
    readonly message: string,
    readonly pos: number,
  ) {}
}

const SEMI = 0x3b
const LBRACE = 0x7b
const RBRACE = 0x7d
const QUOTE = 0x22
const HASH = 0x23
const NL = 0x0a
const EMPTY = Buffer.alloc(0)

/** Bytes that end a bare word. */
const DELIMITER = new Uint8Array(256)
for (const c of ' \t\r\n;{}",#=') DELIMITER[c.charCodeAt(0)] = 1

const kw = (s: string): Uint8Array => Buffer.from(s, 'latin1')
const K = {
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

/** Binding state words, including ISC's legacy `reserved` and `bootp`. */
const STATE_WORDS: readonly [Uint8Array, BindingState | 'reserved'][] = [
  [kw('active'), 'active'],
  [kw('free'), 'free'],
  [kw('expired'), 'expired'],
  [kw('released'), 'released'],
  [kw('abandoned'), 'abandoned'],
  [kw('reset'), 'reset'],
  [kw('backup'), 'backup'],
  [kw('bootp'), 'bootp'],
  [kw('reserved'), 'reserved'],
]

type MutableLease = { -readonly [K in keyof Lease]: Lease[K] }

export class LeaseFileParser {
  private buf: Buffer = EMPTY
  private pos = 0
  private limit = 0
  private line = 1
  /** Index in `buf` of the first byte of the current line (may be negative after a shift). */
  private lineStart = 0
  private eof = false
  /** Absolute file offset of buf[0]. */
  private base = 0
  /** Absolute offset of the last error reported, so a re-parse after more data is quiet. */
  private lastErrorAt = -1
  private readonly scratch = Buffer.allocUnsafe(64 * 1024)
  /** Results of numberTriple. */
  private n0 = 0
  private n1 = 0
  private n2 = 0
  /** Last calendar day converted by fixedDate, and its day number. */
  private cachedYear = -1
  private cachedMonth = -1
  private cachedDay = -1
  private cachedDays = 0

  private leases = 0
  private peerStates = 0
  private verbatims = 0
  private errors = 0
  private warnings = 0
  private torn: ParseSummary['torn']

  constructor(
    private readonly handlers: LeaseFileHandlers,
    private readonly options: LeaseFileParserOptions = {},
  ) {}

  /** Parses every complete record in `chunk` (plus what was left over from before). */
  push(chunk: Uint8Array): void {
    if (this.eof) throw new Error('LeaseFileParser: push after end')
    const incoming = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
    if (this.pos < this.limit) {
      this.buf = Buffer.concat([this.buf.subarray(this.pos, this.limit), incoming])
    } else {
      this.buf = incoming
    }
    this.base += this.pos
    this.lineStart -= this.pos
    this.pos = 0
    this.limit = this.buf.length
    this.run()
  }

  /** Declares the end of the file, parses what is left and returns the summary. */
  end(): ParseSummary {
    this.eof = true
    this.run()
    return {
      leases: this.leases,
      peerStates: this.peerStates,
      verbatim: this.verbatims,
      errors: this.errors,
      warnings: this.warnings,
      bytes: this.base + this.pos,
      torn: this.torn,
    }
  }

  // ---- driver -----------------------------------------------------------------------------

  private run(): void {
    for (;;) {
      const savedPos = this.pos
      const savedLine = this.line
      const savedLineStart = this.lineStart
      let recordPos = -1
      let recordLoc: LeaseFileLocation = { line: savedLine, col: 1 }
      try {
        this.skipSpace()
        if (this.pos >= this.limit) return
        recordPos = this.pos
        recordLoc = this.here()
        this.parseTopLevel(recordLoc)
      } catch (e) {
        if (e === INCOMPLETE) {
          if (!this.eof) {
            this.pos = savedPos
            this.line = savedLine
            this.lineStart = savedLineStart
            return
          }
          if (recordPos >= 0) {
            this.torn = { ...recordLoc, bytes: this.limit - recordPos }
            this.pos = this.limit
          }
          return
        }
        if (!(e instanceof SyntaxProblem)) throw e
        if (!this.recover(e, savedPos, savedLine, savedLineStart)) return
      }
    }
  }

  /** Reports a syntax problem and skips to the end of the record; false = wait for data. */
  private recover(problem: SyntaxProblem, savedPos: number, savedLine: number, savedLineStart: number): boolean {
    const abs = this.base + problem.pos
    if (abs > this.lastErrorAt) {
      this.lastErrorAt = abs
      this.errors++
      this.handlers.onDiagnostic?.({ severity: 'error', ...this.locationOf(problem.pos), message: problem.message })
    }
    // Skip from the start of the record to its end: balanced braces, then `}` or `;`.
    this.pos = savedPos
    this.line = savedLine
    this.lineStart = savedLineStart
    try {
      this.skipSpace()
      this.skipBalanced(true)
      return true
    } catch (e) {
      if (e !== INCOMPLETE) throw e
      if (this.eof) {
        this.pos = this.limit
        return false
      }
      this.pos = savedPos
      this.line = savedLine
      this.lineStart = savedLineStart
      return false
    }
  }

  private parseTopLevel(at: LeaseFileLocation): void {
    const start = this.pos
    const wEnd = this.wordEnd()
    if (this.is(start, wEnd, K.lease)) {
      this.pos = wEnd
      const lease = this.parseLease()
      this.leases++
      this.handlers.onLease?.(lease, at)
      return
    }
    if (this.is(start, wEnd, K.failover)) {
      this.pos = wEnd
      const state = this.parseFailoverState()
      this.peerStates++
      this.handlers.onPeerState?.(state, at)
      return
    }
    const kind = this.buf.toString('latin1', start, wEnd)
    this.pos = wEnd
    this.skipSpace()
    this.need()
    const nameStart = this.pos
    const nameEnd = this.buf[nameStart] === QUOTE ? this.stringEnd() : this.wordEndOrSelf()
    const singleton = kind === 'server-duid' || kind === 'authoring-byte-order'
    const key = singleton ? kind : `${kind} ${this.buf.toString('latin1', nameStart, nameEnd)}`
    this.pos = start
    this.skipBalanced(true)
    const text = this.buf.toString('latin1', start, this.pos)
    if (!['server-duid', 'authoring-byte-order', 'host', 'group', 'class', 'subclass'].includes(kind)) {
      this.warn(start, `unknown top-level statement \`${kind}\` kept verbatim`)
    }
    this.verbatims++
    this.handlers.onVerbatim?.({ kind, key, text }, at)
  }

  // ---- lease ------------------------------------------------------------------------------

  private parseLease(): Lease {
    this.skipSpace()
    const ipStart = this.pos
    const ipEnd = this.wordEnd()
    const address = this.ipv4(ipStart, ipEnd)
    this.pos = ipEnd
    this.expect(LBRACE, '`{` after the lease address')
    const lease: MutableLease = this.options.reuseLeaseObject === true ? this.resetReused(address) : { address, bindingState: 'free' }
    let sawState = false
    let statements: LeaseStatement[] | undefined
    for (;;) {
      this.skipSpace()
      this.need()
      const c = this.buf[this.pos]!
      if (c === RBRACE) {
        this.pos++
        break
      }
      if (c === SEMI) {
        this.pos++
        continue
      }
      const s = this.pos
      const e = this.wordEnd()
      const len = e - s
      switch (this.buf[s]) {
        case 0x73: // s
          if (this.is(s, e, K.starts)) {
            this.pos = e
            lease.starts = this.date()
            continue
          }
          if (this.is(s, e, K.set)) {
            ;(statements ??= []).push(this.verbatim(s, 'set'))
            continue
          }
          break
        case 0x65: // e
          if (this.is(s, e, K.ends)) {
            this.pos = e
            lease.ends = this.date()
            continue
          }
          break
        case 0x74: // t
          if (len === 4 && this.is(s, e, K.tstp)) {
            this.pos = e
            lease.tstp = this.date()
            continue
          }
          if (len === 4 && this.is(s, e, K.tsfp)) {
            this.pos = e
            lease.tsfp = this.date()
            continue
          }
          break
        case 0x61: // a
          if (this.is(s, e, K.atsfp)) {
            this.pos = e
            lease.atsfp = this.date()
            continue
          }
          if (this.is(s, e, K.abandoned)) {
            this.pos = e
            this.expect(SEMI, '`;`')
            lease.bindingState = 'abandoned'
            sawState = true
            continue
          }
          break
        case 0x63: // c
          if (this.is(s, e, K.cltt)) {
            this.pos = e
            lease.cltt = this.date()
            continue
          }
          if (this.is(s, e, K.clientHostname)) {
            this.pos = e
            this.skipSpace()
            this.need()
            if (this.buf[this.pos] !== QUOTE) throw this.problem('expecting a quoted client-hostname')
            const n = this.readString()
            lease.clientHostname = this.scratch.toString('utf8', 0, n)
            this.expect(SEMI, '`;`')
            continue
          }
          break
        case 0x62: // b
          if (this.is(s, e, K.binding)) {
            this.pos = e
            const st = this.bindingStateClause()
            if (st === 'reserved') {
              lease.bindingState = 'active'
              lease.reserved = true
            } else if (st === 'bootp') {
              lease.bindingState = 'active'
              lease.dynamicBootp = true
            } else {
              lease.bindingState = st
            }
            sawState = true
            continue
          }
          if (this.is(s, e, K.billing)) {
            ;(statements ??= []).push(this.verbatim(s, 'billing'))
            continue
          }
          break
        case 0x6e: // n
          if (this.is(s, e, K.next)) {
            this.pos = e
            this.expectWord(K.binding, '`binding`')
            const st = this.bindingStateClause()
            lease.nextBindingState = st === 'reserved' || st === 'bootp' ? 'active' : st
            continue
          }
          break
        case 0x72: // r
          if (this.is(s, e, K.rewind)) {
            this.pos = e
            this.expectWord(K.binding, '`binding`')
            const st = this.bindingStateClause()
            lease.rewindBindingState = st === 'reserved' || st === 'bootp' ? 'active' : st
            continue
          }
          if (this.is(s, e, K.reserved)) {
            this.pos = e
            this.expect(SEMI, '`;`')
            lease.reserved = true
            continue
          }
          break
        case 0x68: // h
          if (this.is(s, e, K.hardware)) {
            this.pos = e
            lease.hardware = this.hardware()
            continue
          }
          break
        case 0x75: // u
          if (this.is(s, e, K.uid)) {
            this.pos = e
            const uid = this.uid()
            if (uid.length > 0) lease.uid = uid
            continue
          }
          break
        case 0x64: // d
          if (this.is(s, e, K.dynamicBootp)) {
            this.pos = e
            this.expect(SEMI, '`;`')
            lease.dynamicBootp = true
            continue
          }
          break
        case 0x6f: // o
          if (this.is(s, e, K.option)) {
            ;(statements ??= []).push(this.verbatim(s, 'option'))
            continue
          }
          if (this.is(s, e, K.on)) {
            ;(statements ??= []).push(this.verbatim(s, 'on'))
            continue
          }
          break
      }
      if (len === 0) throw this.problem(`unexpected \`${String.fromCharCode(c)}\` in lease`)
      this.warn(s, `unknown lease statement \`${this.buf.toString('latin1', s, e)}\` kept verbatim`)
      ;(statements ??= []).push(this.verbatim(s, 'other'))
    }
    if (statements !== undefined) lease.statements = statements
    if (!sawState) {
      // ISC: no binding state → active (next free) while ends is in the future, else free.
      const ends = lease.ends
      const now = this.options.now
      const active = ends !== undefined && (ends === NEVER || now === undefined || ends > now)
      lease.bindingState = active ? 'active' : 'free'
      if (active && lease.nextBindingState === undefined) lease.nextBindingState = 'free'
    }
    return lease
  }

  private reused: MutableLease | undefined

  private resetReused(address: number): MutableLease {
    const r = (this.reused ??= blankLease())
    r.address = address
    r.bindingState = 'free'
    r.nextBindingState = undefined
    r.rewindBindingState = undefined
    r.starts = undefined
    r.ends = undefined
    r.tstp = undefined
    r.tsfp = undefined
    r.atsfp = undefined
    r.cltt = undefined
    r.reserved = undefined
    r.dynamicBootp = undefined
    r.hardware = undefined
    r.uid = undefined
    r.clientHostname = undefined
    r.statements = undefined
    return r
  }

  /** `state WORD ;` after `binding`. */
  private bindingStateClause(): BindingState | 'reserved' {
    const b = this.buf
    const p = this.pos
    // Fast path for the written form " state WORD;".
    if (p + 7 <= this.limit && b[p] === 0x20 && b[p + 1] === 0x73 && b[p + 2] === 0x74 && b[p + 3] === 0x61 && b[p + 4] === 0x74 && b[p + 5] === 0x65 && b[p + 6] === 0x20) {
      this.pos = p + 7
    } else {
      this.expectWord(K.state, '`state`')
    }
    this.skipSpace()
    const s = this.pos
    const e = this.wordEnd()
    for (const [bytes, st] of STATE_WORDS) {
      if (this.is(s, e, bytes)) {
        this.pos = e
        this.expect(SEMI, '`;`')
        return st
      }
    }
    throw this.problem(`unknown binding state \`${this.buf.toString('latin1', s, e)}\``)
  }

  private hardware(): LeaseHardware {
    this.skipSpace()
    const ts = this.pos
    const te = this.wordEnd()
    let htype: number | undefined
    if (this.is(ts, te, K.ethernet)) htype = 1
    else htype = hardwareTypeFromName(this.buf.toString('latin1', ts, te))
    if (htype === undefined) throw this.problem(`unknown hardware type \`${this.buf.toString('latin1', ts, te)}\``)
    this.pos = te
    this.skipSpace()
    const s = this.pos
    const e = this.wordEnd()
    const address = this.colonHex(s, e)
    if (address === undefined) throw this.problem('expecting a colon-separated hardware address')
    this.pos = e
    this.expect(SEMI, '`;`')
    return { htype, address }
  }

  private uid(): Buffer {
    this.skipSpace()
    this.need()
    let out: Buffer
    if (this.buf[this.pos] === QUOTE) {
      const n = this.readString()
      out = copyOut(this.scratch, n)
    } else {
      const s = this.pos
      const e = this.wordEnd()
      const bytes = this.colonHex(s, e)
      if (bytes === undefined) throw this.problem('expecting a quoted or colon-hex uid')
      this.pos = e
      out = bytes
    }
    this.expect(SEMI, '`;`')
    return out
  }

  /** Captures a statement verbatim from `start` to its `;` or closing `}`. */
  private verbatim(start: number, kind: LeaseStatement['kind']): LeaseStatement {
    this.pos = start
    this.skipBalanced(false)
    return { kind, text: this.buf.toString('latin1', start, this.pos) }
  }

  // ---- failover peer state ----------------------------------------------------------------

  private parseFailoverState(): FailoverPeerState {
    this.expectWord(K.peer, '`peer`')
    this.skipSpace()
    this.need()
    if (this.buf[this.pos] !== QUOTE) throw this.problem('expecting the quoted peer name')
    const n = this.readString()
    const name = this.scratch.toString('utf8', 0, n)
    this.expectWord(K.state, '`state`')
    this.expect(LBRACE, '`{`')
    let myState: FailoverStateName | undefined
    let myStateAt: number | undefined
    let partnerState: FailoverStateName | undefined
    let partnerStateAt: number | undefined
    let mclt: number | undefined
    for (;;) {
      this.skipSpace()
      this.need()
      if (this.buf[this.pos] === RBRACE) {
        this.pos++
        break
      }
      const s = this.pos
      const e = this.wordEnd()
      this.pos = e
      if (this.is(s, e, K.mclt)) {
        mclt = this.integer()
        this.expect(SEMI, '`;`')
        continue
      }
      const mine = this.is(s, e, K.my)
      const partner = this.is(s, e, K.partner) || this.is(s, e, K.peer)
      if (!mine && !partner) throw this.problemAt(s, 'expecting `my state`, `partner state` or `mclt`')
      if (this.is(s, e, K.peer)) this.warn(s, 'ISC dhcpd only accepts `partner state`; read `peer state` as that')
      this.expectWord(K.state, '`state`')
      this.skipSpace()
      const ws = this.pos
      const we = this.wordEnd()
      const word = this.buf.toString('latin1', ws, we)
      if (!isFailoverStateName(word)) throw this.problemAt(ws, `unknown failover state \`${word}\``)
      this.pos = we
      this.skipSpace()
      this.need()
      let at: number | undefined
      if (this.buf[this.pos] === SEMI) {
        this.pos++
      } else {
        this.expectWord(K.at, '`at` or `;`')
        at = this.date()
      }
      if (mine) {
        myState = word
        myStateAt = at
      } else {
        partnerState = word
        partnerStateAt = at
      }
    }
    if (myState === undefined) throw this.problem(`failover peer "${name}" state block without \`my state\``)
    return {
      name,
      myState,
      myStateAt,
      partnerState: partnerState ?? 'unknown-state',
      partnerStateAt,
      mclt,
    }
  }

  // ---- dates and numbers ------------------------------------------------------------------

  /** A date through its `;` (and, for `epoch N;`, the comment the space skipper eats). */
  private date(): number {
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

  private integer(): number {
    this.skipSpace()
    const s = this.pos
    const e = this.wordEnd()
    const v = this.digitsOf(s, e, 'number')
    this.pos = e
    return v
  }

  private digitsOf(s: number, e: number, what: string): number {
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

  private ipv4(s: number, e: number): number {
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

  /** ISC colon-hex: one or two hex digits per octet. */
  private colonHex(s: number, e: number): Buffer | undefined {
    if (s === e) return undefined
    const out = this.scratch
    let n = 0
    let v = 0
    let digits = 0
    for (let i = s; i <= e; i++) {
      const c = i < e ? this.buf[i]! : 0x3a
      if (c === 0x3a) {
        if (digits === 0) return undefined
        out[n++] = v
        v = 0
        digits = 0
        continue
      }
      const d = hexValue(c)
      if (d < 0 || digits === 2) return undefined
      v = v * 16 + d
      digits++
    }
    return copyOut(out, n)
  }

  // ---- lexing -----------------------------------------------------------------------------

  /** Skips blanks, newlines and `#` comments. A comment cut by the buffer end is incomplete. */
  private skipSpace(): void {
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
  private need(): void {
    if (this.pos >= this.limit) throw INCOMPLETE
  }

  /** End of the bare word at `pos` (may be `pos` itself when a delimiter is there). */
  private wordEnd(): number {
    this.need()
    const b = this.buf
    const end = this.limit
    let p = this.pos
    while (p < end && DELIMITER[b[p]!] === 0) p++
    if (p >= end) throw INCOMPLETE // the word may go on in the next chunk; at EOF it is torn
    return p
  }

  /** Like wordEnd, but a lone delimiter character counts as a one-byte word. */
  private wordEndOrSelf(): number {
    const e = this.wordEnd()
    return e === this.pos ? e + 1 : e
  }

  private stringEnd(): number {
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
  private readString(): number {
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
  private skipBalanced(topLevel: boolean): void {
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

  private is(s: number, e: number, word: Uint8Array): boolean {
    if (e - s !== word.length) return false
    const b = this.buf
    for (let i = 0; i < word.length; i++) if (b[s + i] !== word[i]) return false
    return true
  }

  private expect(byte: number, what: string): void {
    this.skipSpace()
    this.need()
    if (this.buf[this.pos] !== byte) throw this.problem(`expecting ${what}`)
    this.pos++
  }

  private expectWord(word: Uint8Array, what: string): void {
    this.skipSpace()
    const s = this.pos
    const e = this.wordEnd()
    if (!this.is(s, e, word)) throw this.problemAt(s, `expecting ${what}`)
    this.pos = e
  }

  private here(): LeaseFileLocation {
    return this.locationOf(this.pos)
  }

  private locationOf(pos: number): LeaseFileLocation {
    // Positions before the current line (rare: a problem found after a newline) are
    // reported on the current line's start.
    return { line: this.line, col: Math.max(1, pos - this.lineStart + 1) }
  }

  private problem(message: string): SyntaxProblem {
    return new SyntaxProblem(message, this.pos)
  }

  private problemAt(pos: number, message: string): SyntaxProblem {
    return new SyntaxProblem(message, pos)
  }

  private warn(pos: number, message: string): void {
    if (this.base + pos <= this.lastErrorAt) return
    this.warnings++
    this.handlers.onDiagnostic?.({ severity: 'warning', ...this.locationOf(pos), message })
  }
}

function blankLease(): MutableLease {
  return {
    address: 0,
    bindingState: 'free',
    nextBindingState: undefined,
    rewindBindingState: undefined,
    starts: undefined,
    ends: undefined,
    tstp: undefined,
    tsfp: undefined,
    atsfp: undefined,
    cltt: undefined,
    reserved: undefined,
    dynamicBootp: undefined,
    hardware: undefined,
    uid: undefined,
    clientHostname: undefined,
    statements: undefined,
  }
}

/** A fresh Buffer with the first `n` bytes of `from` (a JS loop beats a native call for ids). */
function copyOut(from: Buffer, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  if (n > 32) from.copy(out, 0, 0, n)
  else for (let i = 0; i < n; i++) out[i] = from[i]!
  return out
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

/** Everything a whole-file parse found, collected (for tests and small files). */
export interface ParsedLeaseFile {
  readonly leases: Lease[]
  readonly peerStates: FailoverPeerState[]
  readonly verbatim: VerbatimRecord[]
  readonly diagnostics: LeaseFileDiagnostic[]
  readonly summary: ParseSummary
}

/** Parses a whole file held in memory; records are returned in file order (no last-wins). */
export function parseLeaseFile(content: string | Uint8Array, options: LeaseFileParserOptions = {}): ParsedLeaseFile {
  const leases: Lease[] = []
  const peerStates: FailoverPeerState[] = []
  const verbatim: VerbatimRecord[] = []
  const diagnostics: LeaseFileDiagnostic[] = []
  const parser = new LeaseFileParser(
    {
      onLease: (l) => leases.push(l),
      onPeerState: (s) => peerStates.push(s),
      onVerbatim: (v) => verbatim.push(v),
      onDiagnostic: (d) => diagnostics.push(d),
    },
    options,
  )
  parser.push(typeof content === 'string' ? Buffer.from(content, 'latin1') : content)
  const summary = parser.end()
  return { leases, peerStates, verbatim, diagnostics, summary }
}

/** Parses an async stream of chunks (e.g. a file read stream). */
export async function parseLeaseStream(
  chunks: AsyncIterable<Uint8Array>,
  handlers: LeaseFileHandlers,
  options: LeaseFileParserOptions = {},
): Promise<ParseSummary> {
  const parser = new LeaseFileParser(handlers, options)
  for await (const chunk of chunks) parser.push(chunk)
  return parser.end()
}
