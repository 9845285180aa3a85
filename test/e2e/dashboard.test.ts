/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against a real
 * hadhcpd failover pair with VRRP (198.18.33.0/24: primary .2, secondary .3, VIP .250). The
 * browser runs inside the primary's namespace (a wrapper execs it under `ip netns exec`), so the
 * page talks to the daemon's own API on 127.0.0.1:8067 there. Checks: a wrong token is refused;
 * the right one opens the page; the pool numbers on the page equal the API's; the pair and the
 * VIP holder show; with the secondary stopped, the partner-down button (after its typed
 * confirmation) moves the primary to PARTNER-DOWN. HADHCPD_SCREENSHOT=path saves a screenshot.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import { DhcpLab } from '../helpers/dhcp-lab.js'
import { keepalivedConf } from '../helpers/vrrp-lab.js'
import { findExecutable, type LabProcess } from '../../src/lab/netns.js'

const CHROMIUM = '/usr/bin/chromium'
const TOOLS = ['ip', 'udhcpc']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0 && existsSync(CHROMIUM)
const URL_BASE = 'http://127.0.0.1:8067'

let lab: DhcpLab
let browser: Browser | undefined
let page: Page
let secondary: LabProcess
let cliNs = ''
let token = ''

function canRun(t: Parameters<typeof e2eCanRun>[0]): boolean {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return false
  if (!existsSync(CHROMIUM)) {
    if (process.env['HADHCPD_E2E'] === 'required') assert.fail(`${CHROMIUM} is missing (apt-get install chromium)`)
    t.skip(`${CHROMIUM} is missing`)
    return false
  }
  return true
}

function conf(role: 'primary' | 'secondary'): string {
  const [me, other] = role === 'primary' ? ['198.18.33.2', '198.18.33.3'] : ['198.18.33.3', '198.18.33.2']
  return `authoritative;
default-lease-time 600;
max-lease-time 600;
failover peer "dashboard-pair" {
  ${role};
  address ${me};
  port 647;
  peer address ${other};
  peer port 647;
  max-response-delay 10;
  max-unacked-updates 10;
  load balance max seconds 3;
${role === 'primary' ? '  mclt 30;\n  split 128;\n' : ''}}
subnet 198.18.33.0 netmask 255.255.255.0 {
  option routers 198.18.33.1;
  pool {
    failover peer "dashboard-pair";
    range 198.18.33.10 198.18.33.60;
  }
}
`
}

before(async () => {
  if (!runnable) return
  lab = new DhcpLab('hdb-x-')
  const br = lab.bridge('sw')
  const pNs = lab.ns('p')
  const sNs = lab.ns('s')
  cliNs = lab.ns('cli')
  lab.link(br, pNs, 'hdbx-p0', { address: '198.18.33.2/24' })
  lab.link(br, sNs, 'hdbx-s0', { address: '198.18.33.3/24' })
  lab.link(br, cliNs, 'hdbx-c0', { mac: '02:db:00:00:00:01' })
  const tokenFile = join(lab.dir, 'p.token')
  for (const [k, role, ns, iface, prio] of [['p', 'primary', pNs, 'hdbx-p0', 100], ['s', 'secondary', sNs, 'hdbx-s0', 90]] as const) {
    const vrrp = lab.file(`${k}-keepalived.conf`, keepalivedConf(iface, { state: k === 'p' ? 'MASTER' : 'BACKUP', priority: prio }, `hadhcpd-${k}`)
      .replace(/198\.18\.60\.246\/32/, '198.18.33.250/32'))
    const proc = await lab.startServer(ns, {
      conf: lab.file(`${k}.conf`, conf(role)), leases: join(lab.dir, `${k}.leases`), ifaces: [iface], log: `${k}.log`,
      args: ['--control', '127.0.0.1:8067', '--control-token-file', join(lab.dir, `${k}.token`), '--vrrp-config', vrrp],
    })
    if (k === 's') secondary = proc
  }
  token = readFileSync(tokenFile, 'utf8').trim()
  // Chromium inside the primary's namespace: the wrapper keeps playwright's pipe descriptors.
  const wrapper = join(lab.dir, 'chromium-in-ns')
  writeFileSync(wrapper, `#!/bin/sh\nexec ${findExecutable('ip') ?? '/usr/sbin/ip'} netns exec ${pNs} ${CHROMIUM} "$@"\n`)
  chmodSync(wrapper, 0o755)
  browser = await chromium.launch({
    executablePath: wrapper,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  })
  page = await browser.newPage({ viewport: { width: 1100, height: 1000 } })
})

after(async () => {
  if (!runnable) return
  await browser?.close()
  await lab.destroy()
})

/** The API's answer, fetched by the page itself (same origin, same token). */
async function apiFromPage<T>(path: string): Promise<T> {
  return page.evaluate(async ([p, tok]) => {
    const r = await fetch(p, { headers: { authorization: `Bearer ${tok}` } })
    if (!r.ok) throw new Error(`${p}: ${r.status}`)
    return r.json()
  }, [path, token] as const) as Promise<T>
}

/** Waits until the element's text is `text` (the page refreshes every 2 s). */
async function textBecomes(selector: string, text: string, timeout: number): Promise<void> {
  await page.waitForSelector(`${selector}:text-is(${JSON.stringify(text)})`, { timeout })
}

async function fieldText(selector: string): Promise<string> {
  return (await page.textContent(selector))?.trim() ?? ''
}

test('a wrong token is refused and the right one opens the dashboard', { timeout: 60_000 }, async (t) => {
  if (!canRun(t)) return
  await page.goto(`${URL_BASE}/`)
  await page.fill('#token-input', 'not-the-token')
  await page.click('#token-form button[type=submit]')
  await textBecomes('#token-error', 'The token was refused.', 10_000)
  await page.fill('#token-input', token)
  await page.click('#token-form button[type=submit]')
  await page.waitForSelector('[data-pool] [data-field=total]', { timeout: 15_000 })
  assert.equal(await page.evaluate('localStorage.getItem("hadhcpd.token")'), token)
})

test('the pair, the VIP holder and the pool numbers match the API', { timeout: 120_000 }, async (t) => {
  if (!canRun(t)) return
  const peer = '[data-peer="dashboard-pair"]'
  await textBecomes(`${peer} [data-field=state]`, 'normal', 60_000)
  await textBecomes(`${peer} [data-field=partner-state]`, 'normal', 10_000)
  await textBecomes('[data-instance="VI_1"] [data-field=state]', 'MASTER', 30_000)
  assert.equal(await fieldText('[data-instance="VI_1"] [data-field=holds-vip]'), 'yes')
  assert.equal(await fieldText('[data-instance="VI_1"] [data-field=vips]'), '198.18.33.250/32')

  // A real client takes a lease; the page's counts follow and equal the API's.
  const hook = lab.hook('udhcpc')
  const r = await lab.run(cliNs, ['udhcpc', '-i', 'hdbx-c0', '-f', '-q', '-n', '-t', '6', '-T', '2', '-A', '1', '-s', hook.script], 'udhcpc.out', 30_000)
  assert.equal(r.code, 0, r.output)
  const pools = await apiFromPage<{ pools: { id: string; [k: string]: unknown }[] }>('/api/v1/pools')
  const pool = pools.pools[0]
  assert.ok(pool !== undefined)
  const sel = `[data-pool="${pool.id}"]`
  await textBecomes(`${sel} [data-field=active]`, '1', 15_000)
  const fresh = (await apiFromPage<{ pools: { id: string; [k: string]: unknown }[] }>('/api/v1/pools')).pools.find((p) => p.id === pool.id)
  assert.ok(fresh !== undefined)
  await page.waitForTimeout(2500) // one refresh after the API read, so both describe the same moment
  for (const k of ['total', 'active', 'free', 'backup', 'expired', 'released', 'abandoned', 'reset']) {
    assert.equal(await fieldText(`${sel} [data-field=${k}]`), String(fresh[k]), `pool ${k}`)
  }
  // The lease table lists the client's address.
  const ip = hook.records().find((h) => h['arg'] === 'bound')?.['ip'] ?? ''
  await page.fill('#lease-q', ip)
  await page.click('#lease-search button[type=submit]')
  await page.waitForSelector(`#lease-table tr[data-ip="${ip}"]`, { timeout: 10_000 })
  const shot = process.env['HADHCPD_SCREENSHOT']
  await page.screenshot({ path: shot ?? join(lab.dir, 'dashboard.png'), fullPage: true })
})

test('the partner-down button, after its confirmation, moves the primary to PARTNER-DOWN', { timeout: 120_000 }, async (t) => {
  if (!canRun(t)) return
  const peer = '[data-peer="dashboard-pair"]'
  await secondary.stop(5000)
  await textBecomes(`${peer} [data-field=state]`, 'communications-interrupted', 60_000)
  await page.click(`${peer} [data-action=partner-down]`)
  assert.equal(await page.isDisabled('#confirm-ok'), true, 'confirm needs the typed word')
  await page.fill('#confirm-input', 'partner-down')
  await page.click('#confirm-ok')
  await textBecomes(`${peer} [data-field=state]`, 'partner-down', 15_000)
  const status = await apiFromPage<{ failover: { state: string }[] }>('/api/v1/status')
  assert.equal(status.failover[0]?.state, 'partner-down')
})
