import { test } from 'node:test'
import assert from 'node:assert/strict'
import { primaryAddressOf, withoutVips } from '../../src/daemon/vrrp.js'
import { loadKeepalivedConfig } from '../../src/config/keepalived/index.js'
import { memoryReader } from '../../src/config/source-reader.js'
import { parseIPv4 } from '../../src/lib/ip.js'
import type { HostInterface } from '../../src/io/interfaces.js'

const ip = (s: string): number => parseIPv4(s)!
const config = loadKeepalivedConfig('k.conf', memoryReader({
  'k.conf': 'vrrp_instance VI_1 {\n interface eth2\n virtual_router_id 51\n priority 99\n virtual_ipaddress {\n  198.18.60.246/32\n }\n}\n',
})).config

// A crashed run left the VIP configured, listed first.
const host: HostInterface[] = [{
  name: 'eth2', mac: '02:fa:00:00:00:01',
  addresses: [
    { address: ip('198.18.60.246'), mask: 0xffffffff, prefixLength: 32 },
    { address: ip('198.18.60.11'), mask: 0xffffff00, prefixLength: 24 },
  ],
}]

test('a VIP is never one of the node\'s own addresses (server identifier, reply source)', () => {
  assert.deepEqual(withoutVips(host, config)[0]!.addresses.map((a) => a.address), [ip('198.18.60.11')])
  assert.equal(withoutVips(host, undefined)[0]!.addresses.length, 2)
})

test('adverts go out from the interface\'s own address, not a leftover VIP', () => {
  assert.equal(primaryAddressOf(config.instances[0]!, host), ip('198.18.60.11'))
  assert.equal(primaryAddressOf({ ...config.instances[0]!, interface: 'eth9' }, host), undefined)
})
