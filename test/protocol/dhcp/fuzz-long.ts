/**
 * Long fuzz run (not part of `npm test`): `npm run fuzz [-- iterations [seed]]`, or
 * HADHCPD_FUZZ_ITERATIONS / HADHCPD_SEED. Default 5,000,000 iterations.
 */
import { Prng, seedFromEnv } from '../../helpers/prng.js'
import { mutate, randomPacket } from '../../helpers/packet-gen.js'
import { checkBytes, newStats } from '../../helpers/fuzz-check.js'

const iterations = Number(process.argv[2] ?? process.env['HADHCPD_FUZZ_ITERATIONS'] ?? 5_000_000)
const seed = process.argv[3] !== undefined ? Number(process.argv[3]) >>> 0 : seedFromEnv(Number(process.hrtime.bigint() & 0xffffffffn))
const r = new Prng(seed)
console.log(`fuzz: ${iterations} iterations, seed ${seed}`)
const stats = newStats()
const bases: Buffer[] = []
for (let i = 0; i < 2000; i++) bases.push(randomPacket(r))
const started = process.hrtime.bigint()
for (let i = 0; i < iterations; i++) {
  const input = i % 10 === 0 ? randomPacket(r) : mutate(r, r.pick(bases))
  const decodedBefore = stats.decoded
  try {
    checkBytes(input, stats)
    // Successful mutants become new bases now and then, so mutations compound.
    if (stats.decoded > decodedBefore && i % 7 === 0) bases[r.int(bases.length)] = input
  } catch (e) {
    console.error(`FAIL at iteration ${i}, seed ${seed}: ${(e as Error).message}`)
    console.error(`input: ${input.toString('hex')}`)
    process.exit(1)
  }
  if (i > 0 && i % 1_000_000 === 0) console.log(`  ${i} ...`)
}
const s = Number(process.hrtime.bigint() - started) / 1e9
console.log(`ok: ${iterations} inputs in ${s.toFixed(1)} s; ${stats.decoded} decoded, ${stats.rejected} rejected, ${stats.accessorErrors} accessor DecodeErrors`)
