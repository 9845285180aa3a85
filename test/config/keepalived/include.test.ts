/** include in keepalived.conf: relative paths, globs, cycles, missing files. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadKeepalivedConfig } from '../../../src/config/keepalived/index.js'
import { globToRegExp, keepalivedFsReader } from '../../../src/config/keepalived/fs-reader.js'
import { memoryReader } from '../../../src/config/source-reader.js'
import { errorsOf, instance, lines } from './helpers.js'

test('include is relative to the including file; locations point into the included file', () => {
  const reader = memoryReader({
    '/etc/keepalived/keepalived.conf': lines('global_defs {', '  vrrp_version 3', '}', 'include conf.d/vi1.conf'),
    '/etc/keepalived/conf.d/vi1.conf': instance(),
  })
  const { config } = loadKeepalivedConfig('/etc/keepalived/keepalived.conf', reader)
  assert.deepEqual(config.files, ['/etc/keepalived/keepalived.conf', '/etc/keepalived/conf.d/vi1.conf'])
  assert.equal(config.instances[0]!.version, 3)
  assert.deepEqual(config.instances[0]!.loc, { file: '/etc/keepalived/conf.d/vi1.conf', line: 1, col: 1 })
})

test('include inside a block splices statements there', () => {
  const reader = memoryReader({
    'k.conf': lines('vrrp_instance VI_1 {', '  include common.conf', '  virtual_router_id 9', '}'),
    'common.conf': lines('interface eth3', 'virtual_ipaddress {', '  10.0.0.9', '}'),
  })
  const i = loadKeepalivedConfig('k.conf', reader).config.instances[0]!
  assert.deepEqual([i.interface, i.virtualRouterId, i.virtualAddresses.length], ['eth3', 9, 1])
})

const includeErrors: { name: string; files: Record<string, string>; want: string[] }[] = [
  { name: 'missing file', files: { 'keepalived.conf': lines('include nope.conf') + instance() },
    want: ['keepalived.conf:1:9: Unable to find config file(s) \'nope.conf\'\ninclude nope.conf\n        ^\nhint: looked for nope.conf'] },
  { name: 'cycle', files: { 'keepalived.conf': lines('include a.conf') + instance(), 'a.conf': lines('include keepalived.conf') },
    want: ['a.conf:1:9: include cycle: keepalived.conf → a.conf → keepalived.conf\ninclude keepalived.conf\n        ^'] },
  { name: 'glob without a listing reader', files: { 'keepalived.conf': lines('include conf.d/*.conf') + instance() },
    want: ['keepalived.conf:1:9: include pattern conf.d/*.conf cannot be expanded here\ninclude conf.d/*.conf\n        ^\nhint: name the file itself'] },
]
for (const c of includeErrors) test(`include error: ${c.name}`, () => assert.deepEqual(errorsOf(c.files).rendered, c.want))

test('globs on disk: conf.d/*.conf in name order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hadhcpd-keepalived-'))
  try {
    mkdirSync(join(dir, 'conf.d'))
    writeFileSync(join(dir, 'keepalived.conf'), lines('include conf.d/*.conf'))
    writeFileSync(join(dir, 'conf.d', 'b.conf'), instance().replace('VI_1', 'VI_B').replace('virtual_router_id 51', 'virtual_router_id 52'))
    writeFileSync(join(dir, 'conf.d', 'a.conf'), instance().replace('VI_1', 'VI_A'))
    writeFileSync(join(dir, 'conf.d', 'a.conf.bak'), 'garbage {')
    const { config } = loadKeepalivedConfig(join(dir, 'keepalived.conf'), keepalivedFsReader())
    assert.deepEqual(config.instances.map((i) => i.name), ['VI_A', 'VI_B'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

const globs: [string, string, boolean][] = [
  ['*.conf', 'a.conf', true], ['*.conf', 'a.conf.bak', false], ['vi?.conf', 'vi1.conf', true], ['[ab].conf', 'c.conf', false], ['[!a].conf', 'b.conf', true], ['a+b.conf', 'a+b.conf', true],
]
for (const [pattern, name, want] of globs) test(`globToRegExp(${pattern}) ${want ? 'matches' : 'does not match'} ${name}`, () => assert.equal(globToRegExp(pattern).test(name), want))
