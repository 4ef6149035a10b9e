/**
 * Timestamps as vend events carry them: ISO-8601 with a zone, or the `Sep 16, 2020 9:20:53 PM`
 * form of the services' `completedTimestamp`. Everything becomes ISO-8601 UTC.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `2020-09-16T21:20:53Z`, `2020-09-16T21:20:53.123+00:00`, `2019-11-15T11:45:18+0000`. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/** `Sep 16, 2020 9:20:53 PM`, always UTC. Newer Java locales put a narrow no-break space before PM. */
const LOCALE = /^([A-Za-z]{3}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})[ \u00a0\u202f]?([AaPp][Mm])$/;

/**
 * Parse any timestamp format found in vend events into ISO-8601 UTC (`…Z`, milliseconds).
 * Returns undefined for anything else, including impossible dates and ISO without a zone
 * (which JavaScript would read as local time).
 */
export function parseEventTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const text = value.trim();
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, fraction, zone] = iso;
    const millis = Number((fraction ?? '0').padEnd(3, '0').slice(0, 3));
    // The pattern requires a zone; the check only tells TypeScript so.
    if (zone === undefined) return undefined;
    const offsetMinutes = zone === 'Z' ? 0 : zoneOffsetMinutes(zone);
    if (offsetMinutes === undefined) return undefined;
    return utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), millis, offsetMinutes);
  }
  const locale = LOCALE.exec(text);
  if (locale) {
    const [, monthName, d, y, h, mi, s, meridiem] = locale;
    if (monthName === undefined || meridiem === undefined) return undefined;
    const month = MONTHS.indexOf(monthName.toLowerCase()) + 1;
    const hour12 = Number(h);
    if (month === 0 || hour12 < 1 || hour12 > 12) return undefined;
    const hour = (hour12 % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
    return utc(Number(y), month, Number(d), hour, Number(mi), Number(s), 0, 0);
  }
  return undefined;
}

function zoneOffsetMinutes(zone: string): number | undefined {
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): string | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  // Date.UTC rolls 31 Feb over into March; refuse instead. It also maps years 0-99 to 19xx.
  if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) {
    return undefined;
  }
  return new Date(local.getTime() - offsetMinutes * 60_000).toISOString();
}

/** The first candidate that reads as a timestamp, in ISO-8601 UTC. */
export function firstTimestamp(candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    const parsed = parseEventTimestamp(candidate);
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}
