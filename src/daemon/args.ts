/**
 * Command-line parsing, dhcpd-compatible: `hadhcpd [-p port] [-f] [-d] [-q] [-t | -T] [-4]
 * [-cf file] [-lf file] [-pf file] [--no-pid] [if0 ...]`, plus hadhcpd's own sub-commands
 * (`hadhcpd check FILE [--json]`) and `--vrrp-config FILE`. Pure: argv in, a typed request out.
 */
import { UsageError } from '../lib/errors.js'
import { parseHealthPolicy, type HealthPolicy } from '../ha/vrrp/health.js'
import { DEFAULT_CONTROL, parseControlAddress, type ControlAddress } from '../api/address.js'
import { DEFAULT_TOKEN_FILE } from '../api/token-file.js'

/** Defaults as Debian's isc-dhcp-server uses them. */
export const DEFAULT_CONFIG_FILE = '/etc/dhcp/dhcpd.conf'
export const DEFAULT_LEASE_FILE = '/var/lib/dhcp/dhcpd.leases'
export const DEFAULT_PID_FILE = '/var/run/dhcpd.pid'
/** Where glibc's syslog(3) sends records. */
export const DEFAULT_SYSLOG_SOCKET = '/dev/log'
/** ISC dhcpd's syslog identity, kept so rsyslog filters (`:programname, isequal, "dhcpd"`) still match. */
export const DEFAULT_SYSLOG_TAG = 'dhcpd'

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
  /** `ctl …`: talk to a running daemon's control API (ctl.ts parses the rest). */
  | 'ctl'

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
  /** `--vrrp-health SPEC`: how DHCP health moves the VRRP priority (ha/vrrp/health.ts). */
  readonly vrrpHealth: HealthPolicy | undefined
  /** `--path-map FROM=TO`: read files whose path starts with FROM from TO instead (absolute includes). */
  readonly pathMap: Readonly<Record<string, string>>
  /** `--syslog-socket PATH` (default /dev/log); undefined with `--no-syslog`. */
  readonly syslogSocket: string | undefined
  /** `--syslog-tag TAG` (default dhcpd). */
  readonly syslogTag: string
  /** `--log-format text|json`: the console format (json: JSON lines on stdout); undefined = text. */
  readonly logFormat: 'text' | 'json' | undefined
  /** Flags that were accepted for compatibility but do nothing yet, with the reason. */
  readonly notes: readonly string[]
  /** `--control`: where the control API listens (default 127.0.0.1:8067). */
  readonly control: ControlSettings
  /** `ctl`: the arguments after `ctl`. */
  readonly ctlArgs: readonly string[]
  /**
   * `--failover-graceful-stop`: SIGTERM/SIGINT first hand every NORMAL failover relationship over
   * (SHUTDOWN; the partner enters PARTNER-DOWN), as `hadhcpd ctl shutdown` does. Default off: a
   * signal just stops, as Debian's dhcpd (the partner goes COMMUNICATIONS-INTERRUPTED).
   */
  readonly failoverGracefulStop: boolean
}

export interface ControlSettings {
  readonly address: ControlAddress
  /** `--control-token-file`. */
  readonly tokenFile: string
  /** Set when `--control` or `--control-token-file` was given: failing to serve the API is then fatal. */
  readonly explicit: boolean
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined
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
  let syslogSocket: string | undefined = DEFAULT_SYSLOG_SOCKET
  let syslogTag = DEFAULT_SYSLOG_TAG
  let logFormat: 'text' | 'json' | undefined
  let vrrpHealth: HealthPolicy | undefined
  let failoverGracefulStop = false
  const interfaces: string[] = []
  const notes: string[] = []
  let controlAddress: ControlAddress = parseControlAddress(DEFAULT_CONTROL) as ControlAddress
  let tokenFile = DEFAULT_TOKEN_FILE
  let controlExplicit = false
  let tlsCert: string | undefined
  let tlsKey: string | undefined
  let ctlArgs: readonly string[] = []
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

  if (argv[0] === 'ctl') {
    mode = 'ctl'
    ctlArgs = argv.slice(1)
    return freeze()
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
      case '--failover-graceful-stop':
        failoverGracefulStop = true
        break
      case '--vrrp-health': {
        const v = value(i++, a)
        try {
          vrrpHealth = parseHealthPolicy(v)
        } catch (err) {
          throw new UsageError(err instanceof Error ? err.message : String(err))
        }
        break
      }
      case '--control': {
        const v = value(i++, a)
        const parsed = parseControlAddress(v)
        if (typeof parsed === 'string') throw new UsageError(`--control: ${parsed}`)
        controlAddress = parsed
        controlExplicit = true
        break
      }
      case '--control-token-file':
        tokenFile = value(i++, a)
        controlExplicit = true
        break
      case '--control-tls-cert':
        tlsCert = value(i++, a)
        break
      case '--control-tls-key':
        tlsKey = value(i++, a)
        break
      case '--syslog-socket':
        syslogSocket = value(i++, a)
        break
      case '--no-syslog':
        syslogSocket = undefined
        break
      case '--syslog-tag': {
        const v = value(i++, a)
        if (!/^[\x21-\x7e]{1,48}$/.test(v) || v.includes('[') || v.includes(':')) throw new UsageError(`--syslog-tag: expected up to 48 printable characters without spaces, '[' or ':', got ${v}`)
        syslogTag = v
        break
      }
      case '--log-format': {
        const v = value(i++, a)
        if (v !== 'text' && v !== 'json') throw new UsageError(`--log-format: expected text or json, got ${v}`)
        logFormat = v
        break
      }
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
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new UsageError('--control-tls-cert and --control-tls-key go together')
  if (tlsCert !== undefined) controlExplicit = true
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
      syslogSocket,
      syslogTag,
      logFormat,
      vrrpHealth,
      pathMap: Object.freeze(pathMap),
      notes: Object.freeze(notes),
      control: Object.freeze({
        address: controlAddress,
        tokenFile,
        explicit: controlExplicit,
        tls: tlsCert !== undefined && tlsKey !== undefined ? { certFile: tlsCert, keyFile: tlsKey } : undefined,
      }),
      ctlArgs,
      failoverGracefulStop,
    })
  }
}

export const USAGE = `Usage: hadhcpd [-p <port>] [-f] [-d] [-q] [-t|-T] [-4]
               [-cf config-file] [-lf lease-file] [-pf pid-file] [--no-pid]
               [-user user] [-group group] [--transport auto|packet|udp]
               [--vrrp-config keepalived.conf] [--vrrp-health SPEC] [--log-format text|json]
               [--syslog-socket PATH | --no-syslog] [--syslog-tag TAG]
               [--control ADDR] [--control-token-file FILE]
               [--control-tls-cert FILE --control-tls-key FILE]
               [--failover-graceful-stop]
               [if0 [...ifN]]
       hadhcpd check <config-file> [--json] [--path-map FROM=TO]
       hadhcpd ctl [--control ADDR] [--token-file FILE] [--json] <command> (ctl --help)
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
                MASTER; -t checks this file too; SIGHUP re-reads it
  --vrrp-health transport=fault,lease-store=100,failover=100
                how DHCP health moves the VRRP priority: each input (no usable
                transport, journal fsync failing, failover state that may not
                serve) lowers it by 0..254 or puts the instance in FAULT (the
                defaults shown)
  --log-format text|json
                console log lines: ISC text on stderr (default, with -d/-f) or
                JSON lines on stdout (for log shippers; also without -f)
  --syslog-socket PATH
                send syslog records there (default ${DEFAULT_SYSLOG_SOCKET}); the facility
                is dhcpd.conf's log-facility (default daemon)
  --no-syslog   do not log to syslog
  --syslog-tag TAG
                syslog identity (default ${DEFAULT_SYSLOG_TAG}, as ISC dhcpd)
  --path-map FROM=TO
                read files under FROM from TO (absolute include paths); repeatable
  --control HOST:PORT|unix:/path|none
                where the control API (HTTP/JSON, hadhcpd ctl) listens
                (default ${DEFAULT_CONTROL}; none: no API)
  --control-token-file FILE
                the API's bearer token (default ${DEFAULT_TOKEN_FILE});
                created (random, mode 0600) if absent
  --control-tls-cert FILE, --control-tls-key FILE
                serve the API over HTTPS with this certificate and key
  --failover-graceful-stop
                on SIGTERM/SIGINT, first hand each failover relationship in NORMAL
                over: move to shutdown so the partner enters partner-down and
                serves the whole pool (waits up to 5 s for it), record recover,
                then stop (as \`hadhcpd ctl shutdown\`). Without it a signal just
                stops, as Debian's dhcpd: the partner sees the link drop
                (communications-interrupted)
  check FILE    compile FILE and print what it defines (--json for scripts)
  ctl COMMAND   ask the running server (status, pools, leases, reload, ...)
  partner-down  with the server stopped, record "my state partner-down" for
                failover peer PEER in the lease file (ISC's documented lease-file
                edit); refused while -pf names a running process. Only when the
                partner is really down: after MCLT the whole pool is served
`
