/**
 * The allocation engine's public API, for the daemon: build a {@link Pipeline} from the
 * compiled config and the lease store, hand it each datagram, journal the decision's
 * `changes`, then send its `reply` along `reply.route` (after the `probe`, if any).
 * On SIGHUP build a new Pipeline over the same store (offer holds are forgotten: harmless).
 */
export {
  Pipeline,
  PIPELINE_STAGES,
  type PipelineStage,
  type PipelineInput,
  type PipelineOptions,
  type Decision,
  type Reply,
  type Probe,
  type HaFilter,
} from './pipeline.js'
export type { ReceivingInterface, NetworkSelection } from './subnet-select.js'
export { routeReply, SERVER_PORT, CLIENT_PORT, LIMITED_BROADCAST, type ReplyRoute, type TransportCapabilities } from './reply-route.js'
export type { LogEvent, LogEventId, LogLevel } from './log-events.js'
export { standalonePoolPolicy, unrestrictedPoolPolicy, type PoolPolicy } from './pool-policy.js'
export { AllocEngine, type EngineOptions, type AllocationRequest, type Outcome, type Binding, type RequestState } from './alloc-engine.js'
export type { ClientQuery } from './client-query.js'
