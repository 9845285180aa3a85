/**
 * Which DHCP transport to run (`--transport auto|packet|udp`), decided purely from what was
 * asked and whether raw sockets work here (addon built and loadable, CAP_NET_RAW held).
 */
export type TransportRequest = 'auto' | 'packet' | 'udp'

export type RawAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string }

export type TransportDecision =
  | { readonly kind: 'packet' | 'udp'; readonly why: string }
  | { readonly kind: 'error'; readonly why: string }

export function chooseTransport(requested: TransportRequest, raw: () => RawAvailability): TransportDecision {
  if (requested === 'udp') return { kind: 'udp', why: 'requested with --transport udp; replies to clients without an address are broadcast' }
  const r = raw()
  if (requested === 'packet') {
    return r.ok
      ? { kind: 'packet', why: 'requested with --transport packet' }
      : { kind: 'error', why: `--transport packet: ${r.reason}` }
  }
  return r.ok
    ? { kind: 'packet', why: 'raw sockets available (addon loaded, CAP_NET_RAW held); direct clients are answered by L2 unicast' }
    : { kind: 'udp', why: `${r.reason}; replies to clients without an address are broadcast` }
}
