/**
 * The start-up JIT warm-up: synthetic exchanges go through a scratch store only, both direct
 * and relayed requests are answered, and the count and time bounds hold.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfig } from '../../src/config/compile.js'
import { memoryReader } from '../../src/config/source-reader.js'
import { InMemoryLeaseStore } from '../../src/core/lease-store.js'
import { Pipeline } from '../../src/core/pipeline.js'
import { warmUp, type WarmUpOptions } from '../../src/daemon/warm-up.js'

const config = compileConfig('/etc/dhcpd.conf', memoryReader({
  '/etc/dhcpd.conf': 'authoritative;\nsubnet 198.18.30.0 netmask 255.255.255.0 { range 198.18.30.10 198.18.30.250; }\n',
})).config
const IFACE = { name: 'eth0', addresses: [0xc6121e01] }

function options(over: Partial<WarmUpOptions> = {}): { o: WarmUpOptions; stores: InMemoryLeaseStore[] } {
  const stores: InMemoryLeaseStore[] = []
  const o: WarmUpOptions = {
    makePipeline: (store) => {
      stores.push(store)
      return new Pipeline(config, store, { capabilities: { directUnicast: false } })
    },
    interfaces: [IFACE],
    logger: { enabled: () => true },
    exchanges: 40,
    maxMs: 60_000,
    now: () => Date.UTC(2026, 0, 1),
    clock: () => 0,
    ...over,
  }
  return { o, stores }
}

test('every synthetic exchange (direct and relayed, new and returning clients) is acknowledged, in a scratch store of its own', async () => {
  const { o, stores } = options()
  const r = await warmUp(o)
  assert.equal(r.exchanges, 40)
  assert.equal(r.acks, 40)
  assert.equal(stores.length, 1)
  assert.equal(stores[0]!.size, 32, 'every fifth exchange is a returning client')
})

test('stops at the time bound', async () => {
  let t = 0
  const { o } = options({ exchanges: 10_000, maxMs: 5, clock: () => (t += 1) })
  const r = await warmUp(o)
  assert.ok(r.exchanges < 10_000)
  assert.ok(r.exchanges > 0)
})

test('does nothing without a served interface that has an address', async () => {
  const { o } = options({ interfaces: [{ name: 'eth9', addresses: [] }] })
  assert.deepEqual(await warmUp(o), { exchanges: 0, acks: 0, ms: 0 })
})
