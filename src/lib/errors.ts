/**
 * The error catalogue. Every error hadhcpd raises on purpose carries a stable `code`;
 * callers branch on the code, never on message text.
 */

export const ErrorCodes = {
  /** Bytes from the wire could not be decoded (DHCP, failover, VRRP, frames). */
  DECODE: 'ERR_DECODE',
  /** A value handed to an encoder cannot be represented on the wire. */
  ENCODE: 'ERR_ENCODE',
  /** dhcpd.conf (or an included file) is invalid. */
  CONFIG: 'ERR_CONFIG',
  /** A dhcpd.leases file or journal record is invalid. */
  LEASE_FILE: 'ERR_LEASE_FILE',
  /** Command-line usage error. */
  USAGE: 'ERR_USAGE',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

export class DhcpdError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.code = code
    this.name = new.target.name
  }
}

/**
 * Thrown by every decoder, and only by decoders, when input bytes are malformed.
 * `field` names what was being read, `offset` is the absolute byte offset in the buffer.
 */
export class DecodeError extends DhcpdError {
  readonly field: string
  readonly offset: number
  readonly reason: string
  constructor(field: string, offset: number, reason: string) {
    super(ErrorCodes.DECODE, `${field} at byte ${offset}: ${reason}`)
    this.field = field
    this.offset = offset
    this.reason = reason
  }
}

/** Thrown by encoders when a value cannot be put on the wire (a programming or config error). */
export class EncodeError extends DhcpdError {
  readonly field: string
  constructor(field: string, reason: string) {
    super(ErrorCodes.ENCODE, `${field}: ${reason}`)
    this.field = field
  }
}

/** A position in a source file; lines and columns start at 1. */
export interface SourceLocation {
  readonly file: string
  readonly line: number
  readonly col: number
}

export type Severity = 'error' | 'warning'

/** One diagnostic about a config file. Rendering lives with the config compiler. */
export interface Diagnostic {
  readonly severity: Severity
  readonly loc: SourceLocation
  readonly message: string
  /** Optional hint, e.g. "did you mean `authoritative`?" */
  readonly hint?: string
}

/** A config that cannot be used; holds every error found (and the warnings seen on the way). */
export class ConfigError extends DhcpdError {
  readonly diagnostics: readonly Diagnostic[]
  constructor(diagnostics: readonly Diagnostic[]) {
    const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0]
    super(
      ErrorCodes.CONFIG,
      first ? `${first.loc.file}:${first.loc.line}:${first.loc.col}: ${first.message}` : 'invalid configuration',
    )
    this.diagnostics = diagnostics
  }
}

export class UsageError extends DhcpdError {
  constructor(message: string) {
    super(ErrorCodes.USAGE, message)
  }
}

/**
 * A dhcpd.leases file (or a journal write) could not be read or written. `line`/`col` point
 * into the file when the problem is in its text (lines and columns start at 1).
 */
export class LeaseFileError extends DhcpdError {
  readonly file: string
  readonly line: number | undefined
  readonly col: number | undefined
  constructor(file: string, message: string, line?: number, col?: number) {
    super(ErrorCodes.LEASE_FILE, line === undefined ? `${file}: ${message}` : `${file}:${line}:${col ?? 1}: ${message}`)
    this.file = file
    this.line = line
    this.col = col
  }
}
