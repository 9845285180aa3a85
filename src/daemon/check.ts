/**
 * `-t`, `-T` and `check`: compile a configuration or validate a lease file and report, the
 * way `dhcpd -t` / `dhcpd -T` do (silent success with -q, every error with its location).
 */
import { readFileSync } from 'node:fs'
import type { CliRequest } from './args.js'
import { readConfigFile, renderDiagnostics, summarizeConfig, applyRootMap } from '../config/index.js'
import type { CompileResult, ServerConfig } from '../config/index.js'
import { ConfigError } from '../lib/errors.js'
import { describeConfig } from './describe-config.js'
import { validateLeaseFile } from '../persistence/validate.js'
import { loadVrrpConfig } from './vrrp-config-load.js'

export interface Output {
  out(text: string): void
  err(text: string): void
}

const processOutput: Output = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
}

/** Compiles the request's config, printing diagnostics. Returns undefined when it is invalid. */
export function compileForCli(req: CliRequest, io: Output = processOutput): CompileResult | undefined {
  const sourceOf = (file: string): string | undefined => {
    try {
      return readFileSync(applyRootMap(file, req.pathMap), 'utf8')
    } catch {
      return undefined
    }
  }
  try {
    const result = readConfigFile(req.configFile, { rootMap: req.pathMap })
    if (result.warnings.length > 0) io.err(renderDiagnostics(result.warnings, sourceOf) + '\n')
    return result
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    io.err(renderDiagnostics(err.diagnostics, sourceOf) + '\n')
    const errors = err.diagnostics.filter((d) => d.severity === 'error').length
    io.err(`${errors} error${errors === 1 ? '' : 's'} in ${req.configFile}\n`)
    io.err('Configuration file errors encountered -- exiting\n')
    return undefined
  }
}

export async function runConfigCheck(req: CliRequest, io: Output = processOutput): Promise<number> {
  const result = compileForCli(req, io)
  if (result && !req.quiet) io.err(`${req.configFile}: OK — ${oneLineSummary(result.config)}\n`)
  const vrrpOk = req.vrrpConfigFile === undefined ? true : checkVrrpConfig(req.vrrpConfigFile, req, io)
  return result && vrrpOk ? 0 : 1
}

/** `-t` with `--vrrp-config FILE`: keepalived.conf rendered exactly like dhcpd.conf problems. */
export function checkVrrpConfig(file: string, req: CliRequest, io: Output = processOutput): boolean {
  const r = loadVrrpConfig(file, req.pathMap)
  if (!r.ok) {
    io.err(r.errors + '\n')
    io.err(`${r.errorCount} error${r.errorCount === 1 ? '' : 's'} in ${file}\n`)
    io.err('Configuration file errors encountered -- exiting\n')
    return false
  }
  if (r.warnings !== '') io.err(r.warnings + '\n')
  if (!req.quiet) {
    const n = r.config.instances.length
    const vips = r.config.instances.reduce((a, i) => a + i.virtualAddresses.length, 0)
    io.err(`${file}: OK — ${n} vrrp_instance${n === 1 ? '' : 's'} (${r.config.instances.map((i) => `${i.name} VRID ${i.virtualRouterId} v${i.version}`).join(', ')}), ${vips} virtual address${vips === 1 ? '' : 'es'}\n`)
  }
  return true
}

export async function runModelDump(req: CliRequest, io: Output = processOutput): Promise<number> {
  const result = compileForCli(req, io)
  if (!result) return 1
  if (req.json) io.out(JSON.stringify(summarizeConfig(result.config), null, 2) + '\n')
  else io.out(describeConfig(result.config))
  return 0
}

export async function runLeaseCheck(req: CliRequest, io: Output = processOutput): Promise<number> {
  const report = await validateLeaseFile(req.leaseFile)
  for (const w of report.warnings) io.err(`warning: ${w}\n`)
  for (const e of report.errors) io.err(`${e}\n`)
  if (report.errors.length > 0) {
    io.err(`${report.errors.length} error${report.errors.length === 1 ? '' : 's'} in ${req.leaseFile}\n`)
    return 1
  }
  if (!req.quiet) {
    io.err(`${req.leaseFile}: OK — ${plural(report.leases, 'lease record')}, ${plural(report.peers, 'failover state block')}\n`)
  }
  return 0
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`
}

export function oneLineSummary(config: ServerConfig): string {
  let pools = 0
  let ranges = 0
  let addresses = 0
  for (const subnet of config.subnets) {
    for (const pool of subnet.pools) {
      pools++
      for (const r of pool.ranges) {
        ranges++
        addresses += r.size
      }
    }
  }
  const parts = [
    plural(config.subnets.length, 'subnet'),
    plural(pools, 'pool'),
    `${plural(ranges, 'range')} (${plural(addresses, 'address').replace('addresss', 'addresses')})`,
    plural(config.hosts.length, 'host'),
    plural(config.failoverPeers.size, 'failover peer'),
  ]
  if (config.warnings.length > 0) parts.push(plural(config.warnings.length, 'warning'))
  return parts.join(', ')
}
