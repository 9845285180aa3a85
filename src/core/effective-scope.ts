/**
 * The scope a reply is built from, with ISC dhcpd's inheritance: the address's scope chain
 * (global ⊂ shared-network ⊂ subnet ⊂ pool) and, for a client with a host declaration, the
 * host's chain (… ⊂ group ⊂ host) on top of it. Innermost wins, so a host's option beats the
 * pool's, and the pool's beats the subnet's (dhcpd.conf(5), "REFERENCE: DECLARATIONS").
 */
import { type ConfiguredOption, type Scope, type ScopeParameters } from '../config/model.js'

/** Memo of {@link EffectiveScope.of}: base scope → host scope (or NO_HOST) → view. */
const memo = new WeakMap<Scope, WeakMap<Scope, EffectiveScope>>()
const NO_HOST = Object.freeze({}) as Scope

export class EffectiveScope {
  /** Innermost first. */
  private readonly chain: readonly Scope[]

  /**
   * The shared view for `base` (and `host`): compiled scopes are not changed after
   * compilation (a reload compiles new ones), so the chain and the merged option map are
   * built once per pair instead of once or more per packet.
   */
  static of(base: Scope, host?: Scope): EffectiveScope {
    let byHost = memo.get(base)
    if (byHost === undefined) memo.set(base, (byHost = new WeakMap()))
    const key = host ?? NO_HOST
    let view = byHost.get(key)
    if (view === undefined) byHost.set(key, (view = new EffectiveScope(base, host)))
    return view
  }

  /**
   * @param base the address's scope: a pool's, or a subnet's for fixed addresses and INFORM.
   * @param host the matching host declaration's scope, if any; the part of its chain that the
   *   base chain already holds is not repeated.
   */
  constructor(base: Scope, host?: Scope) {
    const baseChain: Scope[] = []
    for (let s: Scope | undefined = base; s; s = s.parent) baseChain.push(s)
    const hostChain: Scope[] = []
    const inBase = new Set(baseChain)
    for (let s: Scope | undefined = host; s && !inBase.has(s); s = s.parent) hostChain.push(s)
    this.chain = [...hostChain, ...baseChain]
  }

  param<K extends keyof ScopeParameters>(key: K): ScopeParameters[K] | undefined {
    // Views are shared (EffectiveScope.of) and scopes immutable: remember each answer.
    const cached = this.params.get(key)
    if (cached !== undefined || this.params.has(key)) return cached as ScopeParameters[K] | undefined
    let found: ScopeParameters[K] | undefined
    for (const s of this.chain) {
      const v = s.params[key]
      if (v !== undefined) {
        found = v
        break
      }
    }
    this.params.set(key, found)
    return found
  }

  private readonly params = new Map<keyof ScopeParameters, unknown>()

  private merged: ReadonlyMap<number, ConfiguredOption> | undefined

  /** Effective options by code, inner scopes overriding outer ones (computed once). */
  options(): ReadonlyMap<number, ConfiguredOption> {
    if (this.merged !== undefined) return this.merged
    const out = new Map<number, ConfiguredOption>()
    for (let i = this.chain.length - 1; i >= 0; i--) {
      for (const [code, opt] of this.chain[i]!.options) out.set(code, opt)
    }
    this.merged = out
    return out
  }

  /** The innermost `allow|deny|ignore SUBJECT;` for a scope-level subject (`booting`, `declines`…). */
  access(subject: string): 'allow' | 'deny' | 'ignore' | undefined {
    for (const s of this.chain) {
      const v = s.params.access?.[subject]
      if (v !== undefined) return v
    }
    return undefined
  }

  /** ISC `authoritative` (not authoritative unless said so). */
  get authoritative(): boolean {
    return this.param('authoritative') ?? false
  }
}
