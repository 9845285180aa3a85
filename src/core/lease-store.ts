/**
 * The lease store contract (after Kea's `LeaseMgr`) and its in-memory implementation.
 *
 * Only addresses that have state are stored; a range's never-used addresses cost nothing.
 * `InMemoryLeaseStore` keeps each lease as a row across typed arrays (times as uint32,
 * states as bytes) with the variable-length parts (hardware address, uid, hostname,
 * verbatim statements) packed into one byte arena, and indexes them with typed-array
 * hash chains and an indexed expiry heap. A million leases fit in roughly 100 MB.
 */
import {
  BINDING_STATES,
  bindingStateCode,
  NEVER,
  normalizeLease,
  type BindingState,
  type Lease,
  type LeaseChange,
  type LeaseChangeReason,
  type LeaseHardware,
  type LeaseStatement,
} from './lease.js'
import { ExpiryHeap } from './expiry-heap.js'
import { hashBytes, hashUint32, SlotHashIndex } from './slot-hash-index.js'

export type StateCounts = Readonly<Record<BindingState, number>>

export interface LeaseStore {
  /** Number of addresses with state. */
  readonly size: number
  get(address: number): Lease | undefined
  /** Every lease whose hardware address (type and bytes) equals `hardware`. */
  getByHardware(hardware: LeaseHardware): Lease[]
  /** Every lease whose client identifier equals `clientId`. */
  getByClientId(clientId: Uint8Array): Lease[]
  /** Stores `lease` as the state of its address and says what changed. */
  upsert(lease: Lease, reason?: LeaseChangeReason): LeaseChange
  /** Forgets the address's state (the address becomes a never-used one). */
  remove(address: number, reason?: LeaseChangeReason): LeaseChange
  /**
   * Leases due for reclamation at `now` (see {@link expiryTimeOf}), earliest first, at most
   * `limit`. Does not change anything.
   */
  expiring(now: number, limit: number): Lease[]
  /** Earliest reclamation time of any lease, or undefined when none is pending. */
  nextExpiryAt(): number | undefined
  /** Every lease, in no particular order. Tolerates changes made while iterating. */
  leases(): IterableIterator<Lease>
  countsByState(): StateCounts
}

/**
 * When a lease is due for reclamation, or undefined when it never is:
 * an active lease at `ends`; an expired/released/reset lease once the failover peer has
 * acknowledged it (`atsfp` set) and both `ends` and `tsfp` (the time the peer agreed to) have
 * passed — never by time alone, since the peer may still be renewing the client. Free, backup
 * and abandoned leases are not reclaimed by time (ISC reuses abandoned leases only when a pool
 * runs dry).
 */
export function expiryTimeOf(lease: Lease): number | undefined {
  switch (lease.bindingState) {
    case 'active':
    case 'bootp':
      return lease.ends === undefined || lease.ends === NEVER ? undefined : lease.ends
    case 'expired':
    case 'released':
    case 'reset':
      return lease.atsfp === undefined ? undefined : Math.max(lease.ends ?? 0, lease.tsfp ?? 0)
    default:
      return undefined
  }
}

const KIND_CODES: readonly LeaseStatement['kind'][] = ['set', 'option', 'on', 'billing', 'other']
const HW_SEED = 0x68
const UID_SEED = 0x75

/** Options for {@link InMemoryLeaseStore}. */
export interface InMemoryLeaseStoreOptions {
  /** Expected number of leases; avoids regrowing the tables while loading. */
  readonly initialCapacity?: number
}

export class InMemoryLeaseStore implements LeaseStore {
  private capacity: number
  private highWater = 0
  private readonly freeSlots: number[] = []
  private live = 0

  // Row columns. Times: 0 = unset. States: 0 = empty slot (state), 0 = "same" (next/rewind).
  private addr: Uint32Array
  private starts: Uint32Array
  private ends: Uint32Array
  private tstp: Uint32Array
  private tsfp: Uint32Array
  private atsfp: Uint32Array
  private cltt: Uint32Array
  private state: Uint8Array
  private nextState: Uint8Array
  private rewindState: Uint8Array
  /** bit 0 reserved, bit 1 dynamic-bootp. */
  private flags: Uint8Array
  // Variable part: [htype][hw bytes][uid][hostname utf8][statements] at blobOff.
  private blobOff: Uint32Array
  private hwLen: Uint8Array
  private uidLen: Uint16Array
  /** Hostname byte length + 1; 0 = no hostname. */
  private hostLen: Uint16Array
  private stmtLen: Uint32Array

  private arena: Buffer
  private arenaUsed = 0
  private arenaGarbage = 0

  private readonly byAddress: SlotHashIndex
  private readonly byHardware: SlotHashIndex
  private readonly byClientId: SlotHashIndex
  private readonly expiry: ExpiryHeap
  private readonly counts = new Int32Array(BINDING_STATES.length + 1)

  constructor(options: InMemoryLeaseStoreOptions = {}) {
    const cap = Math.max(64, options.initialCapacity ?? 1024)
    this.capacity = cap
    this.addr = new Uint32Array(cap)
    this.starts = new Uint32Array(cap)
    this.ends = new Uint32Array(cap)
    this.tstp = new Uint32Array(cap)
    this.tsfp = new Uint32Array(cap)
    this.atsfp = new Uint32Array(cap)
    this.cltt = new Uint32Array(cap)
    this.state = new Uint8Array(cap)
    this.nextState = new Uint8Array(cap)
    this.rewindState = new Uint8Array(cap)
    this.flags = new Uint8Array(cap)
    this.blobOff = new Uint32Array(cap)
    this.hwLen = new Uint8Array(cap)
    this.uidLen = new Uint16Array(cap)
    this.hostLen = new Uint16Array(cap)
    this.stmtLen = new Uint32Array(cap)
    this.arena = Buffer.allocUnsafe(cap * 32)
    const buckets = 1 << Math.ceil(Math.log2(cap))
    this.byAddress = new SlotHashIndex((s) => hashUint32(this.addr[s]!), cap, buckets)
    this.byHardware = new SlotHashIndex((s) => this.hardwareHashOf(s), cap, buckets)
    this.byClientId = new SlotHashIndex((s) => this.clientIdHashOf(s), cap, buckets)
    this.expiry = new ExpiryHeap(cap)
  }

  get size(): number {
    return this.live
  }

  get(address: number): Lease | undefined {
    const slot = this.slotOf(address >>> 0)
    return slot < 0 ? undefined : this.materialize(slot)
  }

  getByHardware(hardware: LeaseHardware): Lease[] {
    const key = hardwareKey(hardware)
    const out: Lease[] = []
    for (let s = this.byHardware.first(hashBytes(key, 0, key.length, HW_SEED)); s >= 0; s = this.byHardware.next(s)) {
      const off = this.blobOff[s]!
      const len = this.hwLen[s]!
      if (len + 1 === key.length && this.arena.compare(key, 0, key.length, off, off + len + 1) === 0) {
        out.push(this.materialize(s))
      }
    }
    return out
  }

  getByClientId(clientId: Uint8Array): Lease[] {
    const out: Lease[] = []
    if (clientId.length === 0) return out
    for (let s = this.byClientId.first(hashBytes(clientId, 0, clientId.length, UID_SEED)); s >= 0; s = this.byClientId.next(s)) {
      const off = this.uidOffset(s)
      if (this.uidLen[s] === clientId.length && this.arena.compare(clientId, 0, clientId.length, off, off + clientId.length) === 0) {
        out.push(this.materialize(s))
      }
    }
    return out
  }

  upsert(input: Lease, reason?: LeaseChangeReason): LeaseChange {
    const lease = normalizeLease(input)
    const address = lease.address >>> 0
    // Checked before anything changes, so a rejected lease leaves the store intact.
    if ((lease.uid?.length ?? 0) > 0xffff || (lease.clientHostname !== undefined && utf8Length(lease.clientHostname) > 0xfffe)) {
      throw new RangeError(`lease ${address}: uid or client-hostname too long to store`)
    }
    let slot = this.slotOf(address)
    let before: Lease | undefined
    if (slot >= 0) {
      before = this.materialize(slot)
      this.unindexVariable(slot)
      this.counts[this.state[slot]!]!--
    } else {
      slot = this.allocateSlot()
      this.addr[slot] = address
      this.byAddress.insert(slot, hashUint32(address))
      this.live++
    }
    this.writeRow(slot, lease)
    this.counts[this.state[slot]!]!++
    const due = expiryTimeOf(lease)
    if (due === undefined) this.expiry.remove(slot)
    else this.expiry.set(slot, due)
    this.maybeCompactArena()
    return { address, before, after: lease, reason }
  }

  remove(address: number, reason?: LeaseChangeReason): LeaseChange {
    const a = address >>> 0
    const slot = this.slotOf(a)
    if (slot < 0) return { address: a, before: undefined, after: undefined, reason }
    const before = this.materialize(slot)
    this.unindexVariable(slot)
    this.counts[this.state[slot]!]!--
    this.byAddress.remove(slot, hashUint32(a))
    this.expiry.remove(slot)
    this.state[slot] = 0
    this.freeSlots.push(slot)
    this.live--
    return { address: a, before, after: undefined, reason }
  }

  expiring(now: number, limit: number): Lease[] {
    return this.expiry.earliest(now, limit).map((s) => this.materialize(s))
  }

  nextExpiryAt(): number | undefined {
    return this.expiry.peekTime()
  }

  *leases(): IterableIterator<Lease> {
    for (let s = 0; s < this.highWater; s++) {
      if (this.state[s] !== 0) yield this.materialize(s)
    }
  }

  countsByState(): StateCounts {
    const out = {} as Record<BindingState, number>
    BINDING_STATES.forEach((name, i) => {
      out[name] = this.counts[i + 1]!
    })
    return out
  }

  /** Bytes held by the row columns and arena (for diagnostics and the benchmark). */
  memoryFootprint(): { rows: number; arena: number; arenaGarbage: number } {
    return { rows: this.capacity * 56, arena: this.arena.length, arenaGarbage: this.arenaGarbage }
  }

  // ---- rows -------------------------------------------------------------------------------

  private slotOf(address: number): number {
    for (let s = this.byAddress.first(hashUint32(address)); s >= 0; s = this.byAddress.next(s)) {
      if (this.addr[s] === address && this.state[s] !== 0) return s
    }
    return -1
  }

  private allocateSlot(): number {
    const reused = this.freeSlots.pop()
    if (reused !== undefined) return reused
    if (this.highWater === this.capacity) this.grow(this.capacity * 2)
    return this.highWater++
  }

  private writeRow(slot: number, lease: Lease): void {
    this.starts[slot] = lease.starts ?? 0
    this.ends[slot] = lease.ends ?? 0
    this.tstp[slot] = lease.tstp ?? 0
    this.tsfp[slot] = lease.tsfp ?? 0
    this.atsfp[slot] = lease.atsfp ?? 0
    this.cltt[slot] = lease.cltt ?? 0
    this.state[slot] = bindingStateCode(lease.bindingState)
    this.nextState[slot] = lease.nextBindingState === undefined ? 0 : bindingStateCode(lease.nextBindingState)
    this.rewindState[slot] = lease.rewindBindingState === undefined ? 0 : bindingStateCode(lease.rewindBindingState)
    this.flags[slot] = (lease.reserved ? 1 : 0) | (lease.dynamicBootp ? 2 : 0)

    const hw = lease.hardware
    const uid = lease.uid !== undefined && lease.uid.length > 0 ? lease.uid : undefined
    const host = lease.clientHostname
    const hostBytes = host === undefined ? 0 : utf8Length(host)
    const stmts = lease.statements
    let stmtBytes = 0
    if (stmts !== undefined) for (const st of stmts) stmtBytes += 5 + utf8Length(st.text)
    const hwBytes = hw === undefined ? 0 : Math.min(hw.address.length, 255)
    const total = (hw === undefined ? 0 : 1 + hwBytes) + (uid?.length ?? 0) + hostBytes + stmtBytes
    let off = this.allocateBlob(total)
    this.blobOff[slot] = off
    const arena = this.arena

    this.hwLen[slot] = hwBytes
    if (hw !== undefined) {
      arena[off++] = hw.htype & 255
      arena.set(hw.address.subarray(0, hwBytes), off)
      off += hwBytes
      // A zero-length hardware address still has a type byte; hwLen 0 + type marks it.
      this.byHardware.insert(slot, hashBytes(arena, off - hwBytes - 1, off, HW_SEED))
    }
    this.uidLen[slot] = uid?.length ?? 0
    if (uid !== undefined) {
      arena.set(uid, off)
      this.byClientId.insert(slot, hashBytes(arena, off, off + uid.length, UID_SEED))
      off += uid.length
    }
    this.hostLen[slot] = host === undefined ? 0 : hostBytes + 1
    if (host !== undefined) off += writeUtf8(arena, host, off)
    this.stmtLen[slot] = stmtBytes
    if (stmts !== undefined) {
      for (const st of stmts) {
        arena[off] = KIND_CODES.indexOf(st.kind)
        const n = writeUtf8(arena, st.text, off + 5)
        arena.writeUInt32LE(n, off + 1)
        off += 5 + n
      }
    }
    // Flag "has hardware" separately from hwLen so a zero-length address survives.
    if (hw !== undefined) this.flags[slot]! |= 4
  }

  private unindexVariable(slot: number): void {
    if ((this.flags[slot]! & 4) !== 0) this.byHardware.remove(slot, this.hardwareHashOf(slot))
    if (this.uidLen[slot]! > 0) this.byClientId.remove(slot, this.clientIdHashOf(slot))
    this.arenaGarbage += this.blobLength(slot)
  }

  private materialize(slot: number): Lease {
    const lease: {
      -readonly [K in keyof Lease]: Lease[K]
    } = { address: this.addr[slot]!, bindingState: BINDING_STATES[this.state[slot]! - 1]! }
    const next = this.nextState[slot]!
    if (next !== 0) lease.nextBindingState = BINDING_STATES[next - 1]
    const rewind = this.rewindState[slot]!
    if (rewind !== 0) lease.rewindBindingState = BINDING_STATES[rewind - 1]
    if (this.starts[slot] !== 0) lease.starts = this.starts[slot]
    if (this.ends[slot] !== 0) lease.ends = this.ends[slot]
    if (this.tstp[slot] !== 0) lease.tstp = this.tstp[slot]
    if (this.tsfp[slot] !== 0) lease.tsfp = this.tsfp[slot]
    if (this.atsfp[slot] !== 0) lease.atsfp = this.atsfp[slot]
    if (this.cltt[slot] !== 0) lease.cltt = this.cltt[slot]
    const flags = this.flags[slot]!
    if ((flags & 1) !== 0) lease.reserved = true
    if ((flags & 2) !== 0) lease.dynamicBootp = true
    const arena = this.arena
    let off = this.blobOff[slot]!
    if ((flags & 4) !== 0) {
      const len = this.hwLen[slot]!
      lease.hardware = { htype: arena[off]!, address: Buffer.from(arena.subarray(off + 1, off + 1 + len)) }
      off += 1 + len
    }
    const uidLen = this.uidLen[slot]!
    if (uidLen > 0) {
      lease.uid = Buffer.from(arena.subarray(off, off + uidLen))
      off += uidLen
    }
    const hostLen = this.hostLen[slot]!
    if (hostLen > 0) {
      lease.clientHostname = readUtf8(arena, off, off + hostLen - 1)
      off += hostLen - 1
    }
    const stmtEnd = off + this.stmtLen[slot]!
    if (stmtEnd > off) {
      const stmts: LeaseStatement[] = []
      while (off < stmtEnd) {
        const kind = KIND_CODES[arena[off]!] ?? 'other'
        const n = arena.readUInt32LE(off + 1)
        stmts.push({ kind, text: arena.toString('utf8', off + 5, off + 5 + n) })
        off += 5 + n
      }
      lease.statements = stmts
    }
    return lease
  }

  // ---- variable-length arena --------------------------------------------------------------

  private blobLength(slot: number): number {
    const hw = (this.flags[slot]! & 4) !== 0 ? 1 + this.hwLen[slot]! : 0
    const host = this.hostLen[slot]! > 0 ? this.hostLen[slot]! - 1 : 0
    return hw + this.uidLen[slot]! + host + this.stmtLen[slot]!
  }

  private uidOffset(slot: number): number {
    return this.blobOff[slot]! + ((this.flags[slot]! & 4) !== 0 ? 1 + this.hwLen[slot]! : 0)
  }

  private hardwareHashOf(slot: number): number {
    const off = this.blobOff[slot]!
    return hashBytes(this.arena, off, off + 1 + this.hwLen[slot]!, HW_SEED)
  }

  private clientIdHashOf(slot: number): number {
    const off = this.uidOffset(slot)
    return hashBytes(this.arena, off, off + this.uidLen[slot]!, UID_SEED)
  }

  private allocateBlob(length: number): number {
    if (this.arenaUsed + length > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaUsed + length))
      this.arena.copy(bigger, 0, 0, this.arenaUsed)
      this.arena = bigger
    }
    const off = this.arenaUsed
    this.arenaUsed += length
    return off
  }

  /** Copies live blobs into a fresh arena once more than half the arena is garbage. */
  private maybeCompactArena(): void {
    if (this.arenaGarbage < 1 << 20 || this.arenaGarbage * 2 < this.arenaUsed) return
    const fresh = Buffer.allocUnsafe(Math.max(1024, (this.arenaUsed - this.arenaGarbage) * 2))
    let used = 0
    for (let s = 0; s < this.highWater; s++) {
      if (this.state[s] === 0) continue
      const len = this.blobLength(s)
      const off = this.blobOff[s]!
      this.arena.copy(fresh, used, off, off + len)
      this.blobOff[s] = used
      used += len
    }
    this.arena = fresh
    this.arenaUsed = used
    this.arenaGarbage = 0
  }

  private grow(capacity: number): void {
    const grow32 = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(capacity)
      b.set(a)
      return b
    }
    const grow16 = (a: Uint16Array): Uint16Array => {
      const b = new Uint16Array(capacity)
      b.set(a)
      return b
    }
    const grow8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(capacity)
      b.set(a)
      return b
    }
    this.addr = grow32(this.addr)
    this.starts = grow32(this.starts)
    this.ends = grow32(this.ends)
    this.tstp = grow32(this.tstp)
    this.tsfp = grow32(this.tsfp)
    this.atsfp = grow32(this.atsfp)
    this.cltt = grow32(this.cltt)
    this.blobOff = grow32(this.blobOff)
    this.stmtLen = grow32(this.stmtLen)
    this.uidLen = grow16(this.uidLen)
    this.hostLen = grow16(this.hostLen)
    this.state = grow8(this.state)
    this.nextState = grow8(this.nextState)
    this.rewindState = grow8(this.rewindState)
    this.flags = grow8(this.flags)
    this.hwLen = grow8(this.hwLen)
    this.byAddress.growSlots(capacity)
    this.byHardware.growSlots(capacity)
    this.byClientId.growSlots(capacity)
    this.expiry.growSlots(capacity)
    this.capacity = capacity
  }
}

/** The hardware index key: type byte followed by the address bytes. */
function hardwareKey(hw: LeaseHardware): Buffer {
  const key = Buffer.allocUnsafe(1 + Math.min(hw.address.length, 255))
  key[0] = hw.htype & 255
  hw.address.copy(key, 1, 0, key.length - 1)
  return key
}

/** UTF-8 length of `s`; ASCII is counted in JS (native calls cost more for short strings). */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8')
  return s.length
}

/** Writes `s` as UTF-8 at `off`; returns the byte count. */
function writeUtf8(buf: Buffer, s: string, off: number): number {
  const n = s.length
  if (n > 64) return buf.write(s, off, 'utf8')
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) return buf.write(s, off, 'utf8')
    buf[off + i] = c
  }
  return n
}

function readUtf8(buf: Buffer, start: number, end: number): string {
  if (end - start > 64) return buf.toString('utf8', start, end)
  let out = ''
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    if (c >= 0x80) return buf.toString('utf8', start, end)
    out += String.fromCharCode(c)
  }
  return out
}
