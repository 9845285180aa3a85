/**
 * keepalived.conf loading for `--vrrp-config FILE`: parse (with includes), compile, and
 * throw ConfigError with every diagnostic when anything is an error, so `hadhcpd -t` renders
 * keepalived.conf problems exactly as it renders dhcpd.conf ones (config/render.ts).
 */
import { ConfigError } from '../../lib/errors.js'
import type { KeepalivedLoadResult } from './model.js'
import { parseKeepalived, type KeepalivedReader } from './parser.js'
import { compileKeepalived } from './semantic.js'

export type { KeepalivedConfig, KeepalivedLoadResult, VirtualAddress, VrrpInstance, VrrpGlobals, TrackedInterface } from './model.js'
export type { KeepalivedReader } from './parser.js'

/** Loads `file` through `reader`. Returns the config and its warnings; throws ConfigError on any error. */
export function loadKeepalivedConfig(file: string, reader: KeepalivedReader): KeepalivedLoadResult {
  const parsed = parseKeepalived(file, reader)
  const compiled = compileKeepalived(parsed.statements, parsed.files)
  const diagnostics = [...parsed.diagnostics, ...compiled.diagnostics]
  if (!compiled.config || diagnostics.some((d) => d.severity === 'error')) throw new ConfigError(diagnostics)
  return { config: compiled.config, warnings: diagnostics }
}
