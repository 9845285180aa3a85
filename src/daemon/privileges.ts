/**
 * `-user` / `-group` (ISC dhcpd's "paranoia" options): once every socket is open (packet,
 * ICMP, UDP on port 67), the process switches to an unprivileged account, so what remains
 * running holds neither root nor its capabilities (setuid from 0 clears them). The lease
 * file's directory must be writable by that account (the journal is reopened on rewrite).
 *
 * Order as in ISC: supplementary groups (only the target group is kept), then the group, then
 * the user (setuid last).
 */
import { execFileSync } from 'node:child_process'

export interface PrivilegeDrop {
  readonly user: string | undefined
  readonly group: string | undefined
}

export type DropResult =
  | { readonly ok: true; readonly uid: number; readonly gid: number }
  | { readonly ok: false; readonly reason: string }

/** The primary group id of `user` (`id -g`, so NSS users work too). */
function primaryGroupOf(user: string): number {
  const out = execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  const gid = Number(out)
  if (!Number.isInteger(gid)) throw new Error(`id -g ${user}: ${out}`)
  return gid
}

export function dropPrivileges(req: PrivilegeDrop): DropResult {
  const { setuid, setgid, setgroups, getuid, getgid } = process
  if (setuid === undefined || setgid === undefined || setgroups === undefined || getuid === undefined || getgid === undefined) {
    return { ok: false, reason: '-user/-group need a POSIX system' }
  }
  if (req.user === undefined && req.group === undefined) return { ok: true, uid: getuid(), gid: getgid() }
  try {
    const group: string | number | undefined = req.group ?? (req.user !== undefined ? primaryGroupOf(req.user) : undefined)
    if (group !== undefined) {
      // ISC: setgroups(0, NULL) — no supplementary groups (root's would otherwise stay).
      setgroups([group])
      setgid(group)
    }
    if (req.user !== undefined) setuid(req.user)
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) }
  }
  return { ok: true, uid: getuid(), gid: getgid() }
}
