/**
 * dhcpd.conf tokens → syntax tree (ast.ts). Follows the statement grammar of dhcpd.conf(5);
 * `include "file";` is resolved relative to the including file's folder and parsed in place,
 * in the scope it appears in, as ISC does. The parser recovers after an error (skips to the
 * next `;` or block) so one run reports everything it can.
 */
import type { Diagnostic, SourceLocation } from '../lib/errors.js'
import { parseIPv4 } from '../lib/ip.js'
import { parseColonHex } from '../lib/hex.js'
import type { FieldType } from '../protocol/dhcp/option-defs.js'
import type {
  ConfigFile,
  FailoverSetting,
  FailoverSettingKey,
  Located,
  OptionFormat,
  ParameterValue,
  Statement,
} from './ast.js'
import { tokenize, type Token } from './lexer.js'
import { PARAMETERS, UNIMPLEMENTED_STATEMENTS, type ParameterSyntax } from './parameters.js'
import { resolveInclude, type SourceReader } from './source-reader.js'
import { didYouMean } from './suggest.js'

export interface ParseResult {
  readonly config: ConfigFile
  readonly diagnostics: readonly Diagnostic[]
}

/** Statement keywords, for "did you mean" hints. */
export const STATEMENT_KEYWORDS: readonly string[] = [
  'include', 'subnet', 'shared-network', 'pool', 'group', 'host', 'class', 'subclass', 'failover',
  'no', 'not', 'authoritative', 'allow', 'deny', 'ignore', 'option', 'range', 'hardware',
  'fixed-address', 'host-identifier', 'match', 'spawn',
  ...PARAMETERS.keys(),
  ...UNIMPLEMENTED_STATEMENTS,
]

const FAILOVER_KEYWORDS: readonly string[] = [
  'primary', 'secondary', 'address', 'port', 'peer', 'max-response-delay', 'max-unacked-updates',
  'mclt', 'split', 'hba', 'load', 'max-lease-misbalance', 'max-lease-ownership', 'min-balance',
  'max-balance', 'auto-partner-down',
]

const FAILOVER_NUMERIC: ReadonlyMap<string, FailoverSettingKey> = new Map([
  ['max-response-delay', 'max-response-delay'],
  ['max-unacked-updates', 'max-unacked-updates'],
  ['mclt', 'mclt'],
  ['split', 'split'],
  ['max-lease-misbalance', 'max-lease-misbalance'],
  ['max-lease-ownership', 'max-lease-ownership'],
  ['min-balance', 'min-balance'],
  ['max-balance', 'max-balance'],
  ['auto-partner-down', 'auto-partner-down'],
] as const)

const HARDWARE_TYPES: ReadonlyMap<string, number> = new Map([
  ['ethernet', 1],
  ['token-ring', 6],
  ['fddi', 8],
  ['infiniband', 32],
])

const UINT32_MAX = 0xffffffff

/** Thrown inside the parser to abandon the current statement; never escapes parseConfig. */
class StatementAbandoned extends Error {}

/** Parses `path` and everything it includes. Never throws for bad input: see `diagnostics`. */
export function parseConfig(path: string, reader: SourceReader): ParseResult {
  const diagnostics: Diagnostic[] = []
  const files: string[] = []
  const statements = parseFile(path, reader, { diagnostics, files, includeStack: [] }, undefined)
  return { config: { files, statements }, diagnostics }
}

/** Parses source text directly (no includes need a reader unless the text has them). */
export function parseSource(source: string, file: string, reader?: SourceReader): ParseResult {
  const diagnostics: Diagnostic[] = []
  const files: string[] = [file]
  const noFiles: SourceReader = { read: () => undefined }
  const shared: SharedState = { diagnostics, files, includeStack: [file] }
  const lexed = tokenize(source, file)
  diagnostics.push(...lexed.diagnostics)
  const statements = new Parser(lexed.tokens, reader ?? noFiles, shared).parseTopLevel()
  return { config: { files, statements }, diagnostics }
}

interface SharedState {
  readonly diagnostics: Diagnostic[]
  readonly files: string[]
  /** Files being parsed, outermost first: an include of one of them is a cycle. */
  readonly includeStack: string[]
}

function parseFile(path: string, reader: SourceReader, shared: SharedState, from: SourceLocation | undefined): Statement[] {
  if (shared.includeStack.includes(path)) {
    const chain = [...shared.includeStack.slice(shared.includeStack.indexOf(path)), path].join(' → ')
    shared.diagnostics.push({ severity: 'error', loc: from ?? { file: path, line: 1, col: 1 }, message: `include cycle: ${chain}` })
    return []
  }
  const source = reader.read(path)
  if (source === undefined) {
    shared.diagnostics.push({
      severity: 'error',
      loc: from ?? { file: path, line: 1, col: 1 },
      message: from ? `cannot read included file ${path}` : `cannot read ${path}`,
    })
    return []
  }
  shared.files.push(path)
  const lexed = tokenize(source, path)
  shared.diagnostics.push(...lexed.diagnostics)
  shared.includeStack.push(path)
  try {
    return new Parser(lexed.tokens, reader, shared).parseTopLevel()
  } finally {
    shared.includeStack.pop()
  }
}

class Parser {
  private pos = 0

  constructor(
    private readonly tokens: readonly Token[],
    private readonly reader: SourceReader,
    private readonly shared: SharedState,
  ) {}

  parseTopLevel(): Statement[] {
    const out: Statement[] = []
    while (!this.atEof()) {
      if (this.isPunct('}')) {
        this.error(this.peek().loc, 'unexpected `}`')
        this.pos++
        continue
      }
      this.parseStatementInto(out)
    }
    return out
  }

  // ---- token helpers -------------------------------------------------------------------

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!
  }

  private next(): Token {
    const t = this.peek()
    if (t.kind !== 'eof') this.pos++
    return t
  }

  private atEof(): boolean {
    return this.peek().kind === 'eof'
  }

  private isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset)
    return t.kind === 'punct' && t.text === text
  }

  private isWord(text: string, offset = 0): boolean {
    const t = this.peek(offset)
    return t.kind === 'name' && t.text.toLowerCase() === text
  }

  private error(loc: SourceLocation, message: string, hint?: string): void {
    this.shared.diagnostics.push(hint === undefined ? { severity: 'error', loc, message } : { severity: 'error', loc, message, hint })
  }

  private warn(loc: SourceLocation, message: string, hint?: string): void {
    this.shared.diagnostics.push(
      hint === undefined ? { severity: 'warning', loc, message } : { severity: 'warning', loc, message, hint },
    )
  }

  /** Reports and abandons the statement. */
  private fail(loc: SourceLocation, message: string, hint?: string): never {
    this.error(loc, message, hint)
    throw new StatementAbandoned()
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of file'
    if (t.kind === 'string') return JSON.stringify(t.text)
    return `\`${t.text}\``
  }

  private expectPunct(text: string, what?: string): Token {
    if (this.isPunct(text)) return this.next()
    const t = this.peek()
    return this.fail(t.loc, `expected \`${text}\`${what ? ` ${what}` : ''}, found ${this.describe(t)}`)
  }

  private expectSemicolon(): void {
    this.expectPunct(';')
  }

  private expectWord(text: string): Token {
    if (this.isWord(text)) return this.next()
    const t = this.peek()
    return this.fail(t.loc, `expected \`${text}\`, found ${this.describe(t)}`)
  }

  /** Skips the rest of a statement: through the next `;` or balanced block at depth 0. */
  private skipStatement(): void {
    let depth = 0
    while (!this.atEof()) {
      const t = this.peek()
      if (t.kind === 'punct') {
        if (t.text === '{') depth++
        else if (t.text === '}') {
          if (depth === 0) return // belongs to the enclosing block
          depth--
          if (depth === 0) {
            this.pos++
            return
          }
        } else if (t.text === ';' && depth === 0) {
          this.pos++
          return
        }
      }
      this.pos++
    }
  }

  /** Tokens up to (not including) the `;` that ends the statement at paren depth 0. */
  private tokensUntilSemicolon(stopAtBrace = false): Token[] {
    const out: Token[] = []
    let depth = 0
    while (!this.atEof()) {
      const t = this.peek()
      if (t.kind === 'punct') {
        if (t.text === '(') depth++
        else if (t.text === ')') depth--
        else if (depth <= 0 && (t.text === ';' || t.text === '}' || (stopAtBrace && t.text === '{'))) break
      }
      out.push(t)
      this.pos++
    }
    return out
  }

  // ---- value readers --------------------------------------------------------------------

  /** `what` describes the expected value; `subject` names it in the out-of-range message. */
  private readUint(max: number, what: string, subject = what): Located<number> {
    const t = this.next()
    if (t.kind !== 'number' || t.text.startsWith('-')) this.fail(t.loc, `expected ${what}, found ${this.describe(t)}`)
    const n = Number(t.text)
    if (n > max) this.fail(t.loc, `${t.text} is out of range for ${subject} (0..${max})`)
    return { value: n, loc: t.loc }
  }

  private readIp(what: string): Located<number> {
    const t = this.next()
    const ip = t.kind === 'ip' ? parseIPv4(t.text) : undefined
    if (ip === undefined) this.fail(t.loc, `expected ${what} (an IPv4 address), found ${this.describe(t)}`)
    return { value: ip, loc: t.loc }
  }

  private readBoolean(): Located<boolean> {
    const t = this.next()
    const text = t.kind === 'name' ? t.text.toLowerCase() : ''
    if (text === 'true' || text === 'on') return { value: true, loc: t.loc }
    if (text === 'false' || text === 'off') return { value: false, loc: t.loc }
    return this.fail(t.loc, `expected true, false, on or off, found ${this.describe(t)}`)
  }

  private readString(what: string): Located<string> {
    const t = this.next()
    if (t.kind !== 'string') this.fail(t.loc, `expected ${what} (a quoted string), found ${this.describe(t)}`)
    return { value: t.text, loc: t.loc }
  }

  /** A name written bare or quoted (peer names, host names, shared-network names). */
  private readName(what: string): Located<string> {
    const t = this.next()
    if (t.kind === 'punct' || t.kind === 'eof') this.fail(t.loc, `expected ${what}, found ${this.describe(t)}`)
    return { value: t.text, loc: t.loc }
  }

  private readParameterValue(syntax: ParameterSyntax, keyword: string): Located<ParameterValue> {
    switch (syntax) {
      case 'uint32':
        return this.readUint(UINT32_MAX, `a number for ${keyword}`, keyword)
      case 'port':
        return this.readUint(65535, `a port number for ${keyword}`, keyword)
      case 'boolean':
        return this.readBoolean()
      case 'ip':
        return this.readIp(`an address for ${keyword}`)
      case 'text':
        return this.readString(`a value for ${keyword}`)
      case 'name': {
        const t = this.next()
        if (t.kind !== 'name' && t.kind !== 'string') this.fail(t.loc, `expected a name for ${keyword}, found ${this.describe(t)}`)
        return { value: t.text, loc: t.loc }
      }
      case 'ddns-style': {
        const t = this.next()
        const styles = ['none', 'ad-hoc', 'interim', 'standard']
        if (t.kind !== 'name' || !styles.includes(t.text.toLowerCase())) {
          const hint = t.kind === 'name' ? didYouMean(t.text, styles) : undefined
          this.fail(t.loc, `ddns-update-style must be none, ad-hoc, interim or standard, found ${this.describe(t)}`, hint)
        }
        return { value: t.text.toLowerCase(), loc: t.loc }
      }
      case 'scalar': {
        const t = this.next()
        if (t.kind === 'number') return { value: Number(t.text), loc: t.loc }
        if (t.kind === 'name' && ['true', 'on'].includes(t.text.toLowerCase())) return { value: true, loc: t.loc }
        if (t.kind === 'name' && ['false', 'off'].includes(t.text.toLowerCase())) return { value: false, loc: t.loc }
        if (t.kind === 'punct' || t.kind === 'eof') this.fail(t.loc, `expected a value for ${keyword}, found ${this.describe(t)}`)
        // An expression (e.g. ddns-hostname = concat(…)) is kept as its first word plus the rest skipped.
        if (!this.isPunct(';')) {
          const rest = this.tokensUntilSemicolon()
          return { value: [t, ...rest].map((x) => x.text).join(' '), loc: t.loc }
        }
        return { value: t.text, loc: t.loc }
      }
    }
  }

  // ---- statements -----------------------------------------------------------------------

  /** Parses one statement (or an include) and appends the result(s) to `out`. */
  private parseStatementInto(out: Statement[]): void {
    const start = this.pos
    try {
      this.parseStatement(out)
    } catch (e) {
      if (!(e instanceof StatementAbandoned)) throw e
      // Recover: if the failing token ended the statement, skipping would eat the next one.
      if (this.pos === start) this.pos++
      const prev = this.tokens[this.pos - 1]
      if (!(prev && prev.kind === 'punct' && (prev.text === ';' || prev.text === '}'))) this.skipStatement()
    }
  }

  private parseStatement(out: Statement[]): void {
    const first = this.peek()
    if (first.kind === 'punct' && first.text === ';') {
      this.pos++ // an empty statement is harmless
      return
    }
    if (first.kind !== 'name') {
      this.next()
      this.fail(first.loc, `expected a statement, found ${this.describe(first)}`)
    }
    const keyword = first.text.toLowerCase()
    const loc = first.loc

    switch (keyword) {
      case 'include':
        return this.parseInclude(out)
      case 'subnet': {
        this.next()
        const network = this.readIp('a subnet number')
        this.expectWord('netmask')
        const netmask = this.readIp('a netmask')
        out.push({ type: 'subnet', loc, network, netmask, body: this.parseBlock('subnet') })
        return
      }
      case 'shared-network': {
        this.next()
        const name = this.readName('a shared-network name')
        out.push({ type: 'shared-network', loc, name, body: this.parseBlock('shared-network') })
        return
      }
      case 'pool':
        this.next()
        out.push({ type: 'pool', loc, body: this.parseBlock('pool') })
        return
      case 'group': {
        this.next()
        const name = this.isPunct('{') ? undefined : this.readName('a group name')
        out.push({ type: 'group', loc, name, body: this.parseBlock('group') })
        return
      }
      case 'host': {
        this.next()
        const name = this.readName('a host name')
        out.push({ type: 'host', loc, name, body: this.parseBlock('host') })
        return
      }
      case 'class': {
        this.next()
        const name = this.readName('a class name')
        out.push({ type: 'class', loc, name, body: this.parseBlock('class') })
        return
      }
      case 'subclass':
        return this.parseSubclass(out)
      case 'failover':
        return this.parseFailover(out)
      case 'no': {
        this.next()
        this.expectWord('failover')
        this.expectWord('peer')
        this.expectSemicolon()
        out.push({ type: 'failover-peer-ref', loc, name: undefined })
        return
      }
      case 'not': {
        this.next()
        this.expectWord('authoritative')
        this.expectSemicolon()
        out.push({ type: 'authoritative', loc, value: false })
        return
      }
      case 'authoritative':
        this.next()
        this.expectSemicolon()
        out.push({ type: 'authoritative', loc, value: true })
        return
      case 'allow':
      case 'deny':
      case 'ignore': {
        this.next()
        const words = this.tokensUntilSemicolon()
        if (words.length === 0) this.fail(this.peek().loc, `expected what to ${keyword}`)
        this.expectSemicolon()
        out.push({ type: 'access', loc, verb: keyword, words })
        return
      }
      case 'option':
        return this.parseOption(out)
      case 'range':
        return this.parseRange(out)
      case 'hardware':
        return this.parseHardware(out)
      case 'fixed-address':
        return this.parseFixedAddress(out)
      case 'host-identifier': {
        this.next()
        this.expectWord('option')
        const option = this.readName('an option name')
        const valueTokens = this.tokensUntilSemicolon()
        this.expectSemicolon()
        out.push({ type: 'host-identifier', loc, option, valueTokens })
        return
      }
      case 'match':
      case 'spawn': {
        this.next()
        const rest = this.tokensUntilSemicolon()
        this.expectSemicolon()
        out.push({ type: 'match', loc, text: [first, ...rest].map(tokenSource).join(' ') })
        return
      }
      case 'lease': {
        // `lease limit N;` inside a class.
        this.next()
        this.skipStatement()
        out.push({ type: 'unimplemented', loc, keyword: 'lease limit' })
        return
      }
    }

    const parameter = PARAMETERS.get(keyword)
    if (parameter) {
      this.next()
      const value = this.readParameterValue(parameter.syntax, keyword)
      this.expectSemicolon()
      out.push({ type: 'parameter', loc, name: keyword, value })
      return
    }
    if (UNIMPLEMENTED_STATEMENTS.has(keyword)) {
      this.next()
      this.skipStatement()
      out.push({ type: 'unimplemented', loc, keyword })
      return
    }
    // ISC dhcpd 4.4.3 ignores a lone unknown word before `;` (e.g. `authorized;`): accept it, warn.
    if (this.isPunct(';', 1)) {
      this.pos += 2
      this.warn(loc, `unknown statement \`${first.text}\` ignored (as ISC dhcpd does)`, didYouMean(first.text, STATEMENT_KEYWORDS))
      out.push({ type: 'ignored-word', loc, word: first.text })
      return
    }
    this.next()
    this.fail(loc, `unknown statement \`${first.text}\``, didYouMean(first.text, STATEMENT_KEYWORDS))
  }

  /** `{ statements }`; `what` names the declaration for the "missing }" message. */
  private parseBlock(what: string): Statement[] {
    const open = this.expectPunct('{', `to open the ${what} declaration`)
    const body: Statement[] = []
    while (!this.isPunct('}')) {
      if (this.atEof()) {
        this.error(open.loc, `missing \`}\` for this ${what} declaration`)
        return body
      }
      this.parseStatementInto(body)
    }
    this.next()
    return body
  }

  private parseInclude(out: Statement[]): void {
    this.next()
    const target = this.readString('a file name')
    this.expectSemicolon()
    const current = target.loc.file
    const path = resolveInclude(current, target.value)
    out.push(...parseFile(path, this.reader, this.shared, target.loc))
  }

  private parseSubclass(out: Statement[]): void {
    const loc = this.next().loc
    const className = this.readName('a class name')
    const dataTokens = this.tokensUntilSemicolon(true)
    if (dataTokens.length === 0) this.fail(this.peek().loc, 'expected the subclass data')
    const data = dataTokens.map(tokenSource).join(' ')
    if (this.isPunct('{')) {
      out.push({ type: 'subclass', loc, className, data, body: this.parseBlock('subclass') })
      return
    }
    this.expectSemicolon()
    out.push({ type: 'subclass', loc, className, data, body: [] })
  }

  private parseFailover(out: Statement[]): void {
    const loc = this.next().loc
    this.expectWord('peer')
    const name = this.readName('a failover peer name')
    if (this.isPunct(';')) {
      this.next()
      out.push({ type: 'failover-peer-ref', loc, name })
      return
    }
    if (this.isWord('state')) {
      // `failover peer "X" state { … }` records peer state (normally in the lease file).
      this.next()
      this.skipStatement()
      out.push({ type: 'unimplemented', loc, keyword: 'failover peer state' })
      return
    }
    const open = this.expectPunct('{', 'or `;` after the failover peer name')
    const settings: FailoverSetting[] = []
    while (!this.isPunct('}')) {
      if (this.atEof()) {
        this.error(open.loc, 'missing `}` for this failover peer declaration')
        break
      }
      const start = this.pos
      try {
        const setting = this.parseFailoverSetting()
        if (setting) settings.push(setting)
      } catch (e) {
        if (!(e instanceof StatementAbandoned)) throw e
        if (this.pos === start) this.pos++
        const prev = this.tokens[this.pos - 1]
        if (!(prev && prev.kind === 'punct' && (prev.text === ';' || prev.text === '}'))) this.skipStatement()
      }
    }
    if (this.isPunct('}')) this.next()
    out.push({ type: 'failover-peer', loc, name, settings })
  }

  private parseFailoverSetting(): FailoverSetting | undefined {
    const t = this.peek()
    if (t.kind === 'punct' && t.text === ';') {
      this.next()
      return undefined
    }
    const word = t.kind === 'name' ? t.text.toLowerCase() : ''
    const loc = t.loc
    const finish = (key: FailoverSettingKey, value: FailoverSetting['value']): FailoverSetting => {
      this.expectSemicolon()
      return { key, loc, value }
    }
    switch (word) {
      case 'primary':
      case 'secondary':
        this.next()
        return finish(word, true)
      case 'address':
        this.next()
        return finish('address', this.readName('an address').value)
      case 'port':
        this.next()
        return finish('port', this.readUint(65535, 'a port number').value)
      case 'peer': {
        this.next()
        if (this.isWord('address')) {
          this.next()
          return finish('peer-address', this.readName('an address').value)
        }
        if (this.isWord('port')) {
          this.next()
          return finish('peer-port', this.readUint(65535, 'a port number').value)
        }
        // `peer <setting>` describes the partner; ISC parses and ignores it.
        const inner = this.parseFailoverSetting()
        return inner ? { key: 'peer-other', loc, value: true } : undefined
      }
      case 'hba': {
        this.next()
        const h = this.next()
        const bytes = h.kind === 'hex' ? parseColonHex(h.text) : undefined
        if (!bytes || bytes.length !== 32) this.fail(h.loc, 'hba must be 32 colon-separated hex octets')
        return finish('hba', bytes)
      }
      case 'load': {
        this.next()
        this.expectWord('balance')
        this.expectWord('max')
        this.expectWord('seconds')
        return finish('load-balance-max-seconds', this.readUint(UINT32_MAX, 'a number of seconds').value)
      }
    }
    const numeric = FAILOVER_NUMERIC.get(word)
    if (numeric) {
      this.next()
      const max = numeric === 'split' ? 256 : UINT32_MAX
      return finish(numeric, this.readUint(max, `a number for ${word}`, word).value)
    }
    this.next()
    return this.fail(loc, `unknown failover peer statement ${this.describe(t)}`, t.kind === 'name' ? didYouMean(t.text, FAILOVER_KEYWORDS) : undefined)
  }

  private parseOption(out: Statement[]): void {
    const loc = this.next().loc
    const nameToken = this.next()
    if (nameToken.kind !== 'name') this.fail(nameToken.loc, `expected an option name, found ${this.describe(nameToken)}`)
    const name: Located<string> = { value: nameToken.text.toLowerCase(), loc: nameToken.loc }
    if (name.value === 'space') {
      this.skipStatement()
      out.push({ type: 'unimplemented', loc, keyword: 'option space' })
      return
    }
    if (this.isWord('code')) {
      this.next()
      const code = this.readUint(254, 'an option code')
      if (code.value === 0) this.fail(code.loc, 'option code 0 is reserved (pad)')
      this.expectPunct('=')
      const format = this.parseOptionFormat()
      this.expectSemicolon()
      out.push({ type: 'option-definition', loc, name, code, format })
      return
    }
    const valueTokens = this.tokensUntilSemicolon()
    this.expectSemicolon()
    out.push({ type: 'option', loc, name, valueTokens })
  }

  /** `TYPE`, `array of TYPE`, `{ TYPE, …, [array of TYPE] }`, `array of { … }`. */
  private parseOptionFormat(): OptionFormat {
    if (this.isWord('array')) {
      this.next()
      this.expectWord('of')
      if (this.isPunct('{')) return { fields: this.parseRecordFields(false).fields, array: 'all' }
      return { fields: [this.parseFieldType()], array: 'all' }
    }
    if (this.isPunct('{')) return this.parseRecordFields(true)
    const field = this.parseFieldType()
    return { fields: field === 'empty' ? [] : [field], array: 'none' }
  }

  private parseRecordFields(allowArrayTail: boolean): OptionFormat {
    this.expectPunct('{')
    const fields: FieldType[] = []
    let array: OptionFormat['array'] = 'none'
    for (;;) {
      if (allowArrayTail && this.isWord('array')) {
        this.next()
        this.expectWord('of')
        fields.push(this.parseFieldType())
        array = 'last'
        this.expectPunct('}', '(`array of` must be the last field of a record)')
        return { fields, array }
      }
      fields.push(this.parseFieldType())
      if (this.isPunct(',')) {
        this.next()
        continue
      }
      this.expectPunct('}')
      return { fields, array }
    }
  }

  private parseFieldType(): FieldType {
    const t = this.next()
    const word = t.kind === 'name' ? t.text.toLowerCase() : ''
    const width = (signed: boolean): FieldType => {
      const w = this.next()
      const bits = w.text
      if (bits === '8' || bits === '16' || bits === '32') return `${signed ? 'int' : 'uint'}${bits}` as FieldType
      return this.fail(w.loc, `integer width must be 8, 16 or 32, found ${this.describe(w)}`)
    }
    switch (word) {
      case 'ip-address':
        return 'ip-address'
      case 'unsigned':
        this.expectWord('integer')
        return width(false)
      case 'signed':
        this.expectWord('integer')
        return width(true)
      case 'integer':
        return width(true)
      case 'boolean':
        return 'boolean'
      case 'text':
        return 'text'
      case 'string':
        return 'string'
      case 'domain-name':
        return 'domain-name'
      case 'domain-list':
        if (this.isWord('compressed')) {
          this.next()
          return 'domain-list-compressed'
        }
        return 'domain-list'
      case 'zerolen':
        return 'empty'
      case 'encapsulate':
        this.readName('an option space name')
        return 'encapsulation'
    }
    const types = ['ip-address', 'unsigned', 'signed', 'integer', 'boolean', 'text', 'string', 'domain-name', 'domain-list', 'array', 'encapsulate', 'zerolen']
    return this.fail(t.loc, `unknown option type ${this.describe(t)}`, t.kind === 'name' ? didYouMean(t.text, types) : undefined)
  }

  private parseRange(out: Statement[]): void {
    const loc = this.next().loc
    let dynamicBootp = false
    if (this.isWord('dynamic-bootp')) {
      this.next()
      dynamicBootp = true
    }
    const first = this.readIp('the first address of the range')
    const last = this.isPunct(';') ? first : this.readIp('the last address of the range')
    this.expectSemicolon()
    out.push({ type: 'range', loc, dynamicBootp, first, last })
  }

  private parseHardware(out: Statement[]): void {
    const loc = this.next().loc
    const typeToken = this.next()
    const htype = HARDWARE_TYPES.get(typeToken.text.toLowerCase())
    if (typeToken.kind !== 'name' || htype === undefined) {
      this.fail(typeToken.loc, `unknown hardware type ${this.describe(typeToken)}`, didYouMean(typeToken.text, HARDWARE_TYPES.keys()))
    }
    const a = this.next()
    const bytes = a.kind === 'hex' || a.kind === 'number' || a.kind === 'name' ? parseColonHex(a.text) : undefined
    if (!bytes || bytes.length === 0) this.fail(a.loc, `expected a hardware address like 08:00:27:d9:45:96, found ${this.describe(a)}`)
    this.expectSemicolon()
    out.push({ type: 'hardware', loc, htype, hwTypeName: typeToken.text.toLowerCase(), address: { value: bytes, loc: a.loc } })
  }

  private parseFixedAddress(out: Statement[]): void {
    const loc = this.next().loc
    const addresses: Located<{ ip: number } | { name: string }>[] = []
    for (;;) {
      const t = this.next()
      if (t.kind === 'ip') addresses.push({ value: { ip: parseIPv4(t.text)! }, loc: t.loc })
      else if (t.kind === 'name' || t.kind === 'string') addresses.push({ value: { name: t.text }, loc: t.loc })
      else this.fail(t.loc, `expected an address or host name, found ${this.describe(t)}`)
      if (!this.isPunct(',')) break
      this.next()
    }
    this.expectSemicolon()
    out.push({ type: 'fixed-address', loc, addresses })
  }
}

/** A token as it could be written back (strings re-quoted). */
export function tokenSource(t: Token): string {
  return t.kind === 'string' ? JSON.stringify(t.text) : t.text
}
