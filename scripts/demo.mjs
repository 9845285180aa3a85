#!/usr/bin/env node
// Check the four seed configurations with `hadhcpd -t`
// and print what each one defines (no root needed; the HA lab is `npm run lab`).
import { spawnSync } from 'node:child_process'

const seeds = [
  ['seed 000 primary', ['test/fixtures/config/seed000/primary.conf']],
  ['seed 000 secondary', ['test/fixtures/config/seed000/secondary.conf']],
  ['seed 001 primary (with the host group)', ['test/fixtures/config/seed001/primary/dhcpd.conf', '/usr/local/etc/=test/fixtures/config/seed001/shared-with-host/']],
  ['seed 001 secondary', ['test/fixtures/config/seed001/secondary/dhcpd.conf', '/usr/local/etc/=test/fixtures/config/seed001/shared/']],
]
let failed = 0
for (const [title, [file, map]] of seeds) {
  const mapArgs = map ? ['--path-map', map] : []
  console.log(`\n=== ${title}: hadhcpd -t -cf ${file}${map ? ' --path-map ' + map : ''}`)
  const t = spawnSync(process.execPath, ['bin/hadhcpd.js', '-t', '-cf', file, ...mapArgs], { stdio: 'inherit' })
  if (t.status !== 0) failed++
  console.log(`--- hadhcpd check ${file}`)
  spawnSync(process.execPath, ['bin/hadhcpd.js', 'check', file, ...mapArgs], { stdio: ['ignore', 'inherit', 'ignore'] })
}
process.exit(failed === 0 ? 0 : 1)
