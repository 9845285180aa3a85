/**
 * Typed option values ⇄ option data bytes, driven by the option table (option-defs.ts).
 *
 * A value is the flat atom list described in option-defs.ts: atoms in field order, array
 * repetitions flattened. `empty` fields contribute no atoms. Variable-length fields (text,
 * string, domain-list, domain-list-compressed, encapsulation) take the rest of the data, so
 * they can only be the last atom.
 *
 * Encoding is for config-time and reply building; decoding is on demand (typed accessors).
 * Decode errors are DecodeError with offsets relative to `data` plus `baseOffset`.
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'
import { formatIPv4, ipFromBytes, ipToBytes, parseIPv4, prefixToMask } from '../../lib/ip.js'
import { compressNames, labelsLength, nameToLabels, readName, writeLabels } from './domain-name.js'
import { INTEGER_RANGES, isIntegerFieldType, type Atom, type ClasslessRoute, type FieldType, type IntegerFieldType, type OptionDef, type OptionValue } from './option-defs.js'

/** Fixed wire sizes; undefined for self-delimiting or variable-length fields. */
const FIXED_SIZE: Partial<Record<FieldType, number>> = {
  'ip-address': 4,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  int8: 1,
  int16: 2,
  int32: 4,
  boolean: 1,
}

/** Fields that consume all remaining bytes of the option. */
const GREEDY: ReadonlySet<FieldType> = new Set<FieldType>([
  'text',
  'string',
  'domain-list',
  'domain-list-compressed',
  'encapsulation',
])

/** The fields that carry atoms (everything but `empty`). */
function atomFields(def: OptionDef): readonly FieldType[] {
  return def.fields.includes('empty') ? def.fields.filter((f) => f !== 'empty') : def.fields
}

/** Field type of atom `i` under the definition's array kind. */
function fieldAt(fields: readonly FieldType[], def: OptionDef, i: number): FieldType {
  const k = fields.length
  if (def.array === 'last') return fields[Math.min(i, k - 1)]!
  return fields[i % k]!
}

/** Checks the atom count against the array kind; returns the atom fields. */
function checkShape(def: OptionDef, value: OptionValue): readonly FieldType[] {
  const fields = atomFields(def)
  const k = fields.length
  const n = value.length
  const ok =
    k === 0
      ? n === 0
      : def.array === 'none'
        ? n === k
        : def.array === 'all'
          ? n >= k && n % k === 0
          : n >= k - 1
  if (!ok) {
    const want =
      def.array === 'none' ? `${k}` : def.array === 'all' ? `a positive multiple of ${k}` : `at least ${k - 1}`
    throw new EncodeError(def.name, `expected ${want} value(s), got ${n}`)
  }
  for (let i = 0; i < n - 1; i++) {
    if (GREEDY.has(fieldAt(fields, def, i))) {
      throw new EncodeError(def.name, `variable-length ${fieldAt(fields, def, i)} value must be the last value`)
    }
  }
  return fields
}

// ---------------------------------------------------------------------------------------
// Atom coercion (encode side)

function ipAtom(def: OptionDef, atom: Atom): number {
  if (typeof atom === 'number' && Number.isInteger(atom) && atom >= 0 && atom <= 0xffffffff) return atom
  if (typeof atom === 'string') {
    const ip = parseIPv4(atom)
    if (ip !== undefined) return ip
  }
  throw new EncodeError(def.name, `not an IPv4 address: ${describe(atom)}`)
}

function intAtom(def: OptionDef, type: IntegerFieldType, atom: Atom): number {
  const [lo, hi] = INTEGER_RANGES[type]
  if (typeof atom !== 'number' || !Number.isInteger(atom)) {
    throw new EncodeError(def.name, `${type} expects an integer, got ${describe(atom)}`)
  }
  if (atom < lo || atom > hi) throw new EncodeError(def.name, `${type} out of range: ${atom}`)
  return atom
}

function bytesAtom(def: OptionDef, type: FieldType, atom: Atom): Buffer {
  if (Buffer.isBuffer(atom)) return atom
  if (typeof atom === 'string') return Buffer.from(atom, 'utf8')
  throw new EncodeError(def.name, `${type} expects bytes or a string, got ${describe(atom)}`)
}

function namesAtom(def: OptionDef, type: FieldType, atom: Atom): readonly string[] {
  if (Array.isArray(atom) && atom.every((s): s is string => typeof s === 'string')) return atom
  throw new EncodeError(def.name, `${type} expects a list of names, got ${describe(atom)}`)
}

function routeAtom(def: OptionDef, atom: Atom): { dest: number; width: number; router: number } {
  if (typeof atom !== 'object' || Buffer.isBuffer(atom) || Array.isArray(atom)) {
    throw new EncodeError(def.name, `classless-route expects a route, got ${describe(atom)}`)
  }
  const r = atom as ClasslessRoute
  const width = r.prefixLength
  if (!Number.isInteger(width) || width < 0 || width > 32) {
    throw new EncodeError(def.name, `classless-route prefix length out of range: ${String(width)}`)
  }
  const dest = ipAtom(def, r.destination)
  if ((dest & ~prefixToMask(width)) >>> 0 !== 0) {
    throw new EncodeError(def.name, `classless-route destination ${r.destination}/${width} has host bits set`)
  }
  return { dest, width, router: ipAtom(def, r.router) }
}

function describe(atom: Atom): string {
  if (Buffer.isBuffer(atom)) return `<${atom.length} bytes>`
  if (typeof atom === 'object') return JSON.stringify(atom)
  return typeof atom === 'string' ? JSON.stringify(atom) : String(atom)
}

// ---------------------------------------------------------------------------------------
// Field writers

/** Wire length of one atom; `pos` is its position relative to the option data start. */
function atomLength(def: OptionDef, type: FieldType, atom: Atom, pos: number): number {
  const fixed = FIXED_SIZE[type]
  if (fixed !== undefined) {
    writeAtomCheck(def, type, atom)
    return fixed
  }
  switch (type) {
    case 'text':
    case 'string':
    case 'encapsulation':
      return type === 'text' && typeof atom === 'string'
        ? Buffer.byteLength(atom, 'utf8')
        : bytesAtom(def, type, atom).length
    case 'domain-name':
      if (typeof atom !== 'string') throw new EncodeError(def.name, `domain-name expects a string, got ${describe(atom)}`)
      return labelsLength(nameToLabels(atom, def.name))
    case 'domain-list': {
      let n = 0
      for (const name of namesAtom(def, type, atom)) n += labelsLength(nameToLabels(name, def.name))
      return n
    }
    case 'domain-list-compressed':
      return compressNames(namesAtom(def, type, atom), pos, def.name).length
    case 'classless-route': {
      const r = routeAtom(def, atom)
      return 1 + ((r.width + 7) >> 3) + 4
    }
    default:
      return 0
  }
}

function writeAtomCheck(def: OptionDef, type: FieldType, atom: Atom): void {
  if (type === 'ip-address') ipAtom(def, atom)
  else if (type === 'boolean') {
    if (typeof atom !== 'boolean') throw new EncodeError(def.name, `boolean expects true/false, got ${describe(atom)}`)
  } else if (isIntegerFieldType(type)) intAtom(def, type, atom)
  else throw new EncodeError(def.name, `${type} is not a fixed-size field`)
}

/** Writes one atom at `offset`; `base` is the absolute offset of the option data start. */
function writeAtom(def: OptionDef, type: FieldType, atom: Atom, buf: Buffer, offset: number, base: number): number {
  switch (type) {
    case 'ip-address':
      return ipToBytes(ipAtom(def, atom), buf, offset)
    case 'uint8':
      return buf.writeUInt8(intAtom(def, type, atom), offset)
    case 'uint16':
      return buf.writeUInt16BE(intAtom(def, type, atom), offset)
    case 'uint32':
      return buf.writeUInt32BE(intAtom(def, type, atom), offset)
    case 'int8':
      return buf.writeInt8(intAtom(def, type, atom), offset)
    case 'int16':
      return buf.writeInt16BE(intAtom(def, type, atom), offset)
    case 'int32':
      return buf.writeInt32BE(intAtom(def, type, atom), offset)
    case 'boolean':
      writeAtomCheck(def, type, atom)
      buf[offset] = atom === true ? 1 : 0
      return offset + 1
    case 'text':
      if (typeof atom === 'string') return offset + buf.write(atom, offset, 'utf8')
      return offset + bytesAtom(def, type, atom).copy(buf, offset)
    case 'string':
    case 'encapsulation':
      return offset + bytesAtom(def, type, atom).copy(buf, offset)
    case 'domain-name':
      if (typeof atom !== 'string') throw new EncodeError(def.name, `domain-name expects a string, got ${describe(atom)}`)
      return writeLabels(nameToLabels(atom, def.name), buf, offset)
    case 'domain-list':
      for (const name of namesAtom(def, type, atom)) offset = writeLabels(nameToLabels(name, def.name), buf, offset)
      return offset
    case 'domain-list-compressed':
      return offset + compressNames(namesAtom(def, type, atom), offset - base, def.name).copy(buf, offset)
    case 'classless-route': {
      const r = routeAtom(def, atom)
      buf[offset++] = r.width
      for (let i = 0; i < (r.width + 7) >> 3; i++) buf[offset++] = (r.dest >>> (24 - 8 * i)) & 0xff
      return ipToBytes(r.router, buf, offset)
    }
    case 'empty':
      return offset
  }
}

/** Number of bytes `encodeOptionValue` would produce. Throws EncodeError like it. */
export function optionValueLength(def: OptionDef, value: OptionValue): number {
  const fields = checkShape(def, value)
  let n = 0
  for (let i = 0; i < value.length; i++) n += atomLength(def, fieldAt(fields, def, i), value[i]!, n)
  return n
}

/**
 * Writes the option data (no code/length) at `offset`; returns the next offset. The buffer
 * must have `optionValueLength(def, value)` bytes free.
 */
export function writeOptionValue(def: OptionDef, value: OptionValue, buf: Buffer, offset: number): number {
  const fields = checkShape(def, value)
  const base = offset
  for (let i = 0; i < value.length; i++) offset = writeAtom(def, fieldAt(fields, def, i), value[i]!, buf, offset, base)
  return offset
}

/** Encodes a typed value into option data bytes (no code/length). Throws EncodeError. */
export function encodeOptionValue(def: OptionDef, value: OptionValue): Buffer {
  const buf = Buffer.alloc(optionValueLength(def, value))
  writeOptionValue(def, value, buf, 0)
  return buf
}

// ---------------------------------------------------------------------------------------
// Decode

/** Reads one atom from `data[pos, end)`; returns [atom, next]. Pointers are relative to 0. */
function readAtom(def: OptionDef, type: FieldType, data: Buffer, pos: number, base: number): [Atom, number] {
  const end = data.length
  const fixed = FIXED_SIZE[type]
  if (fixed !== undefined && pos + fixed > end) {
    throw new DecodeError(def.name, base + pos, `${type} needs ${fixed} bytes, ${end - pos} left`)
  }
  switch (type) {
    case 'ip-address':
      return [formatIPv4(ipFromBytes(data, pos)), pos + 4]
    case 'uint8':
      return [data[pos]!, pos + 1]
    case 'uint16':
      return [data.readUInt16BE(pos), pos + 2]
    case 'uint32':
      return [data.readUInt32BE(pos), pos + 4]
    case 'int8':
      return [data.readInt8(pos), pos + 1]
    case 'int16':
      return [data.readInt16BE(pos), pos + 2]
    case 'int32':
      return [data.readInt32BE(pos), pos + 4]
    case 'boolean':
      // RFC 2132 uses 0/1; any non-zero octet reads as true (the raw bytes are kept anyway).
      return [data[pos] !== 0, pos + 1]
    case 'text':
      return [data.toString('utf8', pos, end), end]
    case 'string':
    case 'encapsulation':
      return [data.subarray(pos, end), end]
    case 'domain-name': {
      const r = readName(data, pos, end, { field: def.name, errorBase: base })
      return [r.name, r.offset]
    }
    case 'domain-list':
    case 'domain-list-compressed': {
      const names: string[] = []
      const opts = type === 'domain-list' ? { field: def.name, errorBase: base } : { field: def.name, pointerBase: 0, errorBase: base }
      while (pos < end) {
        const r = readName(data, pos, end, opts)
        names.push(r.name)
        pos = r.offset
      }
      return [names, end]
    }
    case 'classless-route': {
      const width = data[pos]!
      if (width > 32) throw new DecodeError(def.name, base + pos, `classless-route prefix length ${width} > 32`)
      const octets = (width + 7) >> 3
      if (pos + 1 + octets + 4 > end) {
        throw new DecodeError(def.name, base + pos, `classless-route needs ${1 + octets + 4} bytes, ${end - pos} left`)
      }
      let dest = 0
      for (let i = 0; i < octets; i++) dest |= data[pos + 1 + i]! << (24 - 8 * i)
      // RFC 3442 §2: bits beyond the prefix are not significant; they are dropped here.
      dest = (dest & prefixToMask(width)) >>> 0
      const route: ClasslessRoute = {
        destination: formatIPv4(dest),
        prefixLength: width,
        router: formatIPv4(ipFromBytes(data, pos + 1 + octets)),
      }
      return [route, pos + 1 + octets + 4]
    }
    case 'empty':
      return [[], pos]
  }
}

/**
 * Decodes option data (the joined RFC 3396 value, no code/length) into a typed value.
 * Throws only DecodeError; offsets are `baseOffset` + position in `data`.
 */
export function decodeOptionValue(def: OptionDef, data: Buffer, baseOffset = 0): OptionValue {
  const fields = atomFields(def)
  const k = fields.length
  const end = data.length
  const out: Atom[] = []
  let pos = 0
  if (k === 0) {
    if (end !== 0) throw new DecodeError(def.name, baseOffset, `expected no data, got ${end} bytes`)
    return out
  }
  if (def.array === 'all' && end === 0) throw new DecodeError(def.name, baseOffset, 'empty option, expected at least one value')
  const fixedCount = def.array === 'last' ? k - 1 : k
  for (let i = 0; i < fixedCount; i++) {
    const [atom, next] = readAtom(def, fields[i]!, data, pos, baseOffset)
    out.push(atom)
    pos = next
  }
  if (def.array === 'none') {
    if (pos !== end) throw new DecodeError(def.name, baseOffset + pos, `${end - pos} unexpected trailing bytes`)
    return out
  }
  for (let i = fixedCount; pos < end; i++) {
    const [atom, next] = readAtom(def, fieldAt(fields, def, i), data, pos, baseOffset)
    out.push(atom)
    pos = next
  }
  if (def.array === 'all' && out.length % k !== 0) {
    throw new DecodeError(def.name, baseOffset + pos, 'option ends inside a repeated record')
  }
  return out
}
