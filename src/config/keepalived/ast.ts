/**
 * keepalived.conf as a tree of statements, before any meaning is given to keywords:
 * `keyword arg… [{ statement… }]`. List blocks (`virtual_ipaddress`, `unicast_peer`) are
 * statements whose keyword is the first word of each line.
 */
import type { SourceLocation } from '../../lib/errors.js'

export interface Word {
  readonly text: string
  readonly loc: SourceLocation
  readonly quoted: boolean
}

export interface Statement {
  readonly keyword: Word
  readonly args: readonly Word[]
  /** The `{ … }` block, when the statement has one. */
  readonly block: readonly Statement[] | undefined
  readonly loc: SourceLocation
}
