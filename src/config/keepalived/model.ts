/**
 * keepalived.conf as hadhcpd uses it: the `vrrp_instance` blocks, validated and with
 * keepalived 2.2.7's defaults applied (see semantic.ts for each rule). Immutable; every value
 * keeps the location of the line that set it where a later error may need to point at it.
 */
import type { Diagnostic, SourceLocation } from '../../lib/errors.js'

/** One `virtual_ipaddress` line: `10.223.0.246/32 dev eth2 label eth2:vip`. */
export interface VirtualAddress {
  readonly address: number
  /** /prefix as written; keepalived's default is 32. */
  readonly prefix: number
  readonly dev: string | undefined
  readonly label: string | undefined
  readonly loc: SourceLocation
}

export interface TrackedInterface {
  readonly name: string
  /** `weight N` (−253..253); undefined: the instance goes to FAULT when the interface is down. */
  readonly weight: number | undefined
  readonly loc: SourceLocation
}

export interface VrrpInstance {
  /** `vrrp_instance VI_1 {` → `VI_1`. */
  readonly name: string
  readonly loc: SourceLocation
  /** `state MASTER|BACKUP` as configured (keepalived 2.2.7 still starts in BACKUP unless priority 255). */
  readonly initialState: 'MASTER' | 'BACKUP'
  readonly interface: string
  readonly virtualRouterId: number
  /** 1..255; default 255 with `state MASTER`, else 100 (keepalived `vrrp_complete_instance`). */
  readonly priority: number
  /** Milliseconds; v2 whole seconds, v3 multiples of 10 ms. Default 1 s. */
  readonly advertIntervalMs: number
  readonly version: 2 | 3
  /** false after `nopreempt` (cleared with a warning for `state MASTER` or priority 255, as keepalived does). */
  readonly preempt: boolean
  readonly preemptDelayMs: number
  /** PASS password (≤ 8 characters); undefined without authentication and always for v3. */
  readonly authPass: string | undefined
  readonly virtualAddresses: readonly VirtualAddress[]
  readonly unicastSrcIp: number | undefined
  readonly unicastPeers: readonly number[]
  readonly garpMasterDelayMs: number
  readonly garpMasterRepeat: number
  readonly garpMasterRefreshMs: number
  readonly garpMasterRefreshRepeat: number
  readonly trackInterfaces: readonly TrackedInterface[]
  /** The instance's own `interface` is tracked (down → FAULT); false after `dont_track_primary`. */
  readonly trackPrimary: boolean
}

/** Values from `global_defs` that instances inherit. */
export interface VrrpGlobals {
  readonly vrrpVersion: 2 | 3
  readonly garpMasterDelayMs: number
  readonly garpMasterRepeat: number
  readonly garpMasterRefreshMs: number
  readonly garpMasterRefreshRepeat: number
}

/** keepalived 2.2.7's global defaults. */
export const DEFAULT_VRRP_GLOBALS: VrrpGlobals = {
  vrrpVersion: 2,
  garpMasterDelayMs: 5000,
  garpMasterRepeat: 5,
  garpMasterRefreshMs: 0,
  garpMasterRefreshRepeat: 1,
}

export interface KeepalivedConfig {
  readonly instances: readonly VrrpInstance[]
  readonly globals: VrrpGlobals
  /** Every file read, main file first, in read order. */
  readonly files: readonly string[]
}

/** A loaded config and the warnings met on the way (errors throw ConfigError instead). */
export interface KeepalivedLoadResult {
  readonly config: KeepalivedConfig
  readonly warnings: readonly Diagnostic[]
}
