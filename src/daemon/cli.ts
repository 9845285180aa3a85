/**
 * The `hadhcpd` command: parses dhcpd-style flags and dispatches to the check commands or the
 * server. Returns the process exit status; never calls process.exit itself.
 */
import { parseArgs, USAGE } from './args.js'
import { runConfigCheck, runLeaseCheck, runModelDump } from './check.js'
import { runServer } from './server.js'
import { runPartnerDown } from './partner-down-command.js'
import { DhcpdError } from '../lib/errors.js'
import { VERSION } from './version.js'
import { runCtl } from './ctl.js'


export async function main(argv: readonly string[]): Promise<number> {
  let req
  try {
    req = parseArgs(argv)
  } catch (err) {
    if (err instanceof DhcpdError) {
      process.stderr.write(`hadhcpd: ${err.message}\n\n${USAGE}`)
      return 2
    }
    throw err
  }
  for (const note of req.notes) process.stderr.write(`hadhcpd: note: ${note}\n`)
  switch (req.mode) {
    case 'help':
      process.stdout.write(USAGE)
      return 0
    case 'version':
      process.stdout.write(`hadhcpd ${VERSION}\n`)
      return 0
    case 'test-config':
      return runConfigCheck(req)
    case 'test-leases':
      return runLeaseCheck(req)
    case 'check':
      return runModelDump(req)
    case 'partner-down':
      return runPartnerDown(req)
    case 'serve':
      return runServer(req)
    case 'ctl':
      return runCtl(req.ctlArgs, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) })
  }
}
