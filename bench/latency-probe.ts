/**
 * Where a reply's delay is spent inside hadhcpd, for latency work (bench/PROFILE.md).
 * Loaded into the daemon with node's `--import`; nothing in src/ depends on it:
 *
 *   HADHCPD_NODE_FLAGS="--import=$PWD/dist/bench/latency-probe.js" npm run bench -- …
 *   node --import=./dist/bench/latency-probe.js bin/hadhcpd.js -f -d …
 *
 * It wraps three DhcpService methods on the prototype (the daemon imports the same module
 * instance) and, when the process gets SIGTERM, writes one line to stderr:
 *
 *   LATENCY-PROBE DISCOVER→OFFER p50/p99/max … | REQUEST→ACK … | commit … | loop delay … | gc …
 *
 *  - DISCOVER→OFFER, REQUEST→ACK: from the datagram's hand-over by the transport
 *    (`onDatagram`) to the reply's hand-over to the transport (`finish`), ms;
 *  - commit: a lease commit's wait (commit window + queue behind the running write + the
 *    O_DSYNC write), ms; journal: the journal part alone (queue + write), per batch;
 *  - loop delay: `monitorEventLoopDelay` (1 ms resolution) percentiles, ms;
 *  - gc: number of pauses, their total and the longest, ms.
 *
 * What perfdhcp measures beyond these is time outside the handler: in the socket's receive
 * queue while the event loop was busy or the process was not on a CPU, and on the wire.
 */
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks'
import { writeSync } from 'node:fs'
import { DhcpService } from '../src/daemon/dhcp-service.js'
import { LeaseJournal } from '../src/persistence/journal.js'
import type { InboundDatagram } from '../src/io/transport.js'
import { MessageType } from '../src/protocol/dhcp/constants.js'
import { scanMessageType } from '../src/protocol/dhcp/option-scan.js'
import { percentile } from './stats.js'

type Method = (this: DhcpService, ...args: never[]) => unknown

const arrivals = new WeakMap<InboundDatagram, number>()
const offers: number[] = []
const acks: number[] = []
const commits: number[] = []
const appends: number[] = []
/** Set by the first datagram that is not the start-up warm-up's (synthetic MACs 0e:77:…). */
let live = false
const gcPauses: number[] = []

// Private methods, patched by name: a bench tool may reach inside; src/ never depends on this.
const proto = DhcpService.prototype as unknown as Record<string, Method>
const onDatagram = proto['onDatagram']!
const finish = proto['finish']!
const commit = proto['commit']!

proto['onDatagram'] = function (this: DhcpService, d: InboundDatagram): unknown {
  if (!live && !(d.data[28] === 0x0e && d.data[29] === 0x77)) live = true
  if (live) arrivals.set(d, performance.now())
  return (onDatagram as (this: DhcpService, d: InboundDatagram) => unknown).call(this, d)
}
proto['finish'] = function (this: DhcpService, d: InboundDatagram, ...rest: unknown[]): unknown {
  const t = arrivals.get(d)
  if (t !== undefined) {
    const type = scanMessageType(d.data)
    if (type === MessageType.DISCOVER) offers.push(performance.now() - t)
    else if (type === MessageType.REQUEST) acks.push(performance.now() - t)
  }
  return (finish as (this: DhcpService, ...a: unknown[]) => unknown).call(this, d, ...rest)
}
proto['commit'] = async function (this: DhcpService, ...args: unknown[]): Promise<unknown> {
  const t = performance.now()
  try {
    return await (commit as (this: DhcpService, ...a: unknown[]) => Promise<unknown>).call(this, ...args)
  } finally {
    if (live) commits.push(performance.now() - t)
  }
}
const journalProto = LeaseJournal.prototype as unknown as Record<string, (this: LeaseJournal, ...a: unknown[]) => Promise<void>>
const append = journalProto['append']!
journalProto['append'] = async function (this: LeaseJournal, ...args: unknown[]): Promise<void> {
  const t = performance.now()
  try {
    await append.call(this, ...args)
  } finally {
    if (live) appends.push(performance.now() - t)
  }
}

const loop = monitorEventLoopDelay({ resolution: 1 })
loop.enable()
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push(e.duration)
}).observe({ entryTypes: ['gc'] })

function summary(values: readonly number[]): string {
  const f = (p: number): string => (percentile(values, p) ?? Number.NaN).toFixed(2)
  return `p50 ${f(50)} p99 ${f(99)} max ${f(100)} (n ${values.length})`
}

process.on('SIGTERM', () => {
  const ms = (ns: number): string => (ns / 1e6).toFixed(2)
  const gcTotal = gcPauses.reduce((a, b) => a + b, 0)
  writeSync(2, `LATENCY-PROBE DISCOVER→OFFER ${summary(offers)} | REQUEST→ACK ${summary(acks)} | commit ${summary(commits)} | journal ${summary(appends)}`
    + ` | loop delay p50 ${ms(loop.percentile(50))} p99 ${ms(loop.percentile(99))} max ${ms(loop.max)}`
    + ` | gc ${gcPauses.length} pauses, ${gcTotal.toFixed(0)} ms, longest ${Math.max(0, ...gcPauses).toFixed(1)}\n`)
})
