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
import {
  EMPTY,
  INCOMPLETE,
  K,
  kw,
  LBRACE,
  LeaseFileLexer,
  QUOTE,
  RBRACE,
  SEMI,
  SyntaxProblem,
  type LeaseFileLocation,
} from './lease-file-lexer.js'
import { hardwareTypeFromName } from './lease-file-strings.js'

export type { LeaseFileLocation } from './lease-file-lexer.js'

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

export class LeaseFileParser extends LeaseFileLexer {
  private leases = 0
  private peerStates = 0
  private verbatims = 0
  private errors = 0
  private warnings = 0
  private torn: ParseSummary['torn']

  constructor(
    private readonly handlers: LeaseFileHandlers,
    private readonly options: LeaseFileParserOptions = {},
  ) {
    super()
  }

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
    // A crash after the file grew but before its data blocks were written leaves NUL bytes
    // at the end (delayed allocation); they are part of the torn tail, not a syntax error.
    let nulStart = this.limit
    while (nulStart > this.pos && this.buf[nulStart - 1] === 0) nulStart--
    const nulBytes = this.limit - nulStart
    this.limit = nulStart
    this.run()
    if (nulBytes > 0) {
      if (this.torn !== undefined) {
        this.torn = { ...this.torn, bytes: this.torn.bytes + nulBytes }
      } else {
        this.torn = { ...this.locationOf(this.pos), bytes: nulBytes }
      }
      this.pos += nulBytes
      this.limit += nulBytes
    }
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
  private reusedHardware: { htype: number; address: Buffer } | undefined
  private readonly hwRegion = new ReusableBytes(256)
  private readonly uidRegion = new ReusableBytes(64 * 1024)

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
    const n = this.colonHex(s, e)
    if (n < 0) throw this.problem('expecting a colon-separated hardware address')
    this.pos = e
    this.expect(SEMI, '`;`')
    if (this.options.reuseLeaseObject !== true) return { htype, address: copyOut(this.scratch, n) }
    // Reuse mode: the hardware object and its bytes live in parser-owned memory.
    const hw = (this.reusedHardware ??= { htype: 0, address: EMPTY })
    hw.htype = htype
    hw.address = this.hwRegion.view(this.scratch, n)
    return hw
  }

  private uid(): Buffer {
    this.skipSpace()
    this.need()
    let n: number
    if (this.buf[this.pos] === QUOTE) {
      n = this.readString()
    } else {
      const s = this.pos
      const e = this.wordEnd()
      n = this.colonHex(s, e)
      if (n < 0) throw this.problem('expecting a quoted or colon-hex uid')
      this.pos = e
    }
    this.expect(SEMI, '`;`')
    return this.options.reuseLeaseObject === true ? this.uidRegion.view(this.scratch, n) : copyOut(this.scratch, n)
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

/**
 * Parser-owned bytes handed out as Buffer views, one cached view per length, so reuse mode
 * allocates nothing per lease for hardware addresses and uids.
 */
class ReusableBytes {
  private readonly region: Buffer
  private readonly views: Buffer[] = []
  constructor(size: number) {
    this.region = Buffer.allocUnsafe(size)
  }
  /** Copies the first `n` bytes of `from` in and returns a view of exactly `n` bytes. */
  view(from: Buffer, n: number): Buffer {
    for (let i = 0; i < n; i++) this.region[i] = from[i]!
    if (n > 64) return this.region.subarray(0, n)
    return (this.views[n] ??= this.region.subarray(0, n))
  }
}

/** A fresh Buffer with the first `n` bytes of `from` (a JS loop beats a native call for ids). */
function copyOut(from: Buffer, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  if (n > 32) from.copy(out, 0, 0, n)
  else for (let i = 0; i < n; i++) out[i] = from[i]!
  return out
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
