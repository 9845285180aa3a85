import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chooseTransport } from '../../src/io/transport-choice.js'

const yes = () => ({ ok: true as const })
const no = () => ({ ok: false as const, reason: 'the process lacks CAP_NET_RAW' })
const probeMustNotRun = () => {
  throw new Error('raw sockets probed although udp was requested')
}

const cases = [
  { name: 'auto with raw sockets → packet', req: 'auto', raw: yes, kind: 'packet', why: /L2 unicast/ },
  { name: 'auto without → udp, saying why', req: 'auto', raw: no, kind: 'udp', why: /CAP_NET_RAW.*broadcast/ },
  { name: 'packet forced and possible', req: 'packet', raw: yes, kind: 'packet', why: /--transport packet/ },
  { name: 'packet forced but impossible → error', req: 'packet', raw: no, kind: 'error', why: /--transport packet: the process lacks CAP_NET_RAW/ },
  { name: 'udp forced never probes', req: 'udp', raw: probeMustNotRun, kind: 'udp', why: /--transport udp/ },
] as const

for (const c of cases) {
  test(`transport choice: ${c.name}`, () => {
    const d = chooseTransport(c.req, c.raw)
    assert.equal(d.kind, c.kind)
    assert.match(d.why, c.why)
  })
}
