/**
 * The list blocks of a `vrrp_instance`: `virtual_ipaddress` lines (`A.B.C.D[/prefix] [dev X]
 * [label Y]`, keepalived's default prefix /32) and `track_interface` lines (`eth0 [weight N]`).
 */
import { parseIPv4 } from '../../lib/ip.js'
import type { Statement } from './ast.js'
import type { TrackedInterface, VirtualAddress } from './model.js'
import { Reporter, extraArgs, intValue } from './values.js'

/** keepalived's default VIP prefix when none is written. */
const DEFAULT_VIP_PREFIX = 32
const IGNORED_VIP_OPTIONS = new Set(['brd', 'scope', 'preferred_lft', 'valid_lft'])
const IGNORED_VIP_FLAGS = new Set(['no_track', 'home', '-nodad', 'nodad', 'noprefixroute', 'autojoin'])

export function virtualAddress(r: Reporter, line: Statement, tag: string): VirtualAddress | undefined {
  const w = line.keyword
  const m = /^([^/]+)(?:\/([0-9]{1,2}))?$/.exec(w.text)
  const address = m ? parseIPv4(m[1]!) : undefined
  if (!m || address === undefined) {
    return r.error(w.loc, `${tag} invalid virtual_ipaddress \`${w.text}\``,
      w.text.includes(':') ? 'hadhcpd runs VRRP for IPv4 only' : 'write A.B.C.D or A.B.C.D/prefix')
  }
  const prefix = m[2] === undefined ? DEFAULT_VIP_PREFIX : Number(m[2])
  if (prefix > 32) return r.error(w.loc, `${tag} invalid prefix /${prefix} in virtual_ipaddress`)
  let dev: string | undefined
  let label: string | undefined
  const args = line.args
  for (let i = 0; i < args.length; i++) {
    const opt = args[i]!
    const value = args[i + 1]
    if (opt.text === 'dev' || opt.text === 'label') {
      if (!value) {
        r.error(opt.loc, `${opt.text} needs a value`)
        continue
      }
      if (opt.text === 'dev') dev = value.text
      else label = value.text
      i++
    } else if (IGNORED_VIP_OPTIONS.has(opt.text)) {
      r.warn(opt.loc, `${tag} virtual_ipaddress option \`${opt.text}\` is not supported; ignored`)
      i++
    } else if (IGNORED_VIP_FLAGS.has(opt.text)) {
      r.warn(opt.loc, `${tag} virtual_ipaddress option \`${opt.text}\` is not supported; ignored`)
    } else {
      r.error(opt.loc, `${tag} unknown virtual_ipaddress option \`${opt.text}\``, 'dev IFACE, label IFACE:NAME')
    }
  }
  return { address, prefix, dev, label, loc: w.loc }
}

export function trackedInterface(r: Reporter, line: Statement, tag: string): TrackedInterface | undefined {
  const [opt, value] = line.args
  if (!opt) return { name: line.keyword.text, weight: undefined, loc: line.loc }
  if (opt.text !== 'weight') return r.error(opt.loc, `${tag} unknown track_interface option \`${opt.text}\``, 'eth0 weight -20')
  const weight = intValue(r, value, line, -253, 253, `${tag} track_interface weight`)
  extraArgs(r, line, 2)
  return weight === undefined ? undefined : { name: line.keyword.text, weight, loc: line.loc }
}
