/**
 * ISC ping-check through the DHCP service with a real pipeline and a fake prober: the OFFER
 * waits for the probe, an answered address is abandoned (ISC's log line) and another offered,
 * a retransmitted DISCOVER does not start a second check, many clients are checked at once.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfig } from '../../src/config/compile.js'
import { memoryReader } from '../../src/config/source-reader.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import { Pipeline } from '../../src/core/pipeline.js'
import type { LeaseChange } from '../../src/core/lease.js'
import type { ProbeResult } from '../../src/core/ping-checks.js'
import { DhcpService } from '../../src/daemon/dhcp-service.js'
import { memoryLogger } from '../../src/daemon/logger.js'
import { BOOTREQUEST, MessageType } from '../../src/protocol/dhcp/constants.js'
import { createPacket, toBuffer } from '../../src/protocol/dhcp/packet.js'
import { formatIPv4 } from '../../src/lib/ip.js'

const SERVER = 0xc6121e01
const IFACE = { name: 'eth0', addresses: [SERVER] }

function conf(extra: string): string {
  return `authoritative;\n${extra}\nsubnet 198.18.30.0 netmask 255.255.255.0 { range 198.18.30.10 198.18.30.20; }\n`
}

function datagram(type: number, mac: number, requested?: number): Buffer {
  const options = [{ code: 53, data: Buffer.from([type]) }]
  if (requested !== undefined) {
    const r = Buffer.alloc(4)
    r.writeUInt32BE(requested)
    const s = Buffer.alloc(4)
    s.writeUInt32BE(SERVER)
    options.push({ code: 50, data: r }, { code: 54, data: s })
  }
  return toBuffer(createPacket({ op: BOOTREQUEST, xid: mac, chaddr: Buffer.from([2, 0, 0, 0, 0, mac]), options }), { minLength: 300 })
}

interface Call { address: string; timeoutMs: number; resolve: (r: ProbeResult) => void }

function setup(extra = 'ping-check true;\nping-timeout-ms 500;') {
  const config = compileConfig('/etc/dhcpd.conf', memoryReader({ '/etc/dhcpd.conf': conf(extra) })).config
  const calls: Call[] = []
  const prober = {
    probe(address: number, timeoutMs: number): Promise<ProbeResult> {
      return new Promise((resolve) => calls.push({ address: formatIPv4(address), timeoutMs, resolve }))
    },
    close() {},
  }
  const committed: LeaseChange[] = []
  const journal = { commit: async (changes: readonly LeaseChange[]) => void committed.push(...changes) }
  const sent: { type: number; yiaddr: string }[] = []
  const transport = { send: (bytes: Buffer) => void sent.push({ type: bytes[242]!, yiaddr: formatIPv4(bytes.readUInt32BE(16)) }) }
  const logger = memoryLogger('debug')
  const pipeline = new Pipeline(config, new InMemoryLeaseStore(), { capabilities: { directUnicast: true } })
  let now = Date.UTC(2025, 0, 1)
  const service = new DhcpService({ pipeline, journal, transport, logger, now: () => now, prober })
  const receive = (data: Buffer): void => service.onDatagram({ data, receivedOn: IFACE, source: '0.0.0.0', sourcePort: 68, receivedBroadcast: true })
  return { calls, sent, committed, logger, service, receive, advance: (ms: number) => void (now += ms) }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
}

test('the OFFER waits for the ping; ping-timeout-ms is passed to the prober', async () => {
  const s = setup()
  s.receive(datagram(MessageType.DISCOVER, 1))
  await settle()
  assert.deepEqual(s.calls.map((c) => [c.address, c.timeoutMs]), [['198.18.30.10', 500]])
  assert.equal(s.sent.length, 0, 'nothing offered before the check ends')
  s.calls[0]!.resolve('silent')
  await s.service.drain()
  assert.deepEqual(s.sent, [{ type: MessageType.OFFER, yiaddr: '198.18.30.10' }])
  assert.equal(s.service.counters.pings, 1)
})

test('ping-timeout (seconds) is used when ping-timeout-ms is not set; 1 s by default', async () => {
  for (const [extra, ms] of [['ping-timeout 3;', 3000], ['', 1000], ['ping-timeout 2;\nping-timeout-ms 0;', 2000]] as const) {
    const s = setup(extra)
    s.receive(datagram(MessageType.DISCOVER, 1))
    await settle()
    assert.equal(s.calls[0]?.timeoutMs, ms, extra)
    s.calls[0]!.resolve('silent')
    await s.service.drain()
  }
})

test('an answered address is abandoned with ISC\'s log line and another one is offered', async () => {
  const s = setup()
  s.receive(datagram(MessageType.DISCOVER, 1))
  await settle()
  s.calls[0]!.resolve('answered')
  await settle()
  assert.ok(s.logger.lines.some((l) => l.text === 'Abandoning IP address 198.18.30.10: pinged before offer'))
  assert.deepEqual(s.committed.map((c) => [formatIPv4(c.address), c.after?.bindingState]), [['198.18.30.10', 'abandoned']])
  assert.equal(s.calls.length, 2)
  assert.equal(s.calls[1]!.address, '198.18.30.11')
  s.calls[1]!.resolve('silent')
  await s.service.drain()
  assert.deepEqual(s.sent, [{ type: MessageType.OFFER, yiaddr: '198.18.30.11' }])
  assert.equal(s.service.counters.pingConflicts, 1)
  // The abandoned address is not offered to the next client either.
  s.receive(datagram(MessageType.DISCOVER, 2))
  await settle()
  assert.notEqual(s.calls[2]?.address, '198.18.30.10')
  s.calls[2]!.resolve('silent')
  await s.service.drain()
})

test('a retransmitted DISCOVER during the check starts no second check; after the OFFER it is answered at once', async () => {
  const s = setup()
  s.receive(datagram(MessageType.DISCOVER, 1))
  await settle()
  s.receive(datagram(MessageType.DISCOVER, 1))
  s.receive(datagram(MessageType.DISCOVER, 1))
  await settle()
  assert.equal(s.calls.length, 1)
  assert.equal(s.service.counters.pingRetransmissions, 2)
  s.calls[0]!.resolve('silent')
  await s.service.drain()
  assert.equal(s.sent.length, 1)
  s.advance(4000)
  s.receive(datagram(MessageType.DISCOVER, 1)) // the client did not see our OFFER: same address, no new ping
  await s.service.drain()
  assert.equal(s.calls.length, 1)
  assert.deepEqual(s.sent.map((x) => x.yiaddr), ['198.18.30.10', '198.18.30.10'])
})

test('many clients are checked concurrently', async () => {
  const s = setup()
  for (let mac = 1; mac <= 5; mac++) s.receive(datagram(MessageType.DISCOVER, mac))
  await settle()
  assert.equal(s.calls.length, 5, 'five checks outstanding at once')
  assert.equal(new Set(s.calls.map((c) => c.address)).size, 5)
  for (const c of s.calls) c.resolve('silent')
  await s.service.drain()
  assert.equal(s.sent.length, 5)
})

test('the client\'s own active lease is offered without a ping; ping-check false disables it', async () => {
  const s = setup()
  s.receive(datagram(MessageType.DISCOVER, 1))
  await settle()
  s.calls[0]!.resolve('silent')
  await s.service.drain()
  s.receive(datagram(MessageType.REQUEST, 1, 0xc6121e0a))
  await s.service.drain()
  assert.equal(s.sent.at(-1)?.type, MessageType.ACK)
  s.advance(3_600_000) // much later, the lease still active
  s.receive(datagram(MessageType.DISCOVER, 1))
  await s.service.drain()
  assert.equal(s.calls.length, 1, 'no ping for the client\'s current lease')
  assert.deepEqual(s.sent.at(-1), { type: MessageType.OFFER, yiaddr: '198.18.30.10' })

  const off = setup('ping-check false;')
  off.receive(datagram(MessageType.DISCOVER, 1))
  await off.service.drain()
  assert.equal(off.calls.length, 0)
  assert.equal(off.sent.length, 1)
})

test('when every address answers, the client gets no offer', async () => {
  const s = setup()
  s.receive(datagram(MessageType.DISCOVER, 1))
  for (let i = 0; i < 20; i++) {
    await settle()
    const c = s.calls[i]
    if (c === undefined) break
    c.resolve('answered')
  }
  await s.service.drain()
  assert.equal(s.sent.length, 0)
  assert.ok(s.calls.length <= 8)
  assert.equal(new Set(s.calls.map((c) => c.address)).size, s.calls.length, 'no address probed twice for one DISCOVER')
  assert.ok(s.logger.lines.some((l) => l.id === 'DHCP_PING_GIVE_UP'))
})

test('log order as ISC: DISCOVER, then the conflict, then the OFFER — each once', async () => {
  const s = setup()
  s.receive(datagram(MessageType.DISCOVER, 1))
  await settle()
  s.calls[0]!.resolve('answered')
  await settle()
  s.calls[1]!.resolve('silent')
  await s.service.drain()
  const ids = s.logger.lines.map((l) => l.id).filter((id) => id.startsWith('DHCP_'))
  assert.deepEqual(ids, ['DHCP_DISCOVER', 'DHCP_PING_CONFLICT', 'DHCP_OFFER'])
})
