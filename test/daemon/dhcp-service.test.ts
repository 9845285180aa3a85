/**
 * The per-packet flow with a real pipeline and fake journal/transport: the reply leaves only
 * after the journal resolved, one client's packets are serialized, malformed input is counted
 * and logged once per source per minute.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfig } from '../../src/config/compile.js'
import { memoryReader } from '../../src/config/source-reader.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import { Pipeline } from '../../src/core/pipeline.js'
import type { LeaseChange } from '../../src/core/lease.js'
import { DhcpService } from '../../src/daemon/dhcp-service.js'
import { memoryLogger } from '../../src/daemon/logger.js'
import { BOOTREQUEST, MessageType } from '../../src/protocol/dhcp/constants.js'
import { createPacket, toBuffer } from '../../src/protocol/dhcp/packet.js'

const config = compileConfig('/etc/dhcpd.conf', memoryReader({
  '/etc/dhcpd.conf': 'authoritative;\nsubnet 198.18.30.0 netmask 255.255.255.0 { range 198.18.30.10 198.18.30.20; }\n',
})).config
const IFACE = { name: 'eth0', addresses: [0xc6121e01] }
const SERVER = 0xc6121e01

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

function setup() {
  const events: string[] = []
  const pending: Array<() => void> = []
  const journal = {
    commit(changes: readonly LeaseChange[]): Promise<void> {
      events.push(`commit ${changes.length}`)
      return new Promise((resolve) => pending.push(() => {
        events.push('fsynced')
        resolve()
      }))
    },
  }
  const transport = { send: (bytes: Buffer) => void events.push(`send ${bytes[242] === MessageType.ACK ? 'ACK' : 'other'}`) }
  const logger = memoryLogger('info')
  const pipeline = new Pipeline(config, new InMemoryLeaseStore(), { capabilities: { directUnicast: false } })
  const service = new DhcpService({ pipeline, journal, transport, logger, now: () => Date.UTC(2025, 0, 1) })
  const receive = (data: Buffer, source = '0.0.0.0'): void => service.onDatagram({ data, receivedOn: IFACE, source, sourcePort: 68 })
  return { events, pending, logger, service, receive }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

test('the ACK is sent only after its lease change is durable', async () => {
  const s = setup()
  s.receive(datagram(MessageType.DISCOVER, 1))
  assert.deepEqual(s.events, ['send other'], 'an OFFER changes nothing durable and goes at once')
  s.receive(datagram(MessageType.REQUEST, 1, 0xc6121e0a)) // queued behind the DISCOVER's task
  await tick()
  assert.deepEqual(s.events, ['send other', 'commit 1'])
  await tick()
  assert.deepEqual(s.events, ['send other', 'commit 1'], 'nothing sent before the fsync')
  s.pending.shift()!()
  await s.service.drain()
  assert.deepEqual(s.events, ['send other', 'commit 1', 'fsynced', 'send ACK'])
  assert.ok(s.logger.lines.some((l) => l.text.startsWith('DHCPACK on 198.18.30.10 to 02:00:00:00:00:01')))
})

test("a client's next packet waits for its previous one; other clients do not", async () => {
  const s = setup()
  s.receive(datagram(MessageType.REQUEST, 2, 0xc6121e0b)) // INIT-REBOOT-like: no lease yet
  s.receive(datagram(MessageType.DISCOVER, 2))
  s.receive(datagram(MessageType.DISCOVER, 3))
  const sendsBefore = s.events.filter((e) => e.startsWith('send')).length
  while (s.pending.length > 0) s.pending.shift()!()
  await s.service.drain()
  assert.ok(s.service.inFlight === 0)
  assert.ok(sendsBefore <= 2, `client 2's DISCOVER must wait for its REQUEST: ${s.events.join(', ')}`)
})

test('malformed datagrams are counted and logged once per source per minute', () => {
  const s = setup()
  for (let i = 0; i < 5; i++) s.receive(Buffer.alloc(50), '198.18.30.77')
  s.receive(Buffer.alloc(50), '198.18.30.78')
  assert.equal(s.service.counters.malformed, 6)
  assert.equal(s.logger.lines.filter((l) => l.id === 'DHCP_PACKET_MALFORMED').length, 2)
})
