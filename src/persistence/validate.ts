/**
 * `hadhcpd -T -lf FILE`: check a lease file without starting the server.
 * Messages read `FILE:LINE:COL: message`.
 */
import type { LeaseFileSystem } from './file-system.js'
import { LeaseFileParser } from './lease-file-parse.js'
import { nodeFileSystem } from './node-file-system.js'

export interface LeaseFileReport {
  /** Lease records read (every block, before last-wins). */
  readonly leases: number
  /** Failover state blocks read. */
  readonly peers: number
  readonly warnings: string[]
  readonly errors: string[]
}

/** Parses the whole file and reports; never throws for bad content (only for I/O errors). */
export async function validateLeaseFile(path: string, fs: LeaseFileSystem = nodeFileSystem): Promise<LeaseFileReport> {
  const warnings: string[] = []
  const errors: string[] = []
  const parser = new LeaseFileParser({
    onDiagnostic(d) {
      const line = `${path}:${d.line}:${d.col}: ${d.message}`
      if (d.severity === 'error') errors.push(line)
      else warnings.push(line)
    },
  })
  try {
    for await (const chunk of fs.read(path)) parser.push(chunk)
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ENOENT') throw e
    errors.push(`${path}: no such file`)
    return { leases: 0, peers: 0, warnings, errors }
  }
  const summary = parser.end()
  if (summary.torn !== undefined) {
    warnings.push(
      `${path}:${summary.torn.line}:${summary.torn.col}: file ends inside a record ` +
        `(${summary.torn.bytes} bytes, an interrupted write); it will be dropped on load`,
    )
  }
  return { leases: summary.leases, peers: summary.peerStates, warnings, errors }
}
