import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineSplitter, parseDaemonLine } from '../../src/lab/daemon-log.js'

test('parseDaemonLine reads the lines the lab narrates, in hadhcpd/ISC/keepalived wording', () => {
  assert.deepEqual(parseDaemonLine('Server starting service.'), { kind: 'ready' })
  assert.deepEqual(parseDaemonLine('failover peer ha-dhcp: I move from recover-done to normal'),
    { kind: 'failover-state', peer: 'ha-dhcp', from: 'recover-done', to: 'normal' })
  assert.deepEqual(parseDaemonLine('failover peer ha-dhcp: peer moves from normal to communications-interrupted'),
    { kind: 'peer-state', peer: 'ha-dhcp', from: 'normal', to: 'communications-interrupted' })
  assert.deepEqual(parseDaemonLine('(VI_1) Entering MASTER STATE'), { kind: 'vrrp-state', instance: 'VI_1', state: 'MASTER' })
  assert.deepEqual(parseDaemonLine('(VI_1) Entering BACKUP STATE (init)'), { kind: 'vrrp-state', instance: 'VI_1', state: 'BACKUP' })
  assert.deepEqual(parseDaemonLine('DHCPACK on 198.18.10.10 to 02:18:0a:00:02:00 (phone) via 198.18.10.254'),
    { kind: 'ack', address: '198.18.10.10', mac: '02:18:0a:00:02:00', via: '198.18.10.254' })
  assert.deepEqual(parseDaemonLine('DHCPACK on 198.18.10.9 to 08:00:27:d9:45:96 via eth0'),
    { kind: 'ack', address: '198.18.10.9', mac: '08:00:27:d9:45:96', via: 'eth0' })
  assert.deepEqual(parseDaemonLine('DHCPNAK on 198.18.10.9 to 08:00:27:d9:45:96 via eth0'), { kind: 'nak', address: '198.18.10.9', mac: '08:00:27:d9:45:96' })
  for (const other of ['DHCPOFFER on 198.18.10.10 to 02:18:0a:00:02:00 via 198.18.10.254', 'DHCPREQUEST for 198.18.10.10 from 02:18:0a:00:02:00 via x', '', 'garbage (VI_1) Entering'])
    assert.equal(parseDaemonLine(other), undefined, other)
})

test('LineSplitter keeps a partial last line until its newline arrives', () => {
  const s = new LineSplitter()
  assert.deepEqual(s.push('one\ntw'), ['one'])
  assert.deepEqual(s.push('o\r\nthree'), ['two'])
  assert.deepEqual(s.push(''), [])
  assert.deepEqual(s.push('\n'), ['three'])
})
