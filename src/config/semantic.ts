/**
 * Syntax tree → validated, frozen ServerConfig (model.ts).
 *
 * Walks the statements in order (so option definitions apply to what follows them, as in
 * ISC), builds one Scope per block with a `parent` link, puts subnets outside any
 * `shared-network` into an implicit one, and puts `range` statements written directly in a
 * subnet into an implicit pool. Whole-config checks (ranges, failover references, hosts)
 * run afterwards in address-checks.ts. Every problem becomes a Diagnostic; nothing throws.
 */
import type { Diagnostic, SourceLocation } from '../lib/errors.js'
import { formatIPv4, maskToPrefix } from '../lib/ip.js'
import type { OptionDef } from '../protocol/dhcp/option-defs.js'
import { encodeOptionValue } from '../protocol/dhcp/option-values.js'
import { parsePermitSubject, PERMIT_SPELLINGS, SCOPE_ACCESS_SUBJECTS } from './access.js'
import { checkAddresses } from './address-checks.js'
import type {
  AccessStatement,
  ConfigFile,
  FailoverPeerReference,
  HostDeclaration,
  OptionDefinitionStatement,
  OptionStatement,
  ParameterStatement,
  PoolDeclaration,
  RangeStatement,
  Statement,
  SubnetDeclaration,
} from './ast.js'
import { buildFailoverPeer } from './failover-peer.js'
import type {
  ClassDecl,
  ConfiguredOption,
  FailoverPeer,
  GlobalSettings,
  Host,
  Permit,
  Pool,
  Range,
  Scope,
  ScopeKind,
  ScopeParameters,
  ServerConfig,
  SharedNetwork,
  Subnet,
} from './model.js'
import { OptionRegistry } from './option-registry.js'
import { parseOptionValue } from './option-value-parser.js'
import { PARAMETERS } from './parameters.js'
import { didYouMean } from './suggest.js'

// ---- mutable builders, frozen into the model at the end ------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

interface ScopeBuilder {
  readonly kind: ScopeKind
  readonly loc: SourceLocation
  readonly parent: ScopeBuilder | undefined
  readonly params: Mutable<ScopeParameters> & {
    ddns?: Record<string, string | number | boolean>
    access?: Record<string, 'allow' | 'deny' | 'ignore'>
  }
  readonly options: Map<number, ConfiguredOption>
}

interface PoolBuilder {
  readonly loc: SourceLocation
  readonly scope: ScopeBuilder
  failoverPeer: string | undefined
  /** Where the failover peer was named (the pool's own statement or an inherited one). */
  failoverPeerLoc: SourceLocation | undefined
  readonly ranges: Range[]
  readonly permits: Permit[]
  readonly implicit: boolean
}

interface SubnetBuilder {
  readonly loc: SourceLocation
  readonly scope: ScopeBuilder
  readonly network: number
  readonly mask: number
  readonly prefixLength: number
  readonly sharedNetwork: SharedNetworkBuilder
  readonly pools: PoolBuilder[]
  implicitPool: PoolBuilder | undefined
}

interface SharedNetworkBuilder {
  readonly name: string
  readonly loc: SourceLocation
  readonly scope: ScopeBuilder
  readonly implicit: boolean
  readonly subnets: SubnetBuilder[]
  /** Pools declared at shared-network level, placed into a subnet once all are known. */
  readonly pools: PoolBuilder[]
}

interface HostBuilder {
  readonly name: string
  readonly loc: SourceLocation
  readonly scope: ScopeBuilder
  hardware: { htype: number; address: Buffer; loc: SourceLocation } | undefined
  clientId: Buffer | undefined
  hostIdentifier: { option: string; value: Buffer } | undefined
  readonly fixedAddresses: { ip: number; loc: SourceLocation }[]
  readonly fixedAddressNames: string[]
}

/** Where a statement is: the innermost scope and the declarations around it. */
interface Context {
  readonly kind: ScopeKind
  readonly scope: ScopeBuilder
  readonly sharedNetwork: SharedNetworkBuilder | undefined
  readonly subnet: SubnetBuilder | undefined
  readonly pool: PoolBuilder | undefined
  readonly host: HostBuilder | undefined
  /** `failover peer "X";` in force from an enclosing shared-network/subnet/group. */
  readonly inheritedPeer: { name: string | undefined; loc: SourceLocation } | undefined
}

export interface AnalysisResult {
  /** Present even when there are errors (best effort), for tools that want partial output. */
  readonly config: ServerConfig
  readonly diagnostics: readonly Diagnostic[]
}

/** Builds the configuration model from a parsed file. */
export function analyze(file: ConfigFile): AnalysisResult {
  return new Analyzer(file).run()
}

class Analyzer {
  private readonly diagnostics: Diagnostic[] = []
  private readonly options = new OptionRegistry()
  private readonly settings: Mutable<GlobalSettings> = {
    localPort: undefined,
    localAddress: undefined,
    omapiPort: undefined,
    leaseFileName: undefined,
    pidFileName: undefined,
  }
  private readonly failoverPeers = new Map<string, FailoverPeer>()
  /** Every declared peer name (even invalid ones), so references to them are not "unknown". */
  private readonly declaredPeers = new Map<string, SourceLocation>()
  private readonly sharedNetworks: SharedNetworkBuilder[] = []
  private readonly subnets: SubnetBuilder[] = []
  private readonly hosts: HostBuilder[] = []
  private readonly classes: ClassDecl[] = []
  private readonly globalScope: ScopeBuilder

  constructor(private readonly file: ConfigFile) {
    const loc = { file: file.files[0] ?? '', line: 1, col: 1 }
    this.globalScope = newScope('global', loc, undefined)
  }

  run(): AnalysisResult {
    const root: Context = {
      kind: 'global',
      scope: this.globalScope,
      sharedNetwork: undefined,
      subnet: undefined,
      pool: undefined,
      host: undefined,
      inheritedPeer: undefined,
    }
    this.walk(this.file.statements, root)
    this.placeSharedNetworkPools()
    const allPools = this.subnets.flatMap((s) => s.pools)
    this.diagnostics.push(
      ...checkAddresses({
        subnets: this.subnets.map((s) => ({ network: s.network, prefixLength: s.prefixLength, pools: s.pools })),
        hosts: this.hosts,
      }),
    )
    this.checkFailoverReferences(allPools)
    return { config: this.freeze(), diagnostics: this.diagnostics }
  }

  // ---- diagnostics ----------------------------------------------------------------------

  private error(loc: SourceLocation, message: string, hint?: string): void {
    this.diagnostics.push(hint === undefined ? { severity: 'error', loc, message } : { severity: 'error', loc, message, hint })
  }

  private warn(loc: SourceLocation, message: string, hint?: string): void {
    this.diagnostics.push(hint === undefined ? { severity: 'warning', loc, message } : { severity: 'warning', loc, message, hint })
  }

  // ---- the walk -------------------------------------------------------------------------

  private walk(statements: readonly Statement[], ctx: Context): void {
    for (const st of statements) this.statement(st, ctx)
  }

  /** A `failover peer "X";` (or `no failover peer;`) written directly in this block. */
  private peerReferenceIn(body: readonly Statement[], ctx: Context): Context['inheritedPeer'] {
    const ref = body.find((s): s is FailoverPeerReference => s.type === 'failover-peer-ref')
    if (!ref) return ctx.inheritedPeer
    return { name: ref.name?.value, loc: ref.name?.loc ?? ref.loc }
  }

  private statement(st: Statement, ctx: Context): void {
    switch (st.type) {
      case 'parameter':
        return this.parameter(st, ctx)
      case 'authoritative':
        ctx.scope.params.authoritative = st.value
        return
      case 'access':
        return this.access(st, ctx)
      case 'option':
        return this.option(st, ctx)
      case 'option-definition':
        return this.optionDefinition(st)
      case 'failover-peer': {
        if (ctx.kind !== 'global' && ctx.kind !== 'shared-network') {
          this.error(st.loc, 'failover peers may only be declared at the top level or in a shared-network')
        }
        const name = st.name.value
        if (this.declaredPeers.has(name)) {
          this.error(st.name.loc, `failover peer "${name}" is declared twice`)
          return
        }
        this.declaredPeers.set(name, st.name.loc)
        const { peer, diagnostics } = buildFailoverPeer(st)
        this.diagnostics.push(...diagnostics)
        if (peer) this.failoverPeers.set(name, peer)
        return
      }
      case 'failover-peer-ref':
        if (ctx.pool) {
          ctx.pool.failoverPeer = st.name?.value
          ctx.pool.failoverPeerLoc = st.name?.loc ?? st.loc
        } else if (ctx.kind === 'host' || ctx.kind === 'class' || ctx.kind === 'global') {
          this.error(st.loc, 'a failover peer can only be named in a pool, subnet, shared-network or group')
        }
        // In a shared-network, subnet or group it was applied on entry (peerReferenceIn).
        return
      case 'range':
        return this.range(st, ctx)
      case 'hardware':
        if (!ctx.host) return this.error(st.loc, '`hardware` is only valid in a host declaration')
        if (ctx.host.hardware) this.warn(st.loc, `host ${ctx.host.name} has more than one hardware address; the last one wins`)
        ctx.host.hardware = { htype: st.htype, address: st.address.value, loc: st.address.loc }
        return
      case 'fixed-address':
        if (!ctx.host) return this.error(st.loc, '`fixed-address` is only valid in a host declaration')
        for (const a of st.addresses) {
          if ('ip' in a.value) ctx.host.fixedAddresses.push({ ip: a.value.ip, loc: a.loc })
          else ctx.host.fixedAddressNames.push(a.value.name)
        }
        return
      case 'host-identifier':
        return this.hostIdentifier(st, ctx)
      case 'match':
        if (ctx.kind !== 'class') this.error(st.loc, '`match` and `spawn` are only valid in a class declaration')
        return
      case 'ignored-word':
        return // the parser already warned
      case 'unimplemented':
        this.warn(st.loc, `\`${st.keyword}\` is not implemented yet; the statement is ignored`)
        return
      case 'subnet':
        return this.subnet(st, ctx)
      case 'shared-network': {
        if (ctx.kind !== 'global' && ctx.kind !== 'group') {
          return this.error(st.loc, 'shared-network declarations are only allowed at the top level or in a group')
        }
        const scope = newScope('shared-network', st.loc, ctx.scope)
        const sn: SharedNetworkBuilder = { name: st.name.value, loc: st.loc, scope, implicit: false, subnets: [], pools: [] }
        this.sharedNetworks.push(sn)
        this.walk(st.body, {
          ...ctx,
          kind: 'shared-network',
          scope,
          sharedNetwork: sn,
          inheritedPeer: this.peerReferenceIn(st.body, ctx),
        })
        if (sn.subnets.length === 0) this.error(st.loc, `shared-network ${sn.name} has no subnets`)
        return
      }
      case 'pool':
        return this.pool(st, ctx)
      case 'group': {
        const scope = newScope('group', st.loc, ctx.scope)
        this.walk(st.body, { ...ctx, kind: ctx.kind === 'pool' || ctx.kind === 'host' ? ctx.kind : 'group', scope, inheritedPeer: this.peerReferenceIn(st.body, ctx) })
        return
      }
      case 'host':
        return this.host(st, ctx)
      case 'class':
      case 'subclass': {
        const name = st.type === 'class' ? st.name.value : st.className.value
        const match = st.type === 'class' ? st.body.find((s) => s.type === 'match') : undefined
        this.classes.push(Object.freeze({ name, loc: st.loc, kind: st.type, match: match?.type === 'match' ? match.text : undefined }))
        this.error(
          st.loc,
          `${st.type} "${name}": class matching is not supported yet`,
          'remove the class (and any `members of` permits) or keep serving this network with ISC dhcpd for now',
        )
        return
      }
    }
  }

  private parameter(st: ParameterStatement, ctx: Context): void {
    const spec = PARAMETERS.get(st.name)
    if (!spec) return
    const value = st.value.value
    const target = spec.target
    if ('global' in target) {
      if (ctx.kind !== 'global') {
        this.warn(st.loc, `\`${st.name}\` only takes effect at the top level; ignored here`)
        return
      }
      ;(this.settings as Record<string, unknown>)[target.global] = value
      return
    }
    if ('ddns' in target) {
      ctx.scope.params.ddns = { ...ctx.scope.params.ddns, [st.name]: value }
      return
    }
    ;(ctx.scope.params as Record<string, unknown>)[target.scope] = value
  }

  private access(st: AccessStatement, ctx: Context): void {
    if (ctx.pool && ctx.kind === 'pool') {
      const subject = parsePermitSubject(st.words)
      if (subject) {
        if (st.verb === 'ignore') return this.error(st.loc, 'pool permits take `allow` or `deny`, not `ignore`')
        ctx.pool.permits.push(Object.freeze({ allow: st.verb === 'allow', subject, loc: st.loc }))
        return
      }
    }
    const words = st.words.map((w) => w.text.toLowerCase())
    const subject = words.join(' ')
    if (words.length !== 1 || !SCOPE_ACCESS_SUBJECTS.includes(subject)) {
      const candidates = ctx.kind === 'pool' ? [...PERMIT_SPELLINGS, ...SCOPE_ACCESS_SUBJECTS] : SCOPE_ACCESS_SUBJECTS
      this.error(st.words[0]!.loc, `unknown ${st.verb} subject \`${st.words.map((w) => w.text).join(' ')}\``, didYouMean(subject, candidates))
      return
    }
    ctx.scope.params.access = { ...ctx.scope.params.access, [subject]: st.verb }
    if (subject === 'unknown-clients') ctx.scope.params.bootUnknownClients = st.verb === 'allow'
  }

  private option(st: OptionStatement, ctx: Context): void {
    const def = this.options.lookup(st.name.value)
    if (!def) {
      this.error(st.name.loc, `unknown option \`${st.name.value}\``, didYouMean(st.name.value, this.options.names()))
      return
    }
    const end = st.valueTokens.length > 0 ? st.valueTokens[st.valueTokens.length - 1]!.loc : st.name.loc
    const parsed = parseOptionValue(def, st.valueTokens, end)
    if (!parsed.ok) return this.error(parsed.loc, parsed.message)
    let data: Buffer
    try {
      data = encodeOptionValue(def, parsed.value)
    } catch (e) {
      return this.error(st.name.loc, `option ${def.name}: ${e instanceof Error ? e.message : String(e)}`)
    }
    const configured: ConfiguredOption = Object.freeze({ def, value: Object.freeze(parsed.value), data, loc: st.loc })
    ctx.scope.options.set(def.code, configured)
    if (ctx.host && ctx.kind === 'host' && def.code === 61) ctx.host.clientId = data
  }

  private optionDefinition(st: OptionDefinitionStatement): void {
    const name = st.name.value
    if (name.includes('.') && !name.startsWith('dhcp.')) {
      return this.error(st.name.loc, `option spaces other than dhcp are not supported yet (${name})`)
    }
    const bare = name.startsWith('dhcp.') ? name.slice(5) : name
    const def: OptionDef = Object.freeze({
      code: st.code.value,
      name: bare,
      space: 'dhcp',
      fields: Object.freeze([...st.format.fields]),
      array: st.format.array,
      rfc: `dhcpd.conf ${st.loc.file}:${st.loc.line}`,
    })
    this.options.define(def)
  }

  private hostIdentifier(st: Extract<Statement, { type: 'host-identifier' }>, ctx: Context): void {
    if (!ctx.host) return this.error(st.loc, '`host-identifier` is only valid in a host declaration')
    const def = this.options.lookup(st.option.value)
    if (!def) {
      return this.error(st.option.loc, `unknown option \`${st.option.value}\``, didYouMean(st.option.value, this.options.names()))
    }
    const end = st.valueTokens.length > 0 ? st.valueTokens[st.valueTokens.length - 1]!.loc : st.option.loc
    const parsed = parseOptionValue(def, st.valueTokens, end)
    if (!parsed.ok) return this.error(parsed.loc, parsed.message)
    try {
      ctx.host.hostIdentifier = { option: st.option.value, value: encodeOptionValue(def, parsed.value) }
    } catch (e) {
      this.error(st.option.loc, `host-identifier: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  private subnet(st: SubnetDeclaration, ctx: Context): void {
    if (ctx.kind !== 'global' && ctx.kind !== 'shared-network' && ctx.kind !== 'group') {
      return this.error(st.loc, `a subnet cannot be declared inside a ${ctx.kind}`)
    }
    const mask = st.netmask.value
    const prefixLength = maskToPrefix(mask)
    if (prefixLength === undefined) {
      return this.error(st.netmask.loc, `netmask ${formatIPv4(mask)} is not contiguous`, 'a netmask is ones followed by zeros, e.g. 255.255.255.0')
    }
    const network = st.network.value
    if (((network & ~mask) >>> 0) !== 0) {
      const fixed = formatIPv4((network & mask) >>> 0)
      return this.error(
        st.network.loc,
        `subnet ${formatIPv4(network)} has host bits set for netmask ${formatIPv4(mask)}`,
        `did you mean \`subnet ${fixed} netmask ${formatIPv4(mask)}\`?`,
      )
    }
    let sharedNetwork = ctx.sharedNetwork
    let parentScope = ctx.scope
    if (!sharedNetwork) {
      const snScope = newScope('shared-network', st.loc, ctx.scope)
      sharedNetwork = { name: `${formatIPv4(network)}/${prefixLength}`, loc: st.loc, scope: snScope, implicit: true, subnets: [], pools: [] }
      this.sharedNetworks.push(sharedNetwork)
      parentScope = snScope
    }
    const duplicate = this.subnets.find((s) => s.network === network && s.mask === mask)
    if (duplicate) {
      const at = duplicate.loc
      this.error(st.loc, `subnet ${formatIPv4(network)}/${prefixLength} is already declared at ${at.file}:${at.line}:${at.col}`)
      return
    }
    const scope = newScope('subnet', st.loc, parentScope)
    const subnet: SubnetBuilder = { loc: st.loc, scope, network, mask, prefixLength, sharedNetwork, pools: [], implicitPool: undefined }
    sharedNetwork.subnets.push(subnet)
    this.subnets.push(subnet)
    this.walk(st.body, {
      ...ctx,
      kind: 'subnet',
      scope,
      sharedNetwork,
      subnet,
      inheritedPeer: this.peerReferenceIn(st.body, ctx),
    })
  }

  private pool(st: PoolDeclaration, ctx: Context): void {
    if (ctx.kind !== 'subnet' && ctx.kind !== 'shared-network') {
      return this.error(st.loc, 'a pool must be declared in a subnet or shared-network')
    }
    const pool: PoolBuilder = {
      loc: st.loc,
      scope: newScope('pool', st.loc, ctx.scope),
      failoverPeer: ctx.inheritedPeer?.name,
      failoverPeerLoc: ctx.inheritedPeer?.loc,
      ranges: [],
      permits: [],
      implicit: false,
    }
    this.walk(st.body, { ...ctx, kind: 'pool', scope: pool.scope, pool })
    if (pool.ranges.length === 0) this.warn(st.loc, 'pool has no range statement; it offers no addresses')
    if (ctx.subnet) ctx.subnet.pools.push(pool)
    else ctx.sharedNetwork!.pools.push(pool)
  }

  private range(st: RangeStatement, ctx: Context): void {
    let pool = ctx.pool
    if (!pool) {
      const subnet = ctx.subnet
      if (!subnet || ctx.kind === 'host') return this.error(st.loc, 'a range must be declared in a subnet or a pool')
      if (!subnet.implicitPool) {
        subnet.implicitPool = {
          loc: st.loc,
          scope: newScope('pool', st.loc, subnet.scope),
          failoverPeer: ctx.inheritedPeer?.name,
          failoverPeerLoc: ctx.inheritedPeer?.loc,
          ranges: [],
          permits: [],
          implicit: true,
        }
        subnet.pools.push(subnet.implicitPool)
      }
      pool = subnet.implicitPool
    }
    // ISC swaps a range written high-to-low.
    const first = Math.min(st.first.value, st.last.value)
    const last = Math.max(st.first.value, st.last.value)
    pool.ranges.push(Object.freeze({ first, last, size: last - first + 1, dynamicBootp: st.dynamicBootp, loc: st.loc }))
  }

  private host(st: HostDeclaration, ctx: Context): void {
    if (ctx.kind === 'host' || ctx.kind === 'pool' || ctx.kind === 'class') {
      return this.error(st.loc, `a host cannot be declared inside a ${ctx.kind}`)
    }
    const host: HostBuilder = {
      name: st.name.value,
      loc: st.loc,
      scope: newScope('host', st.loc, ctx.scope),
      hardware: undefined,
      clientId: undefined,
      hostIdentifier: undefined,
      fixedAddresses: [],
      fixedAddressNames: [],
    }
    this.hosts.push(host)
    this.walk(st.body, { ...ctx, kind: 'host', scope: host.scope, host, pool: undefined })
  }

  // ---- whole-config passes ----------------------------------------------------------------

  /** Pools written at shared-network level belong to the subnet holding their first range. */
  private placeSharedNetworkPools(): void {
    for (const sn of this.sharedNetworks) {
      for (const pool of sn.pools) {
        const first = pool.ranges[0]
        const home = first ? sn.subnets.find((s) => ((first.first & s.mask) >>> 0) === s.network) : sn.subnets[0]
        if (!home) {
          this.error(first!.loc, `range ${formatIPv4(first!.first)}-${formatIPv4(first!.last)} is not inside any subnet of shared-network ${sn.name}`)
          continue
        }
        home.pools.push(pool)
      }
    }
  }

  private checkFailoverReferences(pools: readonly PoolBuilder[]): void {
    const referenced = new Set<string>()
    for (const pool of pools) {
      const name = pool.failoverPeer
      if (name === undefined) continue
      referenced.add(name)
      const loc = pool.failoverPeerLoc ?? pool.loc
      if (!this.declaredPeers.has(name)) {
        this.error(loc, `failover peer "${name}" is not declared`, didYouMean(name, this.declaredPeers.keys()))
        continue
      }
      for (const r of pool.ranges) {
        if (r.dynamicBootp) {
          this.error(r.loc, `range dynamic-bootp is not allowed in a pool served by failover peer "${name}"`, 'BOOTP leases cannot be shared between failover partners; use a separate pool without failover')
        }
      }
    }
    for (const [name, loc] of this.declaredPeers) {
      if (!referenced.has(name)) {
        this.error(loc, `failover peer "${name}" has no referring pools`, `add \`failover peer "${name}";\` inside the pool(s) it serves`)
      }
    }
  }

  private freeze(): ServerConfig {
    const scopes = new Map<ScopeBuilder, Scope>()
    const freezeScope = (b: ScopeBuilder): Scope => {
      const done = scopes.get(b)
      if (done) return done
      const params: ScopeParameters = Object.freeze({
        ...b.params,
        ...(b.params.ddns ? { ddns: Object.freeze({ ...b.params.ddns }) } : {}),
        ...(b.params.access ? { access: Object.freeze({ ...b.params.access }) } : {}),
      })
      const scope: Scope = Object.freeze({
        kind: b.kind,
        loc: b.loc,
        parent: b.parent ? freezeScope(b.parent) : undefined,
        params,
        options: b.options,
      })
      scopes.set(b, scope)
      return scope
    }
    const freezePool = (p: PoolBuilder): Pool =>
      Object.freeze({
        loc: p.loc,
        scope: freezeScope(p.scope),
        failoverPeer: p.failoverPeer,
        ranges: Object.freeze([...p.ranges]),
        permits: Object.freeze([...p.permits]),
        implicit: p.implicit,
      })
    const subnets = new Map<SubnetBuilder, Subnet>()
    for (const s of this.subnets) {
      subnets.set(
        s,
        Object.freeze({
          loc: s.loc,
          scope: freezeScope(s.scope),
          network: s.network,
          mask: s.mask,
          prefixLength: s.prefixLength,
          sharedNetwork: s.sharedNetwork.name,
          pools: Object.freeze(s.pools.map(freezePool)),
        }),
      )
    }
    const sharedNetworks: SharedNetwork[] = this.sharedNetworks.map((sn) =>
      Object.freeze({
        name: sn.name,
        loc: sn.loc,
        scope: freezeScope(sn.scope),
        implicit: sn.implicit,
        subnets: Object.freeze(sn.subnets.map((s) => subnets.get(s)!)),
      }),
    )
    const hosts: Host[] = this.hosts.map((h) =>
      Object.freeze({
        name: h.name,
        loc: h.loc,
        scope: freezeScope(h.scope),
        hardware: h.hardware ? Object.freeze({ htype: h.hardware.htype, address: h.hardware.address }) : undefined,
        clientId: h.clientId,
        hostIdentifier: h.hostIdentifier ? Object.freeze({ ...h.hostIdentifier }) : undefined,
        fixedAddresses: Object.freeze(h.fixedAddresses.map((a) => a.ip)),
        fixedAddressNames: Object.freeze([...h.fixedAddressNames]),
      }),
    )
    return Object.freeze({
      files: Object.freeze([...this.file.files]),
      global: freezeScope(this.globalScope),
      settings: Object.freeze({ ...this.settings }),
      failoverPeers: this.failoverPeers,
      sharedNetworks: Object.freeze(sharedNetworks),
      subnets: Object.freeze(this.subnets.map((s) => subnets.get(s)!)),
      hosts: Object.freeze(hosts),
      classes: Object.freeze([...this.classes]),
      customOptions: Object.freeze([...this.options.customDefinitions()]),
      warnings: Object.freeze(this.diagnostics.filter((d) => d.severity === 'warning')),
    })
  }
}

function newScope(kind: ScopeKind, loc: SourceLocation, parent: ScopeBuilder | undefined): ScopeBuilder {
  return { kind, loc, parent, params: {}, options: new Map() }
}
