import { test } from 'node:test'
import assert from 'node:assert/strict'
import { routeReply } from '../../src/core/reply-route.js'

const chaddr = Buffer.from('080027d94596', 'hex')
const G = 0xc0a80501
const C = 0x0a000a64
const Y = 0x0a000a65
const BCAST = 0xffffffff

const cases = [
  { name: 'relayed offer → giaddr:67', q: { giaddr: G, ciaddr: 0, flags: 0 }, nak: false, l2: true, want: ['relay', G, 67] },
  { name: 'relayed NAK → giaddr:67', q: { giaddr: G, ciaddr: C, flags: 0 }, nak: true, l2: true, want: ['relay', G, 67] },
  { name: 'local NAK → broadcast', q: { giaddr: 0, ciaddr: C, flags: 0 }, nak: true, l2: true, want: ['broadcast', BCAST, 68] },
  { name: 'ciaddr set → unicast ciaddr', q: { giaddr: 0, ciaddr: C, flags: 0x8000 }, nak: false, l2: true, want: ['unicast', C, 68] },
  { name: 'broadcast bit → broadcast', q: { giaddr: 0, ciaddr: 0, flags: 0x8000 }, nak: false, l2: true, want: ['broadcast', BCAST, 68] },
  { name: 'L2 capable → unicast yiaddr at chaddr', q: { giaddr: 0, ciaddr: 0, flags: 0 }, nak: false, l2: true, want: ['l2-unicast', Y, 68] },
  { name: 'not L2 capable → broadcast', q: { giaddr: 0, ciaddr: 0, flags: 0 }, nak: false, l2: false, want: ['broadcast', BCAST, 68] },
] as const

for (const c of cases) {
  test(`reply route: ${c.name}`, () => {
    const r = routeReply({ ...c.q, chaddr, htype: 1 }, { isNak: c.nak, yiaddr: c.nak ? 0 : Y }, { directUnicast: c.l2 })
    assert.deepEqual([r.kind, r.address, r.port], c.want)
    if (r.kind === 'l2-unicast') assert.deepEqual(r.hardware, chaddr)
  })
}
