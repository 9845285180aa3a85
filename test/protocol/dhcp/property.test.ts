import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Prng, seedFromEnv } from '../../helpers/prng.js'
import { mutate, randomPacket } from '../../helpers/packet-gen.js'
import { checkBytes, newStats } from '../../helpers/fuzz-check.js'

const ITERATIONS = 100_000

test(`property: ${ITERATIONS} random and mutated packets → only DecodeError, byte-exact re-encode`, () => {
  const seed = seedFromEnv(0x5eed1234)
  const r = new Prng(seed)
  console.log(`# property test seed ${seed} (rerun with HADHCPD_SEED=${seed})`)
  const stats = newStats()
  const bases: Buffer[] = []
  for (let i = 0; i < 500; i++) bases.push(randomPacket(r))
  for (const b of bases) checkBytes(b, stats)
  assert.equal(stats.rejected, 0, 'every generated packet is well formed')
  const started = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) {
    const input = i % 10 === 0 ? randomPacket(r) : mutate(r, r.pick(bases))
    try {
      checkBytes(input, stats)
    } catch (e) {
      assert.fail(`iteration ${i}, seed ${seed}: ${(e as Error).message}`)
    }
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  console.log(`# ${ITERATIONS} inputs in ${ms.toFixed(0)} ms: ${stats.decoded} decoded, ${stats.rejected} rejected, ${stats.accessorErrors} accessor DecodeErrors`)
  assert.ok(stats.decoded > ITERATIONS / 10 && stats.rejected > ITERATIONS / 10, 'both outcomes are exercised')
})
