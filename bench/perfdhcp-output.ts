/**
 * Parser for the text report of Kea's perfdhcp 2.2 (DHCPv4, basic scenario), e.g.
 *
 *   ***Rate statistics***
 *   Rate: 256.805 4-way exchanges/second, expected rate: 300
 *   ***Statistics for: DISCOVER-OFFER***
 *   sent packets: 899
 *   received packets: 899
 *   drops: 0
 *   ...
 *   avg delay: 0.768 ms
 *   ***Timestamps for packets: DISCOVER-OFFER***      (only with -x t)
 *   sent / received: 000000.000448 / 000000.002295
 *
 * Timestamps are HHMMSS.ffffff durations since perfdhcp started (pitfall 8). Sections
 * may come in any order; unknown lines are ignored; missing numbers stay undefined.
 */

export type ExchangeName = 'DISCOVER-OFFER' | 'REQUEST-ACK'
export const EXCHANGES: readonly ExchangeName[] = ['DISCOVER-OFFER', 'REQUEST-ACK']

export interface ExchangeStats {
  sent?: number
  received?: number
  drops?: number
  orphans?: number
  rejectedLeases?: number
  minDelayMs?: number
  avgDelayMs?: number
  maxDelayMs?: number
  stdDevMs?: number
  /** Round-trip times (ms) from the `-x t` dump, in dump order; empty without `-x t`. */
  latenciesMs: number[]
}

export interface PerfdhcpReport {
  /** perfdhcp's own `Rate:` (divides by the whole run incl. -W; pitfall 4: do not use). */
  reportedRate?: number
  expectedRate?: number
  malformedPackets?: number
  exchanges: Record<ExchangeName, ExchangeStats>
}

const STAT_FIELDS: Record<string, keyof Omit<ExchangeStats, 'latenciesMs'>> = {
  'sent packets': 'sent',
  'received packets': 'received',
  drops: 'drops',
  orphans: 'orphans',
  'rejected leases': 'rejectedLeases',
  'min delay': 'minDelayMs',
  'avg delay': 'avgDelayMs',
  'max delay': 'maxDelayMs',
  'std deviation': 'stdDevMs',
}

/** `HHMMSS.ffffff` → seconds, or undefined if it is not that shape. */
export function parsePerfdhcpTimestamp(text: string): number | undefined {
  const m = /^(\d+)(\d\d)(\d\d(?:\.\d+)?)$/.exec(text.trim())
  if (m === null) return undefined
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])
}

function parseNumber(text: string): number | undefined {
  const m = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?/i.exec(text.trim())
  if (m === null) return undefined
  const n = Number(m[0])
  return Number.isFinite(n) ? n : undefined
}

function emptyStats(): ExchangeStats {
  return { latenciesMs: [] }
}

type Section =
  | { kind: 'none' }
  | { kind: 'stats'; exchange: ExchangeName }
  | { kind: 'timestamps'; exchange: ExchangeName }
  | { kind: 'other' }

function sectionOf(header: string): Section {
  const stats = /^Statistics for:\s*(\S+)/.exec(header)
  const stamps = /^Timestamps for packets:\s*(\S+)/.exec(header)
  const name = (stats ?? stamps)?.[1]
  if (name === 'DISCOVER-OFFER' || name === 'REQUEST-ACK') {
    return stats !== null ? { kind: 'stats', exchange: name } : { kind: 'timestamps', exchange: name }
  }
  return { kind: 'other' }
}

export function parsePerfdhcpOutput(text: string): PerfdhcpReport {
  const report: PerfdhcpReport = {
    exchanges: { 'DISCOVER-OFFER': emptyStats(), 'REQUEST-ACK': emptyStats() },
  }
  let section: Section = { kind: 'none' }
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '') continue
    const header = /^\*\*\*(.*)\*\*\*$/.exec(line)
    if (header !== null) {
      section = sectionOf(header[1]!.trim())
      continue
    }
    if (section.kind === 'timestamps') {
      const m = /^sent \/ received:\s*(\S+)\s*\/\s*(\S+)/.exec(line)
      if (m === null) continue
      const sent = parsePerfdhcpTimestamp(m[1]!)
      const received = parsePerfdhcpTimestamp(m[2]!)
      if (sent !== undefined && received !== undefined && received >= sent) {
        report.exchanges[section.exchange].latenciesMs.push((received - sent) * 1000)
      }
      continue
    }
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const key = line.slice(0, colon).trim()
    const value = line.slice(colon + 1)
    if (section.kind === 'stats') {
      const field = STAT_FIELDS[key]
      const n = parseNumber(value)
      if (field !== undefined && n !== undefined) report.exchanges[section.exchange][field] = n
      continue
    }
    if (key === 'Rate') {
      const m = /^\s*([\d.]+)[^,]*,\s*expected rate:\s*([\d.]+)/.exec(value)
      const rate = parseNumber(value)
      if (rate !== undefined) report.reportedRate = rate
      if (m !== null) report.expectedRate = Number(m[2])
    } else if (key === 'Malformed packets') {
      const n = parseNumber(value)
      if (n !== undefined) report.malformedPackets = n
    }
  }
  return report
}

/** True when the text looks like a finished perfdhcp report (both exchanges counted). */
export function isCompleteReport(r: PerfdhcpReport): boolean {
  return EXCHANGES.every((e) => r.exchanges[e].sent !== undefined && r.exchanges[e].received !== undefined)
}
