/**
 * The server identifier (option 54, RFC 2132 §9.7) this server answers with, and the set of
 * identifiers that mean "this server" when a SELECTING client names one (RFC 2131 §4.3.2).
 */
import { OptionCode } from '../protocol/dhcp/option-defs.js'
import type { ClientQuery } from './client-query.js'
import { EffectiveScope } from './effective-scope.js'
import type { Scope, ServerConfig } from '../config/model.js'
import type { NetworkSelection, ReceivingInterface } from './subnet-select.js'

/**
 * The relay's server-id-override (RFC 5107 §4), else the configured
 * `option dhcp-server-identifier` / `server-identifier`, else the receiving interface's
 * address (the one on the client's network when there is one).
 */
export function serverIdentifierFor(
  q: Pick<ClientQuery, 'serverIdOverride'>,
  scope: EffectiveScope | undefined,
  sel: NetworkSelection | undefined,
  iface: ReceivingInterface,
): number {
  if (q.serverIdOverride !== undefined) return q.serverIdOverride
  const configured = scope?.options().get(OptionCode.SERVER_IDENTIFIER)?.data
  if (configured !== undefined && configured.length === 4) return configured.readUInt32BE(0)
  const param = scope?.param('serverIdentifier')
  if (param !== undefined) return param
  if (sel !== undefined) {
    const onNetwork = iface.addresses.find((a) => sel.sharedNetwork.subnets.some((s) => ((a & s.mask) >>> 0) === s.network))
    if (onNetwork !== undefined) return onNetwork
  }
  return iface.addresses[0] ?? 0
}

/**
 * Every identifier that means this server: the receiving interface's addresses, the relay's
 * override, and any server identifier configured anywhere (a client naming one of them chose
 * us, whichever scope its reply came from).
 */
export function ourServerIdentifiers(
  q: Pick<ClientQuery, 'serverIdOverride'>,
  config: ServerConfig,
  iface: ReceivingInterface,
): Set<number> {
  const ids = new Set<number>(iface.addresses)
  if (q.serverIdOverride !== undefined) ids.add(q.serverIdOverride)
  for (const id of configuredServerIds(config)) ids.add(id)
  return ids
}

const configuredCache = new WeakMap<ServerConfig, readonly number[]>()

/** Server identifiers configured in any scope (global, subnets, pools, hosts), cached per config. */
function configuredServerIds(config: ServerConfig): readonly number[] {
  let ids = configuredCache.get(config)
  if (ids === undefined) {
    const found = new Set<number>()
    const add = (scope: Scope): void => {
      const effective = EffectiveScope.of(scope)
      const option = effective.options().get(OptionCode.SERVER_IDENTIFIER)?.data
      if (option !== undefined && option.length === 4) found.add(option.readUInt32BE(0))
      const param = effective.param('serverIdentifier')
      if (param !== undefined) found.add(param)
    }
    add(config.global)
    for (const subnet of config.subnets) {
      add(subnet.scope)
      for (const pool of subnet.pools) add(pool.scope)
    }
    for (const host of config.hosts) add(host.scope)
    ids = [...found]
    configuredCache.set(config, ids)
  }
  return ids
}
