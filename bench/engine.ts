/**
 * Micro-benchmark of the allocation engine and the whole packet path (no sockets).
 *
 *   npm run build && node dist/bench/engine.js [clients]
 *
 * 1. engine: DISCOVER + REQUEST decisions and commit on prebuilt queries (allocations/s);
 * 2. pipeline: the same DORA as datagrams through decode → engine → reply encode (DORA/s);
 * 3. renew: RENEWING requests for existing leases through the pipeline (renewals/s).
 * Pool: 10.32.0.0/16, one range of 65,534 addresses, InMemoryLeaseStore.
 */
import { compileConfig } from '../src/config/compile.js'
import { memoryReader } from '../src/config/source-reader.js'
import { AllocEngine } from '../src/core/alloc-engine.js'
import { identityOf } from '../src/core/client-identity.js'
import type { ClientQuery } from '../src/core/client-query.js'
import { InMemoryLeaseStore } from '../src/core/lease-store.js'
import { Pipeline } from '../src/core/pipeline.js'
import { selectNetwork } from '../src/core/subnet-select.js'
import { BOOTREQUEST, MessageType } from '../src/protocol/dhcp/constants.js'
import { createPacket, toBuffer } from '../src/protocol/dhcp/packet.js'

const clients = Number(process.argv[2] ?? 40_000)
const conf = `authoritative;
default-lease-time 3600; max-lease-time 7200;
option domain-name-servers 10.32.0.53, 10.32.0.54;
option domain-name "bench.test";
subnet 10.32.0.0 netmask 255.255.0.0 {
  option routers 10.32.0.1;
  range 10.32.0.2 10.32.255.254;
}`
const config = compileConfig('/etc/dhcpd.conf', memoryReader({ '/etc/dhcpd.conf': conf })).config
const iface = { name: 'eth0', addresses: [0x0a200001] }
const SERVER = 0x0a200001
const NOW_MS = Date.UTC(2024, 0, 1)
const NOW = NOW_MS / 1000

function chaddr(i: number): Buffer {
  return Buffer.from([2, 0, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255])
}

function query(i: number, type: number, requested?: number): ClientQuery {
  return {
    messageType: type, xid: i, flags: 0, hops: 0, secs: 0, htype: 1, chaddr: chaddr(i), ciaddr: 0, giaddr: 0,
    clientId: undefined, requestedAddress: requested, serverIdentifier: requested === undefined ? undefined : SERVER,
    parameterRequestList: [1, 3, 6, 15], maxMessageSize: undefined, requestedLeaseTime: undefined, hostname: undefined,
    relayAgentInformation: undefined, linkSelection: undefined, serverIdOverride: undefined, subnetSelection: undefined,
  }
}

function datagram(i: number, type: number, opts: { requested?: number; ciaddr?: number } = {}): Buffer {
  const options = [{ code: 53, data: Buffer.from([type]) }, { code: 55, data: Buffer.from([1, 3, 6, 15]) }]
  if (opts.requested !== undefined) {
    const r = Buffer.alloc(4)
    r.writeUInt32BE(opts.requested)
    const s = Buffer.alloc(4)
    s.writeUInt32BE(SERVER)
    options.push({ code: 50, data: r }, { code: 54, data: s })
  }
  return toBuffer(createPacket({ op: BOOTREQUEST, xid: i, chaddr: chaddr(i), ciaddr: opts.ciaddr ?? 0, options }), { minLength: 300 })
}

function time(label: string, n: number, unit: string, run: () => void): void {
  const start = process.hrtime.bigint()
  run()
  const s = Number(process.hrtime.bigint() - start) / 1e9
  console.log(`${label.padEnd(34)} ${n} in ${(s * 1000).toFixed(0).padStart(6)} ms  ${Math.round(n / s).toString().padStart(8)} ${unit}/s`)
}

// 1. Engine only.
{
  const engine = new AllocEngine(config, new InMemoryLeaseStore({ initialCapacity: clients }))
  const ourServerIds = new Set([SERVER])
  time('engine DISCOVER+REQUEST+commit', clients, 'allocations', () => {
    for (let i = 0; i < clients; i++) {
      const d = query(i, MessageType.DISCOVER)
      const selection = selectNetwork(engine.index, d, iface)
      const offer = engine.discover({ query: d, identity: identityOf(d), selection, now: NOW, ourServerIds })
      if (offer.kind !== 'offer') throw new Error(`no offer for client ${i}: ${offer.kind}`)
      const r = query(i, MessageType.REQUEST, offer.binding.address)
      const ack = engine.request({ query: r, identity: identityOf(r), selection, now: NOW, ourServerIds })
      if (ack.kind !== 'ack') throw new Error(`no ack for client ${i}: ${ack.kind}`)
      engine.commit(ack.writes, 'allocate')
    }
  })
}

// 2 and 3. Whole pipeline, datagrams in, encoded replies out.
{
  const pipeline = new Pipeline(config, new InMemoryLeaseStore({ initialCapacity: clients }), { capabilities: { directUnicast: true } })
  const addresses = new Uint32Array(clients)
  time('pipeline DORA (decode+engine+encode)', clients, 'DORA', () => {
    for (let i = 0; i < clients; i++) {
      const offer = pipeline.handle({ datagram: datagram(i, MessageType.DISCOVER), receivedOn: iface, now: NOW_MS })
      const yiaddr = offer.reply?.packet.yiaddr
      if (yiaddr === undefined) throw new Error(`no offer for client ${i}`)
      const ack = pipeline.handle({ datagram: datagram(i, MessageType.REQUEST, { requested: yiaddr }), receivedOn: iface, now: NOW_MS })
      if (ack.changes.length !== 1) throw new Error(`no ack for client ${i}`)
      addresses[i] = yiaddr
    }
  })
  time('pipeline RENEWING', clients, 'renewals', () => {
    for (let i = 0; i < clients; i++) {
      const ack = pipeline.handle({ datagram: datagram(i, MessageType.REQUEST, { ciaddr: addresses[i]! }), receivedOn: iface, now: NOW_MS + 1_800_000 })
      if (ack.changes.length !== 1) throw new Error(`no renewal for client ${i}`)
    }
  })
}
