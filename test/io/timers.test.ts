import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { RealNamedTimers } from '../../src/io/timers.js'
import type { VrrpTimer } from '../../src/ha/vrrp/machine.js'

test('named timers: re-arming replaces, cancel is idempotent, close cancels all', async () => {
  const fired: VrrpTimer[] = []
  const t = new RealNamedTimers()
  t.setHandler((n) => fired.push(n))
  t.arm('advert', 30)
  t.arm('advert', 5) // replaces the 30 ms one
  t.arm('master-down', 10)
  t.cancel('master-down')
  t.cancel('master-down')
  t.arm('garp-delay', 15)
  assert.deepEqual(t.armed().sort(), ['advert', 'garp-delay'])
  await sleep(60)
  assert.deepEqual(fired, ['advert', 'garp-delay'])
  assert.deepEqual(t.armed(), [])
  t.arm('advert', 5)
  t.close()
  await sleep(20)
  assert.deepEqual(fired, ['advert', 'garp-delay'])
})
