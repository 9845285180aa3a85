/**
 * Gatekeeping for end-to-end tests. An e2e test that cannot run here (not root, a tool
 * missing) is skipped with the reason; with HADHCPD_E2E=required (set by .ci/run) the same
 * condition fails the test instead, so CI never passes by skipping.
 */
import { spawnSync } from 'node:child_process'
import type { TestContext } from 'node:test'

export const E2E_REQUIRED = process.env['HADHCPD_E2E'] === 'required'

/** Absolute path of an executable on PATH (plus sbin dirs), or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])
  for (const d of dirs) {
    if (!d) continue
    const p = `${d}/${name}`
    const r = spawnSync('test', ['-x', p])
    if (r.status === 0) return p
  }
  return undefined
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

/**
 * Returns the list of unmet requirements; empty means the test can run.
 * `tools` are executables that must be on PATH.
 */
export function missingRequirements(opts: { root?: boolean; tools?: readonly string[] }): string[] {
  const missing: string[] = []
  if (opts.root && !isRoot()) missing.push('needs root (network namespaces)')
  for (const t of opts.tools ?? []) if (!findTool(t)) missing.push(`needs ${t} on PATH`)
  return missing
}

/**
 * Call at the top of an e2e test. Returns false (after skipping) when the test cannot run and
 * e2e is optional; throws when e2e is required.
 */
export function e2eCanRun(t: TestContext, opts: { root?: boolean; tools?: readonly string[] }): boolean {
  const missing = missingRequirements(opts)
  if (missing.length === 0) return true
  const reason = missing.join('; ')
  if (E2E_REQUIRED) throw new Error(`end-to-end test cannot run (HADHCPD_E2E=required): ${reason}`)
  t.skip(reason)
  return false
}
