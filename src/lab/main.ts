/**
 * Entry point of `npm run lab` (dist/src/lab/main.js): checks root and tools, runs the narrated
 * HA lab (ha-lab.ts), then stays up until the duration ends or Ctrl-C. Everything is removed on
 * normal exit, Ctrl-C, SIGTERM and errors; leftovers of a crashed run with the same prefix are
 * removed on start.
 */
import { canRunLab } from './netns.js'
import { HaLab, LAB_TOOLS } from './ha-lab.js'
import { LAB_USAGE, LabUsageError, parseLabArgs, type LabOptions } from './lab-args.js'

function fail(message: string, code: number): never {
  process.stderr.write(`npm run lab: ${message}\n`)
  process.exit(code)
}

async function main(): Promise<void> {
  let opts: LabOptions
  try {
    opts = parseLabArgs(process.argv.slice(2))
  } catch (err) {
    if (err instanceof LabUsageError) fail(`${err.message}\n\n${LAB_USAGE}`, 2)
    throw err
  }
  if (opts.help) {
    process.stdout.write(LAB_USAGE)
    return
  }
  const check = canRunLab(LAB_TOOLS)
  if (!check.ok) {
    fail(`${check.reason}.\nThe lab creates network namespaces and runs DHCP servers, a relay and clients in them, so it must run as root:\n  sudo npm run lab\nIt needs ip (iproute2), dhcrelay (isc-dhcp-relay), dhclient (isc-dhcp-client) and udhcpc.`, 1)
  }

  const lab = new HaLab(opts, (line) => process.stdout.write(`${line}\n`))
  let stopping = false
  const stop = (why: string, code: number): void => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${why}: stopping the lab and removing its namespaces, processes and files…\n`)
    lab.destroy().then(
      () => {
        process.stdout.write('lab removed.\n')
        process.exit(code)
      },
      (err: unknown) => {
        process.stderr.write(`cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`)
        lab.destroyNow()
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('Ctrl-C', 130))
  process.on('SIGTERM', () => stop('SIGTERM', 143))
  process.on('SIGHUP', () => stop('SIGHUP', 129))
  process.on('exit', () => lab.destroyNow())

  const started = performance.now()
  try {
    await lab.run()
    if (opts.durationSeconds !== 0) await lab.stayUp(opts.durationSeconds)
  } catch (err) {
    if (stopping) return
    process.stderr.write(`\nnpm run lab failed: ${err instanceof Error ? err.message : String(err)}\n`)
    stop('error', 1)
    return
  }
  if (stopping) return
  process.stdout.write(`\nlab finished after ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  stop('done', 0)
}

main().catch((err: unknown) => fail(err instanceof Error ? err.stack ?? err.message : String(err), 1))
