/**
 * The packet path as fixed, named stages (fastify lifecycle hooks, Kea hook points):
 *
 *   accept → ha-filter → select-subnet → allocate → respond → commit
 *
 * `handle` is synchronous and pure apart from the lease store and the engine's offer holds.
 * It returns a {@link Decision}: the reply and where it goes, the lease changes, and log
 * events. The I/O layer MUST journal `changes` (and fsync per its policy) BEFORE sending
 * `reply` (architecture §8.5), and must serialize packets of one client (keyed queue).
 */
import { DecodeError } from '../lib/errors.js'
import type { ServerConfig } from '../config/model.js'
import { MessageType } from '../protocol/dhcp/constants.js'
import { OptionCode } from '../protocol/dhcp/option-defs.js'
import { decode, type DhcpPacket } from '../protocol/dhcp/packet.js'
import { AllocEngine, type AllocationRequest, type Binding, type EngineOptions, type Outcome } from './alloc-engine.js'
import { colonHex, identityOf } from './client-identity.js'
import { parseClientQuery, type ClientQuery } from './client-query.js'
import { EffectiveScope } from './effective-scope.js'
import type { LeaseChange } from './lease.js'
import type { LeaseStore } from './lease-store.js'
import { describeClient, ip, logEvent, type LogEvent } from './log-events.js'
import { buildReply, type ReplyContent } from './responder.js'
import { routeReply, type ReplyRoute, type TransportCapabilities } from './reply-route.js'
import { selectNetwork, type NetworkSelection, type ReceivingInterface } from './subnet-select.js'

export type { ReceivingInterface } from './subnet-select.js'
export type { ReplyRoute, TransportCapabilities } from './reply-route.js'
export type { LogEvent } from './log-events.js'

/** The stages of {@link Pipeline.handle}, in order; each is a method named after it. */
export const PIPELINE_STAGES = ['accept', 'ha-filter', 'select-subnet', 'allocate', 'respond', 'commit'] as const
export type PipelineStage = (typeof PIPELINE_STAGES)[number]

/** One received datagram, as the I/O layer hands it over. */
export interface PipelineInput {
  /** The UDP payload (the DHCP message). */
  readonly datagram: Buffer
  readonly receivedOn: ReceivingInterface
  /** Milliseconds since the Unix epoch (Clock.now()). */
  readonly now: number
  /**
   * True when the datagram was addressed to a broadcast address (IP_PKTINFO or the raw
   * frame tells); omit when unknown. Distinguishes REBINDING from RENEWING on our own link.
   */
  readonly receivedBroadcast?: boolean
}

export interface Reply {
  readonly packet: DhcpPacket
  /** Wire bytes, already fitted to the client's maximum message size. */
  readonly bytes: Buffer
  readonly route: ReplyRoute
}

/**
 * ISC `ping-check`: before sending the OFFER, the I/O layer sends an ICMP echo to `address`
 * and waits up to `timeoutMs`. If anything answers, it drops the reply, calls
 * {@link Pipeline.reportConflict} and handles the same datagram again (a new address is
 * chosen). If nothing answers, it sends the reply.
 */
export interface Probe {
  readonly address: number
  readonly timeoutMs: number
}

export interface Decision {
  /** Absent when the server stays silent. */
  readonly reply?: Reply
  /** Present on an OFFER that ISC would ping first (see {@link Probe}). */
  readonly probe?: Probe
  /** Journal these before sending `reply`. */
  readonly changes: readonly LeaseChange[]
  readonly events: readonly LogEvent[]
}

/** The failover load-balancing hook (Kea `inScope`): false drops the query silently. */
export type HaFilter = (query: ClientQuery) => { readonly accept: true } | { readonly accept: false; readonly reason: string }

export interface PipelineOptions extends EngineOptions {
  readonly capabilities: TransportCapabilities
  readonly haFilter?: HaFilter
}

export class Pipeline {
  readonly engine: AllocEngine
  private readonly capabilities: TransportCapabilities
  private readonly haFilter: HaFilter | undefined

  constructor(config: ServerConfig, store: LeaseStore, options: PipelineOptions) {
    this.engine = new AllocEngine(config, store, options)
    this.capabilities = options.capabilities
    this.haFilter = options.haFilter
  }

  handle(input: PipelineInput): Decision {
    // accept
    const accepted = this.accept(input)
    if ('drop' in accepted) return { changes: [], events: [accepted.drop] }
    const query = accepted.query
    // ha-filter
    if (this.haFilter !== undefined) {
      const verdict = this.haFilter(query)
      if (!verdict.accept) {
        return { changes: [], events: [logEvent('DHCP_NOT_IN_SCOPE', 'debug', `${messageName(query)} from ${hardwareText(query)}: not in scope (${verdict.reason})`)] }
      }
    }
    // select-subnet
    const selection = selectNetwork(this.engine.index, query, input.receivedOn, input.receivedBroadcast)
    const now = Math.floor(input.now / 1000)
    const request: AllocationRequest = {
      query,
      identity: identityOf(query),
      selection,
      now,
      receivedBroadcast: input.receivedBroadcast,
      // Only a SELECTING request is checked against our identities (RFC 2131 §4.3.2).
      ourServerIds: query.serverIdentifier === undefined ? new Set() : this.ourServerIds(query, selection, input.receivedOn),
    }
    // allocate
    const outcome = this.allocate(request)
    // respond
    const events: LogEvent[] = [...accepted.warnings]
    const reply = this.respond(request, outcome, input.receivedOn, events)
    // commit
    const changes = this.commit(outcome)
    if (reply === undefined) return { changes, events }
    const probe = probeFor(outcome)
    return probe === undefined ? { reply, changes, events } : { reply, probe, changes, events }
  }

  /**
   * Something answered the ping for `address` (see {@link Probe}): the address becomes
   * abandoned. `now` in milliseconds. Journal the changes like any others.
   */
  reportConflict(address: number, now: number): { changes: LeaseChange[]; events: LogEvent[] } {
    const changes = this.engine.commit(this.engine.conflict(address, Math.floor(now / 1000)), 'decline')
    const events = changes.length === 0 ? [] : [
      logEvent('DHCP_PING_CONFLICT', 'warn', `Abandoning IP address ${ip(address)}: pinged before offer`, { address: ip(address) }),
    ]
    return { changes, events }
  }

  /** Reclaims expired leases in one bounded batch; `now` in milliseconds. */
  reclaimExpired(now: number, maxLeases: number): { changes: LeaseChange[]; events: LogEvent[]; more: boolean } {
    const result = this.engine.reclaimExpired(Math.floor(now / 1000), maxLeases)
    const events = result.changes.length === 0
      ? []
      : [logEvent('DHCP_LEASES_RECLAIMED', 'debug', `reclaimed ${result.changes.length} expired leases`, { count: result.changes.length })]
    return { ...result, events }
  }

  // ---- stages ------------------------------------------------------------------------------

  private accept(input: PipelineInput): { query: ClientQuery; warnings: LogEvent[] } | { drop: LogEvent } {
    let packet: DhcpPacket
    try {
      packet = decode(input.datagram, 0, input.datagram.length).value
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e
      return { drop: dropped(`malformed packet on ${input.receivedOn.name}: ${e.message}`) }
    }
    const parsed = parseClientQuery(packet)
    if (!parsed.ok) return { drop: dropped(`packet dropped on ${input.receivedOn.name}: ${parsed.reason}`) }
    const q = parsed.query
    const clientMessages: readonly number[] = [MessageType.DISCOVER, MessageType.REQUEST, MessageType.DECLINE, MessageType.RELEASE, MessageType.INFORM]
    if (!clientMessages.includes(q.messageType)) {
      return { drop: dropped(`${messageName(q)} from ${hardwareText(q)} is not a client message`) }
    }
    const warnings = parsed.ignored.map((why) =>
      logEvent('DHCP_OPTION_IGNORED', 'info', `${messageName(q)} from ${hardwareText(q)}: ignoring ${why}`))
    return { query: q, warnings }
  }

  private allocate(req: AllocationRequest): Outcome {
    switch (req.query.messageType) {
      case MessageType.DISCOVER:
        return this.engine.discover(req)
      case MessageType.REQUEST:
        return this.engine.request(req)
      case MessageType.RELEASE:
        return this.engine.release(req)
      case MessageType.DECLINE:
        return this.engine.decline(req)
      default:
        return this.engine.inform(req)
    }
  }

  private respond(req: AllocationRequest, outcome: Outcome, iface: ReceivingInterface, events: LogEvent[]): Reply | undefined {
    const q = req.query
    const who = describeClient({ hardware: hardwareText(q), hostname: q.hostname, via: q.giaddr !== 0 ? ip(q.giaddr) : iface.name })
    const hw = hardwareText(q)
    const serverId = (scope: EffectiveScope | undefined): number => this.serverIdentifier(q, scope, req.selection, iface)
    const send = (content: ReplyContent): Reply => {
      const built = buildReply(q, content)
      const route = routeReply(q, { isNak: content.kind === 'nak', yiaddr: content.yiaddr }, this.capabilities)
      return { packet: built.packet, bytes: built.bytes, route }
    }

    switch (q.messageType) {
      case MessageType.DISCOVER: {
        const msg = `DHCPDISCOVER from ${who}`
        if (outcome.kind === 'offer') {
          const b = outcome.binding
          events.push(logEvent('DHCP_DISCOVER', 'info', msg, { client: hw }))
          if (outcome.reclaimedAbandoned) events.push(logEvent('DHCP_ABANDONED_RECLAIMED', 'warn', `Reclaiming abandoned lease ${ip(b.address)}.`, { address: ip(b.address) }))
          events.push(logEvent('DHCP_OFFER', 'info', `DHCPOFFER on ${ip(b.address)} to ${who}`, { address: ip(b.address), client: hw }))
          return send({ kind: 'offer', yiaddr: b.address, serverIdentifier: serverId(b.scope), times: b.times, scope: b.scope, subnetMask: b.subnet.mask, hostName: hostDeclName(b) })
        }
        if (outcome.kind === 'no-free-leases') {
          events.push(logEvent('DHCP_NO_FREE_LEASES', 'warn', `${msg}: network ${outcome.network}: no free leases`, { network: outcome.network, client: hw }))
          return undefined
        }
        events.push(logEvent('DHCP_DISCOVER', 'info', `${msg}: ${silentReason(outcome)}`, { client: hw }))
        return undefined
      }
      case MessageType.REQUEST: {
        const cip = q.requestedAddress ?? q.ciaddr
        const msg = `DHCPREQUEST for ${ip(cip)}${q.serverIdentifier === undefined ? '' : ` (${ip(q.serverIdentifier)})`} from ${who}`
        if (outcome.kind === 'ack') {
          const b = outcome.binding
          events.push(logEvent('DHCP_REQUEST', 'info', msg, { address: ip(cip), client: hw, state: outcome.state }))
          events.push(logEvent('DHCP_ACK', 'info', `DHCPACK on ${ip(b.address)} to ${who}`, { address: ip(b.address), client: hw }))
          return send({ kind: 'ack', yiaddr: b.address, serverIdentifier: serverId(b.scope), times: b.times, scope: b.scope, subnetMask: b.subnet.mask, hostName: hostDeclName(b) })
        }
        if (outcome.kind === 'nak') {
          events.push(logEvent('DHCP_REQUEST', 'info', `${msg}: ${outcome.reason}`, { address: ip(cip), client: hw, state: outcome.state }))
          events.push(logEvent('DHCP_NAK', 'info', `DHCPNAK on ${ip(outcome.address)} to ${hw} via ${q.giaddr !== 0 ? ip(q.giaddr) : iface.name}`, { address: ip(outcome.address), client: hw }))
          const scope = req.selection === undefined ? undefined : new EffectiveScope(req.selection.subnet.scope)
          return send({ kind: 'nak', yiaddr: 0, serverIdentifier: serverId(scope) })
        }
        events.push(logEvent('DHCP_REQUEST_IGNORED', 'info', `${msg}: ${silentReason(outcome)}`, { address: ip(cip), client: hw }))
        return undefined
      }
      case MessageType.RELEASE: {
        const found = outcome.kind === 'released' && outcome.found
        events.push(logEvent('DHCP_RELEASE', 'info', `DHCPRELEASE of ${ip(q.ciaddr)} from ${who} (${found ? '' : 'not '}found)`, { address: ip(q.ciaddr), client: hw }))
        return undefined
      }
      case MessageType.DECLINE: {
        const address = q.requestedAddress ?? 0
        const status = outcome.kind === 'declined' ? outcome.status : silentReason(outcome)
        if (outcome.kind === 'declined' && outcome.status === 'abandoned') {
          events.push(logEvent('DHCP_LEASE_ABANDONED', 'warn', `Abandoning IP address ${ip(address)}: declined.`, { address: ip(address) }))
        }
        events.push(logEvent('DHCP_DECLINE', 'info', `DHCPDECLINE of ${ip(address)} from ${who}: ${status}`, { address: ip(address), client: hw }))
        return undefined
      }
      default: {
        const via = q.giaddr !== 0 ? ip(q.giaddr) : iface.name
        const msg = `DHCPINFORM from ${ip(q.ciaddr)} via ${via}`
        if (outcome.kind !== 'inform') {
          events.push(logEvent('DHCP_INFORM', 'info', `${msg}: ${silentReason(outcome)}`, { client: hw }))
          return undefined
        }
        events.push(logEvent('DHCP_INFORM', 'info', msg, { address: ip(q.ciaddr), client: hw }))
        events.push(logEvent('DHCP_ACK', 'info', `DHCPACK to ${ip(q.ciaddr)} (${hw}) via ${via}`, { address: ip(q.ciaddr), client: hw }))
        return send({ kind: 'inform-ack', yiaddr: 0, serverIdentifier: serverId(outcome.scope), scope: outcome.scope, subnetMask: outcome.subnet.mask })
      }
    }
  }

  private commit(outcome: Outcome): LeaseChange[] {
    switch (outcome.kind) {
      case 'ack':
        return this.engine.commit(outcome.writes, outcome.state === 'selecting' ? 'allocate' : 'renew')
      case 'released':
        return this.engine.commit(outcome.writes, 'release')
      case 'declined':
        return this.engine.commit(outcome.writes, 'decline')
      default:
        return []
    }
  }

  // ---- server identity ---------------------------------------------------------------------

  /**
   * The server identifier for a reply: the relay's server-id-override (RFC 5107 §4), else the
   * configured `option dhcp-server-identifier` / `server-identifier`, else the receiving
   * interface's address (the one on the client's network when there is one).
   */
  private serverIdentifier(q: ClientQuery, scope: EffectiveScope | undefined, sel: NetworkSelection | undefined, iface: ReceivingInterface): number {
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

  private ourServerIds(q: ClientQuery, sel: NetworkSelection | undefined, iface: ReceivingInterface): Set<number> {
    const ids = new Set<number>(iface.addresses)
    if (q.serverIdOverride !== undefined) ids.add(q.serverIdOverride)
    if (sel !== undefined) {
      for (const subnet of sel.sharedNetwork.subnets) {
        ids.add(this.serverIdentifier({ ...q, serverIdOverride: undefined }, new EffectiveScope(subnet.scope), sel, iface))
        for (const pool of subnet.pools) ids.add(this.serverIdentifier({ ...q, serverIdOverride: undefined }, new EffectiveScope(pool.scope), sel, iface))
      }
    }
    return ids
  }
}

/** ISC `ping-check` (on unless set false) with `ping-timeout` (default 1 s). */
function probeFor(outcome: Outcome): Probe | undefined {
  if (outcome.kind !== 'offer' || !outcome.pingable) return undefined
  const scope = outcome.binding.scope
  if (scope.param('pingCheck') === false) return undefined
  return { address: outcome.binding.address, timeoutMs: (scope.param('pingTimeout') ?? 1) * 1000 }
}

/** ISC `use-host-decl-names on`: the host declaration's name is the client's host name. */
function hostDeclName(b: Binding): string | undefined {
  return b.host !== undefined && b.scope.param('useHostDeclNames') === true ? b.host.name : undefined
}

function dropped(text: string): LogEvent {
  return logEvent('DHCP_PACKET_DROPPED', 'info', text)
}

function hardwareText(q: ClientQuery): string {
  if (q.htype !== 0 && q.chaddr.length > 0) return colonHex(q.chaddr)
  return q.clientId !== undefined ? colonHex(q.clientId) : '<no identifier>'
}

function messageName(q: ClientQuery): string {
  switch (q.messageType) {
    case MessageType.DISCOVER: return 'DHCPDISCOVER'
    case MessageType.OFFER: return 'DHCPOFFER'
    case MessageType.REQUEST: return 'DHCPREQUEST'
    case MessageType.DECLINE: return 'DHCPDECLINE'
    case MessageType.ACK: return 'DHCPACK'
    case MessageType.NAK: return 'DHCPNAK'
    case MessageType.RELEASE: return 'DHCPRELEASE'
    default: return 'DHCPINFORM'
  }
}

function silentReason(outcome: Outcome): string {
  return outcome.kind === 'silent' ? outcome.reason : outcome.kind
}
