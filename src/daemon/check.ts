/**
 * `-t`, `-T` and `check`: compile a configuration or validate a lease file and report.
 */
import type { CliRequest } from './args.js'

export async function runConfigCheck(req: CliRequest): Promise<number> {
  process.stderr.write(`hadhcpd: cannot check ${req.configFile} yet\n`)
  return 2
}

export async function runLeaseCheck(req: CliRequest): Promise<number> {
  process.stderr.write(`hadhcpd: cannot check ${req.leaseFile} yet\n`)
  return 2
}

export async function runModelDump(req: CliRequest): Promise<number> {
  process.stderr.write(`hadhcpd: cannot compile ${req.configFile} yet\n`)
  return 2
}
