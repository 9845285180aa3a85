/**
 * `option NAME VALUE;` text → typed atoms, following the option's definition (option-defs.ts):
 * ip-address as dotted quad, integers with range checks, booleans as true/false/on/off, text
 * quoted, string quoted or colon-hex, domain-name, domain lists as comma-separated quoted
 * names, RFC 3442 routes as `10.0.0.0/8 10.0.0.1`. Commas between atoms are optional, as
 * ISC's parser treats them as separators.
 */
import type { SourceLocation } from '../lib/errors.js'
import { parseColonHex } from '../lib/hex.js'
import { formatIPv4, parseIPv4, prefixToMask } from '../lib/ip.js'
import { INTEGER_RANGES, type Atom, type ClasslessRoute, type FieldType, type IntegerFieldType, type OptionDef, type OptionValue } from '../protocol/dhcp/option-defs.js'
import type { Token } from './lexer.js'

export type OptionValueResult =
  | { readonly ok: true; readonly value: OptionValue }
  | { readonly ok: false; readonly loc: SourceLocation; readonly message: string }

class ValueError extends Error {
  constructor(
    readonly loc: SourceLocation,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Parses the value tokens of an option statement. `end` is where the statement's `;` is,
 * used to point at a missing value.
 */
export function parseOptionValue(def: OptionDef, tokens: readonly Token[], end: SourceLocation): OptionValueResult {
  const cursor = new Cursor(tokens, end)
  try {
    const atoms: Atom[] = []
    const fields = def.fields.filter((f) => f !== 'empty')
    if (fields.length === 0) {
      cursor.expectEnd(def.name)
      return { ok: true, value: [] }
    }
    for (const f of fields) atoms.push(readAtom(f, cursor, def.name))
    if (def.array === 'all') {
      while (!cursor.atEnd()) for (const f of fields) atoms.push(readAtom(f, cursor, def.name))
    } else if (def.array === 'last') {
      const tail = fields[fields.length - 1]!
      while (!cursor.atEnd()) atoms.push(readAtom(tail, cursor, def.name))
    }
    cursor.expectEnd(def.name)
    return { ok: true, value: atoms }
  } catch (e) {
    if (e instanceof ValueError) return { ok: false, loc: e.loc, message: e.message }
    throw e
  }
}

class Cursor {
  private pos = 0
  constructor(
    private readonly tokens: readonly Token[],
    private readonly end: SourceLocation,
  ) {}

  /** True when only separators remain. */
  atEnd(): boolean {
    this.skipCommas()
    return this.pos >= this.tokens.length
  }

  skipCommas(): void {
    while (this.tokens[this.pos]?.kind === 'punct' && this.tokens[this.pos]!.text === ',') this.pos++
  }

  next(what: string): Token {
    this.skipCommas()
    const t = this.tokens[this.pos]
    if (!t) throw new ValueError(this.end, `missing ${what}`)
    this.pos++
    return t
  }

  peekPunct(text: string): boolean {
    const t = this.tokens[this.pos]
    return t !== undefined && t.kind === 'punct' && t.text === text
  }

  /** Consumes the next token without skipping commas first. */
  nextRaw(): Token | undefined {
    return this.tokens[this.pos++]
  }

  expectEnd(optionName: string): void {
    if (this.atEnd()) return
    const t = this.tokens[this.pos]!
    throw new ValueError(t.loc, `unexpected ${describe(t)} in the value of option ${optionName}`)
  }
}

function describe(t: Token): string {
  return t.kind === 'string' ? JSON.stringify(t.text) : `\`${t.text}\``
}

function readAtom(field: FieldType, cursor: Cursor, optionName: string): Atom {
  switch (field) {
    case 'ip-address': {
      const t = cursor.next(`an IPv4 address for option ${optionName}`)
      const ip = t.kind === 'ip' ? parseIPv4(t.text) : undefined
      if (ip === undefined) {
        const why = t.kind === 'name' ? ' (host names in option values are not resolved; write the address)' : ''
        throw new ValueError(t.loc, `expected an IPv4 address for option ${optionName}, found ${describe(t)}${why}`)
      }
      return formatIPv4(ip)
    }
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'int8':
    case 'int16':
    case 'int32':
      return readInteger(field, cursor, optionName)
    case 'boolean': {
      const t = cursor.next(`true or false for option ${optionName}`)
      const w = t.kind === 'name' ? t.text.toLowerCase() : ''
      if (w === 'true' || w === 'on') return true
      if (w === 'false' || w === 'off') return false
      throw new ValueError(t.loc, `expected true, false, on or off for option ${optionName}, found ${describe(t)}`)
    }
    case 'text': {
      const t = cursor.next(`a quoted string for option ${optionName}`)
      if (t.kind !== 'string') throw new ValueError(t.loc, `expected a quoted string for option ${optionName}, found ${describe(t)}`)
      return t.text
    }
    case 'string':
    case 'encapsulation': {
      const t = cursor.next(`a quoted string or colon-hex octets for option ${optionName}`)
      if (t.kind === 'string') return Buffer.from(t.text, 'latin1')
      const bytes = t.kind === 'hex' || t.kind === 'number' || t.kind === 'name' ? parseColonHex(t.text) : undefined
      if (!bytes) {
        throw new ValueError(t.loc, `expected a quoted string or colon-hex octets for option ${optionName}, found ${describe(t)}`)
      }
      return bytes
    }
    case 'domain-name': {
      const t = cursor.next(`a domain name for option ${optionName}`)
      if (t.kind !== 'string' && t.kind !== 'name') {
        throw new ValueError(t.loc, `expected a domain name for option ${optionName}, found ${describe(t)}`)
      }
      return checkDomainName(t.text.replace(/\.$/, ''), t.loc)
    }
    case 'domain-list':
    case 'domain-list-compressed': {
      const names: string[] = []
      do {
        const t = cursor.next(`a quoted domain name for option ${optionName}`)
        if (t.kind !== 'string') {
          throw new ValueError(t.loc, `expected a quoted domain name for option ${optionName}, found ${describe(t)}`)
        }
        names.push(checkDomainName(t.text.replace(/\.$/, ''), t.loc))
      } while (!cursor.atEnd())
      return names
    }
    case 'classless-route':
      return readClasslessRoute(cursor, optionName)
    case 'empty':
      return []
  }
}

function readInteger(field: IntegerFieldType, cursor: Cursor, optionName: string): number {
  const t = cursor.next(`a number for option ${optionName}`)
  if (t.kind !== 'number') throw new ValueError(t.loc, `expected a number for option ${optionName}, found ${describe(t)}`)
  const n = Number(t.text)
  const [min, max] = INTEGER_RANGES[field]
  const signed = min < 0
  // ISC accepts an unsigned spelling for signed fields (`integer 8` with 192), storing the
  // same bits; we keep the value in the signed range so the atom matches its type.
  const unsignedMax = signed ? max * 2 + 1 : max
  if (n < min || n > unsignedMax) {
    throw new ValueError(t.loc, `${t.text} is out of range for option ${optionName} (${min}..${signed ? unsignedMax : max})`)
  }
  return signed && n > max ? n - (unsignedMax + 1) : n
}

function checkDomainName(name: string, loc: SourceLocation): string {
  if (name.length > 253) throw new ValueError(loc, `domain name ${JSON.stringify(name)} is longer than 253 characters`)
  for (const label of name.split('.')) {
    if (label.length === 0 && name.length > 0) throw new ValueError(loc, `domain name ${JSON.stringify(name)} has an empty label`)
    if (label.length > 63) throw new ValueError(loc, `domain name label ${JSON.stringify(label)} is longer than 63 characters`)
  }
  return name
}

/** `A.B.C.D/N ROUTER` (the destination's host bits must be zero). */
function readClasslessRoute(cursor: Cursor, optionName: string): ClasslessRoute {
  const dest = cursor.next(`a destination like 10.0.0.0/8 for option ${optionName}`)
  const network = dest.kind === 'ip' ? parseIPv4(dest.text) : undefined
  if (network === undefined || !cursor.peekPunct('/')) {
    throw new ValueError(dest.loc, `expected a destination like 10.0.0.0/8 for option ${optionName}, found ${describe(dest)}`)
  }
  cursor.nextRaw()
  const width = cursor.nextRaw()
  const prefixLength = width && width.kind === 'number' ? Number(width.text) : NaN
  if (!(prefixLength >= 0 && prefixLength <= 32)) {
    throw new ValueError(width?.loc ?? dest.loc, `expected a prefix length 0..32 for option ${optionName}`)
  }
  if (((network & ~prefixToMask(prefixLength)) >>> 0) !== 0) {
    throw new ValueError(dest.loc, `${dest.text}/${prefixLength} has host bits set`)
  }
  const router = cursor.next(`a router address for option ${optionName}`)
  const routerIp = router.kind === 'ip' ? parseIPv4(router.text) : undefined
  if (routerIp === undefined) throw new ValueError(router.loc, `expected a router address for option ${optionName}, found ${describe(router)}`)
  return { destination: formatIPv4(network), prefixLength, router: formatIPv4(routerIp) }
}
