import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderDiagnostic } from '../../src/config/render.js'

const source = 'subnet 10.0.0.0 netmask 255.255.255.0 {\n\trange\t10.0.1.1 10.0.1.9;\n}\n'

const cases = [
  {
    name: 'error with source line, caret (tabs kept) and hint',
    d: { severity: 'error' as const, loc: { file: 'f.conf', line: 2, col: 8 }, message: 'bad', hint: 'try this' },
    want: 'f.conf:2:8: bad\n\trange\t10.0.1.1 10.0.1.9;\n\t     \t^\nhint: try this',
  },
  {
    name: 'warning is labelled',
    d: { severity: 'warning' as const, loc: { file: 'f.conf', line: 1, col: 1 }, message: 'hmm' },
    want: 'f.conf:1:1: warning: hmm\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n^',
  },
  {
    name: 'without the source, only the message',
    d: { severity: 'error' as const, loc: { file: 'gone.conf', line: 3, col: 2 }, message: 'x' },
    want: 'gone.conf:3:2: x',
  },
]

for (const c of cases) {
  test(`render: ${c.name}`, () => {
    assert.equal(renderDiagnostic(c.d, (f) => (f === 'f.conf' ? source : undefined)), c.want)
  })
}
