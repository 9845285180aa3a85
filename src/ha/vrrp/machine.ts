/**
 * The VRRP state machine of one instance, pure: `step(machine, input, cfg) → [machine, effects]`.
 * No sockets, timers or clock reads — inputs carry `at` (ms) and timers are named effects the
 * driver arms and feeds back as `timer` inputs.
 *
 * States follow RFC 3768 §6.4 / RFC 5798 §6.4 (Initialize, Backup, Master) plus keepalived's
 * FAULT (the node cannot serve: no VIPs, no adverts). Where keepalived 2.2.7 differs from or
 * refines the RFC, keepalived wins, because it is the peer:
 * - it starts in BACKUP even with `state MASTER` unless the priority is 255 (address owner);
 * - a MASTER receiving a lower, non-zero priority sends an advert at once ("forcing new
 *   election") instead of only discarding it;
 * - `preempt_delay`: lower-priority masters are tolerated until the delay after start-up (or
 *   after the last higher-priority advert) has passed;
 * - on becoming MASTER the VIPs are set and the gratuitous ARPs sent before the first advert,
 *   `garp_master_repeat` of them at once and as many again `garp_master_delay` later.
 */
import { formatIPv4 } from '../../lib/ip.js'
import { PRIORITY_OWNER, PRIORITY_STOP } from '../../protocol/vrrp/advert.js'
import { VrrpLogEvents, type VrrpLogEvent } from './log-events.js'
import { masterDownIntervalMs, skewTimeMs } from './timing.js'

export type VrrpState = 'init' | 'backup' | 'master' | 'fault'

/** Named timers; arming a name again replaces its deadline. */
export type VrrpTimer = 'master-down' | 'advert' | 'garp-delay' | 'garp-refresh'

export interface MachineConfig {
  /** The vrrp_instance name, e.g. `VI_1` (log prefix). */
  readonly name: string
  readonly interface: string
  /** Configured priority 1..255; health lowers it to the effective priority. */
  readonly priority: number
  readonly advertIntervalMs: number
  readonly version: 2 | 3
  /** false for `nopreempt`. */
  readonly preempt: boolean
  readonly preemptDelayMs: number
  /** Our primary (source) address: ties on priority go to the higher address (RFC 3768 §6.4.3). */
  readonly primaryAddress: number
  /** The VIPs, for log lines only (the driver owns adding and removing them). */
  readonly vips: readonly number[]
  /** keepalived `garp_master_delay` (default 5 s; 0: no second burst). */
  readonly garpMasterDelayMs: number
  /** keepalived `garp_master_repeat` (default 5). */
  readonly garpMasterRepeat: number
  /** keepalived `garp_master_refresh` (default 0: off). */
  readonly garpMasterRefreshMs: number
  /** keepalived `garp_master_refresh_repeat` (default 1). */
  readonly garpMasterRefreshRepeat: number
}

export interface Machine {
  readonly state: VrrpState
  /** Effective priority (configured priority after health). */
  readonly priority: number
  /** True while health says the node cannot serve. */
  readonly faulty: boolean
  /** RFC 5798 Master_Adver_Interval: our own in v2 and as MASTER, the master's as v3 BACKUP. */
  readonly masterAdvertIntervalMs: number
  /** Source of the last accepted advert (the current master as far as we know). */
  readonly masterAddress: number | undefined
  /** keepalived `preempt_time`: lower-priority masters are tolerated before this instant. */
  readonly preemptAt: number | undefined
  readonly since: number
}

/** An advert that passed validate.ts (`checkAdvert`), reduced to what the machine needs. */
export interface ReceivedAdvert {
  readonly from: number
  readonly priority: number
  readonly intervalMs: number
}

/** What health.ts computes from the DHCP service's state. */
export interface Health {
  readonly priority: number
  readonly fault: boolean
}

export type Input =
  | { readonly kind: 'startup'; readonly at: number }
  | { readonly kind: 'advert'; readonly at: number; readonly advert: ReceivedAdvert }
  | { readonly kind: 'timer'; readonly at: number; readonly name: VrrpTimer }
  | { readonly kind: 'shutdown'; readonly at: number }
  | { readonly kind: 'health'; readonly at: number; readonly health: Health }

export type Effect =
  | { readonly kind: 'send-advert'; readonly priority: number }
  | { readonly kind: 'add-vips' }
  /** `stale`: the start-up clean-up of VIPs a crashed run may have left (keepalived does the same). */
  | { readonly kind: 'remove-vips'; readonly stale: boolean }
  | { readonly kind: 'send-garps'; readonly count: number }
  | { readonly kind: 'arm-timer'; readonly name: VrrpTimer; readonly delayMs: number }
  | { readonly kind: 'cancel-timer'; readonly name: VrrpTimer }
  | { readonly kind: 'log'; readonly event: VrrpLogEvent; readonly level: 'info' | 'warning'; readonly message: string }

/** A machine before start-up. */
export function initialMachine(cfg: MachineConfig, at = 0): Machine {
  return {
    state: 'init', priority: cfg.priority, faulty: false, masterAdvertIntervalMs: cfg.advertIntervalMs,
    masterAddress: undefined, preemptAt: undefined, since: at,
  }
}

export function stateToString(s: VrrpState): string {
  return s.toUpperCase()
}

/** keepalived's line prefix, `(VI_1) `. */
const log = (cfg: MachineConfig, event: VrrpLogEvent, text: string, level: 'info' | 'warning' = 'info'): Effect =>
  ({ kind: 'log', event, level, message: `(${cfg.name}) ${text}` })
const arm = (name: VrrpTimer, delayMs: number): Effect => ({ kind: 'arm-timer', name, delayMs })
const cancel = (name: VrrpTimer): Effect => ({ kind: 'cancel-timer', name })
const MASTER_TIMERS: readonly VrrpTimer[] = ['advert', 'garp-delay', 'garp-refresh']

/** Named predicate: does an advert from `a` beat us while we are MASTER (RFC 3768 §6.4.3)? */
export function advertWins(a: ReceivedAdvert, ourPriority: number, ourAddress: number): boolean {
  return a.priority > ourPriority || (a.priority === ourPriority && a.from >>> 0 > ourAddress >>> 0)
}

/**
 * Named predicate: as BACKUP, do we accept this non-zero advert and keep waiting (reset the
 * master-down timer)? RFC 3768 §6.4.2: yes if preemption is off or it is not lower than ours;
 * keepalived adds: yes while `preempt_delay` has not run out.
 */
export function backupAccepts(m: Machine, a: ReceivedAdvert, cfg: MachineConfig, at: number): boolean {
  if (!cfg.preempt || a.priority >= m.priority) return true
  return cfg.preemptDelayMs > 0 && (m.preemptAt === undefined || at < m.preemptAt)
}

export function step(m: Machine, input: Input, cfg: MachineConfig): [Machine, Effect[]] {
  switch (input.kind) {
    case 'startup':
      return m.state === 'init' ? startup(m, input.at, cfg) : [m, []]
    case 'shutdown':
      return shutdown(m, input.at, cfg)
    case 'health':
      return health(m, input.health, input.at, cfg)
    case 'timer':
      return timer(m, input.name, input.at, cfg)
    case 'advert':
      if (m.state === 'backup') return backupReceives(m, input.advert, input.at, cfg)
      if (m.state === 'master') return masterReceives(m, input.advert, input.at, cfg)
      return [m, []] // INIT and FAULT ignore adverts
  }
}

/** RFC 3768 §6.4.1: owner → MASTER, else BACKUP with the master-down timer (keepalived: even with `state MASTER`). */
function startup(m: Machine, at: number, cfg: MachineConfig): [Machine, Effect[]] {
  const base: Machine = {
    ...m, masterAdvertIntervalMs: cfg.advertIntervalMs, masterAddress: undefined,
    preemptAt: cfg.preemptDelayMs > 0 ? at + cfg.preemptDelayMs : undefined,
  }
  const cleanup: Effect = { kind: 'remove-vips', stale: true }
  if (m.faulty) {
    return [{ ...base, state: 'fault', since: at }, [cleanup, log(cfg, VrrpLogEvents.ENTER_FAULT, 'Entering FAULT STATE')]]
  }
  if (m.priority === PRIORITY_OWNER) {
    const [next, effects] = becomeMaster(base, at, cfg)
    return [next, [cleanup, ...effects]]
  }
  return enterBackup(base, at, cfg, ' (init)', [cleanup])
}

function enterBackup(m: Machine, at: number, cfg: MachineConfig, suffix: string, before: Effect[]): [Machine, Effect[]] {
  return [
    { ...m, state: 'backup', since: at },
    [...before, log(cfg, VrrpLogEvents.ENTER_BACKUP, `Entering BACKUP STATE${suffix}`),
      arm('master-down', masterDownIntervalMs(m.priority, m.masterAdvertIntervalMs))],
  ]
}

/** RFC 3768 §6.4.2 "If the Master_Down_Timer fires" / §6.4.1 owner start: become MASTER. */
function becomeMaster(m: Machine, at: number, cfg: MachineConfig): [Machine, Effect[]] {
  const effects: Effect[] = [
    cancel('master-down'),
    log(cfg, VrrpLogEvents.ENTER_MASTER, 'Entering MASTER STATE'),
    { kind: 'add-vips' },
    log(cfg, VrrpLogEvents.VIPS_SET, 'setting VIPs.'),
    ...garps(cfg, cfg.garpMasterRepeat),
    { kind: 'send-advert', priority: m.priority },
    arm('advert', cfg.advertIntervalMs),
  ]
  if (cfg.garpMasterDelayMs > 0) effects.push(arm('garp-delay', cfg.garpMasterDelayMs))
  if (cfg.garpMasterRefreshMs > 0) effects.push(arm('garp-refresh', cfg.garpMasterRefreshMs))
  return [{ ...m, state: 'master', since: at, masterAdvertIntervalMs: cfg.advertIntervalMs, masterAddress: cfg.primaryAddress }, effects]
}

function garps(cfg: MachineConfig, count: number): Effect[] {
  if (count <= 0) return []
  const vips = cfg.vips.map(formatIPv4).join(', ')
  return [
    log(cfg, VrrpLogEvents.GARPS_SENT, `Sending/queueing gratuitous ARPs on ${cfg.interface} for ${vips}`),
    { kind: 'send-garps', count },
  ]
}

/** Leaving MASTER (RFC 3768 §6.4.3): stop the master timers, drop the VIPs. */
function leaveMaster(cfg: MachineConfig): Effect[] {
  return [...MASTER_TIMERS.map(cancel), { kind: 'remove-vips', stale: false }, log(cfg, VrrpLogEvents.VIPS_REMOVED, 'removing VIPs.')]
}

function timer(m: Machine, name: VrrpTimer, at: number, cfg: MachineConfig): [Machine, Effect[]] {
  if (m.state === 'backup' && name === 'master-down') return becomeMaster(m, at, cfg)
  if (m.state !== 'master') return [m, []] // a stale timer the driver could not cancel in time
  switch (name) {
    case 'advert':
      return [m, [{ kind: 'send-advert', priority: m.priority }, arm('advert', cfg.advertIntervalMs)]]
    case 'garp-delay':
      return [m, garps(cfg, cfg.garpMasterRepeat)]
    case 'garp-refresh':
      return [m, [...garps(cfg, cfg.garpMasterRefreshRepeat), arm('garp-refresh', cfg.garpMasterRefreshMs)]]
    case 'master-down':
      return [m, []]
  }
}

/** RFC 3768 §6.4.2 / RFC 5798 §6.4.2: BACKUP receives an ADVERTISEMENT. */
function backupReceives(m: Machine, a: ReceivedAdvert, at: number, cfg: MachineConfig): [Machine, Effect[]] {
  const from = formatIPv4(a.from)
  // v3 learns the master's interval (RFC 5798 §6.4.2); v2 intervals are equal (validate.ts).
  const learned: Machine = { ...m, masterAdvertIntervalMs: cfg.version === 3 ? a.intervalMs : cfg.advertIntervalMs }
  if (a.priority === PRIORITY_STOP) {
    return [{ ...learned, masterAddress: undefined }, [
      log(cfg, VrrpLogEvents.RECEIVED_PRIORITY_0, 'Backup received priority 0 advertisement'),
      arm('master-down', skewTimeMs(m.priority, learned.masterAdvertIntervalMs)),
    ]]
  }
  if (!backupAccepts(m, a, cfg, at)) {
    return [m, [log(cfg, VrrpLogEvents.LOWER_PRIORITY_DISCARDED, `received lower priority (${a.priority}) advert from ${from} - discarding`)]]
  }
  const effects: Effect[] = []
  let preemptAt = m.preemptAt
  if (cfg.preemptDelayMs > 0 && cfg.preempt) {
    if (a.priority > m.priority) {
      preemptAt = at + cfg.preemptDelayMs
    } else if (preemptAt === undefined) {
      preemptAt = at + cfg.preemptDelayMs
      effects.push(log(cfg, VrrpLogEvents.PREEMPT_DELAY_STARTED, `start preempt delay (${(cfg.preemptDelayMs / 1000).toFixed(3)})`))
    }
  }
  effects.push(arm('master-down', masterDownIntervalMs(m.priority, learned.masterAdvertIntervalMs)))
  return [{ ...learned, masterAddress: a.from, preemptAt }, effects]
}

/** RFC 3768 §6.4.3 / RFC 5798 §6.4.3: MASTER receives an ADVERTISEMENT. */
function masterReceives(m: Machine, a: ReceivedAdvert, at: number, cfg: MachineConfig): [Machine, Effect[]] {
  const from = formatIPv4(a.from)
  if (a.priority === PRIORITY_STOP) {
    return [m, [{ kind: 'send-advert', priority: m.priority }, arm('advert', cfg.advertIntervalMs)]]
  }
  if (advertWins(a, m.priority, cfg.primaryAddress)) {
    const interval = cfg.version === 3 ? a.intervalMs : cfg.advertIntervalMs
    const next: Machine = {
      ...m, state: 'backup', since: at, masterAdvertIntervalMs: interval, masterAddress: a.from,
      preemptAt: cfg.preemptDelayMs > 0 ? at + cfg.preemptDelayMs : undefined,
    }
    return [next, [
      log(cfg, VrrpLogEvents.HIGHER_PRIORITY_MASTER, `Master received advert from ${from} with higher priority ${a.priority}, ours ${m.priority}`),
      log(cfg, VrrpLogEvents.ENTER_BACKUP, 'Entering BACKUP STATE'),
      ...leaveMaster(cfg),
      arm('master-down', masterDownIntervalMs(m.priority, interval)),
    ]]
  }
  return [m, [
    log(cfg, VrrpLogEvents.FORCING_ELECTION, `Received advert from ${from} with lower priority ${a.priority}, ours ${m.priority}, forcing new election`),
    { kind: 'send-advert', priority: m.priority },
  ]]
}

/** Clean stop (RFC 3768 §6.4.3 "If a Shutdown event is received"): MASTER sends priority 0 for a fast hand-over. */
function shutdown(m: Machine, at: number, cfg: MachineConfig): [Machine, Effect[]] {
  const stopped: Machine = { ...m, state: 'init', since: at, masterAddress: undefined }
  const done = log(cfg, VrrpLogEvents.STOPPED, 'Stopped')
  switch (m.state) {
    case 'master':
      return [stopped, [
        { kind: 'send-advert', priority: PRIORITY_STOP },
        log(cfg, VrrpLogEvents.SENT_PRIORITY_0, 'sent 0 priority'),
        ...leaveMaster(cfg), done,
      ]]
    case 'backup':
      return [stopped, [cancel('master-down'), done]]
    case 'fault':
      return [stopped, [done]]
    case 'init':
      return [m, []]
  }
}

/** Health changed (health.ts): a new effective priority, or FAULT when the service cannot serve at all. */
function health(m: Machine, h: Health, at: number, cfg: MachineConfig): [Machine, Effect[]] {
  const effects: Effect[] = []
  if (h.priority !== m.priority) {
    effects.push(log(cfg, VrrpLogEvents.PRIORITY_CHANGED, `Changing effective priority from ${m.priority} to ${h.priority}`))
  }
  const updated: Machine = { ...m, priority: h.priority, faulty: h.fault }
  if (m.state === 'init') return [updated, effects]
  if (h.fault && m.state !== 'fault') {
    const leaving: Effect[] = m.state === 'master'
      ? [{ kind: 'send-advert', priority: PRIORITY_STOP }, log(cfg, VrrpLogEvents.SENT_PRIORITY_0, 'sent 0 priority'), ...leaveMaster(cfg)]
      : [cancel('master-down')]
    return [{ ...updated, state: 'fault', since: at, masterAddress: undefined },
      [...effects, log(cfg, VrrpLogEvents.ENTER_FAULT, 'Entering FAULT STATE', 'warning'), ...leaving]]
  }
  if (!h.fault && m.state === 'fault') {
    const back: Machine = { ...updated, masterAdvertIntervalMs: cfg.advertIntervalMs }
    if (h.priority === PRIORITY_OWNER) {
      const [next, more] = becomeMaster(back, at, cfg)
      return [next, [...effects, ...more]]
    }
    return enterBackup(back, at, cfg, '', effects)
  }
  // MASTER: the next advert carries the new priority; a higher-priority backup that now sees
  // a lower advert discards it and takes over at its master-down timer (keepalived behaves so).
  return [updated, effects]
}
