// hadhcpd dashboard: a plain ES module, no build step, no external assets.
// Talks to the control API (docs/control-api.md) with the bearer token the operator enters
// once (kept in this browser's localStorage). Every value from the daemon is written with
// textContent, never as HTML: hostnames and client ids come from DHCP clients.

const TOKEN_KEY = 'hadhcpd.token'
const REFRESH_MS = 2000
const PAGE = 50

const $ = (id) => document.getElementById(id)

let token = localStorage.getItem(TOKEN_KEY) ?? ''
let eventSeq = 0
let leaseOffset = 0
let leaseTotal = 0
let timer = undefined
let refreshing = false

class Unauthorized extends Error {}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  if (res.status === 401) throw new Unauthorized('unauthorized')
  const type = res.headers.get('content-type') ?? ''
  const data = type.includes('json') ? await res.json() : await res.text()
  if (!res.ok) {
    const msg = typeof data === 'object' && data !== null ? (data.message ?? data.error) : String(data)
    throw new Error(`${res.status}: ${msg}`)
  }
  return data
}

// ---- small DOM helpers ---------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k === 'class') node.className = v
    else if (k === 'text') node.textContent = v
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v)
    else node.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children) if (c !== undefined && c !== null) node.append(c)
  return node
}

function kv(pairs) {
  const dl = el('dl', { class: 'kv' })
  for (const [label, value, field] of pairs) {
    const content = value instanceof Node ? value : String(value ?? '–')
    dl.append(el('dt', { text: label }), el('dd', { 'data-field': field }, content))
  }
  return dl
}

function ago(iso) {
  if (!iso) return 'never'
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000)
  if (s < 2) return 'just now'
  if (s < 120) return `${s} s ago`
  if (s < 7200) return `${Math.round(s / 60)} min ago`
  return `${Math.round(s / 3600)} h ago`
}

function when(iso) {
  if (!iso) return '–'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}

function duration(seconds) {
  if (seconds === undefined || seconds === null) return '–'
  if (seconds < 120) return `${seconds} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`
  return `${(seconds / 86400).toFixed(1)} d`
}

const GOOD = new Set(['normal', 'master', 'backup', 'active'])
const NEUTRAL = new Set(['free', 'expired', 'released', 'reset', 'init'])
const BAD = new Set(['shutdown', 'paused', 'potential-conflict', 'resolution-interrupted', 'recover', 'recover-wait', 'fault', 'unknown-state'])

function stateBadge(state, field) {
  const s = String(state ?? 'unknown').toLowerCase()
  const cls = GOOD.has(s) ? 'ok' : BAD.has(s) ? 'bad' : NEUTRAL.has(s) ? 'plain' : 'warn'
  return el('span', { class: `state ${cls}`, text: String(state ?? 'unknown'), 'data-field': field })
}

let toastTimer
function toast(text) {
  const t = $('toast')
  t.textContent = text
  t.classList.add('show')
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => t.classList.remove('show'), 4000)
}

// ---- confirmation --------------------------------------------------------------------------

function confirmAction(title, text, word) {
  const dlg = $('confirm-dialog')
  $('confirm-title').textContent = title
  $('confirm-text').textContent = text
  $('confirm-word').textContent = word
  const input = $('confirm-input')
  const ok = $('confirm-ok')
  input.value = ''
  ok.disabled = true
  input.oninput = () => { ok.disabled = input.value.trim() !== word }
  return new Promise((resolve) => {
    $('confirm-cancel').onclick = () => dlg.close('cancel')
    dlg.onclose = () => resolve(dlg.returnValue === 'ok' && input.value.trim() === word)
    dlg.returnValue = ''
    dlg.showModal()
    input.focus()
  })
}

async function act(label, path, body) {
  try {
    await api(path, { method: 'POST', body })
    toast(`${label}: done`)
  } catch (err) {
    if (err instanceof Unauthorized) return askToken('The token was refused.')
    toast(`${label} failed: ${err.message}`)
  }
  void refresh()
}

// ---- rendering -----------------------------------------------------------------------------

function renderStatus(s) {
  const cfg = s.config ?? {}
  $('node-summary').textContent =
    `v${s.version} · up ${duration(s.uptimeSeconds)} · ${cfg.file ?? ''}` +
    (s.interfaces?.length ? ` · ${s.interfaces.map((i) => `${i.name} (${i.transport})`).join(', ')}` : '')

  const fo = $('failover-list')
  fo.replaceChildren()
  if (!s.failover?.length) fo.append(el('p', { class: 'muted', text: 'No failover peer configured.' }))
  for (const p of s.failover ?? []) {
    const card = el('article', { class: 'card', 'data-peer': p.peer },
      el('h3', {}, el('span', { text: `failover peer "${p.peer}"` }), el('span', { class: 'muted', text: p.role })),
      kv([
        ['this node', el('span', {}, stateBadge(p.state, 'state'), ` since ${when(p.stateSince)}`)],
        ['partner', stateBadge(p.partnerState, 'partner-state')],

      ['link', p.connected ? 'connected' : 'down', 'connected'],
      ['last contact', ago(p.lastContact), 'last-contact'],
      ['clock skew', p.clockSkewSeconds === null || p.clockSkewSeconds === undefined ? '–' : `${p.clockSkewSeconds} s`, 'skew'],
      ['MCLT', duration(p.mclt), 'mclt'],
      ['split', p.split === undefined ? '–' : String(p.split), 'split'],
      ['updates unacked / queued', `${p.unackedUpdates ?? 0} / ${p.pendingUpdates ?? 0}`, 'updates'],
      ['pool balance free / backup', p.poolBalance ? `${p.poolBalance.free} / ${p.poolBalance.backup}` : '–', 'balance'],
      ]),
    )
    const peerPath = `/api/v1/failover/${encodeURIComponent(p.peer)}`
    card.append(el('div', { class: 'actions' },
      el('button', {
        type: 'button', 'data-action': 'rebalance', text: 'Rebalance pools',
        onclick: () => act('Rebalance', `${peerPath}/rebalance`),
      }),
      el('button', {
        type: 'button', class: 'danger', 'data-action': 'partner-down', text: 'Partner down…',
        disabled: p.state === 'partner-down',
        onclick: async () => {
          const yes = await confirmAction(
            `Partner down: ${p.peer}`,
            'Only do this when the partner server is really down (powered off or stopped), not just unreachable. ' +
            'After MCLT this node hands out the partner\'s free addresses too; if the partner is still running ' +
            'and serving, the same address can go to two clients.',
            'partner-down')
          if (yes) await act('Partner down', `${peerPath}/partner-down`, { confirm: 'partner-down' })
        },
      }),
    ))
    fo.append(card)
  }

  const vr = $('vrrp-list')
  vr.replaceChildren()
  if (!s.vrrp?.length) vr.append(el('p', { class: 'muted', text: 'No VRRP instance configured.' }))
  for (const v of s.vrrp ?? []) {
    const ipath = `/api/v1/vrrp/${encodeURIComponent(v.instance)}`
    const card = el('article', { class: 'card', 'data-instance': v.instance },
      el('h3', {}, el('span', { text: `${v.instance} (VRID ${v.vrid})` }), stateBadge(v.state, 'state')),
      kv([
        ['service address', (v.vips ?? []).join(', '), 'vips'],
        ['held here', v.holdsVip ? 'yes' : 'no', 'holds-vip'],
        ['master', v.masterAddress ?? '–', 'master'],
        ['interface', v.interface, 'interface'],
        ['priority', `${v.effectivePriority} (configured ${v.configuredPriority}${v.priorityOverride === null || v.priorityOverride === undefined ? '' : `, override ${v.priorityOverride}`})`, 'priority'],
        ['health', v.healthReasons?.length ? v.healthReasons.join('; ') : 'ok', 'health'],
      ]),
      el('div', { class: 'actions' },
        el('button', {
          type: 'button', 'data-action': 'clear-override', text: 'Clear override',
          disabled: v.priorityOverride === null || v.priorityOverride === undefined,
          onclick: () => act('Clear priority override', `${ipath}/priority`, { priority: null }),
        }),
        el('button', {
          type: 'button', class: 'danger', 'data-action': 'step-down', text: 'Step down…',
          onclick: async () => {
            const yes = await confirmAction(`Step down: ${v.instance}`,
              'This node gives up the service address and stays backup until the override is cleared.', 'step-down')
            if (yes) await act('Step down', `${ipath}/step-down`)
          },
        }),
      ),
    )
    vr.append(card)
  }
}

function renderPools(pools) {
  const list = $('pool-list')
  list.replaceChildren()
  if (!pools.length) list.append(el('p', { class: 'muted', text: 'No pools.' }))
  for (const p of pools) {
    const pct = Math.round((p.utilisation ?? 0) * 1000) / 10
    const bar = el('div', { class: `bar${pct >= 100 ? ' full' : pct >= 90 ? ' high' : ''}`, role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 },
      el('span', { style: `width:${Math.min(100, pct)}%` }))
    const counts = el('div', { class: 'counts' })
    for (const k of ['total', 'active', 'free', 'backup', 'expired', 'released', 'abandoned', 'reset']) {
      counts.append(el('span', {}, `${k} `, el('b', { text: String(p[k] ?? 0), 'data-field': k })))
    }
    list.append(el('div', { class: 'pool', 'data-pool': p.id },
      el('div', { class: 'pool-head' },
        el('strong', { text: `${p.subnet}  ${(p.ranges ?? []).join(', ')}` }),
        el('span', { text: `${pct}% used${p.failoverPeer ? ` · peer ${p.failoverPeer}` : ''}`, 'data-field': 'utilisation' })),
      bar, counts))
  }
}

function leaseQuery() {
  const q = $('lease-q').value.trim()
  const params = new URLSearchParams({ offset: String(leaseOffset), limit: String(PAGE) })
  if (q) {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(q)) params.set('ip', q)
    else if (/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(q)) params.set('mac', q.toLowerCase().replaceAll('-', ':'))
    else params.set('hostname', q)
  }
  const state = $('lease-state').value
  if (state) params.set('state', state)
  return params
}

async function loadLeases() {
  const params = leaseQuery()
  const data = await api(`/api/v1/leases?${params}`)
  leaseTotal = data.total
  const body = $('lease-table').tBodies[0]
  body.replaceChildren()
  for (const l of data.leases) {
    body.append(el('tr', { 'data-ip': l.ip },
      el('td', { text: l.ip }), el('td', {}, stateBadge(l.state)), el('td', { text: l.mac ?? '–' }),
      el('td', { text: l.hostname ?? '–' }), el('td', { text: when(l.ends) }), el('td', { text: l.pool ?? '–' })))
  }
  if (!data.leases.length) body.append(el('tr', {}, el('td', { colspan: 6, class: 'muted', text: 'No leases match.' })))
  const last = Math.min(data.offset + data.leases.length, data.total)
  $('lease-range').textContent = data.total ? `${data.offset + 1}–${last} of ${data.total}` : '0 of 0'
  $('lease-prev').disabled = leaseOffset === 0
  $('lease-next').disabled = last >= data.total
}

async function loadEvents() {
  const data = await api(`/api/v1/events?since=${eventSeq}`)
  const list = $('event-list')
  for (const e of data.events) {
    eventSeq = Math.max(eventSeq, e.seq)
    list.prepend(el('li', { class: e.level, title: e.event }, `${new Date(e.at).toLocaleTimeString()}  ${e.text}`))
  }
  while (list.children.length > 200) list.lastElementChild.remove()
}

async function refresh() {
  if (refreshing || !token) return
  refreshing = true
  try {
    const [status, pools] = await Promise.all([api('/api/v1/status'), api('/api/v1/pools')])
    renderStatus(status)
    renderPools(pools.pools)
    await Promise.all([loadLeases(), loadEvents()])
    $('refresh-state').textContent = `updated ${new Date().toLocaleTimeString()}`
    $('forget-token').hidden = false
  } catch (err) {
    if (err instanceof Unauthorized) askToken('The token was refused.')
    else $('refresh-state').textContent = `update failed: ${err.message}`
  } finally {
    refreshing = false
  }
}

function askToken(message = '') {
  clearInterval(timer)
  timer = undefined
  $('token-error').textContent = message
  const dlg = $('token-dialog')
  if (!dlg.open) dlg.showModal()
}

function start() {
  clearInterval(timer)
  timer = setInterval(refresh, REFRESH_MS)
  void refresh()
}

$('token-form').addEventListener('submit', (ev) => {
  const value = $('token-input').value.trim()
  if (!value) { ev.preventDefault(); return }
  token = value
  localStorage.setItem(TOKEN_KEY, token)
  $('token-input').value = ''
  start()
})
$('forget-token').addEventListener('click', () => {
  localStorage.removeItem(TOKEN_KEY)
  token = ''
  askToken()
})
$('lease-search').addEventListener('submit', (ev) => {
  ev.preventDefault()
  leaseOffset = 0
  void loadLeases().catch((err) => toast(err.message))
})
$('lease-prev').addEventListener('click', () => { leaseOffset = Math.max(0, leaseOffset - PAGE); void loadLeases() })
$('lease-next').addEventListener('click', () => { if (leaseOffset + PAGE < leaseTotal) { leaseOffset += PAGE; void loadLeases() } })
$('lease-csv').addEventListener('click', async (ev) => {
  ev.preventDefault()
  const params = leaseQuery()
  params.set('format', 'csv'); params.set('offset', '0'); params.set('limit', '1000')
  try {
    const csv = await api(`/api/v1/leases?${params}`)
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }))
    const a = el('a', { href: url, download: 'leases.csv' })
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  } catch (err) { toast(err.message) }
})

if (token) start()
else askToken()
