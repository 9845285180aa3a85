/**
 * `failover peer "NAME" { … }` → FailoverPeer, with ISC dhcpd's defaults and checks
 * (failover-protocol.md Appendix A): ports default to 647; the primary needs `mclt` and
 * `split` or `hba`; a secondary may not set `split` or `hba`; the partner's address is required.
 */
import type { Diagnostic } from '../lib/errors.js'
import type { FailoverPeerDeclaration, FailoverSetting, FailoverSettingKey } from './ast.js'
import type { FailoverPeer } from './model.js'

export const FAILOVER_DEFAULTS = Object.freeze({
  port: 647,
  peerPort: 647,
  maxResponseDelay: 20,
  maxUnackedUpdates: 100,
  loadBalanceMaxSeconds: 0,
  maxLeaseMisbalance: 15,
  maxLeaseOwnership: 10,
  minBalance: 60,
  maxBalance: 3600,
  autoPartnerDown: 0,
})

export interface FailoverPeerResult {
  /** Undefined when the declaration has fatal errors. */
  readonly peer: FailoverPeer | undefined
  readonly diagnostics: readonly Diagnostic[]
}

/** Builds and validates one peer declaration. */
export function buildFailoverPeer(decl: FailoverPeerDeclaration): FailoverPeerResult {
  const diagnostics: Diagnostic[] = []
  const name = decl.name.value
  const last = new Map<FailoverSettingKey, FailoverSetting>()
  for (const s of decl.settings) {
    if (s.key === 'peer-other') continue
    const earlier = last.get(s.key)
    if (earlier && s.key !== 'primary' && s.key !== 'secondary') {
      diagnostics.push({
        severity: 'warning',
        loc: s.loc,
        message: `${s.key} is set twice in failover peer "${name}"; the last one wins`,
      })
    }
    last.set(s.key, s)
  }
  const num = (key: FailoverSettingKey): number | undefined => {
    const v = last.get(key)?.value
    return typeof v === 'number' ? v : undefined
  }
  const str = (key: FailoverSettingKey): string | undefined => {
    const v = last.get(key)?.value
    return typeof v === 'string' ? v : undefined
  }
  const error = (loc: Diagnostic['loc'], message: string, hint?: string): void => {
    diagnostics.push(hint === undefined ? { severity: 'error', loc, message } : { severity: 'error', loc, message, hint })
  }

  const primary = last.get('primary')
  const secondary = last.get('secondary')
  let role: FailoverPeer['role'] | undefined
  if (primary && secondary) {
    const later = primary.loc.line > secondary.loc.line ? primary : secondary
    error(later.loc, `failover peer "${name}" cannot be both primary and secondary`)
  } else if (primary) role = 'primary'
  else if (secondary) role = 'secondary'
  else error(decl.name.loc, `failover peer "${name}" must say \`primary;\` or \`secondary;\``)

  const split = last.get('split')
  const hba = last.get('hba')
  if (role === 'secondary') {
    for (const s of [split, hba]) {
      if (s) {
        error(s.loc, `${s.key} is only valid on the primary; failover peer "${name}" is secondary`, `remove \`${s.key}\` here: the primary's value applies to both servers`)
      }
    }
  }
  if (role === 'primary') {
    if (num('mclt') === undefined) {
      error(decl.name.loc, `failover peer "${name}" is primary but has no mclt`, 'add `mclt 3600;` (seconds; the same value on both servers)')
    }
    if (!split && !hba) {
      error(decl.name.loc, `failover peer "${name}" is primary but has neither split nor hba`, 'add `split 128;` to balance load evenly')
    }
    if (split && hba) error(hba.loc, `failover peer "${name}" sets both split and hba; use one`)
  }
  const address = str('address')
  const peerAddress = str('peer-address')
  if (address === undefined) error(decl.name.loc, `failover peer "${name}" has no \`address\` (this server's address)`)
  if (peerAddress === undefined) error(decl.name.loc, `failover peer "${name}" has no \`peer address\``)

  if (diagnostics.some((d) => d.severity === 'error') || role === undefined || address === undefined || peerAddress === undefined) {
    return { peer: undefined, diagnostics }
  }
  const hbaValue = hba?.value
  const peer: FailoverPeer = {
    name,
    loc: decl.loc,
    role,
    address,
    port: num('port') ?? FAILOVER_DEFAULTS.port,
    peerAddress,
    peerPort: num('peer-port') ?? FAILOVER_DEFAULTS.peerPort,
    maxResponseDelay: num('max-response-delay') ?? FAILOVER_DEFAULTS.maxResponseDelay,
    maxUnackedUpdates: num('max-unacked-updates') ?? FAILOVER_DEFAULTS.maxUnackedUpdates,
    mclt: num('mclt'),
    split: typeof split?.value === 'number' ? split.value : undefined,
    hba: Buffer.isBuffer(hbaValue) ? hbaValue : undefined,
    loadBalanceMaxSeconds: num('load-balance-max-seconds') ?? FAILOVER_DEFAULTS.loadBalanceMaxSeconds,
    maxLeaseMisbalance: num('max-lease-misbalance') ?? FAILOVER_DEFAULTS.maxLeaseMisbalance,
    maxLeaseOwnership: num('max-lease-ownership') ?? FAILOVER_DEFAULTS.maxLeaseOwnership,
    minBalance: num('min-balance') ?? FAILOVER_DEFAULTS.minBalance,
    maxBalance: num('max-balance') ?? FAILOVER_DEFAULTS.maxBalance,
    autoPartnerDown: num('auto-partner-down') ?? FAILOVER_DEFAULTS.autoPartnerDown,
  }
  return { peer: Object.freeze(peer), diagnostics }
}
