/**
 * `hadhcpd ctl`: the operator's command line for a running daemon's control API
 * (docs/control-api.md). Human-readable tables by default, the API's JSON with `--json`.
 *
 * Exit status: 0 ok, 1 the API refused or failed (4xx/5xx, a config error on reload, a
 * pair-check difference), 2 usage, 3 the daemon is unreachable or the token is refused.
 */
import { readFileSync } from 'node:fs'
import { ControlClient, type ClientResult } from '../api/client.js'
import { DEFAULT_CONTROL, parseControlAddress, type ControlAddress } from '../api/address.js'
import { DEFAULT_TOKEN_FILE, readToken } from '../api/token-file.js'
import { comparePair } from '../api/pair-check.js'
import { formatEvents, formatLease, formatLeases, formatPairDifferences, formatPools, formatShutdown, formatStatus } from '../api/format.js'
import { PARTNER_DOWN_WARNING } from '../api/routes.js'
import type { EventView, LeaseHistoryEntry, LeasePage, LeaseView, PoolView, SharedConfigView, ShutdownView, StatusView } from '../api/types.js'

export interface CtlIo {
  out(text: string): void
  err(text: string): void
}

export const EXIT_OK = 0
export const EXIT_API = 1
export const EXIT_USAGE = 2
export const EXIT_UNREACHABLE = 3

/** Seconds `hadhcpd ctl` waits for an answer: any command, and shutdown (the server answers once each failover hand-over is done). */
export const DEFAULT_TIMEOUT_S = 10
export const SHUTDOWN_TIMEOUT_S = 60

export const CTL_USAGE = `Usage: hadhcpd ctl [--control ADDR] [--token-file FILE] [--tls] [--tls-ca FILE] [--json] [--timeout S] <command>

  status                         server, failover and VRRP state
  pools                          addresses per pool and utilisation
  leases [--ip A] [--mac M] [--client-id C] [--hostname SUBSTR] [--state S]
         [--subnet CIDR] [--offset N] [--limit N] [--csv]
  lease IP                       one lease and its history in the lease file
  reload                         re-read dhcpd.conf (as SIGHUP); prints the errors if rejected
  release IP | abandon IP | free IP | delete IP
  partner-down PEER --yes        declare the failover partner down (dangerous: see below)
  rebalance PEER                 run pool balancing now (primary, NORMAL)
  vrrp-priority INSTANCE N|clear override the VRRP priority (1-254) or clear the override
  step-down INSTANCE             give up the VIP (FAULT) until vrrp-priority INSTANCE clear
  shutdown                       stop the server; each failover relationship in NORMAL is
                                 handed over first (the partner enters partner-down and
                                 serves the whole pool until this server is back)
  events [--since SEQ]           recent log events
  metrics                        Prometheus metrics text
  pair-check --peer ADDR [--peer-token-file FILE]
                                 compare this node's shared configuration with its partner's

  --control ADDR     HOST:PORT or unix:/path (default ${DEFAULT_CONTROL})
  --token-file FILE  bearer token (default ${DEFAULT_TOKEN_FILE})
  --tls              use HTTPS; --tls-ca FILE trusts that certificate (self-signed)
  --json             print the API's JSON instead of tables
  --timeout S        seconds to wait for the answer (default ${DEFAULT_TIMEOUT_S}; shutdown ${SHUTDOWN_TIMEOUT_S})
Exit status: 0 ok, 1 API error, 2 usage, 3 unreachable or unauthorized.
`

class Usage extends Error {}

interface Common {
  address: ControlAddress & { kind: 'tcp' | 'unix' }
  tokenFile: string
  tls: { ca?: Buffer } | undefined
  json: boolean
  timeoutMs: number
}

/** The flags of a command: `--name value` pairs and bare `--flag`s; positionals in order. */
interface Parsed {
  readonly positional: string[]
  readonly options: Map<string, string>
  readonly flags: Set<string>
}

const VALUE_OPTIONS = new Set([
  '--control', '--token-file', '--tls-ca', '--ip', '--mac', '--client-id', '--hostname', '--state', '--subnet', '--offset', '--limit',
  '--since', '--peer', '--peer-token-file', '--timeout',
])
const FLAG_OPTIONS = new Set(['--json', '--tls', '--yes', '--csv', '--help', '-h'])

function parse(argv: readonly string[]): Parsed {
  const positional: string[] = []
  const options = new Map<string, string>()
  const flags = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (VALUE_OPTIONS.has(a)) {
      const v = argv[++i]
      if (v === undefined) throw new Usage(`${a} needs a value`)
      options.set(a, v)
    } else if (FLAG_OPTIONS.has(a)) flags.add(a)
    else if (a.startsWith('--')) throw new Usage(`unknown option ${a}`)
    else positional.push(a)
  }
  return { positional, options, flags }
}

function address(text: string): ControlAddress & { kind: 'tcp' | 'unix' } {
  const a = parseControlAddress(text)
  if (typeof a === 'string') throw new Usage(`--control: ${a}`)
  if (a.kind === 'none') throw new Usage('--control none: nothing to talk to')
  return a
}

export async function runCtl(argv: readonly string[], io: CtlIo): Promise<number> {
  let p: Parsed
  let common: Common
  try {
    p = parse(argv)
    if (p.flags.has('--help') || p.flags.has('-h')) {
      io.out(CTL_USAGE)
      return EXIT_OK
    }
    if (p.positional.length === 0) {
      io.err(CTL_USAGE)
      return EXIT_USAGE
    }
    const ca = p.options.get('--tls-ca')
    common = {
      address: address(p.options.get('--control') ?? DEFAULT_CONTROL),
      tokenFile: p.options.get('--token-file') ?? DEFAULT_TOKEN_FILE,
      tls: ca !== undefined ? { ca: readFileSync(ca) } : p.flags.has('--tls') ? {} : undefined,
      json: p.flags.has('--json'),
      timeoutMs: requestTimeoutMs(p.positional[0], p.options.get('--timeout')),
    }
  } catch (err) {
    if (err instanceof Usage) {
      io.err(`hadhcpd ctl: ${err.message}\n\n${CTL_USAGE}`)
      return EXIT_USAGE
    }
    io.err(`hadhcpd ctl: ${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT_USAGE
  }
  let token: string
  try {
    token = readToken(common.tokenFile)
  } catch (err) {
    io.err(`hadhcpd ctl: can't read the token file ${common.tokenFile}: ${err instanceof Error ? err.message : String(err)} (--token-file FILE)\n`)
    return EXIT_UNREACHABLE
  }
  const client = new ControlClient({ address: common.address, token, tls: common.tls, timeoutMs: common.timeoutMs })
  try {
    return await command(p, common, client, io)
  } catch (err) {
    if (err instanceof Usage) {
      io.err(`hadhcpd ctl: ${err.message}\n\n${CTL_USAGE}`)
      return EXIT_USAGE
    }
    throw err
  }
}

/** How long to wait for `command`'s answer: `--timeout S` when given, else the command's default. */
export function requestTimeoutMs(command: string | undefined, option: string | undefined): number {
  if (option === undefined) return (command === 'shutdown' ? SHUTDOWN_TIMEOUT_S : DEFAULT_TIMEOUT_S) * 1000
  const s = Number(option)
  if (!(Number.isFinite(s) && s > 0 && s <= 3600)) throw new Usage(`--timeout: expected seconds (0 < S <= 3600), got ${option}`)
  return Math.round(s * 1000)
}

const enc = encodeURIComponent

function one(p: Parsed, name: string): string {
  const [, arg, extra] = p.positional
  if (arg === undefined) throw new Usage(`${p.positional[0]}: needs ${name}`)
  if (extra !== undefined) throw new Usage(`${p.positional[0]}: unexpected argument ${extra}`)
  return arg
}

async function command(p: Parsed, c: Common, client: ControlClient, io: CtlIo): Promise<number> {
  const cmd = p.positional[0]!
  const call = async <T>(method: string, path: string, body: unknown, human: (json: T) => string): Promise<number> => {
    const r = await client.request(method, path, body)
    return report(r, c, io, human as (json: unknown) => string)
  }
  switch (cmd) {
    case 'status':
      one0(p)
      return call<StatusView>('GET', '/api/v1/status', undefined, formatStatus)
    case 'pools':
      one0(p)
      return call<{ pools: PoolView[] }>('GET', '/api/v1/pools', undefined, (j) => formatPools(j.pools))
    case 'leases': {
      one0(p)
      const q = new URLSearchParams()
      const map: [string, string][] = [['--ip', 'ip'], ['--mac', 'mac'], ['--client-id', 'clientId'], ['--hostname', 'hostname'], ['--state', 'state'], ['--subnet', 'subnet'], ['--offset', 'offset'], ['--limit', 'limit']]
      for (const [flag, key] of map) {
        const v = p.options.get(flag)
        if (v !== undefined) q.set(key, v)
      }
      if (p.flags.has('--csv')) {
        q.set('format', 'csv')
        const r = await client.get(`/api/v1/leases?${q.toString()}`)
        if (r.kind === 'response' && r.status === 200) {
          io.out(r.text)
          return EXIT_OK
        }
        return report(r, c, io, () => '')
      }
      const qs = q.toString()
      return call<LeasePage>('GET', `/api/v1/leases${qs === '' ? '' : `?${qs}`}`, undefined, formatLeases)
    }
    case 'lease':
      return call<{ lease: LeaseView; history: LeaseHistoryEntry[] }>('GET', `/api/v1/leases/${enc(one(p, 'an IP address'))}`, undefined, (j) => formatLease(j.lease, j.history))
    case 'reload':
      one0(p)
      return call('POST', '/api/v1/reload', undefined, () => 'configuration reloaded\n')
    case 'release':
    case 'abandon':
    case 'free': {
      const ip = one(p, 'an IP address')
      return call<{ lease: LeaseView }>('POST', `/api/v1/leases/${enc(ip)}/${cmd}`, undefined, (j) => `${ip}: now ${j.lease.state}\n`)
    }
    case 'delete': {
      const ip = one(p, 'an IP address')
      return call('DELETE', `/api/v1/leases/${enc(ip)}`, undefined, () => `${ip}: lease deleted\n`)
    }
    case 'partner-down': {
      const peer = one(p, 'the failover peer name')
      if (!p.flags.has('--yes')) {
        io.err(`hadhcpd ctl: partner-down needs --yes.\n${PARTNER_DOWN_WARNING.replace(' Send {"confirm":"partner-down"} to proceed.', '')}\n`)
        return EXIT_USAGE
      }
      return call<{ state: string }>('POST', `/api/v1/failover/${enc(peer)}/partner-down`, { confirm: 'partner-down' }, (j) => `failover peer ${peer}: ${j.state}\n`)
    }
    case 'rebalance': {
      const peer = one(p, 'the failover peer name')
      return call('POST', `/api/v1/failover/${enc(peer)}/rebalance`, undefined, () => `failover peer ${peer}: pool balancing done\n`)
    }
    case 'vrrp-priority': {
      const [, instance, value, extra] = p.positional
      if (instance === undefined || value === undefined || extra !== undefined) throw new Usage('vrrp-priority: needs INSTANCE and a priority 1-254 or clear')
      const n = Number(value)
      if (value !== 'clear' && !(Number.isInteger(n) && n >= 1 && n <= 254)) throw new Usage(`vrrp-priority: expected a priority 1-254 or clear, got ${value}`)
      return call<{ effectivePriority: number }>('POST', `/api/v1/vrrp/${enc(instance)}/priority`, { priority: value === 'clear' ? null : n },
        (j) => `${instance}: ${value === 'clear' ? 'override cleared' : `priority set to ${n}`}, effective priority ${j.effectivePriority}\n`)
    }
    case 'step-down': {
      const instance = one(p, 'the vrrp_instance name')
      return call('POST', `/api/v1/vrrp/${enc(instance)}/step-down`, undefined, () => `${instance}: stepped down (FAULT) until \`hadhcpd ctl vrrp-priority ${instance} clear\`\n`)
    }
    case 'shutdown':
      one0(p)
      return call<ShutdownView>('POST', '/api/v1/shutdown', { confirm: 'shutdown' }, formatShutdown)
    case 'events': {
      one0(p)
      const since = p.options.get('--since')
      return call<{ events: EventView[] }>('GET', `/api/v1/events${since === undefined ? '' : `?since=${enc(since)}`}`, undefined, (j) => formatEvents(j.events))
    }
    case 'metrics': {
      one0(p)
      const r = await client.get('/metrics')
      if (r.kind === 'response' && r.status === 200) {
        io.out(r.text)
        return EXIT_OK
      }
      return report(r, c, io, () => '')
    }
    case 'pair-check':
      one0(p)
      return pairCheck(p, c, client, io)
    default:
      throw new Usage(`unknown command ${cmd}`)
  }
}

function one0(p: Parsed): void {
  if (p.positional.length > 1) throw new Usage(`${p.positional[0]}: unexpected argument ${p.positional[1]}`)
}

/** Prints the response (JSON or human) and maps it to the exit status. */
function report(r: ClientResult, c: Common, io: CtlIo, human: (json: unknown) => string): number {
  if (r.kind === 'unreachable') {
    io.err(`hadhcpd ctl: can't reach the control API at ${describe(c.address)}: ${r.message}\n`)
    return EXIT_UNREACHABLE
  }
  if (r.status === 200) {
    io.out(c.json ? `${JSON.stringify(r.json, null, 2)}\n` : human(r.json))
    return EXIT_OK
  }
  const body = (r.json ?? {}) as { message?: string; errors?: string[] }
  if (c.json) io.out(`${r.json === undefined ? JSON.stringify({ status: r.status, text: r.text }) : JSON.stringify(r.json, null, 2)}\n`)
  else {
    io.err(`hadhcpd ctl: ${r.status}: ${body.message ?? r.text.trim()}\n`)
    for (const e of body.errors ?? []) io.err(`  ${e}\n`)
  }
  return r.status === 401 ? EXIT_UNREACHABLE : EXIT_API
}

function describe(a: ControlAddress): string {
  return a.kind === 'unix' ? `unix:${a.path}` : a.kind === 'tcp' ? `${a.host}:${a.port}` : 'none'
}

async function pairCheck(p: Parsed, c: Common, local: ControlClient, io: CtlIo): Promise<number> {
  const peerText = p.options.get('--peer')
  if (peerText === undefined) throw new Usage('pair-check: needs --peer ADDR (the partner\'s control API)')
  const peerAddress = address(peerText)
  const peerTokenFile = p.options.get('--peer-token-file') ?? c.tokenFile
  let peerToken: string
  try {
    peerToken = readToken(peerTokenFile)
  } catch (err) {
    io.err(`hadhcpd ctl: can't read the peer's token file ${peerTokenFile}: ${err instanceof Error ? err.message : String(err)} (--peer-token-file FILE)\n`)
    return EXIT_UNREACHABLE
  }
  const peer = new ControlClient({ address: peerAddress, token: peerToken, tls: c.tls, timeoutMs: c.timeoutMs })
  const [a, b] = await Promise.all([local.get('/api/v1/config/shared'), peer.get('/api/v1/config/shared')])
  for (const [r, addr] of [[a, c.address], [b, peerAddress]] as const) {
    if (r.kind !== 'response' || r.status !== 200) return report(r, { ...c, address: addr, json: false }, io, () => '')
  }
  const localView = (a as { json: unknown }).json as SharedConfigView
  const peerView = (b as { json: unknown }).json as SharedConfigView
  const diffs = comparePair(localView, peerView)
  if (c.json) io.out(`${JSON.stringify({ local: describe(c.address), peer: describe(peerAddress), differences: diffs }, null, 2)}\n`)
  else io.out(formatPairDifferences(describe(c.address), describe(peerAddress), diffs))
  return diffs.length === 0 ? EXIT_OK : EXIT_API
}
