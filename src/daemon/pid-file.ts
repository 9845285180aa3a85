/**
 * The pid file (`-pf`, default /var/run/dhcpd.pid): written once the server is ready, removed
 * on a clean exit only if it still names this process (a newer instance may own it).
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'

export function writePidFile(path: string, pid: number = process.pid): void {
  writeFileSync(path, `${pid}\n`, { mode: 0o644 })
}

export function removePidFile(path: string, pid: number = process.pid): boolean {
  try {
    if (readFileSync(path, 'utf8').trim() !== String(pid)) return false
    unlinkSync(path)
    return true
  } catch {
    return false
  }
}

/** Whether process `pid` exists: signal 0 succeeds, or is refused with EPERM (another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
