import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pino } from 'pino'
import { jsonLineFormatter, type Fields, type LogLevel } from '../../src/daemon/logger.js'

test('jsonLineFormatter prints what pino prints for the same call', () => {
  const now = Date.UTC(2026, 10, 23, 20, 45, 21, 222)
  const lines: string[] = []
  const p = pino(
    { level: 'debug', base: { pid: 4242 }, timestamp: () => `,"time":"${new Date(now).toISOString()}"` },
    { write: (s: string) => lines.push(s) },
  )
  const ours = jsonLineFormatter(4242, () => now)
  const cases: Array<[LogLevel, string, string, Fields | undefined]> = [
    ['info', 'DHCP_ACK', 'DHCPACK on 198.18.1.2 to 02:00:00:00:00:01 via 198.18.0.2', { address: '198.18.1.2', client: '02:00:00:00:00:01' }],
    ['warn', 'DHCP_NO_FREE_LEASES', 'quote " backslash \\ newline \n control \u0001 unicode é ✓', { network: '198.18.0.0/16' }],
    ['error', 'X', 'no fields', undefined],
    ['debug', 'Y', 'numbers and booleans', { n: 3, f: 1.5, neg: -2, t: true, no: false }],
    ['info', 'Z', 'a field named id', { id: 'override', other: 'x' }],
  ]
  for (const [level, id, text, fields] of cases) {
    p[level](fields === undefined ? { id } : { id, ...fields }, text)
    assert.equal(ours(level, id, text, fields), lines.at(-1))
  }
})
