#!/usr/bin/env node
// Runs the compiled test files with node's built-in runner.
// Unit tests: dist/test/**/*.test.js outside dist/test/e2e; e2e: dist/test/e2e/**/*.test.js.
// Flags: --unit, --e2e (default: both). Extra arguments pass through to `node --test`.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const args = process.argv.slice(2)
const wantUnit = !args.includes('--e2e') || args.includes('--unit')
const wantE2e = !args.includes('--unit') || args.includes('--e2e')
const passThrough = args.filter((a) => a !== '--unit' && a !== '--e2e')

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (name.endsWith('.test.js')) out.push(p)
  }
  return out
}

const all = walk('dist/test', [])
const isE2e = (p) => p.startsWith(join('dist', 'test', 'e2e'))
const files = all.filter((p) => (isE2e(p) ? wantE2e : wantUnit))
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)')
  process.exit(1)
}
// e2e tests share network namespaces and system daemons: run files one at a time.
const concurrency = wantE2e ? ['--test-concurrency=1'] : []
const r = spawnSync(process.execPath, ['--test', ...concurrency, ...passThrough, ...files], { stdio: 'inherit' })
process.exit(r.status ?? 1)
