/**
 * Relay agent information (option 82, RFC 3046 §2.0): a list of sub-options, each a
 * code/length/value triple with no Pad or End. Sub-options are kept raw in wire order,
 * unknown ones included, so the server can echo the option byte for byte (RFC 3046 §2.2).
 *
 * Known sub-options: circuit-id (1) and remote-id (2) (RFC 3046), link-selection (5,
 * RFC 3527 §3), server-id-override (11, RFC 5107 §4).
 */
import { DecodeError, EncodeError } from '../../lib/errors.js'
import { ipFromBytes, ipToBytes } from '../../lib/ip.js'
import { AgentSubOption } from './option-defs.js'
import type { Decoded, RawOption } from './options.js'

export interface RelayAgentInfo {
  /** Sub-options in wire order; `offset` is absolute when decoded. */
  readonly subOptions: readonly RawOption[]
}

/** The option 82 data codec (code and length of option 82 itself excluded). */
export const relayAgentInfo = {
  encodingLength(info: RelayAgentInfo): number {
    let n = 0
    for (const s of info.subOptions) n += 2 + s.data.length
    return n
  },

  encode(info: RelayAgentInfo, buf: Buffer, offset: number): number {
    for (const s of info.subOptions) {
      if (!Number.isInteger(s.code) || s.code < 0 || s.code > 255) throw new EncodeError('agent sub-option', `bad code ${s.code}`)
      if (s.data.length > 255) throw new EncodeError(`agent sub-option ${s.code}`, `${s.data.length} bytes, at most 255`)
      buf[offset++] = s.code
      buf[offset++] = s.data.length
      offset += s.data.copy(buf, offset)
    }
    return offset
  },

  decode(buf: Buffer, offset: number, end: number): Decoded<RelayAgentInfo> {
    const subOptions: RawOption[] = []
    let pos = offset
    while (pos < end) {
      if (pos + 2 > end) throw new DecodeError('agent sub-option header', pos, 'truncated')
      const code = buf[pos]!
      const len = buf[pos + 1]!
      if (pos + 2 + len > end) throw new DecodeError(`agent sub-option ${code}`, pos, `length ${len} runs past byte ${end}`)
      subOptions.push({ code, data: buf.subarray(pos + 2, pos + 2 + len), offset: pos })
      pos += 2 + len
    }
    return { value: { subOptions }, offset: pos }
  },
}

/** Allocates and encodes option 82 data. */
export function relayAgentInfoToBuffer(info: RelayAgentInfo): Buffer {
  const buf = Buffer.alloc(relayAgentInfo.encodingLength(info))
  relayAgentInfo.encode(info, buf, 0)
  return buf
}

/** The first sub-option with `code`, raw. */
export function subOption(info: RelayAgentInfo, code: number): RawOption | undefined {
  return info.subOptions.find((s) => s.code === code)
}

/** Circuit ID (sub-option 1, RFC 3046 §2.1): opaque, at least one octet. */
export function circuitId(info: RelayAgentInfo): Buffer | undefined {
  return opaque(info, AgentSubOption.CIRCUIT_ID, 'circuit-id')
}

/** Remote ID (sub-option 2, RFC 3046 §2.2): opaque, at least one octet. */
export function remoteId(info: RelayAgentInfo): Buffer | undefined {
  return opaque(info, AgentSubOption.REMOTE_ID, 'remote-id')
}

/** Link selection (sub-option 5, RFC 3527 §3): the subnet to allocate from, as uint32. */
export function linkSelection(info: RelayAgentInfo): number | undefined {
  return address(info, AgentSubOption.LINK_SELECTION, 'link-selection')
}

/** Server identifier override (sub-option 11, RFC 5107 §4), as uint32. */
export function serverIdOverride(info: RelayAgentInfo): number | undefined {
  return address(info, AgentSubOption.SERVER_ID_OVERRIDE, 'server-id-override')
}

function opaque(info: RelayAgentInfo, code: number, name: string): Buffer | undefined {
  const s = subOption(info, code)
  if (s === undefined) return undefined
  if (s.data.length === 0) throw new DecodeError(`agent.${name}`, s.offset ?? 0, 'empty')
  return s.data
}

function address(info: RelayAgentInfo, code: number, name: string): number | undefined {
  const s = subOption(info, code)
  if (s === undefined) return undefined
  if (s.data.length !== 4) throw new DecodeError(`agent.${name}`, s.offset ?? 0, `length ${s.data.length}, expected 4`)
  return ipFromBytes(s.data, 0)
}

export interface RelayAgentFields {
  readonly circuitId?: Buffer
  readonly remoteId?: Buffer
  readonly linkSelection?: number
  readonly serverIdOverride?: number
  /** Further sub-options, appended in order. */
  readonly others?: readonly RawOption[]
}

/** Builds option 82 from named fields (circuit-id, remote-id, link-selection, server-id-override, others). */
export function buildRelayAgentInfo(f: RelayAgentFields): RelayAgentInfo {
  const subs: RawOption[] = []
  const ip = (v: number): Buffer => {
    const b = Buffer.alloc(4)
    ipToBytes(v, b, 0)
    return b
  }
  if (f.circuitId) subs.push({ code: AgentSubOption.CIRCUIT_ID, data: f.circuitId })
  if (f.remoteId) subs.push({ code: AgentSubOption.REMOTE_ID, data: f.remoteId })
  if (f.linkSelection !== undefined) subs.push({ code: AgentSubOption.LINK_SELECTION, data: ip(f.linkSelection) })
  if (f.serverIdOverride !== undefined) subs.push({ code: AgentSubOption.SERVER_ID_OVERRIDE, data: ip(f.serverIdOverride) })
  if (f.others) subs.push(...f.others)
  return { subOptions: subs }
}
