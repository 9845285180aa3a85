/**
 * The server identifier (option 54, RFC 2132 §9.7) this server answers with, and the set of
 * identifiers that mean "this server" when a SELECTING client names one (RFC 2131 §4.3.2).
 */
import { OptionCode } from '../protocol/dhcp/option-defs.js'
import type { ClientQuery } from './client-query.js'
import { EffectiveScope } from './effective-scope.js'
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

/** Every identifier we could have sent this client: interface addresses, override, configured ones. */
export function ourServerIdentifiers(
  q: Pick<ClientQuery, 'serverIdOverride'>,
  sel: NetworkSelection | undefined,
  iface: ReceivingInterface,
): Set<number> {
  const ids = new Set<number>(iface.addresses)
  if (q.serverIdOverride !== undefined) ids.add(q.serverIdOverride)
  if (sel !== undefined) {
    const configuredOnly = { serverIdOverride: undefined }
    for (const subnet of sel.sharedNetwork.subnets) {
      ids.add(serverIdentifierFor(configuredOnly, new EffectiveScope(subnet.scope), sel, iface))
      for (const pool of subnet.pools) ids.add(serverIdentifierFor(configuredOnly, new EffectiveScope(pool.scope), sel, iface))
    }
  }
  return ids
}
