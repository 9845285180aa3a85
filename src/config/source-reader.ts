/**
 * How the compiler reads dhcpd.conf and its includes. Injected, so tests use an in-memory map
 * and the CLI uses the real file system (fs-reader.ts). Paths are POSIX paths as written in
 * the config; diagnostics always show these logical paths, never a remapped one.
 */
import { posix } from 'node:path'

export interface SourceReader {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  read(path: string): string | undefined
}

/**
 * Maps absolute path prefixes to other folders, e.g. `{ '/usr/local/etc/': 'test/fixtures/x/' }`,
 * so configs with absolute `include` paths can be compiled from a fixture tree.
 * The longest matching prefix wins.
 */
export type RootMap = Readonly<Record<string, string>>

export function applyRootMap(path: string, rootMap: RootMap | undefined): string {
  if (!rootMap) return path
  let best: string | undefined
  for (const prefix of Object.keys(rootMap)) {
    if (path.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix
  }
  return best === undefined ? path : rootMap[best]! + path.slice(best.length)
}

/** Where `include "target";` in `fromFile` points: absolute as is, else next to `fromFile`. */
export function resolveInclude(fromFile: string, target: string): string {
  if (posix.isAbsolute(target)) return posix.normalize(target)
  return posix.normalize(posix.join(posix.dirname(fromFile), target))
}

/** A reader over an in-memory `{ path: text }` map (tests). */
export function memoryReader(files: Readonly<Record<string, string>>, rootMap?: RootMap): SourceReader {
  return {
    read(path: string): string | undefined {
      return files[applyRootMap(path, rootMap)]
    },
  }
}
