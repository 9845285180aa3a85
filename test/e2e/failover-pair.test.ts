/**
 * Issue 5, e2e scenario (c): two hadhcpd nodes as a failover pair with real clients (busybox
 * udhcpc), seed 001's config shape (test/helpers/failover-pair-lab.ts). The tests run in order on
 * one lab and each builds on the previous one's state:
 *  1. both nodes reach NORMAL and the primary's pool balancing gives the secondary BACKUP leases;
 *  2. ten clients are served by the server the RFC 3074 hash names, and every binding reaches the
 *     other node's dhcpd.leases (BNDUPD/BNDACK);
 *  3. the primary is killed (SIGKILL): the secondary goes COMMUNICATIONS-INTERRUPTED, renews every
 *     client whatever node leased it (renew/rebind), and serves a new client from its BACKUP pool;
 *  4. the primary restarts on its lease file: both NORMAL again, databases converged;
 *  5. partition (the trunk between the two halves goes down): both COMMUNICATIONS-INTERRUPTED,
 *     each renews the clients on its side and serves a new one from its own pool, a client roams
 *     from one half to the other and keeps its address; heal: both NORMAL, converged (each
 *     client's lease known to both nodes until at least the end it was given), and no address is
 *     bound to two clients across the two lease files;
 *  6. the secondary loses its lease file and restarts: RECOVER → NORMAL, and it learns every
 *     binding again;
 *  7. planned maintenance: SIGTERM to the secondary (started with `--failover-graceful-stop`)
 *     hands it over: SHUTDOWN, the primary enters PARTNER-DOWN at once, the secondary's lease file
 *     says `my state recover` (STOS backdated by MCLT); restarted, it recovers without
 *     RECOVER-WAIT and both are NORMAL again.
 * PARTNER-DOWN is only entered by the hand-over of (7): nothing here needs the peer's free addresses.
 */
import { after, before, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { e2eCanRun, missingRequirements } from '../helpers/e2e.js'
import {
  activeBindings, clientsWithTwoAddresses, crossFileConflicts, FailoverPairLab, lastLease, NODE_ADDRESS,
  PAIR_SUBNET, type PairClient, type Role, type Side,
} from '../helpers/failover-pair-lab.js'
import { bucketOwner, hbaFromSplit } from '../../src/ha/failover/load-balance.js'
import type { HookRecord } from '../helpers/dhcp-lab.js'

const TOOLS = ['ip', 'udhcpc']
const runnable = missingRequirements({ root: true, tools: TOOLS }).length === 0
const SIDE_NODE: Readonly<Record<Side, Role>> = { left: 'primary', right: 'secondary' }
const CLIENTS = 10

let pair: FailoverPairLab

const macOf = (i: number): string => `02:72:00:00:00:${i.toString(16).padStart(2, '0')}`

/** The node RFC 3074 (split 128) assigns a udhcpc client to: its key is option 61, 01 + MAC. */
function expectedServer(mac: string): Role {
  const key = Buffer.from([1, ...mac.split(':').map((h) => parseInt(h, 16))])
  return bucketOwner(hbaFromSplit(128), key)
}

const serverRole = (r: HookRecord | undefined): Role | undefined =>
  r?.['serverid'] === NODE_ADDRESS.primary ? 'primary' : r?.['serverid'] === NODE_ADDRESS.secondary ? 'secondary' : undefined

/** Hook records of `c` written after it had `since` records. */
const recordsAfter = (c: PairClient, since: number): HookRecord[] => c.records().slice(since)

/**
 * Waits until every client's current address is active for it in both lease files, with the same
 * `ends`, no earlier than the end the client was last given (hook time + lease time, 2 s slack).
 */
async function waitConverged(timeoutMs: number): Promise<void> {
  let disagreements: string[] = []
  try {
    await pair.waitFor('both lease files agree on every client', timeoutMs, () => {
      const pv = pair.view('primary')
      const sv = pair.view('secondary')
      const p = activeBindings(pv)
      const s = activeBindings(sv)
      disagreements = pair.clients.flatMap((c) => {
        const last = lastLease(c)
        const ip = last?.['ip']
        if (ip === undefined) return [`${c.name}: no lease`]
        const pe = pv.leases.get(ip)?.ends ?? 0
        const se = sv.leases.get(ip)?.ends ?? 0
        const given = Number(last?.['at'] ?? NaN) + Number(last?.['lease'] ?? NaN)
        const ok = p.get(ip) === c.mac && s.get(ip) === c.mac && pe === se && pe >= given - 2
        return ok ? [] : [`${c.name} ${ip}: primary ${p.get(ip) ?? 'not active'} ends ${pe}, secondary ${s.get(ip) ?? 'not active'} ends ${se}, given until ${given}`]
      })
      return disagreements.length === 0 ? true : undefined
    })
  } catch (err) {
    throw new Error(`${disagreements.join('\n')}\n${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

/**
 * The pair's invariant: no address bound to two clients across the two lease files. `oneEach`
 * also asks that no client holds two addresses (not a safety property: a client that roamed
 * during the partition keeps its old binding on the other node until that lease ends).
 */
function assertNoDoubleBinding(when: string, oneEach = true): void {
  const p = pair.view('primary')
  const s = pair.view('secondary')
  assert.deepEqual(crossFileConflicts(p, s), [], `${when}: an address bound to two clients across the lease files`)
  if (!oneEach) return
  assert.deepEqual(clientsWithTwoAddresses(p), [], `${when}: a client with two addresses (primary)`)
  assert.deepEqual(clientsWithTwoAddresses(s), [], `${when}: a client with two addresses (secondary)`)
}

/**
 * After `since` hook records per client: waits until each client has renewed (same address)
 * with the server `server(c)` names; returns how many renewals were rebinds to a node that did
 * not lease the address.
 */
async function waitAllRenewedBy(since: ReadonlyMap<string, number>, server: (c: PairClient) => Role, timeoutMs: number): Promise<number> {
  const before = new Map(pair.clients.map((c) => [c.name, lastLease(c)]))
  await pair.waitFor('every client renewed by its reachable node', timeoutMs, () =>
    pair.clients.every((c) => recordsAfter(c, since.get(c.name) ?? 0).some((r) =>
      r['arg'] === 'renew' && serverRole(r) === server(c) && r['ip'] === before.get(c.name)?.['ip'])) ? true : undefined)
  for (const c of pair.clients) {
    const lost = recordsAfter(c, since.get(c.name) ?? 0).filter((r) => r['arg'] === 'deconfig' || r['arg'] === 'leasefail')
    assert.deepEqual(lost, [], `${c.name} never lost its lease`)
  }
  return pair.clients.filter((c) => serverRole(before.get(c.name)) !== server(c)).length
}

const counts = (): Map<string, number> => new Map(pair.clients.map((c) => [c.name, c.records().length]))

/** Starts a new client and waits for its lease; asserts which node served it and from which pool. */
async function newClientServedBy(name: string, mac: string, side: Side, role: Role): Promise<string> {
  const before = { primary: pair.view('primary').leases, secondary: pair.view('secondary').leases }
  const c = pair.addClient(name, mac, side)
  const rec = await pair.waitFor(`${name} bound`, 30_000, () => lastLease(c))
  const ip = rec['ip'] ?? ''
  assert.equal(serverRole(rec), role, `${name} served by the ${role}`)
  // Both files agreed it was the serving node's: FREE (primary) or BACKUP (secondary). A lease
  // file holds only addresses that changed, so an absent one is FREE.
  const own = role === 'primary' ? 'free' : 'backup'
  for (const r of ['primary', 'secondary'] as const) {
    assert.equal(before[r].get(ip)?.bindingState ?? 'free', own, `${ip} was in the ${role}'s ${own} pool by the ${r}'s lease file`)
  }
  return ip
}

before(async () => {
  if (!runnable) return
  pair = new FailoverPairLab('hpr-p-', 'hpr')
})

after(async () => {
  if (runnable) await pair.destroy()
})

test('(1) a fresh hadhcpd pair reaches NORMAL; the primary balances BACKUP leases to the secondary', { timeout: 120_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const t0 = Date.now()
  await Promise.all([pair.startNode('primary'), pair.startNode('secondary')])
  await pair.waitBothNormal(90_000)
  t.diagnostic(`NORMAL after ${Date.now() - t0} ms`)
  for (const r of ['primary', 'secondary'] as const) {
    const st = await pair.waitFor(`${r} lease file records normal/normal`, 10_000, () => {
      const s = pair.view(r).peerState
      return s?.myState === 'normal' && s.partnerState === 'normal' ? s : undefined
    })
    assert.equal(st.myState, 'normal')
  }
  // Pool balancing: the primary hands addresses over as BACKUP (recorded in its file) and keeps
  // the rest FREE (unwritten); the secondary's file ends up with the same BACKUP set.
  const backupIn = (r: Role): string[] => [...pair.view(r).leases].filter(([, l]) => l.bindingState === 'backup').map(([a]) => a).sort()
  const handed = await pair.waitFor('the same BACKUP addresses in both lease files', 30_000, () => {
    const p = backupIn('primary')
    return p.length >= 16 && p.join() === backupIn('secondary').join() ? p : undefined
  })
  t.diagnostic(`${handed.length} of 64 addresses handed to the secondary as BACKUP after ${Date.now() - t0} ms`)
  assert.ok(handed.length < 64, 'the primary kept FREE addresses')
})

test('(2, 3) clients are split as the RFC 3074 hash predicts and every binding reaches the other node', { timeout: 120_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const t0 = Date.now()
  for (let i = 1; i <= CLIENTS; i++) pair.addClient(`c${i}`, macOf(i), i % 2 === 1 ? 'left' : 'right')
  await pair.waitFor('every client bound', 60_000, () => pair.clients.every((c) => lastLease(c) !== undefined) ? true : undefined)
  t.diagnostic(`${CLIENTS} clients bound after ${Date.now() - t0} ms`)
  const split = { primary: 0, secondary: 0 }
  for (const c of pair.clients) {
    const first = c.records().find((r) => r['arg'] === 'bound')
    const want = expectedServer(c.mac)
    split[want]++
    assert.equal(serverRole(first), want, `${c.name} (${c.mac}) is served by the ${want} (got server-identifier ${first?.['serverid']})`)
    assert.match(first?.['ip'] ?? '', new RegExp(`^${PAIR_SUBNET.replace(/\./g, '\\.')}\\.\\d+$`))
  }
  t.diagnostic(`hash split: primary ${split.primary}, secondary ${split.secondary}`)
  assert.ok(split.primary > 0 && split.secondary > 0, 'the chosen MACs exercise both buckets')
  await waitConverged(20_000)
  t.diagnostic(`bindings replicated after ${Date.now() - t0} ms`)
  assertNoDoubleBinding('normal')
})

test('(4) primary killed: the secondary goes communications-interrupted, renews every client and serves new ones from its BACKUP pool', { timeout: 150_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const t0 = Date.now()
  const since = counts()
  const mark = pair.marks().secondary
  await pair.killNode('primary')
  await pair.waitLog('secondary', /failover peer ha-dhcp: I move from normal to communications-interrupted/, 30_000, mark)
  t.diagnostic(`communications-interrupted after ${Date.now() - t0} ms`)
  const rebinds = await waitAllRenewedBy(since, () => 'secondary', 60_000)
  t.diagnostic(`all ${CLIENTS} clients renewed by the secondary after ${Date.now() - t0} ms (${rebinds} rebound from the primary)`)
  assert.ok(rebinds > 0, 'some clients were the primary\'s')
  const ip = await newClientServedBy('n1', macOf(0x41), 'left', 'secondary')
  t.diagnostic(`new client n1 got ${ip} from the secondary's BACKUP pool after ${Date.now() - t0} ms`)
  assertNoDoubleBinding('primary down')
})

test('(6a) the killed primary restarts on its lease file: both NORMAL, databases converged', { timeout: 120_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const t0 = Date.now()
  const mark = pair.marks().secondary
  await pair.startNode('primary')
  await pair.waitBothNormal(60_000, { primary: 0, secondary: mark })
  t.diagnostic(`both NORMAL ${Date.now() - t0} ms after the restart`)
  await waitConverged(30_000)
  t.diagnostic(`converged ${Date.now() - t0} ms after the restart`)
  assertNoDoubleBinding('after restart')
})

/**
 * During the partition: waits until the primary's copy of `victim`'s lease has ended and its tsfp
 * has passed, then a new left-side client asks for that address; it must get another one.
 */
async function staleAddressRequest(t: TestContext, name: string, mac: string, victimName: string): Promise<void> {
  const victim = pair.clients.find((c) => c.name === victimName)
  const ip = victim === undefined ? undefined : lastLease(victim)?.['ip']
  assert.ok(victim !== undefined && ip !== undefined && victim.side === 'right')
  const stale = await pair.waitFor(`the primary's copy of ${ip} ended, tsfp passed`, 75_000, () => {
    const l = pair.view('primary').leases.get(ip)
    const now = Math.floor(Date.now() / 1000)
    return l !== undefined && l.bindingState !== 'active' && Math.max(l.ends ?? 0, l.tsfp ?? 0) + 2 < now ? l.bindingState : undefined
  })
  const thief = pair.addClient(name, mac, 'left', ['-r', ip])
  const got = await pair.waitFor(`${name} bound`, 30_000, () => lastLease(thief))
  t.diagnostic(`primary's copy of ${ip} (${victimName}, renewed by the secondary) is ${stale}; a left client asking for it got ${got['ip'] ?? '?'} from ${got['serverid'] ?? '?'}`)
  assertNoDoubleBinding(`partitioned, after a request for ${victimName}'s address`, false)
  assert.notEqual(got['ip'], ip, `the primary gave away ${ip}, which the secondary is renewing`)
}

/** The partitioned half of (5): both nodes interrupted, each serving the clients on its side. */
async function whilePartitioned(t: TestContext, marks: Record<Role, number>): Promise<void> {
  const t0 = Date.now()
  const since = counts()
  for (const r of ['primary', 'secondary'] as const) {
    await pair.waitLog(r, /failover peer ha-dhcp: I move from normal to communications-interrupted/, 40_000, marks[r])
  }
  t.diagnostic(`both communications-interrupted ${Date.now() - t0} ms after the cut`)
  const rebinds = await waitAllRenewedBy(since, (c) => SIDE_NODE[c.side], 60_000)
  t.diagnostic(`every client renewed by the node on its side after ${Date.now() - t0} ms (${rebinds} rebound across)`)
  // A client roams: renewed by the primary during the partition, it moves to the right half and
  // gets a lease from the secondary. If the secondary's copy of its lease has not ended yet it
  // rebinds and keeps the address; once it has, the address is the primary's (FREE) again and
  // the secondary must refuse it ("lease owned by peer"): the client starts over with a new
  // address from the BACKUP pool. Either way both nodes then hold a binding of it made apart.
  const roamer = pair.clients.find((c) => c.name === 'c1')
  assert.ok(roamer !== undefined && roamer.side === 'left')
  const roamIp = lastLease(roamer)?.['ip']
  const roamSince = roamer.records().length
  pair.moveClient(roamer, 'right')
  const roamed = await pair.waitFor('the roaming client served by the secondary', 60_000, () =>
    recordsAfter(roamer, roamSince).find((r) => (r['arg'] === 'renew' || r['arg'] === 'bound') && serverRole(r) === 'secondary'))
  t.diagnostic(`roaming client c1 (${roamIp ?? '?'}) ${roamed['ip'] === roamIp ? 'rebound and kept its address' : `got ${roamed['ip'] ?? '?'} anew`} from the secondary after ${Date.now() - t0} ms`)
  // Clients on the left ask for the addresses of right-side clients the primary can no longer
  // see renewing: c2's lease was the secondary's (the primary holds its BNDUPD copy), c4's the
  // primary's own. Once the primary's copy has ended, and even once its tsfp has passed, the
  // address must stay out of the primary's hands while apart: the secondary may be renewing it.
  await staleAddressRequest(t, 'ta', macOf(0x61), 'c2')
  await staleAddressRequest(t, 'tb', macOf(0x62), 'c4')
  const ipL = await newClientServedBy('nl', macOf(0x51), 'left', 'primary')
  const ipR = await newClientServedBy('nr', macOf(0x52), 'right', 'secondary')
  t.diagnostic(`new clients during the partition: left ${ipL} (primary FREE), right ${ipR} (secondary BACKUP)`)
  assertNoDoubleBinding('partitioned', false)
}

test('(5) partition with clients on both sides: both communications-interrupted and serving; heal: NORMAL, converged, no double binding', { timeout: 200_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const marks = pair.marks()
  pair.partition()
  let healMarks = marks
  try {
    await whilePartitioned(t, marks)
    healMarks = pair.marks()
  } finally {
    pair.heal()
  }
  const healAt = Date.now()
  await pair.waitBothNormal(90_000, healMarks)
  t.diagnostic(`both NORMAL ${Date.now() - healAt} ms after the heal`)
  // Well within a renewal period (T1 = 15 s): a stale binding sent back across the heal would
  // otherwise only be repaired by the client's next renewal.
  await waitConverged(8_000)
  t.diagnostic(`converged ${Date.now() - healAt} ms after the heal`)
  assertNoDoubleBinding('healed', false)
})

test('(6b) the secondary loses its lease file and restarts: RECOVER → NORMAL with every binding learnt again', { timeout: 150_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const t0 = Date.now()
  const mark = pair.marks().primary
  await pair.killNode('secondary')
  await pair.waitLog('primary', /I move from normal to communications-interrupted/, 30_000, mark)
  // With --failover-graceful-stop for (7): a SIGTERM then hands the relationship over first.
  await pair.startNode('secondary', { wipe: true, args: ['--failover-graceful-stop'] })
  await pair.waitLog('secondary', /failover peer ha-dhcp: I move from [a-z-]+ to recover/, 30_000)
  await pair.waitBothNormal(120_000, { primary: mark, secondary: 0 })
  t.diagnostic(`RECOVER → NORMAL in ${Date.now() - t0} ms`)
  await waitConverged(30_000)
  assertNoDoubleBinding('after recovery', false)
})

test('(7) planned maintenance: SIGTERM with --failover-graceful-stop hands the secondary over (the primary enters partner-down at once); restarted, it recovers without recover-wait', { timeout: 90_000 }, async (t) => {
  if (!e2eCanRun(t, { root: true, tools: TOOLS })) return
  const marks = pair.marks()
  const secondary = pair.nodes.secondary.proc
  const t0 = performance.now()
  assert.ok(secondary.signalGroup('SIGTERM'))
  // Polled every 20 ms: how long the primary took to take over the whole pool.
  const primaryOut = (): string => pair.nodes.primary.proc.output().slice(marks.primary)
  while (!/failover peer ha-dhcp: I move from normal to partner-down/.test(primaryOut())) {
    if (performance.now() - t0 > 5_000) assert.fail(`the primary did not enter partner-down within 5 s\n${pair.diag()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  const tookMs = performance.now() - t0
  assert.match(primaryOut(), /failover peer ha-dhcp: peer moves from normal to shutdown/)
  const exit = await secondary.waitForExit(10_000)
  assert.deepEqual(exit, { code: 0, signal: null }, pair.diag())
  const out = secondary.output().slice(marks.secondary)
  const confirmed = /graceful shutdown: the peer confirmed partner-down after (\d+) ms; recover recorded, STOS backdated by MCLT/.exec(out)
  assert.ok(confirmed !== null, out)
  t.diagnostic(`SIGTERM → primary partner-down in ${Math.round(tookMs)} ms (secondary: STATE shutdown → peer's partner-down ${confirmed[1] ?? '?'} ms)`)
  const st = pair.view('secondary').peerState
  assert.equal(st?.myState, 'recover')
  assert.equal(st?.partnerState, 'partner-down')
  assert.ok((st?.myStateAt ?? Infinity) <= Date.now() / 1000 - pair.timers.mclt + 1, 'STOS backdated by MCLT')
  const t1 = performance.now()
  const mark = pair.marks().primary
  await pair.startNode('secondary')
  await pair.waitBothNormal(30_000, { primary: mark, secondary: 0 })
  t.diagnostic(`restarted secondary: both NORMAL after ${Math.round(performance.now() - t1)} ms`)
  assert.doesNotMatch(pair.nodes.secondary.proc.output(), /recover-wait/)
  assert.match(pair.nodes.primary.proc.output().slice(mark), /failover peer ha-dhcp: I move from partner-down to normal/)
  await waitConverged(15_000)
  assertNoDoubleBinding('after the graceful stop and restart', false)
})
