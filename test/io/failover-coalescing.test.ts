/**
 * coalescingWriter: the failover messages written in one tick leave in one corked batch (one
 * writev), in order; the next tick starts a new batch.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { coalescingWriter, type CorkableStream } from '../../src/io/failover-transport.js'

class FakeStream implements CorkableStream {
  private depth = 0
  private held: string[] = []
  readonly flushed: string[][] = []
  cork(): void {
    this.depth++
  }
  uncork(): void {
    if (this.depth === 0) return
    this.depth--
    if (this.depth === 0 && this.held.length > 0) {
      this.flushed.push(this.held)
      this.held = []
    }
  }
  write(chunk: Buffer): boolean {
    if (this.depth > 0) this.held.push(chunk.toString())
    else this.flushed.push([chunk.toString()])
    return true
  }
}

test('writes of one tick are flushed together, in order; the next tick is a new batch', () => {
  const ticks: Array<() => void> = []
  const s = new FakeStream()
  const write = coalescingWriter(s, (fn) => void ticks.push(fn))
  write(Buffer.from('a'))
  write(Buffer.from('b'))
  write(Buffer.from('c'))
  assert.deepEqual(s.flushed, [], 'nothing leaves before the tick ends')
  assert.equal(ticks.length, 1, 'one uncork scheduled per tick')
  ticks.shift()?.()
  assert.deepEqual(s.flushed, [['a', 'b', 'c']])
  write(Buffer.from('d'))
  ticks.shift()?.()
  assert.deepEqual(s.flushed, [['a', 'b', 'c'], ['d']])
})

test('with the real process.nextTick the batch leaves before the next macrotask', async () => {
  const s = new FakeStream()
  const write = coalescingWriter(s)
  write(Buffer.from('x'))
  write(Buffer.from('y'))
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(s.flushed, [['x', 'y']])
})
