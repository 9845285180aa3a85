import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hbaFromSplit, loadBalanceHash } from '../../../src/ha/failover/load-balance.js'
import {
  balanceLogLines, balanceThresholds, leaseBalanceKey, leasesToSend, nextBalanceAt, peerWantsLease, planPoolBalance,
  queueOrder, secondaryNotHoarding, type QueuedLease,
} from '../../../src/ha/failover/pool-balance.js'

const NOW = 1_800_000_000
const HBA = hbaFromSplit(128)
const DEFAULTS = { maxLeaseMisbalance: 15, maxLeaseOwnership: 10, minBalance: 60, maxBalance: 3600 }
// Keys from failover-protocol.md §5.2: bucket 26 (primary's with split 128) and 220 (secondary's).
const PRIMARY_KEY = Buffer.from('020000001001', 'hex')
const SECONDARY_KEY = Buffer.from('020000001003', 'hex')

test('the test keys hash where §5.2 says', () => {
  assert.equal(loadBalanceHash(PRIMARY_KEY), 26)
  assert.equal(loadBalanceHash(SECONDARY_KEY), 220)
})

const lts: { role: 'primary' | 'secondary'; free: number; backup: number; want: number }[] = [
  { role: 'primary', free: 20, backup: 0, want: 10 },
  { role: 'primary', free: 3, backup: 0, want: 1 },
  { role: 'primary', free: 0, backup: 3, want: -1 }, // C division truncates toward zero
  { role: 'primary', free: 10, backup: 10, want: 0 },
  { role: 'secondary', free: 20, backup: 0, want: -10 },
  { role: 'secondary', free: 4, backup: 13, want: 4 },
]
for (const r of lts) {
  test(`lts ${r.role} free ${r.free} backup ${r.backup} = ${r.want}`, () => {
    assert.equal(leasesToSend(r.role, r.free, r.backup), r.want)
  })
}

const thresholds: { free: number; backup: number; mis: number; own: number; want: { thresh: number; hold: number; panic: number } }[] = [
  { free: 20, backup: 0, mis: 15, own: 10, want: { thresh: 3, hold: 2, panic: -6 } },
  { free: 2, backup: 2, mis: 15, own: 10, want: { thresh: 1, hold: 0, panic: -2 } },
  { free: 0, backup: 0, mis: 15, own: 10, want: { thresh: 0, hold: 0, panic: -1 } },
  { free: 600, backup: 400, mis: 15, own: 10, want: { thresh: 150, hold: 100, panic: -300 } },
  { free: 3, backup: 0, mis: 15, own: 10, want: { thresh: 0, hold: 0, panic: -1 } }, // (45+50)/100 = 0
  { free: 50, backup: 50, mis: 0, own: 0, want: { thresh: 0, hold: 0, panic: -1 } },
]
for (const r of thresholds) {
  test(`thresholds total ${r.free + r.backup} misbalance ${r.mis}% ownership ${r.own}%`, () => {
    const t = balanceThresholds(r.free, r.backup, { maxLeaseMisbalance: r.mis, maxLeaseOwnership: r.own })
    assert.deepEqual({ thresh: t.thresh, hold: t.hold, panic: t.panic }, r.want)
  })
}

test('peer_wants_lease: the last client hashes to the peer; no HBA or no key → no', () => {
  const rows: [Uint8Array | undefined, Uint8Array | undefined, 'primary' | 'secondary', boolean][] = [
    [SECONDARY_KEY, HBA, 'primary', true],
    [PRIMARY_KEY, HBA, 'primary', false],
    [PRIMARY_KEY, HBA, 'secondary', true],
    [SECONDARY_KEY, HBA, 'secondary', false],
    [SECONDARY_KEY, undefined, 'primary', false],
    [undefined, HBA, 'primary', false],
  ]
  for (const [key, hba, role, want] of rows) assert.equal(peerWantsLease(key, hba, role), want, `${key === undefined ? '-' : Buffer.from(key).toString('hex')} ${role}`)
})

test('lease balance key: uid first, else hardware address without its type byte', () => {
  const uid = Buffer.from('01020000001003', 'hex')
  assert.deepEqual(leaseBalanceKey({ uid, hardware: { address: PRIMARY_KEY } }), uid)
  assert.deepEqual(leaseBalanceKey({ hardware: { address: PRIMARY_KEY } }), PRIMARY_KEY)
  assert.equal(leaseBalanceKey({ uid: Buffer.alloc(0) }), undefined)
  assert.equal(leaseBalanceKey({}), undefined)
})

const hoarding: { free: number; backup: number; own: number; want: boolean }[] = [
  { free: 10, backup: 10, own: 10, want: true }, // hold 2, lts 0 > -2
  { free: 4, backup: 10, own: 10, want: false }, // hold 1, lts -3
  { free: 8, backup: 10, own: 10, want: true }, // hold 2, lts -1 > -2
  { free: 6, backup: 10, own: 10, want: false }, // hold 2, lts -2
  { free: 0, backup: 0, own: 10, want: false }, // hold 0, lts 0 > 0 is false
]
for (const r of hoarding) {
  test(`secondary_not_hoarding free ${r.free} backup ${r.backup} → ${r.want}`, () => {
    assert.equal(secondaryNotHoarding(r.free, r.backup, r.own), r.want)
  })
}

const never = (n: number, from = 100): QueuedLease[] => Array.from({ length: n }, (_, i) => ({ address: from + i, ends: 0, key: undefined }))
const used = (n: number, from = 200, key?: Uint8Array): QueuedLease[] =>
  Array.from({ length: n }, (_, i) => ({ address: from + i, ends: NOW - 1000 + i, key }))

test('queue order: oldest ends first, never-used first, highest address first among equals', () => {
  const q = queueOrder([{ address: 5, ends: NOW, key: undefined }, { address: 1, ends: 0, key: undefined }, { address: 2, ends: 0, key: undefined }, { address: 9, ends: NOW - 5, key: undefined }])
  assert.deepEqual(q.map((l) => l.address), [2, 1, 9, 5])
})

const plans: { name: string; role: 'primary' | 'secondary'; free: number; backup: number; queue: QueuedLease[]; timer?: boolean; give: number; affinity?: number; lts: number; balanced: boolean; request?: boolean }[] = [
  { name: 'fresh pair: the primary hands half of 20 never-used leases over (§1.7: BACKUP ×10)', role: 'primary', free: 20, backup: 0, queue: never(20), give: 10, lts: 0, balanced: true },
  { name: 'used leases stop at +hold', role: 'primary', free: 20, backup: 0, queue: used(20), give: 8, lts: 2, balanced: true },
  { name: 'never-used go first until even, then used ones stop at hold', role: 'primary', free: 20, backup: 0, queue: [...never(3), ...used(17)], give: 8, lts: 2, balanced: true },
  { name: 'already balanced: nothing', role: 'primary', free: 10, backup: 10, queue: never(10), give: 0, lts: 0, balanced: true },
  { name: 'affinity pass may overshoot to −hold, then the run ends', role: 'primary', free: 22, backup: 18, queue: used(22, 200, SECONDARY_KEY), give: 6, affinity: 6, lts: -4, balanced: true },
  { name: 'affinity leases first, then the rest', role: 'primary', free: 40, backup: 0, queue: [...used(10, 200), ...used(3, 300, SECONDARY_KEY)], give: 13, affinity: 3, lts: 7, balanced: false },
  { name: 'primary-bucket clients are not given in the affinity pass', role: 'primary', free: 22, backup: 18, queue: used(22, 200, PRIMARY_KEY), give: 0, affinity: 0, lts: 2, balanced: true },
  { name: 'secondary gives BACKUP back as FREE', role: 'secondary', free: 4, backup: 13, queue: never(13), give: 4, lts: 0, balanced: true },
  { name: 'secondary short of leases, timer run: POOLREQ', role: 'secondary', free: 20, backup: 0, queue: [], timer: true, give: 0, lts: -10, balanced: true, request: true },
  { name: 'secondary short of leases, entry run: no POOLREQ', role: 'secondary', free: 20, backup: 0, queue: [], give: 0, lts: -10, balanced: true, request: false },
  { name: 'secondary just above panic: no POOLREQ', role: 'secondary', free: 16, backup: 4, queue: never(4), timer: true, give: 0, lts: -6, balanced: true, request: false },
  { name: 'secondary just below panic: POOLREQ', role: 'secondary', free: 17, backup: 3, queue: never(3), timer: true, give: 0, lts: -7, balanced: true, request: true },
  { name: 'too few leases to give: IMBALANCED', role: 'primary', free: 40, backup: 0, queue: used(2), give: 2, lts: 18, balanced: false },
]
for (const p of plans) {
  test(`balancing: ${p.name}`, () => {
    const plan = planPoolBalance({ role: p.role, free: p.free, backup: p.backup, queue: p.queue, hba: HBA, settings: DEFAULTS, timerRun: p.timer ?? false })
    assert.equal(plan.give.length, p.give, `gave ${plan.give.join()}`)
    assert.equal(plan.lts, p.lts)
    assert.equal(plan.ltsBefore - plan.give.length, plan.lts)
    assert.equal(plan.balanced, p.balanced)
    if (p.affinity !== undefined) assert.equal(plan.byAffinity, p.affinity)
    if (p.request !== undefined) assert.equal(plan.requestPeer, p.request)
    assert.equal(new Set(plan.give).size, plan.give.length, 'no lease given twice')
  })
}

test('balancing log lines use dhcpd wording', () => {
  const plan = planPoolBalance({ role: 'primary', free: 20, backup: 0, queue: never(20), hba: HBA, settings: DEFAULTS, timerRun: false })
  const lines = balanceLogLines(plan, { pool: '0', network: 'lab', leaseCount: 20, free: 20, backup: 0, role: 'primary' })
  assert.equal(lines.before, 'balancing pool 0 lab  total 20  free 20  backup 0  lts 10  max-own (+/-)2')
  assert.equal(lines.after, 'balanced pool 0 lab  total 20  free 10  backup 10  lts 0  max-misbal 3')
  const req = planPoolBalance({ role: 'secondary', free: 20, backup: 0, queue: [], hba: HBA, settings: DEFAULTS, timerRun: true })
  assert.match(balanceLogLines(req, { pool: '0', network: '', leaseCount: 20, free: 20, backup: 0, role: 'secondary' }).before, /lts -10  max-own \(\+\/-\)2  \(requesting peer rebalance!\)$/)
})

const schedules: { name: string; role: 'primary' | 'secondary'; free?: number; backup?: number; last?: number; scheduled?: number; jitter?: number; want: number | undefined }[] = [
  { name: 'never-used FREE head, empty BACKUP queue: min-balance after the last run', role: 'primary', free: 0, last: NOW, want: NOW + 60 },
  { name: 'no run yet, empty BACKUP queue: now', role: 'primary', free: 0, want: NOW },
  { name: 'both heads never used: max-balance', role: 'primary', free: 0, backup: 0, last: NOW, want: NOW + 3600 },
  { name: 'ages 1000/400, primary: min(2×150, 60)', role: 'primary', free: NOW - 1000, backup: NOW - 400, last: NOW - 10, want: NOW + 60 },
  { name: 'ages 1000/400, secondary: min(150, 2×60)', role: 'secondary', free: NOW - 1000, backup: NOW - 400, last: NOW - 10, want: NOW + 120 },
  { name: 'min-balance floor', role: 'primary', free: NOW - 100, backup: NOW - 100, last: NOW - 5, want: NOW + 55 },
  { name: 'jitter added', role: 'primary', free: NOW - 1000, backup: NOW - 400, last: NOW - 10, jitter: 4, want: NOW + 64 },
  { name: 'heads that have not ended count as age 0', role: 'primary', free: NOW + 50, backup: NOW + 50, want: NOW },
  { name: 'only moves earlier: a sooner planned run stays', role: 'primary', free: 0, backup: 0, last: NOW, scheduled: NOW + 100, want: undefined },
  { name: 'only moves earlier: the same time stays', role: 'primary', free: 0, backup: 0, last: NOW, scheduled: NOW + 3600, want: undefined },
  { name: 'moves a later planned run earlier', role: 'primary', free: 0, backup: 0, last: NOW, scheduled: NOW + 4000, want: NOW + 3600 },
]
for (const s of schedules) {
  test(`schedule: ${s.name}`, () => {
    const at = nextBalanceAt({
      now: NOW, role: s.role, oldestFreeEnds: s.free, oldestBackupEnds: s.backup, settings: DEFAULTS,
      lastBalance: s.last ?? 0, scheduled: s.scheduled, jitter: s.jitter ?? 0,
    })
    assert.equal(at, s.want)
  })
}
