/**
 * The property every decoder must hold on arbitrary bytes: it either throws DecodeError
 * (code ERR_DECODE, a field name, an offset inside the input) or returns a packet that
 * re-encodes byte for byte; typed accessors on it return values or throw DecodeError only.
 */
import { DecodeError } from '../../src/lib/errors.js'
import * as acc from '../../src/protocol/dhcp/accessors.js'
import { optionByCode } from '../../src/protocol/dhcp/option-defs.js'
import { decode, toBuffer, type DhcpPacket } from '../../src/protocol/dhcp/packet.js'
import { circuitId, linkSelection, remoteId, serverIdOverride } from '../../src/protocol/dhcp/relay-agent.js'

export interface FuzzStats {
  decoded: number
  rejected: number
  accessorErrors: number
}

export function newStats(): FuzzStats {
  return { decoded: 0, rejected: 0, accessorErrors: 0 }
}

function isGoodDecodeError(e: unknown, limit: number): boolean {
  return e instanceof DecodeError && e.code === 'ERR_DECODE' && typeof e.field === 'string' &&
    Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= limit
}

const ACCESSORS: readonly ((p: DhcpPacket) => unknown)[] = [
  acc.messageType, acc.requestedAddress, acc.serverIdentifier, acc.clientIdentifier, acc.parameterRequestList,
  acc.maxMessageSize, acc.leaseTime, acc.hostName, acc.vendorClassIdentifier, acc.userClass, acc.subnetSelection,
  acc.clientFqdn, acc.overload,
  (p) => {
    const r = acc.relayAgentInformation(p)
    return r && [circuitId(r), remoteId(r), linkSelection(r), serverIdOverride(r)]
  },
]

/** Checks one input; throws an Error describing the violation. */
export function checkBytes(buf: Buffer, stats: FuzzStats): void {
  let p: DhcpPacket
  try {
    p = decode(buf, 0, buf.length).value
  } catch (e) {
    if (!isGoodDecodeError(e, buf.length)) throw new Error(`decode threw a non-DecodeError: ${String(e)}`)
    stats.rejected++
    return
  }
  stats.decoded++
  const again = toBuffer(p)
  if (!again.equals(buf)) throw new Error(`re-encode differs: in ${buf.toString('hex')} out ${again.toString('hex')}`)
  const run = (f: () => unknown): void => {
    try {
      f()
    } catch (e) {
      if (!isGoodDecodeError(e, buf.length)) throw new Error(`accessor threw a non-DecodeError: ${String(e)}`)
      stats.accessorErrors++
    }
  }
  for (const f of ACCESSORS) run(() => f(p))
  const seen = new Set<number>()
  for (const list of [p.options, p.extraOptions]) {
    for (const o of list) {
      if (seen.has(o.code)) continue
      seen.add(o.code)
      const def = optionByCode(o.code)
      if (def) run(() => acc.getTypedOption(p, def))
    }
  }
}
