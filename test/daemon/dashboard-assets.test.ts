import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DASHBOARD_DIR, loadDashboardAssets } from '../../src/daemon/dashboard-assets.js'

test('the dashboard is served at / and /dashboard/* with content types', () => {
  const asset = loadDashboardAssets()
  assert.match(asset('/')?.contentType ?? '', /^text\/html/)
  assert.match(asset('/dashboard/app.js')?.contentType ?? '', /^text\/javascript/)
  assert.match(asset('/dashboard/style.css')?.contentType ?? '', /^text\/css/)
  assert.equal(asset('/dashboard/../package.json'), undefined)
  assert.equal(asset('/etc/passwd'), undefined)
})

test('the dashboard fetches nothing from another origin', () => {
  for (const file of readdirSync(DASHBOARD_DIR)) {
    const text = readFileSync(join(DASHBOARD_DIR, file), 'utf8')
    assert.doesNotMatch(text, /(src|href)\s*=\s*["']?(https?:)?\/\//i, `${file} loads a remote asset`)
    assert.doesNotMatch(text, /@import\s+url\(\s*["']?https?:/i, `${file} imports a remote style sheet`)
    assert.doesNotMatch(text, /fetch\(\s*["'`]https?:/i, `${file} calls a remote URL`)
  }
})

test('daemon-supplied text is never written as HTML', () => {
  const js = readFileSync(join(DASHBOARD_DIR, 'app.js'), 'utf8')
  assert.doesNotMatch(js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/)
})

test('the page has no inline script (the CSP forbids it)', () => {
  const html = readFileSync(join(DASHBOARD_DIR, 'index.html'), 'utf8')
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i)
})
