#!/usr/bin/env node
// Builds the raw socket addon (native/raw_socket.c) with node-gyp at `npm install`/`npm ci`.
// Uses the headers that ship with the running node (PREFIX/include/node) so nothing is
// downloaded; falls back to node-gyp's own lookup (npm_config_nodedir, its cache) otherwise.
// HADHCPD_SKIP_NATIVE=1 skips the build (hadhcpd then runs on the UDP transport only).
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'

if (process.env.HADHCPD_SKIP_NATIVE === '1') {
  console.log('hadhcpd: HADHCPD_SKIP_NATIVE=1, not building the raw socket addon')
  process.exit(0)
}
if (process.platform !== 'linux') {
  console.log(`hadhcpd: the raw socket addon is Linux-only (this is ${process.platform}); UDP transport only`)
  process.exit(0)
}

function nodeGyp() {
  // npm sets npm_config_node_gyp to its bundled node-gyp.
  const fromNpm = process.env.npm_config_node_gyp
  if (fromNpm && existsSync(fromNpm)) return fromNpm
  const bundled = resolve(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  if (existsSync(bundled)) return bundled
  return undefined
}

const gyp = nodeGyp()
if (gyp === undefined) {
  console.error('hadhcpd: node-gyp not found (it ships with npm); cannot build the raw socket addon')
  process.exit(1)
}
const args = [gyp, 'rebuild']
const prefix = resolve(dirname(process.execPath), '..')
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`)
const r = spawnSync(process.execPath, args, { stdio: 'inherit' })
process.exit(r.status ?? 1)
