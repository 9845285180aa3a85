/**
 * Starts the control API for the daemon: the token file (created on first start), the
 * ControlApi in front of the daemon's context, and the HTTP(S) listener. With the default
 * settings a failure only disables the API (a DHCP server keeps serving); with settings the
 * operator gave explicitly it is fatal, so a typo does not go unnoticed.
 */
import { ControlApi } from '../api/auth.js'
import { describeControlAddress } from '../api/address.js'
import { ControlHttpServer } from '../api/http-server.js'
import { loadOrCreateToken } from '../api/token-file.js'
import type { ControlContext } from '../api/types.js'
import type { ControlSettings } from './args.js'
import type { Logger } from './logger.js'

export type ControlStart =
  | { readonly ok: true; readonly server: ControlHttpServer | undefined; readonly api: ControlApi | undefined }
  | { readonly ok: false; readonly reason: string }

export async function startControlApi(settings: ControlSettings, ctx: ControlContext, log: Logger): Promise<ControlStart> {
  const address = settings.address
  if (address.kind === 'none') return { ok: true, server: undefined, api: undefined }
  const fail = (text: string): ControlStart => {
    if (settings.explicit) {
      log.log('error', 'CONTROL_FAILED', text)
      return { ok: false, reason: text }
    }
    log.log('warn', 'CONTROL_DISABLED', `${text}; the control API is off (use --control/--control-token-file to choose, or --control none)`)
    return { ok: true, server: undefined, api: undefined }
  }
  let token: string
  try {
    const t = loadOrCreateToken(settings.tokenFile)
    if (t.created) log.log('info', 'CONTROL_TOKEN_CREATED', `Created the control API token file ${settings.tokenFile} (mode 0600).`)
    if (t.warning !== undefined) log.log('warn', 'CONTROL_TOKEN_MODE', t.warning)
    token = t.token
  } catch (err) {
    return fail(`control API token file ${settings.tokenFile}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const api = new ControlApi({ token, ctx, now: () => Date.now(), warn: (id, text) => log.log('warn', id, text) })
  let server: ControlHttpServer
  try {
    server = new ControlHttpServer({
      api,
      address,
      tls: settings.tls,
      onError: (err) => log.log('error', 'CONTROL_INTERNAL_ERROR', `control API: ${err instanceof Error ? err.stack ?? err.message : String(err)}`),
    })
    await server.listen()
  } catch (err) {
    return fail(`control API: can't listen on ${describeControlAddress(address, settings.tls !== undefined)}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const where = address.kind === 'tcp' && address.port !== server.port ? { ...address, port: server.port ?? address.port } : address
  log.log('info', 'CONTROL_LISTENING', `Control API listening on ${describeControlAddress(where, settings.tls !== undefined)}`)
  return { ok: true, server, api }
}
