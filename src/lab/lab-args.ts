/**
 * `npm run lab -- [options]`: pure argument parsing (the lab itself is ha-lab.ts).
 */
export interface LabOptions {
  /** Namespace (and temp dir) prefix, `h` + two letters + `-` + tag + `-`. */
  readonly prefix: string
  /**
   * Seconds to keep running after the scripted failure and recovery; undefined: until Ctrl-C;
   * 0 (`--no-wait`): exit right after the recovery.
   */
  readonly durationSeconds: number | undefined
  /** First host port for the control API proxies (node1, node2 on the next free one); 0: any. */
  readonly controlPort: number
  /** Seconds between the one-line status reports while the lab stays up. */
  readonly statusEverySeconds: number
  readonly help: boolean
}

export const DEFAULT_PREFIX = 'hlb-x-'

export const LAB_USAGE = `Usage: npm run lab -- [--no-wait | --duration SECONDS] [--prefix hxx-y-] [--control-port PORT]

Builds a network-namespace lab (198.18.0.0/15 only; needs root): two hadhcpd nodes in a failover
pair with built-in VRRP, a DHCP relay pointed at the VIP and real clients (dhclient, udhcpc) behind
it; narrates the pair reaching NORMAL and the leases, kills the VIP holder and narrates the
takeover and the recovery, then stays up until Ctrl-C, which removes everything.

  --no-wait            exit by itself after the scripted failure and recovery
  --duration SECONDS   stay up SECONDS after the recovery, then exit (default: until Ctrl-C)
  --prefix PREFIX      namespace prefix (default ${DEFAULT_PREFIX}); leftovers with it are removed first
  --control-port PORT  host port of node1's control API proxy (node2: the next one; default 8067;
                       0: any free port); used only when the daemon has --control
  --status-every SECONDS  one-line status interval while the lab stays up (default 30)
`

export class LabUsageError extends Error {
  override readonly name = 'LabUsageError'
}

function intArg(flag: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new LabUsageError(`${flag} needs a whole number`)
  const n = Number(v)
  if (n < min || n > max) throw new LabUsageError(`${flag}: ${n} is outside ${min}..${max}`)
  return n
}

export function parseLabArgs(argv: readonly string[]): LabOptions {
  let prefix = DEFAULT_PREFIX
  let durationSeconds: number | undefined
  let controlPort = 8067
  let statusEverySeconds = 30
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    switch (a) {
      case '--no-wait':
        durationSeconds = 0
        break
      case '--duration':
        durationSeconds = intArg(a, argv[++i], 0, 7 * 24 * 3600)
        break
      case '--prefix': {
        const v = argv[++i]
        if (v === undefined || !/^h[a-z]{2}-[a-z0-9]+-$/.test(v)) throw new LabUsageError(`--prefix must look like hxx-y- (h, two letters, a dash, a tag, a dash), got ${v ?? 'nothing'}`)
        prefix = v
        break
      }
      case '--control-port':
        controlPort = intArg(a, argv[++i], 0, 65534)
        break
      case '--status-every':
        statusEverySeconds = intArg(a, argv[++i], 1, 3600)
        break
      case '-h':
      case '--help':
        help = true
        break
      default:
        throw new LabUsageError(`unknown option ${a} (see npm run lab -- --help)`)
    }
  }
  return { prefix, durationSeconds, controlPort, statusEverySeconds, help }
}
