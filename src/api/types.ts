/**
 * The control API's shapes (docs/control-api.md) and the interface the daemon implements for it
 * ({@link ControlContext}). Routes (routes.ts) are pure functions of a request and a context, so
 * they are tested in-process with a fake context; the HTTP adapter (http-server.ts) only moves
 * bytes.
 */

/** A request as the routes see it: method, path without the query, decoded query, parsed body. */
export interface ApiRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** Parsed JSON body; undefined when there was none. */
  readonly body: unknown
  /** The `Authorization` header, verbatim. */
  readonly authorization?: string | undefined
  /** Who asked (address or `unix`), for the unauthorized log line. */
  readonly remote?: string | undefined
}

export interface ApiResponse {
  readonly status: number
  /** JSON-serialized unless `text` is given. */
  readonly json?: unknown
  readonly text?: string | Buffer
  readonly contentType?: string
  /** Extra response headers (the dashboard's security policy). */
  readonly headers?: Readonly<Record<string, string>>
}

// ---- read views -----------------------------------------------------------------------------

export interface FailoverView {
  readonly peer: string
  readonly role: 'primary' | 'secondary'
  readonly state: string
  readonly stateSince: string | null
  readonly partnerState: string
  readonly partnerStateSince: string | null
  readonly connected: boolean
  readonly lastContact: string | null
  readonly clockSkewSeconds: number | null
  readonly mclt: number
  readonly split: number | null
  readonly unackedUpdates: number
  readonly pendingUpdates: number
  readonly poolBalance: { readonly free: number; readonly backup: number }
}

export interface VrrpView {
  readonly instance: string
  readonly vrid: number
  readonly interface: string
  readonly state: string
  readonly configuredPriority: number
  readonly effectivePriority: number
  /** Operator override: a priority, `"step-down"`, or null. */
  readonly priorityOverride: number | 'step-down' | null
  readonly healthReasons: readonly string[]
  readonly vips: readonly string[]
  readonly holdsVip: boolean
  readonly masterAddress: string | null
}

export interface StatusView {
  readonly version: string
  readonly startedAt: string
  readonly uptimeSeconds: number
  readonly config: { readonly file: string; readonly sha256: string; readonly loadedAt: string }
  readonly leaseFile: string
  readonly interfaces: readonly { readonly name: string; readonly transport: string }[]
  readonly failover: readonly FailoverView[]
  readonly vrrp: readonly VrrpView[]
}

export interface PoolView {
  readonly id: string
  readonly subnet: string
  readonly sharedNetwork: string | null
  readonly ranges: readonly string[]
  readonly failoverPeer: string | null
  readonly total: number
  readonly free: number
  readonly backup: number
  readonly active: number
  readonly expired: number
  readonly released: number
  readonly abandoned: number
  readonly reset: number
  /** active / total, 0…1, four decimals. */
  readonly utilisation: number
}

export interface LeaseView {
  readonly ip: string
  readonly state: string
  readonly mac: string | null
  readonly clientId: string | null
  readonly hostname: string | null
  readonly starts: string | null
  readonly ends: string | null
  readonly cltt: string | null
  readonly tstp: string | null
  readonly tsfp: string | null
  readonly atsfp: string | null
  readonly pool: string | null
}

export interface LeaseHistoryEntry {
  /** When the record was written: cltt, else starts (the file has no write time). */
  readonly at: string | null
  readonly state: string
  readonly mac: string | null
  readonly clientId: string | null
  readonly ends: string | null
}

export interface LeaseFilter {
  readonly ip?: string
  readonly mac?: string
  readonly clientId?: string
  readonly hostname?: string
  readonly state?: string
  readonly subnet?: string
}

export interface LeasePage {
  readonly total: number
  readonly offset: number
  readonly limit: number
  readonly leases: readonly LeaseView[]
}

export interface EventView {
  readonly seq: number
  readonly at: string
  readonly level: string
  readonly event: string
  readonly text: string
}

/** What `GET /api/v1/config/shared` returns: the part of the configuration both nodes of a pair must agree on. */
export interface SharedConfigView {
  readonly subnets: readonly {
    readonly subnet: string
    readonly sharedNetwork: string | null
    readonly pools: readonly { readonly failoverPeer: string | null; readonly ranges: readonly string[] }[]
  }[]
  readonly failoverPeers: readonly SharedFailoverPeerView[]
}

/**
 * A failover peer normalized so both ends compare equal: `primary`/`secondary` are the two
 * servers' `address:port` (whichever side wrote the declaration), plus the parameters both must
 * share. `mclt`, `split` and `hba` are the primary's (a secondary may leave them unset: null).
 */
export interface SharedFailoverPeerView {
  readonly name: string
  /** This node's role (reported, not compared). */
  readonly role: 'primary' | 'secondary'
  readonly primary: string
  readonly secondary: string
  readonly mclt: number | null
  readonly split: number | null
  readonly hba: string | null
  /** ISC's `load balance max seconds`: both should agree, or one answers clients the other leaves to it. */
  readonly loadBalanceMaxSeconds: number
}

/** One failover relationship's part of a graceful shutdown (`POST /api/v1/shutdown`). */
export interface FailoverHandOverView {
  readonly peer: string
  /**
   * `confirmed`: we went SHUTDOWN and the partner entered PARTNER-DOWN; `unconfirmed`: SHUTDOWN
   * sent, no PARTNER-DOWN within the wait; `not-connected`, `not-normal`: nothing announced (no
   * link; a state other than NORMAL); `not-recorded`: the lease file write failed; `stopped`:
   * already stopping.
   */
  readonly outcome: 'confirmed' | 'unconfirmed' | 'not-connected' | 'not-normal' | 'not-recorded' | 'stopped'
  readonly confirmed: boolean
  readonly previousState: string
  /** What the lease file holds for the next start, and since when. */
  readonly recordedState: string
  readonly recordedStateSince: string | null
  /** STOS backdated by MCLT: the next start needs no RECOVER-WAIT. */
  readonly backdated: boolean
  readonly partnerState: string
  /** Updates the partner had not acknowledged when the link was dropped. */
  readonly pendingUpdates: number
  /** From sending SHUTDOWN to the partner's PARTNER-DOWN (or to giving up), ms. */
  readonly waitedMs: number
  readonly message: string
}

/** `POST /api/v1/shutdown`: answered once the failover hand-over is done, before the process exits. */
export interface ShutdownView {
  readonly stopping: true
  readonly failover: readonly FailoverHandOverView[]
  readonly message: string
}

// ---- action results --------------------------------------------------------------------------

export type ActionResult<T = unknown> =
  | ({ readonly ok: true } & T)
  | { readonly ok: false; readonly status: 404 | 409 | 400; readonly error: string; readonly message: string }

export type ReloadResult = { readonly ok: true } | { readonly ok: false; readonly errors: readonly string[] }

export type LeaseAction = 'release' | 'abandon' | 'free'

/** A file served by the dashboard hook. */
export interface StaticAsset {
  readonly contentType: string
  readonly body: string | Buffer
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Everything the routes need from the daemon. Optional members are filled by features that may
 * be absent (metrics, dashboard, the failover driver's own partner-down).
 */
export interface ControlContext {
  status(): StatusView
  pools(): readonly PoolView[]
  /** Every lease matching `filter` (exact match except the hostname substring), address order. */
  leases(filter: LeaseFilter): readonly LeaseView[]
  lease(ip: string): LeaseView | undefined
  /** The lease file's records of `ip`, oldest first. */
  leaseHistory(ip: string): Promise<readonly LeaseHistoryEntry[]>
  events(since: number): readonly EventView[]
  sharedConfig(): SharedConfigView
  reload(): ReloadResult | Promise<ReloadResult>
  leaseAction(ip: string, action: LeaseAction): Promise<ActionResult<{ readonly lease: LeaseView }>>
  deleteLease(ip: string): Promise<ActionResult>
  /** Moves the relationship `peer` to PARTNER-DOWN. */
  partnerDown?(peer: string): Promise<ActionResult<{ readonly state: string }>>
  /**
   * Graceful shutdown: hands every NORMAL failover relationship over (SHUTDOWN; the partner enters
   * PARTNER-DOWN), answers, then the daemon stops. Absent when the daemon cannot be stopped this way.
   */
  shutdown?(): Promise<ActionResult<ShutdownView>>
  rebalance(peer: string): Promise<ActionResult>
  /** A priority 1…254, null to clear, or `'step-down'`. */
  vrrpOverride(instance: string, override: number | 'step-down' | null): ActionResult<{ readonly effectivePriority: number }>
  /** Prometheus text exposition; absent when metrics are not built in. */
  metricsText?(): string | Promise<string>
  /** The dashboard's files (`/` and `/dashboard/*`); absent until the dashboard is built in. */
  staticAsset?(path: string): StaticAsset | undefined
}
