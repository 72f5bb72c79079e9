import { AuthError } from '../errors.js';

/**
 * A duration: a number of seconds, or a string such as `'15m'`, `'7d'`,
 * `'30 seconds'` (a number and a unit: s, m, h, d, w, spelt short or long). Any
 * string is accepted by the type, so a value read from `process.env` can be given
 * as it is; `createAuth` checks it at start-up and throws CONFIG_INVALID naming the
 * option when it is not a duration. A string without a unit (`'900'`) is refused
 * rather than guessed at: seconds or milliseconds?
 */
export type Duration = number | string;

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i;

/** Turns a {@link Duration} into whole seconds, or throws CONFIG_INVALID naming the option (a value of any type is checked). */
export function toSeconds(value: unknown, optionName: string, { allowZero = false } = {}): number {
  let seconds: number | undefined;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    const match = DURATION_PATTERN.exec(value.trim());
    const unit = match?.[2] ? UNIT_SECONDS[match[2].toLowerCase()] : undefined;
    if (match?.[1] && unit !== undefined) seconds = Number(match[1]) * unit;
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || (!allowZero && seconds === 0)) {
    // The value itself stays out of the message: it may come from an environment variable holding anything.
    throw new AuthError(
      'CONFIG_INVALID',
      `${optionName} must be a ${allowZero ? 'non-negative' : 'positive'} number of seconds or a duration with a unit such as '900s', '15m', '7d'`,
    );
  }
  return Math.floor(seconds);
}
