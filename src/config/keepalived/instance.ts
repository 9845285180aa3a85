/**
 * One `vrrp_instance NAME { … }` block → VrrpInstance, with keepalived 2.2.7's defaults and
 * the checks and corrections of its `vrrp_complete_instance` (same wording, `(VI_1)` prefix):
 * priority from the state when unset, nopreempt / preempt_delay cleared for `state MASTER`,
 * advert_int rounded to what the version can carry, v3 ignoring authentication, auth_pass
 * truncated to 8 characters.
 */
import type { SourceLocation } from '../../lib/errors.js'
import type { Statement, Word } from './ast.js'
import { IGNORED, SUPPORTED, UNSUPPORTED } from './keywords.js'
import { trackedInterface, virtualAddress } from './lists.js'
import type { TrackedInterface, VirtualAddress, VrrpGlobals, VrrpInstance } from './model.js'
import { Reporter, extraArgs, intValue, ipValue, secondsMicros, splitByArity, wantBlock } from './values.js'

const ALL_KNOWN = [...SUPPORTED.keys(), ...IGNORED.keys(), ...UNSUPPORTED.keys()]
const AUTH_ARITY = new Map([['auth_type', 1], ['auth_pass', 1]])
const MAX_PREEMPT_DELAY_S = 1000
const US_PER_S = 1_000_000
const US_PER_CS = 10_000

interface Draft {
  state?: { value: 'MASTER' | 'BACKUP'; loc: SourceLocation }
  iface?: string
  vrid?: number | undefined
  /** virtual_router_id was written (even with a bad value, already reported). */
  vridSeen?: boolean
  priority?: number | undefined
  advertUs?: { value: number; loc: SourceLocation }
  nopreempt?: SourceLocation
  preemptDelayUs?: { value: number; loc: SourceLocation }
  version?: 2 | 3
  authType?: { value: 'PASS'; loc: SourceLocation }
  authPass?: string
  vips: VirtualAddress[]
  vipsSeen: boolean
  unicastSrcIp?: number | undefined
  unicastPeers: number[]
  garpDelayMs?: number | undefined
  garpRepeat?: number | undefined
  garpRefreshMs?: number | undefined
  garpRefreshRepeat?: number | undefined
  tracks: TrackedInterface[]
  dontTrackPrimary?: boolean
}

/** Compiles one instance; returns undefined when it has errors (all reported). */
export function compileInstance(r: Reporter, s: Statement, globals: VrrpGlobals): VrrpInstance | undefined {
  const errorsBefore = r.diagnostics.filter((d) => d.severity === 'error').length
  const nameWord = s.args[0]
  if (!nameWord) return r.error(s.loc, 'vrrp_instance needs a name', 'vrrp_instance VI_1 { … }')
  extraArgs(r, s, 1)
  if (!wantBlock(r, s, true)) return undefined
  const name = nameWord.text
  const tag = `(${name})`
  const d: Draft = { vips: [], vipsSeen: false, unicastPeers: [], tracks: [] }
  const arity = new Map([...SUPPORTED].filter(([, n]) => n >= 0))
  for (const st of splitByArity(s.block ?? [], arity)) keyword(r, st, d, tag)

  // vrrp_complete_instance, in keepalived's order.
  const version = d.version ?? globals.vrrpVersion
  if (d.iface === undefined) r.error(s.loc, `${tag} no interface specified`, 'interface eth0')
  if (d.vrid === undefined && !d.vridSeen) r.error(s.loc, `${tag} the virtual router id must be set`, 'virtual_router_id 51')
  if (d.vips.length === 0 && !d.vipsSeen) {
    if (version === 3) r.error(s.loc, `${tag} No VIP specified; at least one is required`)
    else r.warn(s.loc, `${tag} No VIP specified; hadhcpd will hold no address for this instance`)
  }
  const initialState = d.state?.value ?? (d.priority === 255 ? 'MASTER' : 'BACKUP')
  const priority = d.priority ?? (initialState === 'MASTER' ? 255 : 100)
  let authPass: string | undefined
  if (d.authType) {
    if (version === 3) r.warn(d.authType.loc, `${tag} VRRP version 3 does not support authentication. Ignoring.`)
    else if (d.authPass === undefined || d.authPass === '') r.warn(d.authType.loc, `${tag} Authentication specified but no password given. Ignoring`)
    else authPass = d.authPass
  }
  let preempt = d.nopreempt === undefined
  if (!preempt && priority === 255) {
    r.warn(d.nopreempt!, `${tag} nopreempt is incompatible with priority 255 - resetting nopreempt`)
    preempt = true
  }
  let preemptDelayUs = d.preemptDelayUs?.value ?? 0
  if (initialState === 'MASTER') {
    if (!preempt) r.warn(d.nopreempt!, `${tag} Warning - nopreempt will not work with initial state MASTER - clearing`)
    preempt = true
    if (preemptDelayUs > 0) r.warn(d.preemptDelayUs!.loc, `${tag} Warning - preempt delay will not work with initial state MASTER - clearing`)
    preemptDelayUs = 0
  }
  if (preemptDelayUs > 0 && !preempt) {
    r.warn(d.preemptDelayUs!.loc, `${tag} preempt_delay is incompatible with nopreempt mode - resetting`)
    preemptDelayUs = 0
  }
  const advertIntervalMs = advertInterval(r, d.advertUs, version, tag) / 1000

  if (r.diagnostics.filter((x) => x.severity === 'error').length > errorsBefore) return undefined
  return {
    name, loc: s.loc, initialState, interface: d.iface!, virtualRouterId: d.vrid!, priority, advertIntervalMs, version,
    preempt, preemptDelayMs: preemptDelayUs / 1000, authPass, virtualAddresses: d.vips,
    unicastSrcIp: d.unicastSrcIp, unicastPeers: d.unicastPeers,
    garpMasterDelayMs: d.garpDelayMs ?? globals.garpMasterDelayMs,
    garpMasterRepeat: d.garpRepeat ?? globals.garpMasterRepeat,
    garpMasterRefreshMs: d.garpRefreshMs ?? globals.garpMasterRefreshMs,
    garpMasterRefreshRepeat: d.garpRefreshRepeat ?? globals.garpMasterRefreshRepeat,
    trackInterfaces: d.tracks,
    trackPrimary: d.dontTrackPrimary !== true,
  }
}

/** keepalived's advert_int limits and rounding per version; returns microseconds. */
function advertInterval(r: Reporter, given: Draft['advertUs'], version: 2 | 3, tag: string): number {
  if (!given) return US_PER_S
  let us = given.value
  const secs = (n: number, digits: number): string => (n / US_PER_S).toFixed(digits)
  if (version === 2) {
    if (us >= 256 * US_PER_S) {
      r.warn(given.loc, `${tag} VRRPv2 advertisement interval ${secs(us, 2)}s is out of range. Must be less than 256s. Setting to 255s`)
      return 255 * US_PER_S
    }
    if (us % US_PER_S !== 0) {
      r.warn(given.loc, `${tag} VRRPv2 advertisement interval ${secs(us, 6)}s must be an integer - rounding`)
      us += US_PER_S / 2
      us -= us % US_PER_S
      return us === 0 ? US_PER_S : us
    }
    return us
  }
  if (us >= 4096 * US_PER_CS) {
    r.warn(given.loc, `${tag} VRRPv3 advertisement interval ${secs(us, 2)}s is out of range. Must be less than 40.96s. Setting to 40.95s`)
    return 4095 * US_PER_CS
  }
  if (us % US_PER_CS !== 0) {
    r.warn(given.loc, `${tag} VRRPv3 advertisement interval ${secs(us, 6)}s must be in units of 10ms - rounding`)
    us += US_PER_CS / 2
    us -= us % US_PER_CS
    return us === 0 ? US_PER_CS : us
  }
  return us
}

function keyword(r: Reporter, s: Statement, d: Draft, tag: string): void {
  const k = s.keyword.text
  const a = s.args[0]
  const n = SUPPORTED.get(k)
  if (n === undefined) {
    const ignored = IGNORED.get(k)
    if (ignored !== undefined) return r.warn(s.loc, `${tag} ${k} is not supported by hadhcpd; ignored`, ignored)
    const unsupported = UNSUPPORTED.get(k)
    if (unsupported !== undefined) {
      r.error(s.loc, `${tag} ${k} is not supported by hadhcpd`, unsupported)
      return
    }
    r.unknown(s.keyword, `vrrp_instance`, ALL_KNOWN)
    return
  }
  if (!wantBlock(r, s, n < 0)) return
  if (n >= 0) extraArgs(r, s, n)
  switch (k) {
    case 'state':
      if (a && (a.text === 'MASTER' || a.text === 'BACKUP')) d.state = { value: a.text, loc: a.loc }
      else if (a) r.error(a.loc, `${tag} unknown state ${a.text}`, 'state MASTER or state BACKUP')
      else r.error(s.loc, 'state needs MASTER or BACKUP')
      return
    case 'interface':
      if (a) d.iface = a.text
      else r.error(s.loc, 'interface needs a name')
      return
    case 'virtual_router_id':
      d.vridSeen = true
      d.vrid = intValue(r, a, s, 1, 255, `${tag} VRID`) ?? d.vrid
      return
    case 'priority':
      d.priority = intValue(r, a, s, 1, 255, `${tag} Priority`) ?? d.priority
      return
    case 'advert_int': {
      const us = secondsMicros(r, a, s, `${tag} advert_int`)
      if (us !== undefined && a) d.advertUs = { value: us, loc: a.loc }
      return
    }
    case 'nopreempt':
      d.nopreempt = s.loc
      return
    case 'preempt_delay': {
      const us = secondsMicros(r, a, s, `${tag} preempt_delay`, true)
      if (us !== undefined && us > MAX_PREEMPT_DELAY_S * US_PER_S) r.error(a!.loc, `${tag} preempt_delay not valid! must be between 0-${MAX_PREEMPT_DELAY_S}`)
      else if (us !== undefined) d.preemptDelayUs = { value: us, loc: s.loc }
      return
    }
    case 'version':
    case 'vrrp_version': {
      const v = intValue(r, a, s, 2, 3, `${tag} VRRP version`)
      if (v === 2 || v === 3) d.version = v
      return
    }
    case 'unicast_src_ip':
    case 'mcast_src_ip':
      d.unicastSrcIp = ipValue(r, a, s, k) ?? d.unicastSrcIp
      return
    case 'garp_master_delay':
      d.garpDelayMs = secondsInt(r, a, s, tag) ?? d.garpDelayMs
      return
    case 'garp_master_refresh':
      d.garpRefreshMs = secondsInt(r, a, s, tag) ?? d.garpRefreshMs
      return
    case 'garp_master_repeat':
      d.garpRepeat = intValue(r, a, s, 0, 1_000_000, `${tag} garp_master_repeat`) ?? d.garpRepeat
      return
    case 'garp_master_refresh_repeat':
      d.garpRefreshRepeat = intValue(r, a, s, 0, 1_000_000, `${tag} garp_master_refresh_repeat`) ?? d.garpRefreshRepeat
      return
    case 'authentication':
      return authentication(r, s, d, tag)
    case 'virtual_ipaddress':
      d.vipsSeen = true
      for (const line of s.block ?? []) {
        const vip = virtualAddress(r, line, tag)
        if (vip) d.vips.push(vip)
      }
      return
    case 'unicast_peer':
      for (const line of s.block ?? []) {
        const ip = ipValue(r, line.keyword, line, 'unicast_peer')
        if (ip !== undefined) d.unicastPeers.push(ip)
        const extra = line.args[0]
        if (extra) r.warn(extra.loc, `${tag} unicast_peer option \`${extra.text}\` is not supported; ignored`)
      }
      return
    case 'dont_track_primary':
      d.dontTrackPrimary = true
      return
    case 'track_interface':
      for (const line of s.block ?? []) {
        const t = trackedInterface(r, line, tag)
        if (t) d.tracks.push(t)
      }
      return
  }
}

/** Whole seconds (garp_master_delay, garp_master_refresh) → ms. */
function secondsInt(r: Reporter, a: Word | undefined, s: Statement, tag: string): number | undefined {
  const n = intValue(r, a, s, 0, 86_400, `${tag} ${s.keyword.text}`)
  return n === undefined ? undefined : n * 1000
}

function authentication(r: Reporter, s: Statement, d: Draft, tag: string): void {
  for (const st of splitByArity(s.block ?? [], AUTH_ARITY)) {
    const a = st.args[0]
    if (st.keyword.text === 'auth_type') {
      extraArgs(r, st, 1)
      if (a?.text === 'PASS') d.authType = { value: 'PASS', loc: st.loc }
      else if (a?.text === 'AH') r.error(a.loc, `${tag} auth_type AH is not supported by hadhcpd`, 'use auth_type PASS, or VRRP version 3 without authentication')
      else r.error(a?.loc ?? st.loc, `${tag} unknown authentication type ${a?.text ?? ''}`.trimEnd(), 'auth_type PASS')
    } else if (st.keyword.text === 'auth_pass') {
      extraArgs(r, st, 1)
      if (!a) {
        r.error(st.loc, 'auth_pass needs a password')
        continue
      }
      if (a.text.length > 8) r.warn(a.loc, 'Truncating auth_pass to 8 characters', `keepalived sends "${a.text.slice(0, 8)}"`)
      d.authPass = a.text.slice(0, 8)
    } else {
      r.unknown(st.keyword, 'authentication', AUTH_ARITY.keys())
    }
  }
}
