/**
 * Per-key serialization (Kea `client_handler.h`, "client race avoidance"): tasks with the same
 * key run one at a time in arrival order, tasks with different keys run concurrently. The
 * daemon keys packets by client (client-id, else htype+chaddr) so that a client's second
 * packet is decided only after the first one's lease changes are durable and its reply is
 * sent.
 *
 * Bounded twice: at most `maxPerKey` tasks wait or run for one key (a client retransmitting
 * faster than the disk syncs gets its extra packets dropped, which is what a DHCP server
 * under overload should do: clients retransmit), and at most `maxTotal` over all keys.
 * `run` reports a refusal instead of throwing, so the caller can count it.
 */

export type Task = () => Promise<void>

export interface KeyedQueueOptions {
  /** Tasks (running + waiting) allowed per key. Default 4. */
  readonly maxPerKey?: number
  /** Tasks (running + waiting) allowed over all keys. Default 10,000. */
  readonly maxTotal?: number
  /** Called when a task rejects or throws; the queue moves on to the key's next task. */
  readonly onError?: (err: unknown) => void
}

export type Admission = 'queued' | 'key-full' | 'queue-full'

export class KeyedQueue<K> {
  private readonly lanes = new Map<K, Task[]>()
  private readonly maxPerKey: number
  private readonly maxTotal: number
  private readonly onError: (err: unknown) => void
  private total = 0
  private idleWaiters: Array<() => void> = []

  constructor(options: KeyedQueueOptions = {}) {
    this.maxPerKey = options.maxPerKey ?? 4
    this.maxTotal = options.maxTotal ?? 10_000
    if (!(this.maxPerKey >= 1) || !(this.maxTotal >= 1)) throw new RangeError('KeyedQueue bounds must be >= 1')
    this.onError = options.onError ?? (() => {})
  }

  /** Tasks running or waiting, over all keys. */
  get size(): number {
    return this.total
  }

  /** Keys with at least one task running or waiting. */
  get keys(): number {
    return this.lanes.size
  }

  /**
   * Queues `task` behind the other tasks of `key`. When the key has none, the task starts
   * synchronously, inside this call (no extra tick on the hot path).
   */
  run(key: K, task: Task): Admission {
    if (this.total >= this.maxTotal) return 'queue-full'
    const lane = this.lanes.get(key)
    if (lane !== undefined) {
      if (lane.length >= this.maxPerKey) return 'key-full'
      lane.push(task)
      this.total++
      return 'queued'
    }
    this.lanes.set(key, [task])
    this.total++
    this.start(key, task)
    return 'queued'
  }

  /** Resolves once no task is running or waiting. */
  idle(): Promise<void> {
    if (this.total === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private start(key: K, task: Task): void {
    let p: Promise<void>
    try {
      p = task()
    } catch (err) {
      p = Promise.reject(err)
    }
    p.then(
      () => this.finish(key),
      (err: unknown) => {
        this.onError(err)
        this.finish(key)
      },
    )
  }

  private finish(key: K): void {
    this.total--
    const lane = this.lanes.get(key)!
    lane.shift()
    const next = lane[0]
    if (next === undefined) this.lanes.delete(key)
    else this.start(key, next)
    if (this.total === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const w of waiters) w()
    }
  }
}
