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
import { decode, type DhcpPacket } from '../protocol/dhcp/packet.js'
import { AllocEngine, type AllocationRequest, type Binding, type EngineOptions, type Outcome } from './alloc-engine.js'
import { identityOf } from './client-identity.js'
import { parseClientQuery, type ClientQuery } from './client-query.js'
import { EffectiveScope } from './effective-scope.js'
import type { LeaseChange } from './lease.js'
import type { LeaseStore } from './lease-store.js'
import { ip, logEvent, type LogEvent } from './log-events.js'
import { hardwareText, mayWarn, messageName, outcomeEvents } from './outcome-log.js'
import { ourServerIdentifiers, serverIdentifierFor } from './server-identity.js'
import { buildReply, type ReplyContent } from './responder.js'
import { routeReply, type ReplyRoute, type TransportCapabilities } from './reply-route.js'
import { selectNetwork, type ReceivingInterface } from './subnet-select.js'

export type { ReceivingInterface } from './subnet-select.js'
export type { ReplyRoute, TransportCapabilities } from './reply-route.js'
export type { LogEvent } from './log-events.js'

/**
 * The stages of {@link Pipeline.handle}, in order; each is a private method named after it
 * (`accept`, `haFilterStage`, `selectSubnet`, `allocate`, `respond`, `commit`).
 */
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
  /** The reply's DHCP message type (OFFER, ACK, NAK). */
  readonly messageType: number
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

/**
 * Why a query got no reply, for counting (metrics): snake_case, a small fixed set.
 * RELEASE and DECLINE are answered by silence by design and are not drops.
 */
export type DropReason =
  | 'malformed'
  | 'not_client_message'
  | 'not_in_scope'
  | 'load_balanced_to_peer'
  | 'not_serving_failover_state'
  | 'unknown_network'
  | 'no_free_lease'
  | 'ignored'

export interface Decision {
  /** Absent when the server stays silent. */
  readonly reply?: Reply
  /** The query's DHCP message type, when it decoded. */
  readonly received?: number
  /** Why no reply goes out, when that is a drop (absent for replies, RELEASE and DECLINE). */
  readonly drop?: DropReason
  /** Present on an OFFER that ISC would ping first (see {@link Probe}). */
  readonly probe?: Probe
  /** Journal these before sending `reply`. */
  readonly changes: readonly LeaseChange[]
  readonly events: readonly LogEvent[]
}

/** Why the failover gate refused a query (metrics); absent means `not_in_scope`. */
export type HaRefusal = 'load_balanced_to_peer' | 'not_serving_failover_state'

/** The failover load-balancing hook (Kea `inScope`): false drops the query silently. */
export type HaFilter = (query: ClientQuery) =>
  | { readonly accept: true }
  | { readonly accept: false; readonly reason: string; readonly code?: HaRefusal }

export interface PipelineOptions extends EngineOptions {
  readonly capabilities: TransportCapabilities
  readonly haFilter?: HaFilter
  /**
   * False when info-level log lines are off: the per-packet DISCOVER/OFFER/REQUEST/ACK
   * events (strings built for every packet) are then not built at all; warnings still are.
   * Default true.
   */
  readonly infoEvents?: boolean
}

export class Pipeline {
  readonly engine: AllocEngine
  private readonly capabilities: TransportCapabilities
  private readonly haFilter: HaFilter | undefined
  private readonly infoEvents: boolean

  constructor(config: ServerConfig, store: LeaseStore, options: PipelineOptions) {
    this.engine = new AllocEngine(config, store, options)
    this.capabilities = options.capabilities
    this.haFilter = options.haFilter
    this.infoEvents = options.infoEvents ?? true
  }

  handle(input: PipelineInput): Decision {
    const accepted = this.accept(input)
    if ('drop' in accepted) {
      const base = { changes: [], events: [accepted.drop], drop: accepted.reason }
      return accepted.received === undefined ? base : { ...base, received: accepted.received }
    }
    const query = accepted.query
    const received = query.messageType
    const refused = this.haFilterStage(query)
    if (refused !== undefined) return { changes: [], events: [refused.event], received, drop: refused.reason }
    const request = this.selectSubnet(query, input)
    const outcome = this.allocate(request)
    const events: LogEvent[] = this.infoEvents || mayWarn(query, outcome)
      ? [...accepted.warnings, ...outcomeEvents(query, outcome, input.receivedOn.name)]
      : []
    const reply = this.respond(request, outcome, input.receivedOn, events)
    const changes = this.commit(outcome)
    if (reply === undefined) {
      const drop = dropReasonOf(outcome, request)
      return drop === undefined ? { changes, events, received } : { changes, events, received, drop }
    }
    const probe = probeFor(outcome)
    return probe === undefined ? { reply, changes, events, received } : { reply, probe, changes, events, received }
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

  private accept(input: PipelineInput): { query: ClientQuery; warnings: LogEvent[] } | { drop: LogEvent; reason: DropReason; received?: number } {
    let packet: DhcpPacket
    try {
      packet = decode(input.datagram, 0, input.datagram.length).value
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e
      return { drop: dropped(`malformed packet on ${input.receivedOn.name}: ${e.message}`), reason: 'malformed' }
    }
    const parsed = parseClientQuery(packet)
    if (!parsed.ok) return { drop: dropped(`packet dropped on ${input.receivedOn.name}: ${parsed.reason}`), reason: 'malformed' }
    const q = parsed.query
    const clientMessages: readonly number[] = [MessageType.DISCOVER, MessageType.REQUEST, MessageType.DECLINE, MessageType.RELEASE, MessageType.INFORM]
    if (!clientMessages.includes(q.messageType)) {
      return { drop: dropped(`${messageName(q.messageType)} from ${hardwareText(q)} is not a client message`), reason: 'not_client_message', received: q.messageType }
    }
    const warnings = parsed.ignored.map((why) =>
      logEvent('DHCP_OPTION_IGNORED', 'info', `${messageName(q.messageType)} from ${hardwareText(q)}: ignoring ${why}`))
    return { query: q, warnings }
  }

  /** The failover load-balancing hook; returns the event when the query is not ours to answer. */
  private haFilterStage(query: ClientQuery): { event: LogEvent; reason: DropReason } | undefined {
    const verdict = this.haFilter?.(query)
    if (verdict === undefined || verdict.accept) return undefined
    const event = logEvent('DHCP_NOT_IN_SCOPE', 'debug', `${messageName(query.messageType)} from ${hardwareText(query)}: not in scope (${verdict.reason})`)
    return { event, reason: verdict.code ?? 'not_in_scope' }
  }

  /** Finds the client's network and gathers everything the engine decides on. */
  private selectSubnet(query: ClientQuery, input: PipelineInput): AllocationRequest {
    const selection = selectNetwork(this.engine.index, query, input.receivedOn, input.receivedBroadcast)
    return {
      query,
      identity: identityOf(query),
      selection,
      now: Math.floor(input.now / 1000),
      receivedBroadcast: input.receivedBroadcast,
      // Only a SELECTING request is checked against our identities (RFC 2131 §4.3.2).
      ourServerIds: query.serverIdentifier === undefined ? new Set() : ourServerIdentifiers(query, this.engine.config, input.receivedOn),
    }
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

  /** Builds the reply an outcome calls for (none for silence, RELEASE and DECLINE). */
  private respond(req: AllocationRequest, outcome: Outcome, iface: ReceivingInterface, events: LogEvent[]): Reply | undefined {
    const content = this.replyContent(req, outcome, iface)
    if (content === undefined) return undefined
    const built = buildReply(req.query, content)
    if (built.dropped.length > 0) {
      const codes = built.dropped.join(', ')
      events.push(logEvent('DHCP_REPLY_TRUNCATED', 'warn', `${messageName(req.query.messageType)} from ${hardwareText(req.query)}: options ${codes} left out, reply too large`, { options: codes }))
    }
    const route = routeReply(req.query, { isNak: content.kind === 'nak', yiaddr: content.yiaddr }, this.capabilities)
    return { packet: built.packet, messageType: REPLY_TYPE[content.kind], bytes: built.bytes, route }
  }

  private replyContent(req: AllocationRequest, outcome: Outcome, iface: ReceivingInterface): ReplyContent | undefined {
    const serverId = (scope: EffectiveScope | undefined): number => serverIdentifierFor(req.query, scope, req.selection, iface)
    switch (outcome.kind) {
      case 'offer':
      case 'ack': {
        const b = outcome.binding
        return { kind: outcome.kind, yiaddr: b.address, serverIdentifier: serverId(b.scope), times: b.times, scope: b.scope, subnetMask: b.subnet.mask, hostName: hostDeclName(b) }
      }
      case 'nak': {
        const scope = req.selection === undefined ? undefined : EffectiveScope.of(req.selection.subnet.scope)
        return { kind: 'nak', yiaddr: 0, serverIdentifier: serverId(scope) }
      }
      case 'inform':
        return { kind: 'inform-ack', yiaddr: 0, serverIdentifier: serverId(outcome.scope), scope: outcome.scope, subnetMask: outcome.subnet.mask }
      default:
        return undefined
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
}

/**
 * ISC `ping-check` (on unless set false) with `ping-timeout` (seconds, default 1), replaced
 * by `ping-timeout-ms` when that is greater than zero (dhcpd.conf(5), ISC 4.4).
 */
export function probeFor(outcome: Outcome): Probe | undefined {
  if (outcome.kind !== 'offer' || !outcome.pingable) return undefined
  const scope = outcome.binding.scope
  if (scope.param('pingCheck') === false) return undefined
  const ms = scope.param('pingTimeoutMs')
  const timeoutMs = ms !== undefined && ms > 0 ? ms : (scope.param('pingTimeout') ?? 1) * 1000
  return { address: outcome.binding.address, timeoutMs }
}

/** ISC `use-host-decl-names on`: the host declaration's name is the client's host name. */
function hostDeclName(b: Binding): string | undefined {
  return b.host !== undefined && b.scope.param('useHostDeclNames') === true ? b.host.name : undefined
}

const REPLY_TYPE: Readonly<Record<ReplyContent['kind'], number>> = {
  offer: MessageType.OFFER,
  ack: MessageType.ACK,
  nak: MessageType.NAK,
  'inform-ack': MessageType.ACK,
}

/** Why an outcome without a reply is a drop; undefined for RELEASE and DECLINE (silence by design). */
function dropReasonOf(outcome: Outcome, req: AllocationRequest): DropReason | undefined {
  switch (outcome.kind) {
    case 'no-free-leases':
      return 'no_free_lease'
    case 'silent':
      return req.selection === undefined ? 'unknown_network' : 'ignored'
    case 'released':
    case 'declined':
      return undefined
    default:
      return 'ignored'
  }
}

function dropped(text: string): LogEvent {
  return logEvent('DHCP_PACKET_DROPPED', 'info', text)
}



