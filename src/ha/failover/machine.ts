/**
 * The failover state machine as dhcpd 4.4.3 runs it (failover-protocol.md §3), pure: no
 * sockets, timers or clock reads (architecture.md §8.4, §9 snippet B). `step()` takes the
 * machine and one input and returns the next machine and the effects, in the order a driver
 * must run them:
 *
 * 1. `persist` comes first on every transition: the driver writes and fsyncs the
 *    `failover peer "NAME" state { … }` block; if that fails it must log
 *    `Unable to record current failover state for NAME`, drop the remaining effects and keep
 *    the previous machine (the transition is abandoned, §3.3).
 * 2. then logs, STATE to the peer, timers, update requests and entry actions.
 *
 * All times are Unix seconds (the wire's unit).
 */
import type { FailoverPeerState } from '../../core/lease.js'
import { IGNORE_REPEATED_PEER_STATE, reactionFor, type Reaction } from './reactions.js'
import { stateCode, stateFromCode, type FailoverState, type Role } from './states.js'

/** Seconds dhcpd gives STARTUP before applying the communications-failed rule (§1.6, §3.2). */
export const STARTUP_SECONDS = 15

export interface MachineConfig {
  /** The relationship name (`failover peer "NAME"`). */
  readonly name: string
  readonly role: Role
  /** Configured MCLT, seconds; a secondary learns the primary's from CONNECT (input `mclt`). */
  readonly mclt: number
  /** `auto-partner-down`, seconds; 0 = off. */
  readonly autoPartnerDown: number
}

export type TimerName = 'startup' | 'recover-wait' | 'auto-partner-down'

export interface Machine {
  readonly state: FailoverState
  /** Start time of our state (STOS). Unchanged when entering/leaving STARTUP or entering RECOVER-WAIT. */
  readonly stos: number
  /** While in STARTUP: the state we started from (what STATE messages and the lease file carry). */
  readonly savedState: FailoverState | undefined
  readonly peerState: FailoverState
  /** When we recorded the peer's state (ISC ignores the peer's STOS). */
  readonly peerStateAt: number
  /** The last peer STATE carried the STARTUP flag. */
  readonly peerStartup: boolean
  /** A CONNECT/CONNECTACK exchange has completed on a live link. */
  readonly linked: boolean
  readonly mclt: number
  /** Armed timers: name → due time. */
  readonly timers: Readonly<Partial<Record<TimerName, number>>>
}

export type Input =
  | { readonly kind: 'connected'; readonly at: number }
  | { readonly kind: 'disconnected'; readonly at: number }
  | { readonly kind: 'peer-state'; readonly at: number; readonly code: number; readonly startup: boolean }
  | { readonly kind: 'update-done'; readonly at: number }
  /** Fires every timer that is due at `at`. */
  | { readonly kind: 'tick'; readonly at: number }
  /** The driver's timer `name` fired (ignored if no longer armed). */
  | { readonly kind: 'timer'; readonly at: number; readonly name: TimerName }
  /**
   * Operator command (OMAPI `set local-state`, CLI partner-down, graceful shutdown): move to
   * `state`. `updatesPending` = the update queue is not empty; SHUTDOWN → RECOVER with the peer in
   * PARTNER-DOWN and nothing pending backdates STOS by MCLT (§3.3, §3.4 graceful shutdown).
   */
  | { readonly kind: 'command'; readonly at: number; readonly state: FailoverState; readonly updatesPending?: boolean }
  /** Secondary: the MCLT received in CONNECT (persisted as `mclt N;`). */
  | { readonly kind: 'mclt'; readonly at: number; readonly mclt: number }

export type LogEvent =
  | 'FAILOVER_STATE_CHANGE'
  | 'FAILOVER_PEER_STATE_CHANGE'
  | 'FAILOVER_BOTH_NORMAL'
  | 'FAILOVER_DISCONNECTED'
  | 'FAILOVER_REQUEST_FULL_UPDATE'
  | 'FAILOVER_PEER_UPDATE_COMPLETED'
  | 'FAILOVER_BOTH_RECOVER_DONE'
  | 'FAILOVER_INVALID_PEER_STATE'
  | 'FAILOVER_INVALID_TRANSITION'
  | 'FAILOVER_PANIC_NORMAL'
  | 'FAILOVER_UNEXPECTED_CONFLICT_DONE'
  | 'FAILOVER_SPURIOUS_UPDATE_DONE'
  | 'FAILOVER_SECONDARY_CONFLICT_DONE'
  | 'FAILOVER_INVALID_MOVE_IN_CONFLICT_DONE'
  | 'FAILOVER_SENDING_UPDATES'

export type Effect =
  /** Write + fsync the state block BEFORE anything else of this step is announced (§3.3, §3.5). */
  | { readonly kind: 'persist'; readonly record: FailoverPeerState }
  /** `text` is ISC's wording (§7.2). */
  | { readonly kind: 'log'; readonly level: 'info' | 'error' | 'fatal'; readonly event: LogEvent; readonly text: string }
  /** Send STATE: the (saved) state's server-state value, STARTUP flag, STOS (§1.5). */
  | { readonly kind: 'send-state'; readonly state: FailoverState; readonly code: number; readonly startup: boolean; readonly stos: number }
  | { readonly kind: 'arm-timer'; readonly name: TimerName; readonly at: number }
  | { readonly kind: 'cancel-timer'; readonly name: TimerName }
  /** Send UPDREQALL (`all`) or UPDREQ (§3.3.3). */
  | { readonly kind: 'request-updates'; readonly all: boolean }
  /** Leaving NORMAL / POTENTIAL-CONFLICT / PARTNER-DOWN (or CONFLICT-DONE losing the link): re-queue un-acked updates (§1.6). */
  | { readonly kind: 'requeue-unacked' }
  /** Entering NORMAL: queue every un-acked lease and every EXPIRED/RELEASED/RESET lease and send (§3.3). */
  | { readonly kind: 'send-pending-updates' }
  /** Run (or reschedule) pool balancing (§6.2). */
  | { readonly kind: 'rebalance-pools' }
  /** Entering PARTNER-DOWN: set tsfp = STOS + MCLT on EXPIRED/RELEASED/RESET leases, reschedule the pool timer (§3.3, §4.3). */
  | { readonly kind: 'partner-down-leases'; readonly stos: number; readonly mclt: number }
  /** dhcpd would log_fatal and exit here (§3.3.2, CONFLICT-DONE row). */
  | { readonly kind: 'exit'; readonly reason: string }

/** Creates the machine from the persisted block (undefined = none: RECOVER at `at`) and enters STARTUP (§3.2). */
export function startMachine(cfg: MachineConfig, persisted: FailoverPeerState | undefined, at: number): [Machine, Effect[]] {
  const saved = persisted && persisted.myState !== 'startup' ? persisted.myState : 'recover'
  const m: Machine = {
    state: saved,
    stos: persisted?.myStateAt ?? at,
    savedState: undefined,
    peerState: persisted?.partnerState ?? 'unknown-state',
    peerStateAt: persisted?.partnerStateAt ?? at,
    peerStartup: false,
    linked: false,
    mclt: cfg.role === 'secondary' && persisted?.mclt !== undefined ? persisted.mclt : cfg.mclt,
    timers: {},
  }
  const s = new Step(m, cfg)
  s.moveTo('startup', at)
  return s.done()
}

export function step(m: Machine, input: Input, cfg: MachineConfig): [Machine, Effect[]] {
  const s = new Step(m, cfg)
  switch (input.kind) {
    case 'connected':
      s.set({ linked: true })
      s.sendState()
      break
    case 'disconnected':
      s.set({ linked: false })
      s.log('info', 'FAILOVER_DISCONNECTED', `peer ${cfg.name}: disconnected`)
      s.communicationsFailed(input.at)
      break
    case 'peer-state':
      s.peerState(input.code, input.startup, input.at)
      break
    case 'update-done':
      s.updateDone(input.at)
      break
    case 'tick':
      for (const name of ['startup', 'recover-wait', 'auto-partner-down'] as const) {
        const due = s.m.timers[name]
        if (due !== undefined && due <= input.at) s.fire(name, input.at)
      }
      break
    case 'timer':
      if (s.m.timers[input.name] !== undefined) s.fire(input.name, input.at)
      break
    case 'command': {
      if (input.state === s.m.state || input.state === 'startup') break
      const backdate = s.m.state === 'shutdown' && input.state === 'recover' && s.m.peerState === 'partner-down' && input.updatesPending === false
      s.moveTo(input.state, input.at, backdate ? input.at - s.m.mclt : undefined)
      break
    }
    case 'mclt':
      if (input.mclt !== s.m.mclt) {
        s.set({ mclt: input.mclt })
        s.persist()
      }
      break
  }
  return s.done()
}

/** The state that counts for decisions: the saved one while in STARTUP. */
export function effectiveState(m: Machine): FailoverState {
  return m.state === 'startup' ? (m.savedState ?? 'recover') : m.state
}

/** The block to write in dhcpd.leases for `m` (§8.2): STARTUP is never written; mclt only on the secondary. */
export function persistedState(m: Machine, cfg: MachineConfig): FailoverPeerState {
  return {
    name: cfg.name,
    myState: effectiveState(m),
    myStateAt: m.stos,
    partnerState: m.peerState,
    partnerStateAt: m.peerStateAt,
    ...(cfg.role === 'secondary' ? { mclt: m.mclt } : {}),
  }
}

const REQUEUE_ON_LEAVE: ReadonlySet<FailoverState> = new Set<FailoverState>(['normal', 'potential-conflict', 'partner-down'])

/** One step's scratch: a working copy of the machine and the effects so far. */
class Step {
  m: Machine
  readonly effects: Effect[] = []
  constructor(m: Machine, private readonly cfg: MachineConfig) {
    this.m = m
  }

  done(): [Machine, Effect[]] {
    return [this.m, this.effects]
  }

  set(patch: Partial<Machine>): void {
    this.m = { ...this.m, ...patch }
  }

  log(level: 'info' | 'error' | 'fatal', event: LogEvent, text: string): void {
    this.effects.push({ kind: 'log', level, event, text })
  }

  persist(): void {
    this.effects.push({ kind: 'persist', record: persistedState(this.m, this.cfg) })
  }

  sendState(): void {
    if (!this.m.linked) return
    const startup = this.m.state === 'startup'
    const state = effectiveState(this.m)
    this.effects.push({ kind: 'send-state', state, code: stateCode(state), startup, stos: this.m.stos })
  }

  arm(name: TimerName, at: number): void {
    this.set({ timers: { ...this.m.timers, [name]: at } })
    this.effects.push({ kind: 'arm-timer', name, at })
  }

  cancel(name: TimerName): void {
    if (this.m.timers[name] === undefined) return
    const timers = { ...this.m.timers }
    delete timers[name]
    this.set({ timers })
    this.effects.push({ kind: 'cancel-timer', name })
  }

  /** A local transition with everything §3.3 attaches to it, in order. */
  moveTo(to: FailoverState, at: number, stos?: number): void {
    const from = this.m.state
    if (to === from) return
    const keepStos = to === 'startup' || from === 'startup' || to === 'recover-wait'
    this.set({
      state: to,
      stos: stos ?? (keepStos ? this.m.stos : at),
      savedState: to === 'startup' ? from : undefined,
    })
    this.persist()
    const name = this.cfg.name
    this.log('info', 'FAILOVER_STATE_CHANGE', `failover peer ${name}: I move from ${from} to ${to}`)
    if (to === 'normal' && this.m.peerState === 'normal') this.log('info', 'FAILOVER_BOTH_NORMAL', `failover peer ${name}: Both servers normal`)
    if (REQUEUE_ON_LEAVE.has(from)) this.effects.push({ kind: 'requeue-unacked' })
    this.sendState()
    this.cancel('auto-partner-down')
    if (from === 'startup') this.cancel('startup')
    if (from === 'recover-wait') this.cancel('recover-wait')
    this.enter(to, at)
  }

  /** Entry actions (§3.3 table). */
  private enter(to: FailoverState, at: number): void {
    switch (to) {
      case 'communications-interrupted':
        if (this.cfg.autoPartnerDown > 0) this.arm('auto-partner-down', at + this.cfg.autoPartnerDown)
        break
      case 'normal':
        this.effects.push({ kind: 'rebalance-pools' })
        this.log('info', 'FAILOVER_SENDING_UPDATES', `Sending updates to ${this.cfg.name}.`)
        this.effects.push({ kind: 'send-pending-updates' })
        break
      case 'potential-conflict':
        if (this.m.linked && (this.cfg.role === 'primary' || this.m.peerState === 'conflict-done')) {
          this.effects.push({ kind: 'request-updates', all: false })
        }
        break
      case 'startup':
        this.arm('startup', at + STARTUP_SECONDS)
        break
      case 'recover':
        if (this.m.linked) this.effects.push({ kind: 'request-updates', all: true })
        break
      case 'recover-wait': {
        const due = this.m.stos + this.m.mclt
        if (due <= at) this.moveTo('recover-done', at)
        else this.arm('recover-wait', due)
        break
      }
      case 'partner-down':
        this.effects.push({ kind: 'partner-down-leases', stos: this.m.stos, mclt: this.m.mclt })
        break
      default:
        break
    }
  }

  /** §3.3.1: TCP closed, receive timeout, or the STARTUP timer. */
  communicationsFailed(at: number): void {
    const local = effectiveState(this.m)
    let to: FailoverState = local
    if (local === 'normal') to = 'communications-interrupted'
    else if (local === 'potential-conflict' || local === 'unknown-state') to = 'resolution-interrupted'
    else if (local === 'conflict-done' && this.m.state !== 'startup') this.effects.push({ kind: 'requeue-unacked' })
    this.moveTo(to, at)
  }

  fire(name: TimerName, at: number): void {
    const timers = { ...this.m.timers }
    delete timers[name]
    this.set({ timers })
    switch (name) {
      case 'startup':
        if (this.m.state === 'startup') this.communicationsFailed(at)
        break
      case 'recover-wait':
        if (this.m.state === 'recover-wait') this.moveTo('recover-done', at)
        break
      case 'auto-partner-down':
        if (this.m.state === 'communications-interrupted') this.moveTo('partner-down', at)
        break
    }
  }

  /** §3.3.2. */
  peerState(code: number, startupFlag: boolean, at: number): void {
    const name = this.cfg.name
    const peer = stateFromCode(code)
    if (peer === undefined) {
      this.log('error', 'FAILOVER_INVALID_PEER_STATE', `failover peer ${name}: Invalid state: ${code}`)
      this.moveTo('shutdown', at)
      return
    }
    const inStartup = this.m.state === 'startup'
    const local = effectiveState(this.m)
    const previous = this.m.peerState
    if (peer === previous) {
      if (inStartup) {
        this.set({ peerStartup: startupFlag })
        this.moveTo(local === 'resolution-interrupted' ? 'potential-conflict' : local, at)
        return
      }
      if (IGNORE_REPEATED_PEER_STATE.has(local)) {
        this.set({ peerStartup: startupFlag })
        return
      }
    }
    this.set({ peerState: peer, peerStateAt: at, peerStartup: startupFlag })
    this.log('info', 'FAILOVER_PEER_STATE_CHANGE', `failover peer ${name}: peer moves from ${previous} to ${peer}`)
    this.persist()
    this.react(reactionFor(local, peer, startupFlag), peer, previous, inStartup, at)
    if (this.m.state === 'startup') this.moveTo(this.m.savedState ?? 'recover', at)
  }

  private react(r: Reaction, peer: FailoverState, previous: FailoverState, inStartup: boolean, at: number): void {
    const name = this.cfg.name
    switch (r.do) {
      case 'nothing':
        return
      case 'move':
        this.moveTo(r.to, at)
        return
      case 'move-unless-startup':
        this.moveTo(inStartup ? r.inStartup : r.to, at)
        return
      case 'invalid-transition':
        this.log('error', 'FAILOVER_INVALID_TRANSITION', `Peer ${name}: Invalid state transition ${previous} to ${peer}.`)
        this.moveTo('shutdown', at)
        return
      case 'panic':
        this.log('error', 'FAILOVER_PANIC_NORMAL', `Peer ${name} moves to normal during conflict resolution - panic, shutting down.`)
        this.moveTo('shutdown', at)
        return
      case 'request-all':
        if (inStartup) return
        if (r.log) this.log('info', 'FAILOVER_REQUEST_FULL_UPDATE', `failover peer ${name}: requesting full update from peer`)
        if (this.m.linked) this.effects.push({ kind: 'request-updates', all: true })
        return
      case 'request-if-peer-was-conflict':
        if (previous === 'potential-conflict') {
          if (this.m.linked) this.effects.push({ kind: 'request-updates', all: false })
        } else {
          this.log('error', 'FAILOVER_UNEXPECTED_CONFLICT_DONE', `Peer ${name}: Unexpected move to conflict-done.`)
        }
        return
      case 'fatal': {
        const text = `Peer ${name}: Invalid attempt to move from ${previous} to ${peer} while local state is conflict-done.`
        this.log('fatal', 'FAILOVER_INVALID_MOVE_IN_CONFLICT_DONE', text)
        this.effects.push({ kind: 'exit', reason: text })
        return
      }
      case 'rebalance':
        // [inferred] ISC's "Both servers normal" when the pair becomes NORMAL/NORMAL by the peer's move too
        if (previous !== 'normal') this.log('info', 'FAILOVER_BOTH_NORMAL', `failover peer ${name}: Both servers normal`)
        this.effects.push({ kind: 'rebalance-pools' })
        return
      case 'both-recover-done':
        this.log('info', 'FAILOVER_BOTH_RECOVER_DONE', 'Both servers have entered recover-done!')
        this.moveTo('normal', at)
        return
    }
  }

  /** §3.3.3: the peer finished answering our UPDREQ/UPDREQALL. */
  updateDone(at: number): void {
    const name = this.cfg.name
    switch (this.m.state) {
      case 'recover': {
        this.log('info', 'FAILOVER_PEER_UPDATE_COMPLETED', `failover peer ${name}: peer update completed.`)
        const waiting = this.m.stos + this.m.mclt > at && this.m.peerState !== 'recover' && this.m.peerState !== 'recover-done'
        this.moveTo(waiting ? 'recover-wait' : 'recover-done', at)
        return
      }
      case 'potential-conflict':
        this.log('info', 'FAILOVER_PEER_UPDATE_COMPLETED', `failover peer ${name}: peer update completed.`)
        if (this.m.peerState === 'conflict-done') {
          if (this.cfg.role === 'secondary') this.moveTo('normal', at)
          else {
            this.log('error', 'FAILOVER_SECONDARY_CONFLICT_DONE', 'Secondary is in conflict_done state after conflict resolution, this is illegal.')
            this.moveTo('shutdown', at)
          }
        } else if (this.cfg.role === 'primary') {
          this.moveTo('conflict-done', at)
        } else {
          this.log('error', 'FAILOVER_SPURIOUS_UPDATE_DONE', 'Spurious update-done message.')
        }
        return
      case 'conflict-done':
        this.log('error', 'FAILOVER_SPURIOUS_UPDATE_DONE', 'Spurious update-done message.')
        return
      default:
        return
    }
  }
}
