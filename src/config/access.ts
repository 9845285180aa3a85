/**
 * The words after `allow`, `deny` or `ignore`: a pool permit (`members of "C"`, `known-clients`,
 * `dynamic bootp clients`…) or a scope parameter (`bootp`, `unknown-clients`, `client-updates`…).
 */
import type { Token } from './lexer.js'
import type { PermitSubject } from './model.js'

/** Scope-level subjects of allow/deny/ignore (dhcpd.conf(5) "ALLOW AND DENY"). */
export const SCOPE_ACCESS_SUBJECTS: readonly string[] = [
  'unknown-clients',
  'bootp',
  'booting',
  'duplicates',
  'declines',
  'client-updates',
  'leasequery',
]

/** Pool permit spellings, for hints. */
export const PERMIT_SPELLINGS: readonly string[] = [
  'known-clients',
  'unknown-clients',
  'known clients',
  'unknown clients',
  'all clients',
  'dynamic bootp clients',
  'authenticated clients',
  'unauthenticated clients',
  'members of',
  'after',
]

/** The permit the words spell, or undefined if they are not a permit. */
export function parsePermitSubject(words: readonly Token[]): PermitSubject | undefined {
  const lower = words.map((w) => (w.kind === 'string' ? w.text : w.text.toLowerCase()))
  const text = lower.join(' ')
  switch (text) {
    case 'known-clients':
    case 'known clients':
      return { kind: 'known-clients' }
    case 'unknown-clients':
    case 'unknown clients':
      return { kind: 'unknown-clients' }
    case 'all clients':
      return { kind: 'all-clients' }
    case 'dynamic bootp clients':
      return { kind: 'dynamic-bootp-clients' }
    case 'authenticated clients':
      return { kind: 'authenticated-clients' }
    case 'unauthenticated clients':
      return { kind: 'unauthenticated-clients' }
  }
  if (lower.length === 3 && lower[0] === 'members' && lower[1] === 'of' && words[2]!.kind === 'string') {
    return { kind: 'members-of', className: words[2]!.text }
  }
  if (lower[0] === 'after' && words.length > 1) {
    return { kind: 'after', time: words.slice(1).map((w) => w.text).join(' ') }
  }
  return undefined
}
