import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clientKeyOf } from '../../src/io/client-key.js'

/** A BOOTREQUEST built by hand (not by the codec under test elsewhere). */
function request(opts: { options?: number[]; op?: number; cookie?: number; hlen?: number; length?: number } = {}): Buffer {
  const b = Buffer.alloc(Math.max(opts.length ?? 300, 240))
  b[0] = opts.op ?? 1
  b[1] = 1
  b[2] = opts.hlen ?? 6
  Buffer.from([2, 0, 0, 0, 0, 7]).copy(b, 28)
  b.writeUInt32BE(opts.cookie ?? 0x63825363, 236)
  Buffer.from(opts.options ?? [53, 1, 1, 255]).copy(b, 240)
  return b
}

const cases: Array<{ name: string; packet: Buffer; want: string | undefined }> = [
  { name: 'no client-id: htype + chaddr', packet: request(), want: 'h:1:020000000007' },
  { name: 'client-id wins', packet: request({ options: [53, 1, 1, 61, 3, 1, 0xaa, 0xbb, 255] }), want: 'c:01aabb' },
  { name: 'pads before the client-id', packet: request({ options: [0, 0, 61, 2, 9, 9, 255] }), want: 'c:0909' },
  { name: 'client-id after END is ignored', packet: request({ options: [255, 61, 2, 9, 9] }), want: 'h:1:020000000007' },
  { name: 'truncated option falls back to chaddr', packet: request({ options: [61, 200, 1], length: 244 }), want: 'h:1:020000000007' },
  { name: 'BOOTREPLY', packet: request({ op: 2 }), want: undefined },
  { name: 'bad cookie', packet: request({ cookie: 0 }), want: undefined },
  { name: 'hlen > 16', packet: request({ hlen: 17 }), want: undefined },
  { name: 'too short', packet: Buffer.alloc(100, 1), want: undefined },
]
for (const c of cases) test(`clientKeyOf: ${c.name}`, () => assert.equal(clientKeyOf(c.packet), c.want))
