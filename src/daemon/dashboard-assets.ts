/**
 * The dashboard's static files (assets/dashboard/: one HTML page, one ES module, one style
 * sheet; no build step, nothing fetched from elsewhere), read once at start and served by the
 * control API at `/` and `/dashboard/*` without a token — the page asks for the token itself.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import type { StaticAsset } from '../api/types.js'

/** assets/dashboard in the package (this file is dist/src/daemon/dashboard-assets.js once built). */
export const DASHBOARD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'assets', 'dashboard')

const FILES: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/dashboard': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/dashboard/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/dashboard/style.css': { file: 'style.css', contentType: 'text/css; charset=utf-8' },
}

/**
 * Security headers for the dashboard's responses: everything from this origin only, no
 * framing, no inline script (the page has none).
 */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/** Loads the files now (a missing file is an error at start, not a 404 later). */
export function loadDashboardAssets(dir: string = DASHBOARD_DIR): (path: string) => StaticAsset | undefined {
  const loaded = new Map<string, StaticAsset>()
  const byFile = new Map<string, Buffer>()
  for (const [path, { file, contentType }] of Object.entries(FILES)) {
    let body = byFile.get(file)
    if (body === undefined) {
      body = readFileSync(join(dir, file))
      byFile.set(file, body)
    }
    loaded.set(path, { contentType, body, headers: DASHBOARD_HEADERS })
  }
  return (path) => loaded.get(path)
}
