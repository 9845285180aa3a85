import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DEFAULT_FACILITY, MAX_RECORD_BYTES, facilityCode, formatSyslogRecord, messageLines, syslogTimestamp,
} from '../../src/daemon/syslog-format.js'
import { encodeSockaddrUn } from '../../src/protocol/l2/sockaddr.js'

test('the timestamp is strftime "%h %e %T" of the local time: space-padded day, C-locale month', () => {
  assert.equal(syslogTimestamp(new Date(2026, 11, 7, 6, 30, 0)), 'Dec  7 06:30:00')
  assert.equal(syslogTimestamp(new Date(2026, 0, 17, 23, 5, 9)), 'Jan 17 23:05:09')
})

test('a record is glibc\'s: <PRI>time tag[pid]: message, no host name, no newline or NUL', () => {
  const at = new Date(2026, 11, 7, 6, 30, 0)
  const r = formatSyslogRecord({ facility: DEFAULT_FACILITY, level: 'info', tag: 'dhcpd', pid: 123, at, message: 'DHCPACK on 198.18.30.10 to 02:00:00:00:00:01 via eth0' })
  assert.equal(r.toString(), '<30>Dec  7 06:30:00 dhcpd[123]: DHCPACK on 198.18.30.10 to 02:00:00:00:00:01 via eth0')
  // local7 (23) × 8 + err (3) = 187; warning 4, debug 7.
  assert.match(formatSyslogRecord({ facility: 23, level: 'error', tag: 't', pid: 1, at, message: 'x' }).toString(), /^<187>/)
  assert.match(formatSyslogRecord({ facility: 16, level: 'warn', tag: 't', pid: 1, at, message: 'x' }).toString(), /^<132>/)
  assert.match(formatSyslogRecord({ facility: 0, level: 'debug', tag: 't', pid: 1, at, message: 'x' }).toString(), /^<7>/)
  const long = formatSyslogRecord({ facility: 3, level: 'info', tag: 't', pid: 1, at, message: 'y'.repeat(20_000) })
  assert.equal(long.length, MAX_RECORD_BYTES)
})

test('log-facility names as dhcpd.conf takes them', () => {
  assert.equal(DEFAULT_FACILITY, 3, 'ISC default: daemon')
  assert.equal(facilityCode('local0'), 16)
  assert.equal(facilityCode('LOCAL7'), 23)
  assert.equal(facilityCode('auth'), 4)
  assert.equal(facilityCode('authpriv'), 10)
  assert.equal(facilityCode('user'), 1)
  assert.equal(facilityCode('local8'), undefined)
  assert.equal(facilityCode('toString'), undefined)
})

test('multi-line messages become one record per line', () => {
  assert.deepEqual(messageLines('Configuration file errors encountered -- exiting\n/etc/dhcpd.conf:3:1: bad\r\n\n'), [
    'Configuration file errors encountered -- exiting',
    '/etc/dhcpd.conf:3:1: bad',
  ])
})

test('sockaddr_un: family 1, the path, a NUL; too long a path is refused', () => {
  const b = encodeSockaddrUn('/dev/log')
  assert.equal(b.readUInt16LE(0), 1)
  assert.equal(b.subarray(2).toString('latin1'), '/dev/log\0')
  assert.throws(() => encodeSockaddrUn('/'.repeat(108)), RangeError)
  assert.throws(() => encodeSockaddrUn(''), RangeError)
})
