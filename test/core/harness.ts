/**
 * A test bench for the packet path: a config compiled from real dhcpd.conf text, an
 * InMemoryLeaseStore, a ManualClock and a Pipeline; client messages are built field by field
 * and replies decoded back into a readable summary.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ManualClock } from '../../src/lib/clock.js'
import { formatIPv4, parseIPv4 } from '../../src/lib/ip.js'
import { compileConfig } from '../../src/config/compile.js'
import { memoryReader } from '../../src/config/source-reader.js'
import type { ServerConfig } from '../../src/config/model.js'
import { BOOTREQUEST, MessageType, messageTypeName } from '../../src/protocol/dhcp/constants.js'
import * as acc from '../../src/protocol/dhcp/accessors.js'
import { createPacket, decode, toBuffer } from '../../src/protocol/dhcp/packet.js'
import type { RawOption } from '../../src/protocol/dhcp/options.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import { Pipeline, type Decision, type PipelineOptions } from '../../src/core/pipeline.js'
import type { PoolPolicy } from '../../src/core/pool-policy.js'
import { FIXTURES_DIR } from '../helpers/fixtures.js'

export const T0 = Date.UTC(2024, 0, 1) // ms

export function compile(conf: string, extra: Readonly<Record<string, string>> = {}): ServerConfig {
  return compileConfig('/etc/dhcpd.conf', memoryReader({ '/etc/dhcpd.conf': conf, ...extra })).config
}

/** Seed 001: DHCPs1's dhcpd.conf with the SHARED file (with or without the host group). */
export function seed001(withHost: boolean): ServerConfig {
  const shared = readFileSync(resolve(FIXTURES_DIR, `config/seed001/${withHost ? 'shared-with-host' : 'shared'}/dhcpd.conf.SHARED`), 'utf8')
  const main = readFileSync(resolve(FIXTURES_DIR, 'config/seed001/primary/dhcpd.conf'), 'utf8')
  return compileConfig('/usr/local/etc/dhcpd.conf', memoryReader({ '/usr/local/etc/dhcpd.conf': main, '/usr/local/etc/dhcpd.conf.SHARED': shared })).config
}

export function seed000(): ServerConfig {
  const main = readFileSync(resolve(FIXTURES_DIR, 'config/seed000/primary.conf'), 'utf8')
  return compileConfig('/etc/dhcpd.conf', memoryReader({ '/etc/dhcpd.conf': main })).config
}

export interface ClientMessage {
  readonly type: keyof typeof MessageType
  readonly mac: string
  readonly xid?: number
  readonly secs?: number
  readonly ciaddr?: string
  readonly giaddr?: string
  readonly flags?: number
  readonly clientId?: Buffer
  readonly requested?: string
  readonly serverId?: string
  readonly prl?: readonly number[]
  readonly maxSize?: number
  readonly leaseTime?: number
  readonly hostname?: string
  readonly relayAgent?: Buffer
  readonly subnetSelection?: string
}

export function addr(dotted: string): number {
  const v = parseIPv4(dotted)
  if (v === undefined) throw new Error(`bad address ${dotted}`)
  return v
}

function ipBytes(dotted: string): Buffer {
  return Buffer.from(dotted.split('.').map(Number))
}

export function clientDatagram(m: ClientMessage): Buffer {
  const options: RawOption[] = [{ code: 53, data: Buffer.from([MessageType[m.type]]) }]
  if (m.clientId) options.push({ code: 61, data: m.clientId })
  if (m.requested) options.push({ code: 50, data: ipBytes(m.requested) })
  if (m.serverId) options.push({ code: 54, data: ipBytes(m.serverId) })
  if (m.leaseTime !== undefined) {
    const b = Buffer.alloc(4)
    b.writeUInt32BE(m.leaseTime)
    options.push({ code: 51, data: b })
  }
  if (m.maxSize !== undefined) options.push({ code: 57, data: Buffer.from([m.maxSize >> 8, m.maxSize & 255]) })
  if (m.hostname) options.push({ code: 12, data: Buffer.from(m.hostname) })
  if (m.subnetSelection) options.push({ code: 118, data: ipBytes(m.subnetSelection) })
  if (m.prl) options.push({ code: 55, data: Buffer.from(m.prl) })
  if (m.relayAgent) options.push({ code: 82, data: m.relayAgent })
  const p = createPacket({
    op: BOOTREQUEST,
    htype: 1,
    hlen: 6,
    hops: m.giaddr ? 1 : 0,
    xid: m.xid ?? 0x1234abcd,
    secs: m.secs ?? 0,
    flags: m.flags ?? 0,
    ciaddr: m.ciaddr ? addr(m.ciaddr) : 0,
    giaddr: m.giaddr ? addr(m.giaddr) : 0,
    chaddr: Buffer.from(m.mac.split(':').map((h) => parseInt(h, 16))),
    options,
  })
  return toBuffer(p, { minLength: 300 })
}

/** A readable projection of a reply. */
export interface ReplySummary {
  readonly type: string
  readonly yiaddr: string
  readonly ciaddr: string
  readonly serverId: string | undefined
  readonly leaseTime: number | undefined
  readonly t1: number | undefined
  readonly t2: number | undefined
  readonly optionCodes: number[]
  readonly route: string
  readonly flags: number
  readonly bytes: number
}

export function summarize(d: Decision): ReplySummary | undefined {
  if (!d.reply) return undefined
  const p = decode(d.reply.bytes, 0, d.reply.bytes.length).value
  const u32 = (code: number): number | undefined => acc.getOption(p, code)?.data.readUInt32BE(0)
  const sid = acc.serverIdentifier(p)
  return {
    type: messageTypeName(acc.messageType(p) ?? 0) ?? '?',
    yiaddr: formatIPv4(p.yiaddr),
    ciaddr: formatIPv4(p.ciaddr),
    serverId: sid === undefined ? undefined : formatIPv4(sid),
    leaseTime: u32(51),
    t1: u32(58),
    t2: u32(59),
    optionCodes: p.options.filter((o) => o.code !== 0).map((o) => o.code),
    route: `${d.reply.route.kind} ${formatIPv4(d.reply.route.address)}:${d.reply.route.port}`,
    flags: p.flags,
    bytes: d.reply.bytes.length,
  }
}

export interface BenchOptions {
  readonly iface?: { name: string; addresses: string[] }
  readonly directUnicast?: boolean
  readonly poolPolicy?: PoolPolicy
  readonly store?: InMemoryLeaseStore
  readonly infoEvents?: boolean
}

export class Bench {
  readonly clock = new ManualClock(T0)
  readonly store: InMemoryLeaseStore
  readonly pipeline: Pipeline
  readonly iface: { name: string; addresses: number[] }

  constructor(readonly config: ServerConfig, opts: BenchOptions = {}) {
    this.store = opts.store ?? new InMemoryLeaseStore()
    const options: PipelineOptions = {
      capabilities: { directUnicast: opts.directUnicast ?? false },
      ...(opts.poolPolicy ? { poolPolicy: opts.poolPolicy } : {}),
      ...(opts.infoEvents !== undefined ? { infoEvents: opts.infoEvents } : {}),
    }
    this.pipeline = new Pipeline(config, this.store, options)
    const iface = opts.iface ?? { name: 'eth0', addresses: ['10.0.10.251'] }
    this.iface = { name: iface.name, addresses: iface.addresses.map(addr) }
  }

  send(m: ClientMessage): Decision {
    return this.pipeline.handle({ datagram: clientDatagram(m), receivedOn: this.iface, now: this.clock.now() })
  }

  /** DISCOVER then REQUEST (SELECTING) for the offered address; returns both summaries. */
  dora(m: Omit<ClientMessage, 'type'>): { offer: ReplySummary | undefined; ack: ReplySummary | undefined } {
    const offer = summarize(this.send({ ...m, type: 'DISCOVER' }))
    if (!offer) return { offer, ack: undefined }
    const ack = summarize(this.send({ ...m, type: 'REQUEST', requested: offer.yiaddr, serverId: offer.serverId! }))
    return { offer, ack }
  }

  leaseState(dotted: string): string | undefined {
    return this.store.get(addr(dotted))?.bindingState
  }
}

export function texts(d: Decision): string[] {
  return d.events.map((e) => e.text)
}
