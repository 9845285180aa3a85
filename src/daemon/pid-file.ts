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
