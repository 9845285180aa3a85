/**
 * Tokens → statement tree, with `include FILE` (or a glob, when the reader can list files)
 * spliced in where it stands, relative to the including file, as keepalived does. Includes
 * must hold whole statements (keepalived also allows a file to open a block another closes;
 * hadhcpd reports that as a brace error instead). Never throws: errors are diagnostics.
 */
import type { Diagnostic, SourceLocation } from '../../lib/errors.js'
import { resolveInclude, type SourceReader } from '../source-reader.js'
import type { Statement, Word } from './ast.js'
import { tokenize, type Token } from './lexer.js'

/** A SourceReader that may also expand `include /etc/keepalived/conf.d/*.conf`. */
export interface KeepalivedReader extends SourceReader {
  /** Paths matching a glob pattern, sorted; absent: globs are reported as unsupported. */
  glob?(pattern: string): readonly string[]
}

export interface ParseResult {
  readonly statements: readonly Statement[]
  readonly diagnostics: readonly Diagnostic[]
  /** Files read, in order, main file first. */
  readonly files: readonly string[]
}

const GLOB_CHARS = /[*?[]/

export function parseKeepalived(file: string, reader: KeepalivedReader): ParseResult {
  const diagnostics: Diagnostic[] = []
  const files: string[] = []
  const text = reader.read(file)
  if (text === undefined) {
    diagnostics.push({ severity: 'error', loc: { file, line: 1, col: 1 }, message: `cannot read ${file}` })
    return { statements: [], diagnostics, files }
  }
  const statements = parseText(text, file, { reader, diagnostics, files, stack: [] })
  return { statements, diagnostics, files }
}

interface Context {
  readonly reader: KeepalivedReader
  readonly diagnostics: Diagnostic[]
  readonly files: string[]
  readonly stack: string[]
}

function parseText(text: string, file: string, ctx: Context): Statement[] {
  ctx.files.push(file)
  ctx.stack.push(file)
  const lexed = tokenize(text, file)
  ctx.diagnostics.push(...lexed.diagnostics)
  const statements = new FileParser(lexed.tokens, file, ctx).parseBlock(undefined)
  ctx.stack.pop()
  return statements
}

class FileParser {
  private i = 0
  constructor(private readonly tokens: readonly Token[], private readonly file: string, private readonly ctx: Context) {}

  private peek(): Token {
    return this.tokens[this.i]!
  }

  private error(loc: SourceLocation, message: string, hint?: string): void {
    this.ctx.diagnostics.push(hint === undefined ? { severity: 'error', loc, message } : { severity: 'error', loc, message, hint })
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.i++
  }

  /** Statements until the `}` matching `opened` (or end of file when `opened` is undefined). */
  parseBlock(opened: Token | undefined): Statement[] {
    const out: Statement[] = []
    for (;;) {
      this.skipNewlines()
      const t = this.peek()
      if (t.kind === 'eof') {
        if (opened) this.error(opened.loc, 'this { is never closed', 'add the missing }')
        return out
      }
      if (t.kind === 'close') {
        this.i++
        if (opened) return out
        this.error(t.loc, 'unexpected }', 'this } closes no block')
        continue
      }
      if (t.kind === 'open') {
        this.i++
        this.error(t.loc, 'a block needs a keyword before {')
        this.parseBlock(t)
        continue
      }
      this.statement(out)
    }
  }

  private statement(out: Statement[]): void {
    const first = this.tokens[this.i++]!
    const keyword: Word = { text: first.text, loc: first.loc, quoted: first.quoted === true }
    const args: Word[] = []
    while (this.peek().kind === 'word') {
      const w = this.tokens[this.i++]!
      args.push({ text: w.text, loc: w.loc, quoted: w.quoted === true })
    }
    let block: Statement[] | undefined
    if (this.peek().kind === 'newline') {
      // keepalived also accepts the { on the next line.
      const save = this.i
      this.skipNewlines()
      if (this.peek().kind !== 'open') this.i = save
    }
    if (this.peek().kind === 'open') {
      const open = this.tokens[this.i++]!
      block = this.parseBlock(open)
    }
    if (keyword.text === 'include' && !keyword.quoted) {
      this.include(keyword, args, block, out)
      return
    }
    out.push({ keyword, args, block, loc: keyword.loc })
  }

  private include(keyword: Word, args: readonly Word[], block: Statement[] | undefined, out: Statement[]): void {
    const target = args[0]
    if (!target || args.length > 1 || block) {
      this.error(keyword.loc, 'include takes one file name or pattern', 'include /etc/keepalived/conf.d/vrrp.conf')
      return
    }
    const path = resolveInclude(this.file, target.text)
    let paths: readonly string[] = [path]
    if (GLOB_CHARS.test(path)) {
      if (!this.ctx.reader.glob) {
        this.error(target.loc, `include pattern ${target.text} cannot be expanded here`, 'name the file itself')
        return
      }
      paths = this.ctx.reader.glob(path)
      if (paths.length === 0) {
        this.error(target.loc, `Unable to find config file(s) '${target.text}'`)
        return
      }
    }
    for (const p of paths) {
      if (this.ctx.stack.includes(p)) {
        this.error(target.loc, `include cycle: ${[...this.ctx.stack, p].join(' → ')}`)
        continue
      }
      const text = this.ctx.reader.read(p)
      if (text === undefined) {
        this.error(target.loc, `Unable to find config file(s) '${target.text}'`, `looked for ${p}`)
        continue
      }
      out.push(...parseText(text, p, this.ctx))
    }
  }
}
