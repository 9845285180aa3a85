/** keepalived.conf tokens and statements: comments, braces, quotes, one-line blocks. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { tokenize } from '../../../src/config/keepalived/lexer.js'
import { parseKeepalived } from '../../../src/config/keepalived/parser.js'
import { memoryReader } from '../../../src/config/source-reader.js'
import type { Statement } from '../../../src/config/keepalived/ast.js'

const words = (src: string): string[] => tokenize(src, 'k.conf').tokens.filter((t) => t.kind !== 'newline' && t.kind !== 'eof').map((t) => t.text)

const lexCases: { name: string; src: string; want: string[] }[] = [
  { name: '# comment after a value', src: 'priority 90 # so this is backup server', want: ['priority', '90'] },
  { name: '! comment line', src: '! Configuration File for keepalived\nstate BACKUP', want: ['state', 'BACKUP'] },
  { name: '# inside a word is part of it', src: 'auth_pass ab#c', want: ['auth_pass', 'ab#c'] },
  { name: 'braces glued to words', src: 'authentication {auth_type PASS}', want: ['authentication', '{', 'auth_type', 'PASS', '}'] },
  { name: 'quoted word with blanks', src: 'notify_master "/bin/x a b"', want: ['notify_master', '/bin/x a b'] },
  { name: 'tabs and CRLF', src: '\tstate\tMASTER\r\n', want: ['state', 'MASTER'] },
]
for (const c of lexCases) test(`lexer: ${c.name}`, () => assert.deepEqual(words(c.src), c.want))

test('lexer: locations are 1-based line and column', () => {
  const t = tokenize('a {\n  bb 1\n}', 'k.conf').tokens
  assert.deepEqual(t.find((x) => x.text === 'bb')!.loc, { file: 'k.conf', line: 2, col: 3 })
})

test('lexer: an unterminated quote is an error at its start, and scanning goes on', () => {
  const r = tokenize('a "open\nb', 'k.conf')
  assert.deepEqual(r.diagnostics.map((d) => [d.loc.line, d.loc.col, d.message]), [[1, 3, 'unterminated quoted string']])
  assert.ok(r.tokens.some((t) => t.text === 'b'))
})

const shape = (ss: readonly Statement[]): unknown[] =>
  ss.map((s) => (s.block ? [s.keyword.text, ...s.args.map((a) => a.text), shape(s.block)] : [s.keyword.text, ...s.args.map((a) => a.text)]))

const parseCases: { name: string; src: string; want: unknown[] }[] = [
  { name: 'nested blocks', src: 'a X {\n  b 1\n  c {\n    10.0.0.1/32 dev eth0\n  }\n}', want: [['a', 'X', [['b', '1'], ['c', [['10.0.0.1/32', 'dev', 'eth0']]]]]] },
  { name: 'one-line block (doc §3 shape)', src: 'authentication { auth_type PASS  auth_pass 1111 }', want: [['authentication', [['auth_type', 'PASS', 'auth_pass', '1111']]]] },
  { name: '{ on the next line', src: 'vrrp_instance VI_1\n{\n  state BACKUP\n}', want: [['vrrp_instance', 'VI_1', [['state', 'BACKUP']]]] },
  { name: 'closing brace on a value line', src: 'virtual_ipaddress {\n  10.0.0.1 }\nx', want: [['virtual_ipaddress', [['10.0.0.1']]], ['x']] },
]
for (const c of parseCases) {
  test(`parser: ${c.name}`, () => {
    const r = parseKeepalived('k.conf', memoryReader({ 'k.conf': c.src }))
    assert.deepEqual(r.diagnostics, [])
    assert.deepEqual(shape(r.statements), c.want)
  })
}

const braceErrors: { name: string; src: string; want: [number, number, string][] }[] = [
  { name: 'unclosed block', src: 'vrrp_instance VI_1 {\n  state MASTER\n', want: [[1, 20, 'this { is never closed']] },
  { name: 'stray }', src: 'x\n}\n', want: [[2, 1, 'unexpected }']] },
  { name: '{ without keyword', src: '{\n}\n', want: [[1, 1, 'a block needs a keyword before {']] },
]
for (const c of braceErrors) {
  test(`parser error: ${c.name}`, () => {
    const r = parseKeepalived('k.conf', memoryReader({ 'k.conf': c.src }))
    assert.deepEqual(r.diagnostics.map((d) => [d.loc.line, d.loc.col, d.message]), c.want)
  })
}
