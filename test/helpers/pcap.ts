/**
 * A tiny reader for classic libpcap files (tcpdump -w): global header, then records of
 * (ts_sec, ts_usec, incl_len, orig_len, bytes). Both byte orders and the nanosecond magic.
 */
import { readFileSync } from 'node:fs'

export interface PcapRecord {
  readonly index: number
  readonly timestamp: number
  readonly data: Buffer
}

export interface Pcap {
  readonly linkType: number
  readonly records: readonly PcapRecord[]
}

export function parsePcap(buf: Buffer): Pcap {
  const magic = buf.readUInt32LE(0)
  let le: boolean
  let nano = false
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true
  else if (buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d) le = false
  else throw new Error(`not a pcap file (magic 0x${magic.toString(16)})`)
  if ((le ? magic : buf.readUInt32BE(0)) === 0xa1b23c4d) nano = true
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o))
  const linkType = u32(20)
  const records: PcapRecord[] = []
  let o = 24
  while (o + 16 <= buf.length) {
    const sec = u32(o)
    const frac = u32(o + 4)
    const incl = u32(o + 8)
    if (o + 16 + incl > buf.length) throw new Error(`truncated pcap record at byte ${o}`)
    records.push({ index: records.length, timestamp: sec + frac / (nano ? 1e9 : 1e6), data: Buffer.from(buf.subarray(o + 16, o + 16 + incl)) })
    o += 16 + incl
  }
  return { linkType, records }
}

export function readPcap(path: string): Pcap {
  return parsePcap(readFileSync(path))
}
