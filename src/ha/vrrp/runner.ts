/**
 * Runs one vrrp_instance: feeds the pure machine and carries out its effects through
 * injected ports, so the socket driver only has to provide them (io/: a raw IPPROTO_VRRP send
 * socket with IP_HDRINCL, a receive socket, netlink for VIPs, an AF_PACKET socket for GARPs,
 * real timers). Still pure of I/O itself: no sockets, no timers, no wall clock here.
 *
 * Ports are called synchronously in the machine's effect order (VIPs, GARPs, advert); an
 * implementation that is asynchronous underneath must keep that order (queue per instance).
 */
import type { Clock } from '../../lib/clock.js'
import type { VrrpInstance } from '../../config/keepalived/model.js'
import { encodingLength, encode } from '../../protocol/vrrp/advert.js'
import { IPV4_HEADER_LENGTH, decodeIpv4Header, encodeVrrpIpHeader, type ReceivedIpv4 } from '../../protocol/vrrp/ip-header.js'
import { IPPROTO_VRRP } from '../../protocol/vrrp/checksum.js'
import { checkAdvert, type AdvertExpectation, type DiscardReason } from '../../protocol/vrrp/validate.js'
import { DecodeError } from '../../lib/errors.js'
import { DiscardLog } from './discard-log.js'
import { advertDestinations, advertExpectationFor, advertFor, machineConfigFor } from './from-config.js'
import { initialMachine, step, type Effect, type Health, type Input, type Machine, type MachineConfig, type VrrpState, type VrrpTimer } from './machine.js'

/** Sends one whole IPv4 packet (header included) to `dst` (224.0.0.18 or a unicast peer). */
export interface VrrpPacketSender {
  sendIpPacket(packet: Buffer, dst: number): void
}

/** The VIP side (architecture: ha/vrrp/vip.ts): netlink add/remove and gratuitous ARPs. */
export interface VipManager {
  add(inst: VrrpInstance): void
  remove(inst: VrrpInstance): void
  sendGratuitousArps(inst: VrrpInstance, count: number): void
}

/** Named one-shot timers; arming a name again replaces it. The driver calls `runner.timerFired(name)`. */
export interface NamedTimers {
  arm(name: VrrpTimer, delayMs: number): void
  cancel(name: VrrpTimer): void
}

export interface VrrpLogRecord {
  readonly event: string
  readonly level: 'info' | 'warning'
  readonly message: string
}

export interface VrrpRunnerPorts {
  readonly clock: Clock
  readonly timers: NamedTimers
  readonly sender: VrrpPacketSender
  readonly vips: VipManager
  readonly log: (r: VrrpLogRecord) => void
  /** The interface's primary IPv4 address (used when unicast_src_ip is not set). */
  readonly interfaceAddress: number
  /** Discard log rate limit per reason (default 60 s). */
  readonly discardLogIntervalMs?: number
}

export interface VrrpCounters {
  advertsSent: number
  advertsReceived: number
  advertsDiscarded: number
  transitions: number
}

export class VrrpInstanceRunner {
  private machine: Machine
  private cfg: MachineConfig
  private expectation: AdvertExpectation
  private current: VrrpInstance
  private readonly discards: DiscardLog
  private ipId = 0
  readonly counters: VrrpCounters = { advertsSent: 0, advertsReceived: 0, advertsDiscarded: 0, transitions: 0 }

  constructor(instance: VrrpInstance, private readonly ports: VrrpRunnerPorts) {
    this.current = instance
    this.cfg = machineConfigFor(instance, ports.interfaceAddress)
    this.expectation = advertExpectationFor(instance)
    this.discards = new DiscardLog(instance.name, ports.discardLogIntervalMs)
    this.machine = initialMachine(this.cfg, ports.clock.now())
  }

  /** The instance as running now (changed by {@link reconfigure}). */
  get instance(): VrrpInstance {
    return this.current
  }

  /**
   * A reloaded instance (ha/vrrp/reload.ts keeps interface, VRID, version and unicast settings):
   * the machine keeps its state; checks and adverts use the new values from now on; a MASTER
   * whose VIP list changed swaps its VIPs and announces the new ones. The priority reaches the
   * machine through the next {@link setHealth} (the daemon recomputes it right after).
   */
  reconfigure(next: VrrpInstance): void {
    const prev = this.current
    this.current = next
    this.cfg = machineConfigFor(next, this.ports.interfaceAddress)
    this.expectation = advertExpectationFor(next)
    const vipsChanged = prev.virtualAddresses.length !== next.virtualAddresses.length ||
      prev.virtualAddresses.some((v, i) => v.address !== next.virtualAddresses[i]?.address || v.prefix !== next.virtualAddresses[i]?.prefix || v.dev !== next.virtualAddresses[i]?.dev)
    if (this.machine.state === 'master' && vipsChanged) {
      this.ports.vips.remove(prev)
      this.ports.vips.add(next)
      if (next.garpMasterRepeat > 0) this.ports.vips.sendGratuitousArps(next, next.garpMasterRepeat)
      this.ports.log({ event: 'VRRP_VIPS_RELOADED', level: 'info', message: `(${next.name}) VIPs changed by reload: ${prev.virtualAddresses.length} removed, ${next.virtualAddresses.length} set` })
    }
  }

  get state(): VrrpState {
    return this.machine.state
  }

  get effectivePriority(): number {
    return this.machine.priority
  }

  /** Source of the last accepted advert (the current master as far as we know), or ours as MASTER. */
  get masterAddress(): number | undefined {
    return this.machine.state === 'master' ? this.cfg.primaryAddress : this.machine.masterAddress
  }

  /** Discards per reason, for metrics. */
  discardTotals(): ReadonlyMap<DiscardReason, number> {
    return this.discards.totals()
  }

  start(): void {
    this.input({ kind: 'startup', at: this.ports.clock.now() })
  }

  /** Clean stop: a MASTER sends priority 0 and drops its VIPs. */
  stop(): void {
    this.input({ kind: 'shutdown', at: this.ports.clock.now() })
  }

  timerFired(name: VrrpTimer): void {
    this.input({ kind: 'timer', at: this.ports.clock.now(), name })
  }

  setHealth(health: Health): void {
    this.input({ kind: 'health', at: this.ports.clock.now(), health })
  }

  /** One packet from the raw IPPROTO_VRRP receive socket (IPv4 header included). */
  receive(packet: Buffer): void {
    const now = this.ports.clock.now()
    let ip: ReceivedIpv4
    try {
      ip = decodeIpv4Header(packet, 0, packet.length)
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e
      return this.discarded('malformed', e.message, now)
    }
    if (ip.protocol !== IPPROTO_VRRP) return this.discarded('malformed', `IP protocol ${ip.protocol} is not VRRP`, now)
    // A looped-back advert of ours would look like an equal-priority MASTER and start an advert storm.
    if (ip.src === this.cfg.primaryAddress) return this.discarded('own-advert', 'received our own advert (multicast loop?)', now)
    const verdict = checkAdvert(packet, ip.payloadOffset, ip.payloadEnd, ip, this.expectation)
    if (!verdict.ok) return this.discarded(verdict.reason, verdict.message, now)
    this.counters.advertsReceived++
    this.input({ kind: 'advert', at: now, advert: { from: ip.src, priority: verdict.advert.priority, intervalMs: verdict.intervalMs } })
  }

  private discarded(reason: DiscardReason, message: string, now: number): void {
    this.counters.advertsDiscarded++
    const line = this.discards.record(reason, message, now)
    if (line) this.ports.log({ event: line.event, level: 'warning', message: line.message })
  }

  private input(i: Input): void {
    const before = this.machine.state
    const [next, effects] = step(this.machine, i, this.cfg)
    this.machine = next
    if (next.state !== before) this.counters.transitions++
    for (const e of effects) this.run(e)
  }

  private run(e: Effect): void {
    switch (e.kind) {
      case 'send-advert':
        return this.sendAdvert(e.priority)
      case 'add-vips':
        return this.ports.vips.add(this.instance)
      case 'remove-vips':
        return this.ports.vips.remove(this.instance)
      case 'send-garps':
        return this.ports.vips.sendGratuitousArps(this.instance, e.count)
      case 'arm-timer':
        return this.ports.timers.arm(e.name, e.delayMs)
      case 'cancel-timer':
        return this.ports.timers.cancel(e.name)
      case 'log':
        return this.ports.log({ event: e.event, level: e.level, message: e.message })
    }
  }

  /** keepalived's packet: its own IPv4 header (ID counting up from 1) + the advert, to each destination. */
  private sendAdvert(priority: number): void {
    const advert = advertFor(this.instance, priority)
    const src = this.cfg.primaryAddress
    for (const dst of advertDestinations(this.instance)) {
      const len = encodingLength(advert)
      const packet = Buffer.alloc(IPV4_HEADER_LENGTH + len)
      this.ipId = (this.ipId % 0xffff) + 1
      encodeVrrpIpHeader({ src, dst, id: this.ipId, payloadLength: len }, packet, 0)
      encode(advert, packet, IPV4_HEADER_LENGTH, { src, dst })
      this.ports.sender.sendIpPacket(packet, dst)
      this.counters.advertsSent++
    }
  }
}
