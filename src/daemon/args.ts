/**
 * Command-line parsing, dhcpd-compatible: `hadhcpd [-p port] [-f] [-d] [-q] [-t | -T] [-4]
 * [-cf file] [-lf file] [-pf file] [--no-pid] [if0 ...]`, plus hadhcpd's own sub-commands
 * (`hadhcpd check FILE [--json]`) and `--vrrp-config FILE`. Pure: argv in, a typed request out.
 */
import { UsageError } from '../lib/errors.js'

/** Defaults as Debian's isc-dhcp-server uses them. */
export const DEFAULT_CONFIG_FILE = '/etc/dhcp/dhcpd.conf'
export const DEFAULT_LEASE_FILE = '/var/lib/dhcp/dhcpd.leases'
export const DEFAULT_PID_FILE = '/var/run/dhcpd.pid'

export type Mode =
  /** `-t`: check the configuration and exit. */
  | 'test-config'
  /** `-T`: check the lease file and exit. */
  | 'test-leases'
  /** `check FILE`: compile and print the model (`--json` for scripts). */
  | 'check'
  /** `partner-down [PEER]`: record PARTNER-DOWN in the lease file of a stopped server. */
  | 'partner-down'
  | 'serve'
  | 'help'
  | 'version'

/** `--transport`: AF_PACKET sockets, node:dgram, or packet when possible (the default). */
export type TransportChoice = 'auto' | 'packet' | 'udp'

export interface CliRequest {
  readonly mode: Mode
  readonly configFile: string
  /** Whether `-cf` (or `check FILE`) named the configuration file. */
  readonly configGiven: boolean
  readonly leaseFile: string
  /** `partner-down PEER`: the failover relationship named. */
  readonly peer: string | undefined
  readonly pidFile: string | undefined
  readonly foreground: boolean
  readonly debug: boolean
  readonly quiet: boolean
  readonly port: number | undefined
  readonly interfaces: readonly string[]
  readonly json: boolean
  /** `-user`: the account to switch to once the sockets are open (ISC's paranoia patch). */
  readonly user: string | undefined
  /** `-group`: the group to switch to (default: the user's primary group). */
  readonly group: string | undefined
  /** Which DHCP transport to use (`--transport auto|packet|udp`, default auto). */
  readonly transport: TransportChoice
  /** `--vrrp-config FILE`: keepalived.conf whose vrrp_instance blocks hadhcpd runs itself. */
  readonly vrrpConfigFile: string | undefined
  /** `--path-map FROM=TO`: read files whose path starts with FROM from TO instead (absolute includes). */
  readonly pathMap: Readonly<Record<string, string>>
  /** Flags that were accepted for compatibility but do nothing yet, with the reason. */
  readonly notes: readonly string[]
}

/** dhcpd flags that take a value and that we accept without acting on them yet. */
const IGNORED_WITH_VALUE: Readonly<Record<string, string>> = {
  '-s': 'is a dhcpd debugging aid (send replies to a fixed server) and is ignored',
  '-chroot': 'is ignored: use systemd sandboxing instead of chroot',
  '-tf': 'is ignored: packet trace files are an ISC debugging format hadhcpd does not write',
  '-play': 'is not supported: hadhcpd cannot replay ISC trace files',
}

export function parseArgs(argv: readonly string[]): CliRequest {
  let mode: Mode = 'serve'
  let configFile = DEFAULT_CONFIG_FILE
  let configGiven = false
  let leaseFile = DEFAULT_LEASE_FILE
  let pidFile: string | undefined = DEFAULT_PID_FILE
  let foreground = false
  let debug = false
  let quiet = false
  let port: number | undefined
  let json = false
  let transport: TransportChoice = 'auto'
  let user: string | undefined
  let group: string | undefined
  let vrrpConfigFile: string | undefined
  const interfaces: string[] = []
  const notes: string[] = []
  let peer: string | undefined
  const pathMap: Record<string, string> = {}
  const addPathMap = (spec: string): void => {
    const eq = spec.indexOf('=')
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--path-map expects FROM=TO, got ${spec}`)
    pathMap[spec.slice(0, eq)] = spec.slice(eq + 1)
  }

  const value = (i: number, flag: string): string => {
    const v = argv[i + 1]
    if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`)
    return v
  }

  if (argv[0] === 'check') {
    mode = 'check'
    const rest = argv.slice(1)
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!
      if (a === '--json') json = true
      else if (a === '--path-map') addPathMap(rest[++i] ?? '')
      else if (a.startsWith('-')) throw new UsageError(`check: unknown option ${a}`)
      else if (!configGiven) {
        configFile = a
        configGiven = true
      } else throw new UsageError(`check: unexpected argument ${a}`)
    }
    return freeze()
  }

  if (argv[0] === 'partner-down') {
    mode = 'partner-down'
    const rest = argv.slice(1)
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!
      if (a === '-lf') leaseFile = value(i++ + 1, a)
      else if (a === '-cf') {
        configFile = value(i++ + 1, a)
        configGiven = true
      } else if (a === '-pf') pidFile = value(i++ + 1, a)
      else if (a === '--no-pid') pidFile = undefined
      else if (a === '--path-map') addPathMap(rest[++i] ?? '')
      else if (a.startsWith('-')) throw new UsageError(`partner-down: unknown option ${a}`)
      else if (peer === undefined) peer = a
      else throw new UsageError(`partner-down: unexpected argument ${a}`)
    }
    return freeze()
  }

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    switch (a) {
      case '-h':
      case '--help':
        mode = 'help'
        break
      case '--version':
        mode = 'version'
        break
      case '-t':
        if (mode === 'test-leases') throw new UsageError('-t and -T cannot be used together')
        mode = 'test-config'
        break
      case '-T':
        if (mode === 'test-config') throw new UsageError('-t and -T cannot be used together')
        mode = 'test-leases'
        break
      case '-4':
        break
      case '-6':
        throw new UsageError('-6: hadhcpd serves DHCPv4 only')
      case '-f':
        foreground = true
        break
      case '-d':
        debug = true
        foreground = true
        break
      case '-q':
        quiet = true
        break
      case '--json':
        json = true
        break
      case '--path-map':
        addPathMap(value(i++, a))
        break
      case '-user':
        user = value(i++, a)
        break
      case '-group':
        group = value(i++, a)
        break
      case '--transport': {
        const v = value(i++, a)
        if (v !== 'auto' && v !== 'packet' && v !== 'udp') throw new UsageError(`--transport: expected auto, packet or udp, got ${v}`)
        transport = v
        break
      }
      case '--vrrp-config':
        vrrpConfigFile = value(i++, a)
        break
      case '--no-pid':
        pidFile = undefined
        break
      case '-p': {
        const v = value(i++, a)
        const n = Number(v)
        if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`-p: bad port number ${v}`)
        port = n
        break
      }
      case '-cf':
        configFile = value(i++, a)
        configGiven = true
        break
      case '-lf':
        leaseFile = value(i++, a)
        break
      case '-pf':
        pidFile = value(i++, a)
        break
      default: {
        const reason = IGNORED_WITH_VALUE[a]
        if (reason !== undefined) {
          value(i++, a)
          notes.push(`${a} ${reason}`)
        } else if (a.startsWith('-')) {
          throw new UsageError(`unknown option ${a} (see hadhcpd --help)`)
        } else {
          interfaces.push(a)
        }
      }
    }
  }
  return freeze()

  function freeze(): CliRequest {
    return Object.freeze({
      mode,
      configFile,
      configGiven,
      leaseFile,
      peer,
      pidFile,
      foreground,
      debug,
      quiet,
      port,
      interfaces: Object.freeze(interfaces),
      json,
      transport,
      user,
      group,
      vrrpConfigFile,
      pathMap: Object.freeze(pathMap),
      notes: Object.freeze(notes),
    })
  }
}

export const USAGE = `Usage: hadhcpd [-p <port>] [-f] [-d] [-q] [-t|-T] [-4]
               [-cf config-file] [-lf lease-file] [-pf pid-file] [--no-pid]
               [-user user] [-group group] [--transport auto|packet|udp]
               [--vrrp-config keepalived.conf]
               [if0 [...ifN]]
       hadhcpd check <config-file> [--json] [--path-map FROM=TO]
       hadhcpd partner-down -lf lease-file [-cf config-file] [-pf pid-file] [PEER]

  -t            check the configuration file and exit (as dhcpd -t)
  -T            check the lease file and exit (as dhcpd -T)
  -cf FILE      configuration file (default ${DEFAULT_CONFIG_FILE})
  -lf FILE      lease file (default ${DEFAULT_LEASE_FILE})
  -pf FILE      pid file (default ${DEFAULT_PID_FILE})
  -f            stay in the foreground
  -d            log to stderr (implies -f)
  -q            quiet: no banner
  -p PORT       listen on PORT instead of 67 (replies to clients go to PORT+1)
  -user USER    switch to USER once the sockets are open (the lease file's
                directory must be writable by USER)
  -group GROUP  switch to GROUP (default: USER's primary group)
  --transport auto|packet|udp
                packet: AF_PACKET sockets (unicast replies to clients without an
                address; needs the addon and CAP_NET_RAW); udp: plain UDP sockets
                (replies to such clients are broadcast); auto (default): packet
                when possible, else udp
  --vrrp-config FILE
                run the vrrp_instance blocks of this keepalived.conf (VRRP v2/v3,
                interoperable with keepalived 2.2): hold the VIPs while this node is
                MASTER; -t checks this file too
  --path-map FROM=TO
                read files under FROM from TO (absolute include paths); repeatable
  check FILE    compile FILE and print what it defines (--json for scripts)
  partner-down  with the server stopped, record "my state partner-down" for
                failover peer PEER in the lease file (ISC's documented lease-file
                edit); refused while -pf names a running process. Only when the
                partner is really down: after MCLT the whole pool is served
`
