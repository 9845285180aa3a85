/**
 * A two-node VRRP lab for the keepalived interop tests: namespace `<prefix>h` runs hadhcpd
 * (198.18.60.11), `<prefix>k` runs keepalived 2.2.7 (198.18.60.12), both on one bridge; the
 * seed 000 instance (VRID 51, advert_int 1, PASS 1111) with its VIP rewritten to
 * 198.18.60.246/32. Only PIDs this lab started are ever signalled.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DhcpLab } from './dhcp-lab.js'
import { hasAddress, type LabProcess } from '../../src/lab/netns.js'
import { runSync } from '../../src/lab/lab-process.js'
import { seed000Instance } from '../../src/lab/seed-pair.js'

export const VIP = '198.18.60.246'
export const H_ADDR = '198.18.60.11'
export const K_ADDR = '198.18.60.12'

export interface InstanceSpec {
  readonly state: 'MASTER' | 'BACKUP'
  readonly priority: number
  readonly version?: 2 | 3
  readonly nopreempt?: boolean
  /** unicast_src_ip / unicast_peer instead of 224.0.0.18. */
  readonly unicast?: { readonly src: string; readonly peer: string }
}

/** Seed 000's vrrp_instance on `iface` with the given role. */
export function keepalivedConf(iface: string, s: InstanceSpec, routerId: string): string {
  return seed000Instance({ ...s, iface, vip: VIP, routerId })
}

export class VrrpLab {
  readonly lab: DhcpLab
  readonly hNs: string
  readonly kNs: string
  readonly hIf: string
  readonly kIf: string
  /** The server LAN's bridge (198.18.60.0/24), for more members. */
  readonly lan: { ns: string; dev: string }
  private runs = 0

  /** `extraDhcpdConf` is appended to hadhcpd's dhcpd.conf (e.g. a relayed subnet). */
  constructor(prefix: string, tag: string, extraDhcpdConf = '') {
    this.lab = new DhcpLab(prefix)
    const br = this.lab.bridge('sw')
    this.lan = br
    this.hNs = this.lab.ns('h')
    this.kNs = this.lab.ns('k')
    this.hIf = `${tag}-h0`
    this.kIf = `${tag}-k0`
    this.lab.link(br, this.hNs, this.hIf, { address: `${H_ADDR}/24`, mac: '02:fa:60:00:00:11' })
    this.lab.link(br, this.kNs, this.kIf, { address: `${K_ADDR}/24`, mac: '02:fa:60:00:00:12' })
    this.lab.file('dhcpd.conf', `authoritative;
ddns-update-style none;
ping-check false;
default-lease-time 600;
max-lease-time 600;
subnet 198.18.60.0 netmask 255.255.255.0 {
  range 198.18.60.100 198.18.60.200;
}
${extraDhcpdConf}`)
  }

  /**
   * Starts hadhcpd with `--vrrp-config` for `spec` and waits for its ready line; `node` 'k'
   * runs it in keepalived's namespace instead (hadhcpd ↔ hadhcpd tests).
   */
  async startHadhcpd(spec: InstanceSpec, node: 'h' | 'k' = 'h'): Promise<LabProcess> {
    const n = this.runs++
    const iface = node === 'h' ? this.hIf : this.kIf
    const conf = this.lab.file(`hadhcpd-vrrp-${n}.conf`, keepalivedConf(iface, spec, 'hadhcpd'))
    return this.lab.startServer(node === 'h' ? this.hNs : this.kNs, {
      conf: join(this.lab.dir, 'dhcpd.conf'),
      leases: join(this.lab.dir, `dhcpd-${node}.leases`),
      ifaces: [iface],
      log: `hadhcpd-${n}.log`,
      args: ['--vrrp-config', conf],
    })
  }

  /** Starts keepalived in the foreground (VRRP only, private pid files) and waits for its first state. */
  async startKeepalived(spec: InstanceSpec): Promise<LabProcess> {
    const n = this.runs++
    const conf = this.lab.file(`keepalived-${n}.conf`, keepalivedConf(this.kIf, spec, 'keepalived'))
    const p = this.lab.start(this.kNs, [
      'keepalived', '-n', '-l', '-D', '-P', '-f', conf,
      '-p', join(this.lab.dir, `keepalived-${n}.pid`), '-r', join(this.lab.dir, `keepalived-vrrp-${n}.pid`),
    ], `keepalived-${n}.log`)
    const up = await p.waitForOutput(/\(VI_1\) Entering (BACKUP|MASTER) STATE/, 10_000)
    if (!up.found) throw new Error(`keepalived did not start: ${up.reason}\n${p.output()}`)
    return p
  }

  hasVip(ns: string): boolean {
    return hasAddress(ns, `${VIP}/32`)
  }

  /** Polls every `pollMs` until the VIP's presence in `ns` is `present`; returns the ms waited. */
  async waitVip(ns: string, present: boolean, timeoutMs: number, pollMs = 10): Promise<number> {
    const start = performance.now()
    for (;;) {
      if (this.hasVip(ns) === present) return performance.now() - start
      if (performance.now() - start > timeoutMs) {
        throw new Error(`VIP ${VIP} ${present ? 'not added to' : 'still on'} ${ns} after ${timeoutMs} ms`)
      }
      await sleep(pollMs)
    }
  }

  /** Removes a VIP a killed process left behind (both namespaces). */
  clearVips(): void {
    for (const ns of [this.hNs, this.kNs]) {
      const dev = ns === this.hNs ? this.hIf : this.kIf
      runSync(['ip', '-n', ns, 'addr', 'del', `${VIP}/32`, 'dev', dev], 5000)
    }
  }

  destroy(): Promise<void> {
    return this.lab.destroy()
  }
}
