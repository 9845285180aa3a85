/**
 * Dates as dhcpd.leases(5) writes them (ISC `print_time`):
 * - default `db-time-format`: `W YYYY/MM/DD HH:MM:SS;` in UTC, W = weekday 0–6 (Sunday 0,
 *   ignored on input);
 * - `db-time-format local`: `epoch N; # Day Mon DD HH:MM:SS YYYY` (local time comment);
 * - `never;` for ISC's MAX_TIME.
 * Pure calendar arithmetic; no Date parsing, so loading a million leases stays fast.
 */
import { NEVER } from '../core/lease.js'

export type DbTimeFormat = 'default' | 'local'

/** Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** Epoch seconds for a UTC civil time. */
export function epochFromCivil(year: number, month: number, day: number, h: number, m: number, s: number): number {
  return daysFromCivil(year, month, day) * 86400 + h * 3600 + m * 60 + s
}

interface Civil {
  year: number
  month: number
  day: number
  weekday: number
  hour: number
  minute: number
  second: number
}

/** UTC civil fields of an epoch time. */
export function civilFromEpoch(epoch: number): Civil {
  const days = Math.floor(epoch / 86400)
  let rem = epoch - days * 86400
  const hour = Math.floor(rem / 3600)
  rem -= hour * 3600
  const minute = Math.floor(rem / 60)
  const second = rem - minute * 60
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  const weekday = (((days + 4) % 7) + 7) % 7 // 1970-01-01 was a Thursday
  return { year, month, day, weekday, hour, minute, second }
}

const two = (n: number): string => (n < 10 ? '0' : '') + n
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * A date as ISC's `print_time` prints it, including the terminating `;`
 * (and, in local format, the trailing comment).
 */
export function formatLeaseDate(epoch: number, format: DbTimeFormat = 'default'): string {
  if (epoch === NEVER) return 'never;'
  if (format === 'local') {
    // ISC: "epoch %lu; # %a %b %d %H:%M:%S %Y" in local time; the comment is informational.
    const d = new Date(epoch * 1000)
    return (
      `epoch ${epoch}; # ${DAY_NAMES[d.getDay()]} ${MONTH_NAMES[d.getMonth()]} ${two(d.getDate())} ` +
      `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`
    )
  }
  const day = Math.floor(epoch / 86400)
  if (day !== cachedDay) {
    const c = civilFromEpoch(epoch)
    cachedDay = day
    cachedPrefix = `${c.weekday} ${c.year}/${two(c.month)}/${two(c.day)} `
  }
  let rem = epoch - day * 86400
  const hour = Math.floor(rem / 3600)
  rem -= hour * 3600
  const minute = Math.floor(rem / 60)
  return `${cachedPrefix}${two(hour)}:${two(minute)}:${two(rem - minute * 60)};`
}

/** The calendar-day part of the last date formatted (leases cluster on a few days). */
let cachedDay = Number.NaN
let cachedPrefix = ''
