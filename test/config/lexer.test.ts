import { test } from 'node:test'
import assert from 'node:assert/strict'
import { tokenize } from '../../src/config/lexer.js'

const src = [
  '# comment line',
  'subnet 10.0.0.0 netmask 255.255.255.0 { # trailing',
  '\thardware ethernet 08:00:27:d9:45:96;',
  '  option domain-search "a.example", "b\\x41\\101\\"q";',
  '  max-lease-time -5;',
].join('\n')

const cases: { name: string; index: number; want: { kind: string; text: string; line: number; col: number } }[] = [
  { name: 'keyword after a comment line', index: 0, want: { kind: 'name', text: 'subnet', line: 2, col: 1 } },
  { name: 'dotted quad', index: 1, want: { kind: 'ip', text: '10.0.0.0', line: 2, col: 8 } },
  { name: 'netmask', index: 3, want: { kind: 'ip', text: '255.255.255.0', line: 2, col: 25 } },
  { name: 'open brace', index: 4, want: { kind: 'punct', text: '{', line: 2, col: 39 } },
  { name: 'tab counts as one column', index: 5, want: { kind: 'name', text: 'hardware', line: 3, col: 2 } },
  { name: 'colon-hex', index: 7, want: { kind: 'hex', text: '08:00:27:d9:45:96', line: 3, col: 20 } },
  { name: 'semicolon', index: 8, want: { kind: 'punct', text: ';', line: 3, col: 37 } },
  { name: 'name with dashes', index: 10, want: { kind: 'name', text: 'domain-search', line: 4, col: 10 } },
  { name: 'quoted string', index: 11, want: { kind: 'string', text: 'a.example', line: 4, col: 24 } },
  { name: 'comma', index: 12, want: { kind: 'punct', text: ',', line: 4, col: 35 } },
  { name: 'string escapes (hex, octal, quote)', index: 13, want: { kind: 'string', text: 'bAA"q', line: 4, col: 37 } },
  { name: 'negative number', index: 16, want: { kind: 'number', text: '-5', line: 5, col: 18 } },
]

const { tokens, diagnostics } = tokenize(src, 'x.conf')

for (const c of cases) {
  test(`lexer: ${c.name}`, () => {
    const t = tokens[c.index]!
    assert.deepEqual({ kind: t.kind, text: t.text, line: t.loc.line, col: t.loc.col }, c.want)
    assert.equal(t.loc.file, 'x.conf')
  })
}

test('lexer: no diagnostics for valid input, ends with eof', () => {
  assert.deepEqual(diagnostics, [])
  assert.equal(tokens[tokens.length - 1]!.kind, 'eof')
})

test('lexer: unterminated string is reported at its opening quote', () => {
  const r = tokenize('option host-name "abc;\n', 'y.conf')
  assert.deepEqual(r.diagnostics, [{ severity: 'error', loc: { file: 'y.conf', line: 1, col: 18 }, message: 'unterminated string' }])
})

test('lexer: stray character is reported', () => {
  const r = tokenize('a @ b;', 'z.conf')
  assert.equal(r.diagnostics[0]!.message, 'unexpected character "@"')
  assert.deepEqual(r.diagnostics[0]!.loc, { file: 'z.conf', line: 1, col: 3 })
})
