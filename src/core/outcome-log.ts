/**
 * The log events for one handled message, worded as ISC dhcpd 4.4 words them
 * (server/dhcp.c: dhcpdiscover, dhcprequest, dhcprelease, dhcpdecline, dhcpinform, ack_lease,
 * nak_lease), so operators' greps keep working:
 *
 *   DHCPDISCOVER from 08:00:27:d9:45:96 (DHCPc) via eth0
 *   DHCPOFFER on 10.0.10.131 to 08:00:27:d9:45:96 (DHCPc) via eth0
 *   DHCPREQUEST for 10.0.10.131 (10.0.10.251) from 08:00:27:d9:45:96 (DHCPc) via eth0
 *   DHCPACK on 10.0.10.131 to 08:00:27:d9:45:96 (DHCPc) via eth0
 *   DHCPNAK on 10.0.10.131 to 08:00:27:d9:45:96 via eth0
 *   DHCPDISCOVER from … via eth0: network 10.0.10.0/24: no free leases
 */
import { MessageType } from '../protocol/dhcp/constants.js'
import type { Outcome } from './alloc-engine.js'
import { colonHex } from './client-identity.js'
import type { ClientQuery } from './client-query.js'
import { describeClient, ip, logEvent, type LogEvent } from './log-events.js'

/** ISC's client label: the hardware address, else the client identifier. */
export function hardwareText(q: Pick<ClientQuery, 'htype' | 'chaddr' | 'clientId'>): string {
  if (q.htype !== 0 && q.chaddr.length > 0) return colonHex(q.chaddr)
  return q.clientId !== undefined ? colonHex(q.clientId) : '<no identifier>'
}

export function messageName(type: number): string {
  switch (type) {
    case MessageType.DISCOVER: return 'DHCPDISCOVER'
    case MessageType.OFFER: return 'DHCPOFFER'
    case MessageType.REQUEST: return 'DHCPREQUEST'
    case MessageType.DECLINE: return 'DHCPDECLINE'
    case MessageType.ACK: return 'DHCPACK'
    case MessageType.NAK: return 'DHCPNAK'
    case MessageType.RELEASE: return 'DHCPRELEASE'
    case MessageType.INFORM: return 'DHCPINFORM'
    default: return `DHCP message type ${type}`
  }
}

/** Events for `outcome` of query `q` received on interface `ifaceName`. */
/**
 * Whether {@link outcomeEvents} can return anything above info for this outcome (no free
 * leases, a reclaimed or newly abandoned address). When it cannot and info is off, the
 * caller skips building the events.
 */
export function mayWarn(q: Pick<ClientQuery, 'messageType'>, outcome: Outcome): boolean {
  switch (q.messageType) {
    case MessageType.DISCOVER:
      return outcome.kind === 'no-free-leases' || (outcome.kind === 'offer' && outcome.reclaimedAbandoned)
    case MessageType.DECLINE:
      return outcome.kind === 'declined' && outcome.status === 'abandoned'
    default:
      return false
  }
}

export function outcomeEvents(q: ClientQuery, outcome: Outcome, ifaceName: string): LogEvent[] {
  const via = q.giaddr !== 0 ? ip(q.giaddr) : ifaceName
  const hw = hardwareText(q)
  const who = describeClient({ hardware: hw, hostname: q.hostname, via })
  const why = outcome.kind === 'silent' ? outcome.reason : outcome.kind

  switch (q.messageType) {
    case MessageType.DISCOVER: {
      const msg = `DHCPDISCOVER from ${who}`
      if (outcome.kind === 'no-free-leases') {
        const text = outcome.peerHoldsFree ? `${msg}: peer holds all free leases` : `${msg}: network ${outcome.network}: no free leases`
        return [logEvent('DHCP_NO_FREE_LEASES', 'warn', text, { network: outcome.network, client: hw })]
      }
      if (outcome.kind !== 'offer') return [logEvent('DHCP_DISCOVER', 'info', `${msg}: ${why}`, { client: hw })]
      const address = ip(outcome.binding.address)
      return [
        logEvent('DHCP_DISCOVER', 'info', msg, { client: hw }),
        ...(outcome.reclaimedAbandoned ? [logEvent('DHCP_ABANDONED_RECLAIMED', 'warn', `Reclaiming abandoned lease ${address}.`, { address })] : []),
        logEvent('DHCP_OFFER', 'info', `DHCPOFFER on ${address} to ${who}`, { address, client: hw }),
      ]
    }
    case MessageType.REQUEST: {
      const cip = ip(q.requestedAddress ?? q.ciaddr)
      const sid = q.serverIdentifier === undefined ? '' : ` (${ip(q.serverIdentifier)})`
      const msg = `DHCPREQUEST for ${cip}${sid} from ${who}`
      if (outcome.kind === 'ack') {
        const address = ip(outcome.binding.address)
        // ISC names the client by the lease's recorded hostname, so renewals keep it.
        const hostname = q.hostname ?? outcome.writes[0]?.clientHostname ?? outcome.reused?.lease.clientHostname
        const to = describeClient({ hardware: hw, hostname, via })
        const r = outcome.reused
        return [
          ...(r === undefined ? [] : [logEvent('DHCP_LEASE_REUSED', 'debug', `reuse_lease: lease age ${r.age} (secs) under ${r.threshold}% threshold, reply with unaltered, existing lease for ${address}`, { address })]),
          logEvent('DHCP_REQUEST', 'info', msg, { address: cip, client: hw, state: outcome.state }),
          logEvent('DHCP_ACK', 'info', `DHCPACK on ${address} to ${to}`, { address, client: hw }),
        ]
      }
      if (outcome.kind === 'nak') {
        const address = ip(outcome.address)
        return [
          logEvent('DHCP_REQUEST', 'info', `${msg}: ${outcome.reason}`, { address: cip, client: hw, state: outcome.state }),
          logEvent('DHCP_NAK', 'info', `DHCPNAK on ${address} to ${hw} via ${via}`, { address, client: hw }),
        ]
      }
      return [logEvent('DHCP_REQUEST_IGNORED', 'info', `${msg}: ${why}`, { address: cip, client: hw })]
    }
    case MessageType.RELEASE: {
      const found = outcome.kind === 'released' && outcome.found
      const address = ip(q.ciaddr)
      return [logEvent('DHCP_RELEASE', 'info', `DHCPRELEASE of ${address} from ${who} (${found ? '' : 'not '}found)`, { address, client: hw })]
    }
    case MessageType.DECLINE: {
      const address = ip(q.requestedAddress ?? 0)
      const status = outcome.kind === 'declined' ? outcome.status : why
      const abandoned = outcome.kind === 'declined' && outcome.status === 'abandoned'
      return [
        ...(abandoned ? [logEvent('DHCP_LEASE_ABANDONED', 'warn', `Abandoning IP address ${address}: declined.`, { address })] : []),
        logEvent('DHCP_DECLINE', 'info', `DHCPDECLINE of ${address} from ${who}: ${status}`, { address, client: hw }),
      ]
    }
    default: {
      const address = ip(q.ciaddr)
      const msg = `DHCPINFORM from ${address} via ${via}`
      if (outcome.kind !== 'inform') return [logEvent('DHCP_INFORM', 'info', `${msg}: ${why}`, { client: hw })]
      return [
        logEvent('DHCP_INFORM', 'info', msg, { address, client: hw }),
        logEvent('DHCP_ACK', 'info', `DHCPACK to ${address} (${hw}) via ${via}`, { address, client: hw }),
      ]
    }
  }
}
