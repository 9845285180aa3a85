/**
 * Statement tree → KeepalivedConfig. Top level: `global_defs` (the VRRP defaults instances
 * inherit) and `vrrp_instance` blocks. Every other keepalived section is reported at its
 * file:line:col, never dropped silently: an error when it would change VRRP behaviour
 * hadhcpd does not implement (sync groups, scripts), a warning when it has nothing to do
 * with holding the service address (LVS virtual servers, static addresses).
 */
import type { Diagnostic } from '../../lib/errors.js'
import type { Statement } from './ast.js'
import { compileInstance } from './instance.js'
import { DEFAULT_VRRP_GLOBALS, type KeepalivedConfig, type VrrpGlobals, type VrrpInstance } from './model.js'
import { Reporter, extraArgs, intValue, wantBlock } from './values.js'

/** Sections that change VRRP behaviour: errors. */
const UNSUPPORTED_SECTIONS = new Map<string, string>([
  ['vrrp_sync_group', 'each vrrp_instance moves on its own; hadhcpd ties the address to its DHCP health instead'],
  ['vrrp_script', 'hadhcpd lowers the priority from its own DHCP health instead of scripts'],
  ['vrrp_track_process', 'hadhcpd lowers the priority from its own DHCP health instead'],
  ['vrrp_track_file', 'hadhcpd lowers the priority from its own DHCP health instead'],
  ['track_file', 'hadhcpd lowers the priority from its own DHCP health instead'],
  ['bfd_instance', 'BFD is not implemented'],
])

/** Sections unrelated to the service address: warnings. */
const IGNORED_SECTIONS = new Map<string, string>([
  ['virtual_server', 'LVS load balancing is keepalived\'s checker, not VRRP'],
  ['virtual_server_group', 'LVS load balancing is keepalived\'s checker, not VRRP'],
  ['static_ipaddress', 'manage static addresses outside hadhcpd'],
  ['static_routes', 'manage static routes outside hadhcpd'],
  ['static_rules', 'manage static rules outside hadhcpd'],
  ['garp_group', 'gratuitous ARP groups are not implemented'],
  ['linkbeat_use_polling', 'link state comes from the DHCP transport'],
  ['net_namespace', 'run hadhcpd inside the namespace instead'],
])

const GLOBAL_SUPPORTED = ['vrrp_version', 'vrrp_garp_master_delay', 'vrrp_garp_master_repeat', 'vrrp_garp_master_refresh', 'vrrp_garp_master_refresh_repeat']
/** global_defs keywords that change VRRP behaviour: errors. */
const GLOBAL_UNSUPPORTED = new Map<string, string>([
  ['vrrp_strict', 'strict mode is not implemented'],
  ['vrrp_skip_check_adv_addr', 'hadhcpd always checks the address list, as keepalived does by default'],
  ['vrrp_check_unicast_src', 'hadhcpd always checks unicast sources against unicast_peer'],
])

export interface CompileOutput {
  readonly config: KeepalivedConfig | undefined
  readonly diagnostics: readonly Diagnostic[]
}

export function compileKeepalived(statements: readonly Statement[], files: readonly string[]): CompileOutput {
  const r = new Reporter()
  let globals = DEFAULT_VRRP_GLOBALS
  const instanceStatements: Statement[] = []
  for (const s of statements) {
    const k = s.keyword.text
    if (k === 'global_defs') {
      if (wantBlock(r, s, true)) globals = globalDefs(r, s, globals)
    } else if (k === 'vrrp_instance') {
      instanceStatements.push(s)
    } else if (UNSUPPORTED_SECTIONS.has(k)) {
      r.error(s.loc, `${k} is not supported by hadhcpd`, UNSUPPORTED_SECTIONS.get(k))
    } else if (IGNORED_SECTIONS.has(k)) {
      r.warn(s.loc, `${k} is not supported by hadhcpd; ignored`, IGNORED_SECTIONS.get(k))
    } else {
      r.unknown(s.keyword, 'keepalived.conf', ['global_defs', 'vrrp_instance', ...UNSUPPORTED_SECTIONS.keys(), ...IGNORED_SECTIONS.keys()])
    }
  }
  const instances: VrrpInstance[] = []
  for (const s of instanceStatements) {
    const inst = compileInstance(r, s, globals)
    if (!inst) continue
    const sameName = instances.find((i) => i.name === inst.name)
    const sameVrid = instances.find((i) => i.interface === inst.interface && i.virtualRouterId === inst.virtualRouterId && i.version === inst.version)
    if (sameName) r.error(inst.loc, `vrrp_instance ${inst.name} is defined twice`, `first at ${sameName.loc.file}:${sameName.loc.line}`)
    else if (sameVrid) r.error(inst.loc, `(${inst.name}) VRID ${inst.virtualRouterId} is used by more than one instance on interface ${inst.interface}`, `also ${sameVrid.name}`)
    else instances.push(inst)
  }
  if (instanceStatements.length === 0) r.warn({ file: files[0] ?? 'keepalived.conf', line: 1, col: 1 }, 'no vrrp_instance in the configuration')
  const failed = r.diagnostics.some((d) => d.severity === 'error')
  return { config: failed ? undefined : { instances, globals, files }, diagnostics: r.diagnostics }
}

function globalDefs(r: Reporter, s: Statement, g: VrrpGlobals): VrrpGlobals {
  extraArgs(r, s, 0)
  let out = g
  for (const st of s.block ?? []) {
    const k = st.keyword.text
    const a = st.args[0]
    switch (k) {
      case 'vrrp_version': {
        const v = intValue(r, a, st, 2, 3, 'vrrp_version')
        if (v === 2 || v === 3) out = { ...out, vrrpVersion: v }
        break
      }
      case 'vrrp_garp_master_delay': {
        const v = intValue(r, a, st, 0, 86_400, k)
        if (v !== undefined) out = { ...out, garpMasterDelayMs: v * 1000 }
        break
      }
      case 'vrrp_garp_master_repeat': {
        const v = intValue(r, a, st, 0, 1_000_000, k)
        if (v !== undefined) out = { ...out, garpMasterRepeat: v }
        break
      }
      case 'vrrp_garp_master_refresh': {
        const v = intValue(r, a, st, 0, 86_400, k)
        if (v !== undefined) out = { ...out, garpMasterRefreshMs: v * 1000 }
        break
      }
      case 'vrrp_garp_master_refresh_repeat': {
        const v = intValue(r, a, st, 0, 1_000_000, k)
        if (v !== undefined) out = { ...out, garpMasterRefreshRepeat: v }
        break
      }
      default:
        if (GLOBAL_UNSUPPORTED.has(k)) r.error(st.loc, `global_defs ${k} is not supported by hadhcpd`, GLOBAL_UNSUPPORTED.get(k))
        else r.warn(st.loc, `global_defs ${k} is not used by hadhcpd; ignored`, GLOBAL_SUPPORTED.includes(k) ? undefined : 'hadhcpd reads vrrp_version and vrrp_garp_master_* here')
        continue
    }
    if (GLOBAL_SUPPORTED.includes(k)) extraArgs(r, st, 1)
  }
  return out
}
