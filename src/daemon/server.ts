/**
 * Serve mode: composes transports, engine, lease store and journal, and runs until SIGTERM.
 */
import type { CliRequest } from './args.js'

export async function runServer(_req: CliRequest): Promise<number> {
  process.stderr.write('hadhcpd: serving DHCP is not available in this build yet; use -t to check a configuration\n')
  return 2
}
