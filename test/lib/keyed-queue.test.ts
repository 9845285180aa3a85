import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KeyedQueue } from '../../src/lib/keyed-queue.js'

/** A promise with its resolve/reject handles, to drive tasks step by step. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void
  let reject!: (e: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

test('tasks of one key run one at a time, in arrival order', async () => {
  const q = new KeyedQueue<string>()
  const log: string[] = []
  const gates = [deferred(), deferred(), deferred()]
  for (let i = 0; i < 3; i++) {
    q.run('a', async () => {
      log.push(`start ${i}`)
      await gates[i]!.promise
      log.push(`end ${i}`)
    })
  }
  assert.deepEqual(log, ['start 0'], 'the first task starts synchronously, the others wait')
  gates[1]!.resolve() // finishing a later gate first changes nothing
  await tick()
  assert.deepEqual(log, ['start 0'])
  gates[0]!.resolve()
  await tick()
  assert.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2'])
  gates[2]!.resolve()
  await q.idle()
  assert.equal(q.size, 0)
  assert.equal(q.keys, 0)
})

test('different keys run concurrently', async () => {
  const q = new KeyedQueue<string>()
  const started: string[] = []
  const gate = deferred()
  for (const k of ['a', 'b', 'c']) {
    q.run(k, async () => {
      started.push(k)
      await gate.promise
    })
  }
  assert.deepEqual(started, ['a', 'b', 'c'])
  assert.equal(q.keys, 3)
  gate.resolve()
  await q.idle()
})

test('bounds: per key and in total, reported instead of thrown', async () => {
  const q = new KeyedQueue<string>({ maxPerKey: 2, maxTotal: 3 })
  const gate = deferred()
  const task = (): Promise<void> => gate.promise
  const cases: Array<[string, string]> = [
    ['a', 'queued'],
    ['a', 'queued'],
    ['a', 'key-full'],
    ['b', 'queued'],
    ['c', 'queue-full'],
  ]
  for (const [key, want] of cases) assert.equal(q.run(key, task), want, `run(${key})`)
  assert.equal(q.size, 3)
  gate.resolve()
  await q.idle()
  assert.equal(q.run('c', task), 'queued', 'room again once drained')
  await q.idle()
})

test('a failing task is reported and does not block its key', async () => {
  const errors: unknown[] = []
  const q = new KeyedQueue<number>({ onError: (e) => errors.push(e) })
  const ran: number[] = []
  q.run(1, async () => {
    throw new Error('boom')
  })
  q.run(1, () => {
    throw new Error('sync boom')
  })
  q.run(1, async () => {
    ran.push(3)
  })
  await q.idle()
  assert.deepEqual(ran, [3])
  assert.deepEqual(errors.map((e) => (e as Error).message), ['boom', 'sync boom'])
})

test('idle() resolves at once when empty and waits for in-flight work otherwise', async () => {
  const q = new KeyedQueue<string>()
  await q.idle()
  const gate = deferred()
  let done = false
  q.run('k', () => gate.promise)
  const idle = q.idle().then(() => {
    done = true
  })
  await tick()
  assert.equal(done, false)
  gate.resolve()
  await idle
  assert.equal(done, true)
})

test('rejects nonsensical bounds', () => {
  assert.throws(() => new KeyedQueue({ maxPerKey: 0 }), RangeError)
  assert.throws(() => new KeyedQueue({ maxTotal: 0 }), RangeError)
})
