/** Each kind of config error fails with the right file:line:col, rendered exactly. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileErrors, compileMemory, lines, PRIMARY_PEER } from './helpers.js'

interface ErrorCase {
  name: string
  conf: string
  /** Every rendered error, in order. */
  want: string[]
}

const SUBNET_OPEN = 'subnet 10.0.0.0 netmask 255.255.255.0 {'

const cases: ErrorCase[] = [
  {
    name: 'range outside its subnet',
    conf: lines(SUBNET_OPEN, '  range 10.0.1.10 10.0.1.20;', '}'),
    want: ['dhcpd.conf:2:3: range 10.0.1.10-10.0.1.20 is outside subnet 10.0.0.0/24\n  range 10.0.1.10 10.0.1.20;\n  ^'],
  },
  {
    name: 'overlapping ranges (subnet range and pool range)',
    conf: lines(SUBNET_OPEN, '  range 10.0.0.10 10.0.0.50;', '  pool {', '    range 10.0.0.40 10.0.0.60;', '  }', '}'),
    want: [
      'dhcpd.conf:4:5: range 10.0.0.40-10.0.0.60 overlaps range 10.0.0.10-10.0.0.50 at dhcpd.conf:2:3\n    range 10.0.0.40 10.0.0.60;\n    ^',
    ],
  },
  {
    name: 'netmask that does not match the subnet (host bits set)',
    conf: lines('subnet 10.0.0.1 netmask 255.255.255.0 {', '}'),
    want: [
      'dhcpd.conf:1:8: subnet 10.0.0.1 has host bits set for netmask 255.255.255.0\nsubnet 10.0.0.1 netmask 255.255.255.0 {\n       ^\nhint: did you mean `subnet 10.0.0.0 netmask 255.255.255.0`?',
    ],
  },
  {
    name: 'non-contiguous netmask',
    conf: lines('subnet 10.0.0.0 netmask 255.0.255.0 {', '}'),
    want: [
      'dhcpd.conf:1:25: netmask 255.0.255.0 is not contiguous\nsubnet 10.0.0.0 netmask 255.0.255.0 {\n                        ^\nhint: a netmask is ones followed by zeros, e.g. 255.255.255.0',
    ],
  },
  {
    name: 'pool naming an undefined failover peer (with a hint)',
    conf: lines(...PRIMARY_PEER, SUBNET_OPEN, '  pool {', '    failover peer "q";', '    range 10.0.0.10 10.0.0.20;', '  }', '  pool {', '    failover peer "p";', '    range 10.0.0.30 10.0.0.40;', '  }', '}'),
    want: ['dhcpd.conf:10:19: failover peer "q" is not declared\n    failover peer "q";\n                  ^\nhint: did you mean `p`?'],
  },
  {
    name: 'duplicate hardware addresses among hosts',
    conf: lines(
      'host a { hardware ethernet 08:00:27:d9:45:96; }',
      'host b {',
      '  hardware ethernet 08:00:27:D9:45:96;',
      '}',
    ),
    want: [
      'dhcpd.conf:3:21: hardware address 08:00:27:d9:45:96 of host b is already used by host a at dhcpd.conf:1:28\n  hardware ethernet 08:00:27:D9:45:96;\n                    ^',
    ],
  },
  {
    name: 'failover pool with dynamic-bootp',
    conf: lines(...PRIMARY_PEER, SUBNET_OPEN, '  pool {', '    failover peer "p";', '    range dynamic-bootp 10.0.0.10 10.0.0.20;', '  }', '}'),
    want: [
      'dhcpd.conf:11:5: range dynamic-bootp is not allowed in a pool served by failover peer "p"\n    range dynamic-bootp 10.0.0.10 10.0.0.20;\n    ^\nhint: BOOTP leases cannot be shared between failover partners; use a separate pool without failover',
    ],
  },
  {
    name: 'secondary with split and hba',
    conf: lines(
      'failover peer "s" {',
      '  secondary;',
      '  address 10.0.0.2;',
      '  peer address 10.0.0.1;',
      '  split 128;',
      `  hba ${Array(32).fill('ff').join(':')};`,
      '}',
      SUBNET_OPEN,
      '  pool { failover peer "s"; range 10.0.0.10 10.0.0.20; }',
      '}',
    ),
    want: [
      'dhcpd.conf:5:3: split is only valid on the primary; failover peer "s" is secondary\n  split 128;\n  ^\nhint: remove `split` here: the primary\'s value applies to both servers',
      `dhcpd.conf:6:3: hba is only valid on the primary; failover peer "s" is secondary\n  hba ${Array(32).fill('ff').join(':')};\n  ^\nhint: remove \`hba\` here: the primary's value applies to both servers`,
    ],
  },
  {
    name: 'primary without mclt',
    conf: lines(
      'failover peer "p" {',
      '  primary;',
      '  address 10.0.0.1;',
      '  peer address 10.0.0.2;',
      '  split 128;',
      '}',
      SUBNET_OPEN,
      '  pool { failover peer "p"; range 10.0.0.10 10.0.0.20; }',
      '}',
    ),
    want: [
      'dhcpd.conf:1:15: failover peer "p" is primary but has no mclt\nfailover peer "p" {\n              ^\nhint: add `mclt 3600;` (seconds; the same value on both servers)',
    ],
  },
  {
    name: 'primary without split or hba',
    conf: lines('failover peer "p" {', '  primary;', '  address 10.0.0.1;', '  peer address 10.0.0.2;', '  mclt 60;', '}', SUBNET_OPEN, '  pool { failover peer "p"; range 10.0.0.10 10.0.0.20; }', '}'),
    want: [
      'dhcpd.conf:1:15: failover peer "p" is primary but has neither split nor hba\nfailover peer "p" {\n              ^\nhint: add `split 128;` to balance load evenly',
    ],
  },
  {
    name: 'failover peer no pool refers to',
    conf: lines(...PRIMARY_PEER, SUBNET_OPEN, '  range 10.0.0.10 10.0.0.20;', '}'),
    want: [
      'dhcpd.conf:1:15: failover peer "p" has no referring pools\nfailover peer "p" {\n              ^\nhint: add `failover peer "p";` inside the pool(s) it serves',
    ],
  },
  {
    name: 'split out of range, hba of the wrong length',
    conf: lines(...PRIMARY_PEER.slice(0, 5), '  split 300;', '  hba 1:2;', '}', SUBNET_OPEN, '  pool { failover peer "p"; range 10.0.0.10 10.0.0.20; }', '}'),
    want: [
      'dhcpd.conf:1:15: failover peer "p" is primary but has neither split nor hba\nfailover peer "p" {\n              ^\nhint: add `split 128;` to balance load evenly',
      'dhcpd.conf:6:9: 300 is out of range for split (0..256)\n  split 300;\n        ^',
      'dhcpd.conf:7:7: hba must be 32 colon-separated hex octets\n  hba 1:2;\n      ^',
    ],
  },
  {
    name: 'unknown failover statement',
    conf: lines(...PRIMARY_PEER.slice(0, 6), '  max-respons-delay 30;', '}', SUBNET_OPEN, '  pool { failover peer "p"; range 10.0.0.10 10.0.0.20; }', '}'),
    want: [
      'dhcpd.conf:7:3: unknown failover peer statement `max-respons-delay`\n  max-respons-delay 30;\n  ^\nhint: did you mean `max-response-delay`?',
    ],
  },
  {
    name: 'unknown keyword with a value: error with a hint',
    conf: lines('default-lease-tim 600;'),
    want: ['dhcpd.conf:1:1: unknown statement `default-lease-tim`\ndefault-lease-tim 600;\n^\nhint: did you mean `default-lease-time`?'],
  },
  {
    name: 'unknown option with a hint',
    conf: lines('option domain-name-server 1.1.1.1;'),
    want: ['dhcpd.conf:1:8: unknown option `domain-name-server`\noption domain-name-server 1.1.1.1;\n       ^\nhint: did you mean `domain-name-servers`?'],
  },
  {
    name: 'option integer out of range',
    conf: lines('option default-ip-ttl 300;'),
    want: ['dhcpd.conf:1:23: 300 is out of range for option default-ip-ttl (0..255)\noption default-ip-ttl 300;\n                      ^'],
  },
  {
    name: 'option value of the wrong type',
    conf: lines('option routers 10.0.0.1, gateway.example;'),
    want: [
      'dhcpd.conf:1:26: expected an IPv4 address for option routers, found `gateway.example` (host names in option values are not resolved; write the address)\noption routers 10.0.0.1, gateway.example;\n                         ^',
    ],
  },
  {
    name: 'missing semicolon is reported at the next token',
    conf: lines('default-lease-time 600', 'max-lease-time 7200;'),
    want: ['dhcpd.conf:2:1: expected `;`, found `max-lease-time`\nmax-lease-time 7200;\n^'],
  },
  {
    name: 'class matching is not supported yet',
    conf: lines('class "pxe" {', '  match if substring (option vendor-class-identifier, 0, 9) = "PXEClient";', '}'),
    want: [
      'dhcpd.conf:1:1: class "pxe": class matching is not supported yet\nclass "pxe" {\n^\nhint: remove the class (and any `members of` permits) or keep serving this network with ISC dhcpd for now',
    ],
  },
  {
    name: 'missing closing brace',
    conf: lines(SUBNET_OPEN, '  range 10.0.0.10 10.0.0.20;'),
    want: ['dhcpd.conf:1:39: missing `}` for this subnet declaration\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n                                      ^'],
  },
  {
    name: 'all errors are reported in one run, in source order',
    conf: lines('subnet 10.0.0.1 netmask 255.255.255.0 {', '}', 'option default-ip-ttl 300;', 'bogus-keyword x;'),
    want: [
      'dhcpd.conf:1:8: subnet 10.0.0.1 has host bits set for netmask 255.255.255.0\nsubnet 10.0.0.1 netmask 255.255.255.0 {\n       ^\nhint: did you mean `subnet 10.0.0.0 netmask 255.255.255.0`?',
      'dhcpd.conf:3:23: 300 is out of range for option default-ip-ttl (0..255)\noption default-ip-ttl 300;\n                      ^',
      'dhcpd.conf:4:1: unknown statement `bogus-keyword`\nbogus-keyword x;\n^',
    ],
  },
]

for (const c of cases) {
  test(`error: ${c.name}`, () => {
    assert.deepEqual(compileErrors(c.conf).rendered, c.want)
  })
}

test('warning: fixed-address inside a dynamic range compiles, with a located warning (as ISC)', () => {
  const { warnings } = compileMemory(lines(SUBNET_OPEN, '  range 10.0.0.10 10.0.0.20;', '}', 'host h { fixed-address 10.0.0.15; }'))
  assert.deepEqual(warnings, [
    {
      severity: 'warning',
      loc: { file: 'dhcpd.conf', line: 4, col: 24 },
      message: 'fixed-address 10.0.0.15 of host h is inside dynamic range 10.0.0.10-10.0.0.20 (dynamic and static leases present)',
      hint: 'remove 10.0.0.15 from the range at dhcpd.conf:2:3',
    },
  ])
})

test('the thrown ConfigError message is the first error, file:line:col first', () => {
  assert.throws(() => compileMemory(lines(SUBNET_OPEN, '  range 10.0.1.10 10.0.1.20;', '}')), {
    name: 'ConfigError',
    code: 'ERR_CONFIG',
    message: 'dhcpd.conf:2:3: range 10.0.1.10-10.0.1.20 is outside subnet 10.0.0.0/24',
  })
})
