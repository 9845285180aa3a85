/** Failover logic, pure (failover-protocol.md §2–§5): states, machine, load balancing, MCLT, update queue, binding rules, handshake checks. */
export * from './states.js'
export * from './reactions.js'
export * from './machine.js'
export * from './load-balance.js'
export * from './mclt.js'
export * from './update-queue.js'
export * from './binding-rules.js'
export * from './handshake.js'
