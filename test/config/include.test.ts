/** include "file"; resolution, root mapping and cycle detection. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfig } from '../../src/config/compile.js'
import { applyRootMap, memoryReader, resolveInclude } from '../../src/config/source-reader.js'
import { compileErrors, lines } from './helpers.js'

const resolveCases = [
  { from: '/etc/dhcp/dhcpd.conf', target: 'peers.conf', want: '/etc/dhcp/peers.conf' },
  { from: '/etc/dhcp/dhcpd.conf', target: 'conf.d/../shared.conf', want: '/etc/dhcp/shared.conf' },
  { from: '/etc/dhcp/sub/a.conf', target: '../b.conf', want: '/etc/dhcp/b.conf' },
  { from: '/etc/dhcp/dhcpd.conf', target: '/usr/local/etc/x.conf', want: '/usr/local/etc/x.conf' },
  { from: 'dhcpd.conf', target: 'x.conf', want: 'x.conf' },
]
for (const c of resolveCases) {
  test(`resolveInclude(${c.from}, ${c.target}) = ${c.want}`, () => {
    assert.equal(resolveInclude(c.from, c.target), c.want)
  })
}

test('applyRootMap: the longest matching prefix wins; unmatched paths are unchanged', () => {
  const map = { '/usr/': '/a/', '/usr/local/etc/': '/b/' }
  assert.equal(applyRootMap('/usr/local/etc/dhcpd.conf', map), '/b/dhcpd.conf')
  assert.equal(applyRootMap('/usr/share/x', map), '/a/share/x')
  assert.equal(applyRootMap('/etc/x', map), '/etc/x')
})

test('includes are relative to the including file and spliced in scope; files listed in read order', () => {
  const reader = memoryReader({
    '/etc/dhcp/dhcpd.conf': lines('default-lease-time 600;', 'include "nets/lan.conf";'),
    '/etc/dhcp/nets/lan.conf': lines('subnet 10.0.0.0 netmask 255.255.255.0 {', '  include "lan-options.conf";', '}'),
    '/etc/dhcp/nets/lan-options.conf': lines('option routers 10.0.0.1;', 'range 10.0.0.10 10.0.0.20;'),
  })
  const { config } = compileConfig('/etc/dhcp/dhcpd.conf', reader)
  assert.deepEqual(config.files, ['/etc/dhcp/dhcpd.conf', '/etc/dhcp/nets/lan.conf', '/etc/dhcp/nets/lan-options.conf'])
  const subnet = config.subnets[0]!
  assert.deepEqual(subnet.scope.options.get(3)!.value, ['10.0.0.1'])
  assert.deepEqual(subnet.scope.options.get(3)!.loc, { file: '/etc/dhcp/nets/lan-options.conf', line: 1, col: 1 })
  assert.equal(subnet.pools[0]!.implicit, true)
  assert.deepEqual(subnet.pools[0]!.ranges[0]!.loc, { file: '/etc/dhcp/nets/lan-options.conf', line: 2, col: 1 })
})

test('absolute includes go through the root map; diagnostics keep the logical path', () => {
  const reader = memoryReader(
    { 'main.conf': lines('include "/usr/local/etc/shared.conf";'), 'fixture/shared.conf': lines('bogus 1;') },
    { '/usr/local/etc/': 'fixture/' },
  )
  assert.throws(() => compileConfig('main.conf', reader), { message: '/usr/local/etc/shared.conf:1:1: unknown statement `bogus`' })
})

test('include cycle is an error at the include that closes it', () => {
  const files = {
    'dhcpd.conf': lines('include "a.conf";'),
    'a.conf': lines('# a', 'include "b.conf";'),
    'b.conf': lines('include "a.conf";'),
  }
  assert.deepEqual(compileErrors(files).rendered, ['b.conf:1:9: include cycle: a.conf → b.conf → a.conf\ninclude "a.conf";\n        ^'])
})

test('a file including itself is a cycle', () => {
  assert.deepEqual(compileErrors({ 'dhcpd.conf': lines('include "dhcpd.conf";') }).rendered, [
    'dhcpd.conf:1:9: include cycle: dhcpd.conf → dhcpd.conf\ninclude "dhcpd.conf";\n        ^',
  ])
})

test('a missing include is an error at its name', () => {
  assert.deepEqual(compileErrors({ 'dhcpd.conf': lines('', '  include "nope.conf";') }).rendered, [
    'dhcpd.conf:2:11: cannot read included file nope.conf\n  include "nope.conf";\n          ^',
  ])
})

test('the same file may be included twice when it is not a cycle', () => {
  const files = {
    'dhcpd.conf': lines('include "opts.conf";', 'include "opts.conf";'),
    'opts.conf': lines('ping-check true;'),
  }
  const { config } = compileConfig('dhcpd.conf', memoryReader(files))
  assert.deepEqual(config.files, ['dhcpd.conf', 'opts.conf', 'opts.conf'])
})
