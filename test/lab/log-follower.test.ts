import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LogFollower } from '../../src/lab/log-follower.js'

test('LogFollower hands over complete lines as the file grows, waits for a missing file, restarts after truncation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-follow-'))
  const file = join(dir, 'node1.log')
  const lines: string[] = []
  const f = new LogFollower(file, (l) => lines.push(l))
  try {
    f.poll()
    assert.deepEqual(lines, [], 'no file yet')
    writeFileSync(file, 'Server starting service.\nfailover peer ha-dhcp: I move')
    f.poll()
    assert.deepEqual(lines, ['Server starting service.'])
    appendFileSync(file, ' from startup to normal\n→ ü\n')
    f.poll()
    assert.deepEqual(lines.slice(1), ['failover peer ha-dhcp: I move from startup to normal', '→ ü'])
    writeFileSync(file, 'again\n')
    f.poll()
    assert.equal(lines.at(-1), 'again')
  } finally {
    f.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
