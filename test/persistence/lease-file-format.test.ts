import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parseLeaseFile } from '../../src/persistence/lease-file-parse.js'
import { formatHeader, formatLease, formatPeerState } from '../../src/persistence/lease-file-format.js'
import { civilFromEpoch, epochFromCivil, formatLeaseDate } from '../../src/persistence/lease-file-dates.js'
import { quoteBytes } from '../../src/persistence/lease-file-strings.js'
import { NEVER, type BindingState, type Lease } from '../../src/core/lease.js'
import { seededRandom } from '../helpers/memory-file-system.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../test/fixtures/leases/${name}`, import.meta.url), 'latin1')

for (const name of ['failover-primary.leases', 'failover-secondary.leases']) {
  test(`an ISC-written file is reproduced byte for byte: ${name}`, () => {
    const text = fixture(name)
    const parsed = parseLeaseFile(text)
    // Rebuild in file order: header, then each record as it appeared.
    const blocks = text.slice(formatHeader('isc-dhcp-4.4.3-P1').length)
    let rebuilt = ''
    let li = 0
    let pi = 0
    for (const m of blocks.matchAll(/^(\nfailover peer|lease )/gm)) {
      rebuilt += m[1] === 'lease ' ? formatLease(parsed.leases[li++]!) : formatPeerState(parsed.peerStates[pi++]!)
    }
    assert.equal(li, parsed.leases.length)
    assert.equal(formatHeader('isc-dhcp-4.4.3-P1') + rebuilt, text)
  })
}

test('each lease block of the standalone file (default time format) round-trips', () => {
  const text = fixture('standalone-local-time.leases')
  const parsed = parseLeaseFile(text)
  const second = formatLease(parsed.leases[1]!)
  assert.ok(text.includes(second), second)
  assert.equal(
    formatLease(parsed.leases[0]!, { leaseIdFormat: 'hex', dbTimeFormat: 'local' }).split('\n').filter((l) => !l.includes('#')).join('\n'),
    [
      'lease 192.168.10.50 {',
      '  binding state active;',
      '  next binding state free;',
      '  rewind binding state free;',
      '  hardware ethernet 02:00:00:00:00:50;',
      '  uid 01:02:00:00:00:00:50;',
      '  client-hostname "laptop-50";',
      '}',
      '',
    ].join('\n'),
  )
  assert.match(
    formatLease(parsed.leases[0]!, { dbTimeFormat: 'local' }),
    /\n {2}starts epoch 1795456845; # \w{3} \w{3} \d\d \d\d:\d\d:\d\d 2026\n/,
  )
})

test('uid is quoted as ISC prints it: printable bytes as is, others as three-digit octal', () => {
  assert.equal(quoteBytes(Buffer.from('01080027d94596', 'hex')), `"\\001\\010\\000'\\331E\\226"`)
  assert.equal(quoteBytes(Buffer.from('a"b\\c d\x7f', 'latin1')), '"a\\"b\\\\c d\\177"')
})

test('dates: ISC weekday/UTC layout, never, and the civil conversion both ways', () => {
  const t = epochFromCivil(2026, 11, 23, 17, 59, 5)
  assert.equal(formatLeaseDate(t), '1 2026/11/23 17:59:05;')
  assert.equal(formatLeaseDate(0), '4 1970/01/01 00:00:00;')
  assert.equal(formatLeaseDate(NEVER), 'never;')
  assert.equal(formatLeaseDate(epochFromCivil(2024, 2, 29, 23, 59, 59)), '4 2024/02/29 23:59:59;')
  const rnd = seededRandom(7)
  for (let i = 0; i < 2000; i++) {
    const e = Math.floor(rnd() * 4_000_000_000)
    const c = civilFromEpoch(e)
    assert.equal(epochFromCivil(c.year, c.month, c.day, c.hour, c.minute, c.second), e)
    assert.equal(c.weekday, new Date(e * 1000).getUTCDay())
    assert.equal(c.month, new Date(e * 1000).getUTCMonth() + 1)
  }
})

const STATES: BindingState[] = ['free', 'active', 'expired', 'released', 'abandoned', 'reset', 'backup']

function randomLease(rnd: () => number, i: number): Lease {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const maybe = <T>(v: T): T | undefined => (rnd() < 0.5 ? v : undefined)
  const time = (): number => 1_700_000_000 + Math.floor(rnd() * 100_000_000)
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)))
  const state = pick(STATES)
  const lease: { -readonly [K in keyof Lease]: Lease[K] } = { address: (0x0a000000 + i) >>> 0, bindingState: state }
  const set = <K extends keyof Lease>(k: K, v: Lease[K] | undefined): void => {
    if (v !== undefined) lease[k] = v
  }
  set('starts', maybe(time()))
  set('ends', maybe(rnd() < 0.1 ? NEVER : time()))
  set('tstp', maybe(time()))
  set('tsfp', maybe(time()))
  set('atsfp', maybe(time()))
  set('cltt', maybe(time()))
  set('nextBindingState', maybe(pick(STATES.filter((s) => s !== state))))
  set('rewindBindingState', maybe(pick(STATES.filter((s) => s !== state))))
  set('reserved', maybe(true))
  set('dynamicBootp', maybe(true))
  set('hardware', maybe({ htype: pick([1, 6, 8, 32, 99]), address: bytes(1 + Math.floor(rnd() * 16)) }))
  set('uid', maybe(bytes(1 + Math.floor(rnd() * 20))))
  set('clientHostname', maybe(pick(['pc1', 'a "quoted" \\ name', 'ünïcode-host', 'tab\there'])))
  set(
    'statements',
    maybe([
      { kind: 'billing', text: 'billing class "vendor";' },
      { kind: 'set', text: `set ddns-fwd-name = "h${i}.example.com";` },
      { kind: 'set', text: 'set vendor-count = %42;' },
      { kind: 'option', text: 'option agent.circuit-id "eth0/1";' },
      { kind: 'on', text: 'on expiry {\n    set x = "y";\n  }' },
    ]),
  )
  return lease
}

test('our own output round-trips: parse(format(lease)) = lease and format is stable', () => {
  const rnd = seededRandom(42)
  let text = formatHeader()
  const leases: Lease[] = []
  for (let i = 0; i < 500; i++) {
    const l = randomLease(rnd, i)
    leases.push(l)
    text += formatLease(l)
    if (i % 100 === 0) {
      text += formatPeerState({ name: `peer-${i}`, myState: 'recover-wait', myStateAt: 1_800_000_000 + i, partnerState: 'unknown-state', mclt: i })
    }
  }
  const parsed = parseLeaseFile(text)
  assert.deepEqual(parsed.diagnostics, [])
  assert.equal(parsed.leases.length, leases.length)
  let again = formatHeader()
  let p = 0
  for (let i = 0; i < parsed.leases.length; i++) {
    again += formatLease(parsed.leases[i]!)
    if (i % 100 === 0) again += formatPeerState(parsed.peerStates[p++]!)
  }
  assert.equal(again, text, 'byte-exact')
  for (let i = 0; i < leases.length; i++) {
    const want = { ...leases[i]! }
    const got = parsed.leases[i]!
    // The writer drops a next/rewind state equal to the binding state (ISC does too).
    assert.deepEqual(got, want, `lease ${i}`)
  }
})
