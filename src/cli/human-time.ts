/**
 * Times in human form for the CLI: an ISO date and "in 14 minutes" / "3 hours ago".
 * @packageDocumentation
 */

const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/**
 * How far `seconds` from now is, in words: "in 14 minutes", "3 hours ago",
 * "now". The count is truncated toward zero in the largest fitting unit.
 */
export function relativeTime(seconds: number): string {
  const magnitude = Math.abs(seconds);
  if (magnitude < 1) return 'now';
  for (const [unit, size] of UNITS) {
    if (magnitude >= size) {
      const count = Math.trunc(magnitude / size);
      return relative.format(seconds < 0 ? -count : count, unit);
    }
  }
  return 'now';
}

/** A length of time in words: "15 minutes", "7 days", "1 hour 30 minutes". */
export function durationInWords(seconds: number): string {
  let rest = Math.round(Math.abs(seconds));
  if (rest === 0) return '0 seconds';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    }
    if (parts.length === 2) break;
  }
  return `${seconds < 0 ? '-' : ''}${parts.join(' ')}`;
}

/** A NumericDate (seconds since the epoch) as an ISO 8601 string, or `undefined` if out of range. */
export function isoDate(numericDate: number): string | undefined {
  const date = new Date(numericDate * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
