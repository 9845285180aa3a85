/**
 * The real file system behind SourceReader: the only module of config/ that touches node:fs.
 * For the CLI (`hadhcpd check FILE`) and for tests that compile fixture trees.
 */
import { readFileSync } from 'node:fs'
import { compileConfig, type CompileResult } from './compile.js'
import { applyRootMap, type RootMap, type SourceReader } from './source-reader.js'

export interface FsReaderOptions {
  /** Absolute prefixes to remap, e.g. `{ '/usr/local/etc/': '/tmp/fixture/' }`. */
  readonly rootMap?: RootMap
}

export function fsReader(options: FsReaderOptions = {}): SourceReader {
  return {
    read(path: string): string | undefined {
      try {
        return readFileSync(applyRootMap(path, options.rootMap), 'utf8')
      } catch {
        return undefined
      }
    },
  }
}

/** Compiles a config file from disk. Throws ConfigError like compileConfig. */
export function readConfigFile(path: string, options: FsReaderOptions = {}): CompileResult {
  return compileConfig(path, fsReader(options))
}
