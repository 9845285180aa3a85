/**
 * The VRRP side of the daemon: one VrrpInstanceRunner per keepalived `vrrp_instance`, wired to
 * real sockets (io/vrrp-socket.ts), real timers (io/timers.ts) and the VIP manager
 * (io/vip.ts); DHCP service health in, effective priority out (ha/vrrp/health.ts).
 *
 * Stop: every runner sends its priority-0 advert (when MASTER) and removes its VIPs; `stop()`
 * resolves once the `ip addr del` calls have run, so the VIP is gone before the process exits.
 */
import type { KeepalivedConfig, VrrpInstance } from '../config/keepalived/index.js'
import { VrrpInstanceRunner, type VrrpCounters, type VrrpLogRecord } from '../ha/vrrp/runner.js'
import type { VrrpState } from '../ha/vrrp/machine.js'
import type { DiscardReason } from '../protocol/vrrp/validate.js'
import { DEFAULT_HEALTH_POLICY, effectivePriority, type EffectiveHealth, type HealthPolicy, type PriorityOverride, type ServiceHealth } from '../ha/vrrp/health.js'
import { NO_TRACKING, trackLinks } from '../ha/vrrp/link-tracking.js'
import { planReload, type ReloadPlan } from '../ha/vrrp/reload.js'
import type { NativeAddon } from '../io/native.js'
import { NativeRawSocket } from '../io/raw-socket.js'
import { RealNamedTimers } from '../io/timers.js'
import { VrrpSockets } from '../io/vrrp-socket.js'
import { CommandVipManager, median, type FrameSender } from '../io/vip.js'
import { NativeGarpSocket } from '../io/garp-socket.js'
import type { HostInterface } from '../io/interfaces.js'
import { formatIPv4 } from '../lib/ip.js'
import type { Logger } from './logger.js'

interface Instance {
  readonly runner: VrrpInstanceRunner
  readonly sockets: VrrpSockets
  readonly timers: RealNamedTimers
  /** The last health line logged, so a recomputation that changes nothing logs nothing. */
  lastHealthLine: string
  /** The operator's override (control API). */
  override: PriorityOverride
  /** The last health computed for this instance. */
  health: EffectiveHealth
}

/** One instance as the control API shows it. */
export interface VrrpInstanceView {
  readonly instance: string
  readonly vrid: number
  readonly interface: string
  readonly state: string
  readonly configuredPriority: number
  readonly effectivePriority: number
  readonly priorityOverride: number | 'step-down' | null
  readonly healthReasons: readonly string[]
  readonly vips: readonly string[]
  readonly holdsVip: boolean
  readonly masterAddress: string | null
}

export interface VrrpServiceOptions {
  readonly config: KeepalivedConfig
  readonly addon: NativeAddon
  readonly host: readonly HostInterface[]
  readonly log: Logger
  readonly policy?: HealthPolicy
  readonly ipPath?: string
}

export interface VrrpInstanceSnapshot {
  readonly name: string
  readonly state: VrrpState
  readonly priority: number
  readonly configuredPriority: number
  readonly counters: Readonly<VrrpCounters>
  readonly discards: ReadonlyMap<DiscardReason, number>
}

export type VrrpOpen = { readonly ok: true; readonly service: VrrpService } | { readonly ok: false; readonly reason: string }

/** The interface's primary IPv4 address: the first one that is not one of the instance's VIPs. */
export function primaryAddressOf(inst: VrrpInstance, host: readonly HostInterface[]): number | undefined {
  const iface = host.find((h) => h.name === inst.interface)
  if (iface === undefined) return undefined
  const vips = new Set(inst.virtualAddresses.map((v) => v.address >>> 0))
  return iface.addresses.find((a) => !vips.has(a.address >>> 0))?.address
}

/**
 * The host's interfaces without the configured VIPs. The DHCP side must never take a VIP for
 * one of its own addresses: the server identifier stays the node's own address (renewals
 * unicast to it keep reaching the node that issued the lease after the VIP moves; see
 * ha/vrrp/README.md), and a VIP present at start-up (a crashed run's leftover) is removed.
 */
export function withoutVips(host: readonly HostInterface[], config: KeepalivedConfig | undefined): HostInterface[] {
  if (config === undefined) return [...host]
  const vips = new Set(config.instances.flatMap((i) => i.virtualAddresses.map((v) => v.address >>> 0)))
  return host.map((h) => ({ ...h, addresses: h.addresses.filter((a) => !vips.has(a.address >>> 0)) }))
}

export class VrrpService {
  private readonly instances: Instance[] = []
  private readonly garpSockets = new Map<string, NativeGarpSocket | undefined>()
  readonly vips: CommandVipManager
  private health: ServiceHealth = { transportUp: true, leaseStoreHealthy: true }
  /** Interfaces up and running (io/link-watch.ts); undefined until the first report: all taken as up. */
  private links: ReadonlySet<string> | undefined
  private config: KeepalivedConfig
  private stopping: Promise<void> | undefined

  private constructor(private readonly opts: VrrpServiceOptions) {
    this.config = opts.config
    this.vips = new CommandVipManager({
      ipPath: opts.ipPath,
      frameSender: (ifname) => this.garpSocket(ifname),
      log: (level, event, message) => opts.log.log(level === 'warning' ? 'warn' : 'info', event, message),
    })
  }

  /** Opens every instance's sockets; nothing is sent until {@link start}. */
  static open(opts: VrrpServiceOptions): VrrpOpen {
    const svc = new VrrpService(opts)
    try {
      for (const inst of opts.config.instances) {
        svc.instances.push(svc.openInstance(inst))
        // GARP sockets now, while the process still holds CAP_NET_RAW (-user drops it later).
        for (const v of inst.virtualAddresses) svc.garpSocket(v.dev ?? inst.interface)
      }
    } catch (err) {
      svc.closeSockets()
      return { ok: false, reason: err instanceof Error ? err.message : String(err) }
    }
    return { ok: true, service: svc }
  }

  private openInstance(inst: VrrpInstance): Instance {
    const { addon, host, log } = this.opts
    let ifindex: number
    try {
      ifindex = addon.ifinfo(inst.interface).index
    } catch (err) {
      throw new Error(`${inst.name}: interface ${inst.interface}: ${err instanceof Error ? err.message : String(err)}`)
    }
    const address = inst.unicastSrcIp ?? primaryAddressOf(inst, host)
    if (address === undefined) throw new Error(`${inst.name}: interface ${inst.interface} has no IPv4 address to send adverts from`)
    const sockets = new VrrpSockets({
      open: (d, t, p) => new NativeRawSocket(addon, d, t, p),
      ifname: inst.interface,
      ifindex,
      unicast: inst.unicastPeers.length > 0,
      vrid: inst.virtualRouterId,
    })
    const timers = new RealNamedTimers()
    const logRecord = (r: VrrpLogRecord): void => log.log(r.level === 'warning' ? 'warn' : 'info', r.event, r.message)
    const runner = new VrrpInstanceRunner(inst, {
      clock: { now: () => Date.now() },
      timers,
      sender: {
        sendIpPacket: (packet, dst) => {
          const err = sockets.sendIpPacket(packet, dst)
          if (err !== undefined) log.log('warn', 'VRRP_SEND_FAILED', `${inst.name}: advert to ${formatIPv4(dst)}: ${err.message}`)
        },
      },
      vips: this.vips,
      log: logRecord,
      interfaceAddress: address,
    })
    timers.setHandler((name) => runner.timerFired(name))
    log.log('info', 'VRRP_INSTANCE', `${inst.name}: VRRPv${inst.version} VRID ${inst.virtualRouterId} on ${inst.interface} (ifindex ${ifindex}) from ${formatIPv4(address)}, priority ${inst.priority}, ${inst.unicastPeers.length > 0 ? `unicast to ${inst.unicastPeers.map(formatIPv4).join(', ')}` : 'multicast 224.0.0.18'}, VIPs ${inst.virtualAddresses.map((v) => `${formatIPv4(v.address)}/${v.prefix}`).join(', ')}`)
    return { runner, sockets, timers, lastHealthLine: '', override: undefined, health: { priority: inst.priority, fault: false, reasons: [] } }
  }

  private garpSocket(ifname: string): FrameSender | undefined {
    if (this.garpSockets.has(ifname)) return this.garpSockets.get(ifname)
    let s: NativeGarpSocket | undefined
    try {
      s = new NativeGarpSocket(this.opts.addon, ifname)
    } catch (err) {
      this.opts.log.log('warn', 'VRRP_GARP_SOCKET', `cannot open a packet socket on ${ifname} for gratuitous ARPs: ${err instanceof Error ? err.message : String(err)}`)
      s = undefined
    }
    this.garpSockets.set(ifname, s)
    return s
  }

  /** Starts receiving and runs each machine's start-up (stale VIP removal, BACKUP, master-down timer). */
  start(): void {
    for (const i of this.instances) {
      i.sockets.start(
        (packet) => i.runner.receive(packet),
        (err) => this.opts.log.log('warn', 'VRRP_RECEIVE_ERROR', `${i.runner.instance.name}: ${err.message}`),
      )
      i.runner.start()
      this.applyHealth(i)
    }
  }

  /** The DHCP side's state changed: recompute each instance's effective priority. */
  setServiceHealth(h: ServiceHealth): void {
    const before = this.health
    this.health = h
    if (before.transportUp === h.transportUp && before.leaseStoreHealthy === h.leaseStoreHealthy && before.failoverState === h.failoverState) return
    for (const i of this.instances) this.applyHealth(i)
  }

  /**
   * Sets or clears (undefined) the operator's override of `name`; returns the effective priority
   * (0 while stepped down), or undefined for an unknown instance.
   */
  setOverride(name: string, override: PriorityOverride): number | undefined {
    const i = this.instances.find((x) => x.runner.instance.name === name)
    if (i === undefined) return undefined
    i.override = override
    this.opts.log.log('warn', 'VRRP_OPERATOR_OVERRIDE', `${name}: operator ${override === undefined ? 'cleared the priority override' : override === 'step-down' ? 'stepped this node down (FAULT until the override is cleared)' : `set the priority to ${override}`}`)
    this.applyHealth(i)
    return i.health.fault ? 0 : i.health.priority
  }

  /** Every instance's state, priorities and VIPs for the control API. */
  views(): VrrpInstanceView[] {
    return this.instances.map((i) => {
      const inst = i.runner.instance
      const master = i.runner.masterAddress
      return {
        instance: inst.name,
        vrid: inst.virtualRouterId,
        interface: inst.interface,
        state: i.runner.state.toUpperCase(),
        configuredPriority: inst.priority,
        effectivePriority: i.health.fault ? 0 : i.runner.effectivePriority,
        priorityOverride: i.override ?? null,
        healthReasons: i.health.reasons,
        vips: inst.virtualAddresses.map((v) => `${formatIPv4(v.address)}/${v.prefix}`),
        holdsVip: i.runner.state === 'master',
        masterAddress: master === undefined ? null : formatIPv4(master),
      }
    })
  }

  /** Interfaces up and running changed (`track_interface`, the instance's own interface). */
  setLinks(up: ReadonlySet<string>): void {
    this.links = up
    for (const i of this.instances) this.applyHealth(i)
  }

  private applyHealth(i: Instance): void {
    const inst = i.runner.instance
    const links = this.links === undefined ? NO_TRACKING : trackLinks(inst, this.links)
    const eff = effectivePriority(inst.priority, this.health, this.opts.policy ?? DEFAULT_HEALTH_POLICY, i.override, links)
    i.health = eff
    const downs = links.down.length === 0 ? '' : `; tracked interface${links.down.length > 1 ? 's' : ''} down: ${links.down.join(', ')}`
    const problems = eff.reasons.filter((r) => !r.startsWith('operator-'))
    const line = problems.length === 0 && links.weight === 0
      ? ''
      : `${inst.name}: ${problems.length === 0 ? 'healthy' : `degraded (${problems.join(', ')})`}${downs}${links.weight === 0 ? '' : `; track_interface weights ${links.weight > 0 ? '+' : ''}${links.weight}`}: ${eff.fault ? 'FAULT' : `effective priority ${eff.priority}`}`
    if (line !== i.lastHealthLine) {
      if (line !== '') this.opts.log.log(problems.length > 0 ? 'warn' : 'info', 'VRRP_HEALTH', line)
      else this.opts.log.log('info', 'VRRP_HEALTH', `${inst.name}: healthy again: priority ${eff.priority}`)
      i.lastHealthLine = line
    }
    i.runner.setHealth({ priority: eff.priority, fault: eff.fault })
  }

  /**
   * SIGHUP: applies a re-read keepalived.conf (ha/vrrp/reload.ts) and logs what changed and
   * what needs a restart. Returns the plan (tests, the caller's summary).
   */
  reload(next: KeepalivedConfig): ReloadPlan {
    const plan = planReload(this.config, next)
    const log = this.opts.log
    for (const r of plan.instances) {
      const i = this.instances.find((x) => x.runner.instance.name === r.name)
      if (i === undefined) continue
      if (r.restartNeeded.length > 0) {
        log.log('warn', 'VRRP_RELOAD_NEEDS_RESTART', `${r.name}: ${r.restartNeeded.join(', ')} changed; these need a restart of hadhcpd and keep their running values`)
      }
      if (r.applied.length === 0) continue
      i.runner.reconfigure(r.instance)
      this.applyHealth(i)
      log.log('info', 'VRRP_RELOADED', `${r.name}: applied ${r.applied.join(', ')} (priority ${r.instance.priority}, effective ${i.runner.effectivePriority}, state ${i.runner.state.toUpperCase()})`)
    }
    for (const n of plan.added) log.log('warn', 'VRRP_RELOAD_NEEDS_RESTART', `${n}: a new vrrp_instance is not started by a reload; restart hadhcpd`)
    for (const n of plan.removed) log.log('warn', 'VRRP_RELOAD_NEEDS_RESTART', `${n}: a removed vrrp_instance keeps running until hadhcpd is restarted`)
    this.config = {
      ...next,
      instances: this.instances.map((i) => i.runner.instance),
    }
    return plan
  }

  /** The configuration as running (after reloads): the VIPs the DHCP side must not take as its own. */
  get runningConfig(): KeepalivedConfig {
    return this.config
  }

  /** Priority 0 from every MASTER, VIPs removed; resolves after the removals ran. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const i of this.instances) {
        i.runner.stop()
        i.timers.close()
      }
      await this.vips.idle()
      this.closeSockets()
    })()
    return this.stopping
  }

  private closeSockets(): void {
    for (const i of this.instances) {
      i.timers.close()
      i.sockets.close()
    }
    for (const s of this.garpSockets.values()) s?.close()
    this.garpSockets.clear()
  }

  /** Each instance's state and effective priority (diagnostics, tests). */
  states(): { name: string; state: string; priority: number }[] {
    return this.instances.map((i) => ({ name: i.runner.instance.name, state: i.runner.state, priority: i.runner.effectivePriority }))
  }

  /** What metrics read on a scrape: per instance its state, priorities and counters. */
  snapshot(): VrrpInstanceSnapshot[] {
    return this.instances.map((i) => ({
      name: i.runner.instance.name,
      state: i.runner.state,
      priority: i.runner.effectivePriority,
      configuredPriority: i.runner.instance.priority,
      counters: { ...i.runner.counters },
      discards: new Map(i.runner.discardTotals()),
    }))
  }

  /** One phrase per instance plus the VIP costs, for the final stats line. */
  summary(): string {
    const parts = this.instances.map((i) => {
      const c = i.runner.counters
      return `${i.runner.instance.name} ${i.runner.state}: ${c.advertsSent} adverts sent, ${c.advertsReceived} received, ${c.advertsDiscarded} discarded, ${c.transitions} transitions`
    })
    const s = this.vips.stats
    const d = s.durationsMs
    parts.push(`VIPs ${s.adds} added, ${s.removes} removed (ip median ${median(d).toFixed(1)} ms, max ${(d.length === 0 ? 0 : Math.max(...d)).toFixed(1)} ms), ${s.garps} gratuitous ARPs, ${s.failures} failures`)
    return `VRRP: ${parts.join('; ')}`
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const i of this.instances) {
      const n = i.runner.instance.name
      const c = i.runner.counters
      out[`vrrp_${n}_sent`] = c.advertsSent
      out[`vrrp_${n}_received`] = c.advertsReceived
      out[`vrrp_${n}_discarded`] = c.advertsDiscarded
      out[`vrrp_${n}_transitions`] = c.transitions
    }
    out['vrrp_vip_adds'] = this.vips.stats.adds
    out['vrrp_vip_removes'] = this.vips.stats.removes
    out['vrrp_vip_ip_median_ms'] = Math.round(median(this.vips.stats.durationsMs) * 10) / 10
    out['vrrp_garps'] = this.vips.stats.garps
    return out
  }
}
