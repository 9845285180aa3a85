import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parseLeaseFile, LeaseFileParser } from '../../src/persistence/lease-file-parse.js'
import { epochFromCivil } from '../../src/persistence/lease-file-dates.js'
import { parseIPv4 } from '../../src/lib/ip.js'
import { NEVER, type Lease } from '../../src/core/lease.js'

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/leases/${name}`, import.meta.url))
const ip = (s: string): number => parseIPv4(s)!
const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  epochFromCivil(y, mo, d, h, mi, s)

/** Last block per address, as the loader applies it. */
function lastWins(leases: Lease[]): Map<number, Lease> {
  const m = new Map<number, Lease>()
  for (const l of leases) m.set(l.address, l)
  return m
}

test('failover primary file: every lease field, peer state, last block wins', () => {
  const r = parseLeaseFile(fixture('failover-primary.leases'))
  assert.deepEqual(r.diagnostics, [])
  assert.equal(r.summary.torn, undefined)
  assert.equal(r.summary.leases, 7)
  assert.deepEqual(r.peerStates, [
    {
      name: 'dhcp-failover',
      myState: 'normal',
      myStateAt: utc(2026, 11, 23, 17, 59, 5),
      partnerState: 'normal',
      partnerStateAt: utc(2026, 11, 23, 17, 59, 5),
      mclt: undefined,
    },
  ])
  assert.deepEqual(r.verbatim.map((v) => v.key), ['authoring-byte-order'])
  const leases = lastWins(r.leases)
  assert.equal(leases.size, 6)

  assert.equal(leases.get(ip('10.99.0.100'))!.bindingState, 'free')
  assert.equal(leases.get(ip('10.99.0.101'))!.bindingState, 'backup')

  const pc1 = leases.get(ip('10.99.0.110'))!
  assert.equal(pc1.starts, utc(2026, 11, 23, 18, 5, 47), 'the later block wins')
  assert.equal(pc1.ends, utc(2026, 11, 23, 18, 15, 47))
  assert.equal(pc1.tstp, utc(2026, 11, 23, 18, 20, 47))
  assert.equal(pc1.tsfp, utc(2026, 11, 23, 18, 15, 47))
  assert.equal(pc1.atsfp, utc(2026, 11, 23, 18, 15, 47))
  assert.equal(pc1.cltt, utc(2026, 11, 23, 18, 5, 47))
  assert.equal(pc1.bindingState, 'active')
  assert.equal(pc1.nextBindingState, 'expired')
  assert.equal(pc1.rewindBindingState, undefined)
  assert.deepEqual(pc1.hardware, { htype: 1, address: Buffer.from('080027d94596', 'hex') })
  assert.deepEqual(pc1.uid, Buffer.from('01080027d94596', 'hex'), 'octal escapes and printable bytes')
  assert.equal(pc1.clientHostname, 'pc1')
  assert.deepEqual(pc1.statements!.map((s) => s.kind), ['set', 'set', 'set', 'on'])
  assert.equal(pc1.statements![1]!.text, 'set ddns-fwd-name = "pc1.example.com";')
  assert.equal(
    pc1.statements![3]!.text,
    'on expiry or release {\n    set ddns-rev-name = "110.0.99.10.in-addr.arpa.";\n  }',
  )

  const expired = leases.get(ip('10.99.0.111'))!
  assert.equal(expired.bindingState, 'expired')
  assert.equal(expired.nextBindingState, 'free')
  assert.equal(expired.rewindBindingState, 'active')
  assert.deepEqual(expired.uid, Buffer.from('01020000000011', 'hex'))

  const released = leases.get(ip('10.99.0.112'))!
  assert.equal(released.bindingState, 'released')
  assert.equal(released.clientHostname, 'printer "lab"')
  assert.deepEqual(released.statements, [
    { kind: 'option', text: 'option agent.circuit-id "eth0/1/3";' },
    { kind: 'option', text: 'option agent.remote-id 0:1:2:3:4:5;' },
  ])

  assert.equal(leases.get(ip('10.99.0.113'))!.bindingState, 'abandoned')
})

test('failover secondary file: mclt, and the last state block wins', () => {
  const r = parseLeaseFile(fixture('failover-secondary.leases'))
  assert.deepEqual(r.diagnostics, [])
  assert.equal(r.peerStates.length, 3)
  const last = r.peerStates.at(-1)!
  assert.equal(last.myState, 'partner-down')
  assert.equal(last.myStateAt, utc(2026, 11, 23, 19, 30, 12))
  assert.equal(last.partnerState, 'communications-interrupted')
  assert.equal(last.mclt, 3600)
  assert.equal(lastWins(r.leases).get(ip('10.99.0.101'))!.bindingState, 'backup')
})

test('standalone file: epoch dates, colon-hex uid, never, legacy abandoned;, host and server-duid kept', () => {
  const r = parseLeaseFile(fixture('standalone-local-time.leases'), { now: utc(2026, 11, 23, 19, 0, 0) })
  assert.deepEqual(r.diagnostics, [])
  assert.deepEqual(
    r.verbatim.map((v) => v.key),
    ['authoring-byte-order', 'server-duid', 'host lab-printer'],
  )
  assert.match(r.verbatim[2]!.text, /^host lab-printer \{\n {2}dynamic;[^]*fixed-address 192\.168\.10\.9;\n\}$/)
  const [a, b, c, d] = r.leases
  assert.equal(a!.starts, 1795456845)
  assert.equal(a!.ends, 1795500045)
  assert.deepEqual(a!.uid, Buffer.from('01020000000050', 'hex'))
  assert.equal(b!.ends, NEVER)
  assert.equal(b!.dynamicBootp, true)
  assert.equal(c!.bindingState, 'abandoned')
  assert.deepEqual(c!.hardware, { htype: 6, address: Buffer.from('020000000052', 'hex') })
  // No binding state and ends in the past: ISC makes it free.
  assert.equal(d!.bindingState, 'free')
  assert.deepEqual(d!.hardware!.address, Buffer.from('020000000053', 'hex'))
})

test('legacy binding state words: bootp and reserved mean active plus a flag', () => {
  const r = parseLeaseFile(
    'lease 10.0.0.1 {\n  binding state bootp;\n}\nlease 10.0.0.2 {\n  binding state reserved;\n}\n',
  )
  assert.deepEqual(r.leases, [
    { address: ip('10.0.0.1'), bindingState: 'active', dynamicBootp: true },
    { address: ip('10.0.0.2'), bindingState: 'active', reserved: true },
  ])
})

test('a lease without a binding state: active (next free) while ends is in the future', () => {
  const text = 'lease 10.0.0.1 {\n  ends 1 2026/11/23 18:00:00;\n}\n'
  const before = parseLeaseFile(text, { now: utc(2026, 11, 23, 17, 0, 0) }).leases[0]!
  assert.equal(before.bindingState, 'active')
  assert.equal(before.nextBindingState, 'free')
  const after = parseLeaseFile(text, { now: utc(2026, 11, 23, 19, 0, 0) }).leases[0]!
  assert.equal(after.bindingState, 'free')
})

test('uid escapes: octal, \\x hex, \\t \\n, quote and backslash', () => {
  const r = parseLeaseFile('lease 10.0.0.1 {\n  uid "\\1\\01\\001\\x41\\x4\\t\\n\\"\\\\z";\n}\n')
  assert.deepEqual(r.diagnostics, [])
  assert.deepEqual([...r.leases[0]!.uid!], [1, 1, 1, 0x41, 4, 9, 10, 0x22, 0x5c, 0x7a])
})

const errorCases = [
  { name: 'bad address', text: 'lease 10.0.0.300 {\n  binding state free;\n}\n', at: [1, 7], msg: /IPv4/ },
  { name: 'unknown binding state', text: 'lease 10.0.0.1 {\n  binding state bogus;\n}\n', at: [2, 17], msg: /unknown binding state `bogus`/ },
  { name: 'bad date', text: 'lease 10.0.0.1 {\n  starts 3 2026/13/01 00:00:00;\n}\n', at: [2, 12], msg: /date/ },
  { name: 'missing semicolon', text: 'lease 10.0.0.1 {\n  binding state free\n}\n', at: [3, 1], msg: /expecting `;`/ },
  { name: 'bad hardware', text: 'lease 10.0.0.1 {\n  hardware ethernet zz:00;\n}\n', at: [2, 21], msg: /hardware address/ },
  { name: 'peer state', text: 'failover peer "x" state {\n  my state nonsense;\n}\n', at: [2, 12], msg: /unknown failover state/ },
] as const

for (const c of errorCases) {
  test(`error with line:col — ${c.name}; the next record still loads`, () => {
    const r = parseLeaseFile(`${c.text}lease 10.9.9.9 {\n  binding state active;\n}\n`)
    const errors = r.diagnostics.filter((d) => d.severity === 'error')
    assert.equal(errors.length, 1, JSON.stringify(r.diagnostics))
    assert.deepEqual([errors[0]!.line, errors[0]!.col], c.at)
    assert.match(errors[0]!.message, c.msg)
    assert.equal(r.leases.at(-1)!.address, ip('10.9.9.9'))
  })
}

test('`partner` is the ISC spelling; `peer state` is read with a warning', () => {
  const r = parseLeaseFile('failover peer "x" state {\n  my state normal;\n  peer state recover;\n}\n')
  assert.equal(r.peerStates[0]!.partnerState, 'recover')
  assert.equal(r.peerStates[0]!.myStateAt, undefined)
  assert.equal(r.diagnostics.length, 1)
  assert.equal(r.diagnostics[0]!.severity, 'warning')
})

test('unknown lease statements are kept verbatim with a warning', () => {
  const r = parseLeaseFile('lease 10.0.0.1 {\n  binding state free;\n  ddns-fwd-name "a.example";\n}\n')
  assert.deepEqual(r.leases[0]!.statements, [{ kind: 'other', text: 'ddns-fwd-name "a.example";' }])
  assert.equal(r.diagnostics[0]!.severity, 'warning')
  assert.equal(r.diagnostics[0]!.line, 3)
})

test('torn tail: cutting the last record at every byte offset drops only that record', () => {
  const file = fixture('failover-primary.leases')
  const lastStart = file.lastIndexOf('lease 10.99.0.110 {')
  const whole = parseLeaseFile(file)
  const before = parseLeaseFile(file.subarray(0, lastStart))
  assert.equal(before.summary.torn, undefined)
  for (let cut = lastStart; cut <= file.length; cut++) {
    const r = parseLeaseFile(file.subarray(0, cut))
    const complete = cut >= file.length - 1 // only the final newline missing
    assert.deepEqual(r.diagnostics, [], `cut at ${cut}`)
    if (complete) {
      assert.equal(r.summary.torn, undefined)
      assert.deepEqual(r.leases, whole.leases)
    } else if (cut === lastStart) {
      assert.equal(r.summary.torn, undefined)
      assert.deepEqual(r.leases, before.leases)
    } else {
      assert.deepEqual(r.summary.torn, { line: 78, col: 1, bytes: cut - lastStart }, `cut at ${cut}`)
      assert.deepEqual(r.leases, before.leases, `cut at ${cut}`)
    }
  }
})

test('streaming: the same records whatever the chunk boundaries', () => {
  const file = Buffer.concat([fixture('failover-primary.leases'), fixture('standalone-local-time.leases')])
  const whole = parseLeaseFile(file)
  for (const size of [1, 2, 3, 7, 64, 333]) {
    const leases: Lease[] = []
    const parser = new LeaseFileParser({ onLease: (l) => leases.push(l) })
    for (let i = 0; i < file.length; i += size) parser.push(file.subarray(i, i + size))
    const summary = parser.end()
    assert.deepEqual(leases, whole.leases, `chunk size ${size}`)
    assert.deepEqual(summary, whole.summary, `chunk size ${size}`)
  }
  // Every split point into two chunks.
  for (let at = 0; at <= file.length; at += 5) {
    let n = 0
    const parser = new LeaseFileParser({ onLease: () => n++ })
    parser.push(file.subarray(0, at))
    parser.push(file.subarray(at))
    assert.equal(parser.end().torn, undefined)
    assert.equal(n, whole.leases.length, `split at ${at}`)
  }
})

test('reused lease object: same values, fixed shape', () => {
  const file = fixture('failover-primary.leases')
  const plain = parseLeaseFile(file).leases
  const seen: Lease[] = []
  const parser = new LeaseFileParser({ onLease: (l) => seen.push(JSON.parse(JSON.stringify({ ...l, uid: l.uid?.toString('hex'), hardware: l.hardware && { htype: l.hardware.htype, address: l.hardware.address.toString('hex') } }))) }, { reuseLeaseObject: true })
  parser.push(file)
  parser.end()
  const strip = (l: Lease): unknown => JSON.parse(JSON.stringify({ ...l, uid: l.uid?.toString('hex'), hardware: l.hardware && { htype: l.hardware.htype, address: l.hardware.address.toString('hex') } }))
  assert.deepEqual(seen, plain.map(strip))
})

test('a tail of NUL bytes (file grown, data never written) is a torn tail, not an error', () => {
  const good = 'lease 10.0.0.1 {\n  binding state active;\n}\n'
  const afterComplete = parseLeaseFile(Buffer.concat([Buffer.from(good), Buffer.alloc(4096)]))
  assert.deepEqual(afterComplete.diagnostics, [])
  assert.equal(afterComplete.leases.length, 1)
  assert.deepEqual(afterComplete.summary.torn, { line: 4, col: 1, bytes: 4096 })
  const afterPartial = parseLeaseFile(Buffer.concat([Buffer.from(good + 'lease 10.0.0.2 {\n  bind'), Buffer.alloc(100)]))
  assert.deepEqual(afterPartial.diagnostics, [])
  assert.equal(afterPartial.leases.length, 1)
  assert.deepEqual(afterPartial.summary.torn, { line: 4, col: 1, bytes: 23 + 100 })
  // In small chunks too.
  const bytes = Buffer.concat([Buffer.from(good), Buffer.alloc(3000)])
  const parser = new LeaseFileParser({})
  for (let i = 0; i < bytes.length; i += 100) parser.push(bytes.subarray(i, i + 100))
  assert.deepEqual(parser.end().torn, { line: 4, col: 1, bytes: 3000 })
})
