// Calendar periods for trend tables: day, ISO week, month, quarter, year, decade.
//
// All arithmetic is on whole UTC days counted from 1970-01-01 (Howard Hinnant's civil-date
// algorithms), so no local time zone, DST or Date parsing quirk can move a paper into another
// period. Dates are 'YYYY-MM-DD' strings, years 0000–9999.

export type PeriodUnit = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'decade';
export const PERIOD_UNITS: readonly PeriodUnit[] = ['day', 'week', 'month', 'quarter', 'year', 'decade'];

/**
 * How precisely the input dates are known. A corpus dated by year only (every date 'YYYY-01-01',
 * e.g. State of the Union addresses) has resolution 'year': a paper dated 1861-01-01 stands for
 * the whole of 1861, so a year period holding it is complete, not partial.
 */
export type DateResolution = 'day' | 'month' | 'year';
export const DATE_RESOLUTIONS: readonly DateResolution[] = ['day', 'month', 'year'];

/** One calendar period. `start`/`end` are inclusive days (YYYY-MM-DD). */
export interface Period {
  key: string; // '2025-04-01' | '2025-W14' | '2025-04' | '2025-Q2' | '1861' | '1860s'
  start: string;
  end: string;
}

/** A period of an enumerated range; `partial` when the data does not cover all of it. */
export interface CalendarPeriod extends Period {
  partial: boolean;
}

/** A guard against a unit far too fine for the span (e.g. days over two centuries). */
export const MAX_PERIODS = 100_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// ---------------------------------------------------------------------------------------------
// Day numbers

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The [year, month, day] of a day number (Hinnant's civil_from_days). */
export function civilDate(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(year: number, month: number): number {
  return dayNumber(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - dayNumber(year, month, 1);
}

/** Parses 'YYYY-MM-DD' into a day number; throws on anything else (including 2021-02-30). */
export function parseDay(date: string): number {
  const m = DATE_RE.exec(date);
  if (m === null) throw new RangeError(`invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`invalid date ${JSON.stringify(date)}: no such calendar day`);
  }
  return dayNumber(year, month, day);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Formats a day number as 'YYYY-MM-DD'. */
export function formatDay(days: number): string {
  const [y, m, d] = civilDate(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** ISO weekday, Monday = 1 … Sunday = 7 (1970-01-01 was a Thursday). */
export function isoWeekday(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** ISO 8601 week: the week (Monday–Sunday) belongs to the year that holds its Thursday. */
export function isoWeek(days: number): { year: number; week: number; monday: number } {
  const monday = days - (isoWeekday(days) - 1);
  const thursday = monday + 3;
  const year = civilDate(thursday)[0];
  const week = Math.floor((thursday - dayNumber(year, 1, 1)) / 7) + 1;
  return { year, week, monday };
}

// ---------------------------------------------------------------------------------------------
// Periods

/** Key and inclusive first/last day numbers of the period of `unit` holding day `days`. */
export function periodBoundsOfDay(days: number, unit: PeriodUnit): { key: string; start: number; end: number } {
  const [y, m, d] = civilDate(days);
  switch (unit) {
    case 'day':
      return { key: `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`, start: days, end: days };
    case 'week': {
      const w = isoWeek(days);
      return { key: `${pad(w.year, 4)}-W${pad(w.week, 2)}`, start: w.monday, end: w.monday + 6 };
    }
    case 'month':
      return { key: `${pad(y, 4)}-${pad(m, 2)}`, start: dayNumber(y, m, 1), end: dayNumber(y, m, 1) + daysInMonth(y, m) - 1 };
    case 'quarter': {
      const q = Math.floor((m - 1) / 3) + 1;
      const first = dayNumber(y, 3 * q - 2, 1);
      const next = q === 4 ? dayNumber(y + 1, 1, 1) : dayNumber(y, 3 * q + 1, 1);
      return { key: `${pad(y, 4)}-Q${q}`, start: first, end: next - 1 };
    }
    case 'year':
      return { key: pad(y, 4), start: dayNumber(y, 1, 1), end: dayNumber(y + 1, 1, 1) - 1 };
    case 'decade': {
      const d0 = Math.floor(y / 10) * 10;
      return { key: `${pad(d0, 4)}s`, start: dayNumber(d0, 1, 1), end: dayNumber(d0 + 10, 1, 1) - 1 };
    }
    default:
      throw new RangeError(`unknown period unit ${JSON.stringify(unit)}; expected one of ${PERIOD_UNITS.join(', ')}`);
  }
}

/** The period of `unit` that holds `date` ('YYYY-MM-DD'). */
export function periodOf(date: string, unit: PeriodUnit): Period {
  const b = periodBoundsOfDay(parseDay(date), unit);
  return { key: b.key, start: formatDay(b.start), end: formatDay(b.end) };
}

/** The days a dated paper stands for: its day, or its whole month / year under a coarser resolution. */
export function coveredDays(days: number, resolution: DateResolution): { start: number; end: number } {
  checkResolution(resolution);
  if (resolution === 'day') return { start: days, end: days };
  const b = periodBoundsOfDay(days, resolution === 'month' ? 'month' : 'year');
  return { start: b.start, end: b.end };
}

function checkResolution(resolution: DateResolution): void {
  if (!DATE_RESOLUTIONS.includes(resolution)) {
    throw new RangeError(`unknown dateResolution ${JSON.stringify(resolution)}; expected one of ${DATE_RESOLUTIONS.join(', ')}`);
  }
}

export interface EnumerateOptions {
  dateResolution?: DateResolution; // default 'day'
}

/** Periods as day numbers, for binary search (internal form of enumeratePeriods). */
export interface PeriodGrid {
  unit: PeriodUnit;
  periods: CalendarPeriod[];
  startDays: Int32Array; // first day of each period, ascending
  endDays: Int32Array; // last day of each period
}

/**
 * Every period from the one holding minDay to the one holding maxDay, gaps included.
 * The first period is partial when the data starts after its first day, the last when the data
 * ends before its last day (dates widened to their resolution first).
 */
export function periodGrid(minDay: number, maxDay: number, unit: PeriodUnit, opts: EnumerateOptions = {}): PeriodGrid {
  const resolution = opts.dateResolution ?? 'day';
  if (minDay > maxDay) throw new RangeError(`minDate ${formatDay(minDay)} is after maxDate ${formatDay(maxDay)}`);
  const coverStart = coveredDays(minDay, resolution).start;
  const coverEnd = coveredDays(maxDay, resolution).end;
  const starts: number[] = [];
  const ends: number[] = [];
  const periods: CalendarPeriod[] = [];
  let day = periodBoundsOfDay(minDay, unit).start;
  while (day <= maxDay) {
    const b = periodBoundsOfDay(day, unit);
    starts.push(b.start);
    ends.push(b.end);
    periods.push({ key: b.key, start: formatDay(b.start), end: formatDay(b.end), partial: false });
    if (periods.length > MAX_PERIODS) {
      throw new RangeError(`more than ${MAX_PERIODS} ${unit} periods between ${formatDay(minDay)} and ${formatDay(maxDay)}: choose a coarser unit`);
    }
    day = b.end + 1;
  }
  const last = periods.length - 1;
  if (coverStart > starts[0]!) periods[0]!.partial = true;
  if (coverEnd < ends[last]!) periods[last]!.partial = true;
  return { unit, periods, startDays: Int32Array.from(starts), endDays: Int32Array.from(ends) };
}

/** Every period between two dates (inclusive), empty ones included, with partial flags. */
export function enumeratePeriods(minDate: string, maxDate: string, unit: PeriodUnit, opts: EnumerateOptions = {}): CalendarPeriod[] {
  return periodGrid(parseDay(minDate), parseDay(maxDate), unit, opts).periods;
}

/** Index of the period holding `days` in a grid (binary search on start days); -1 if outside. */
export function periodIndexInGrid(grid: PeriodGrid, days: number): number {
  const s = grid.startDays;
  let lo = 0;
  let hi = s.length - 1;
  if (hi < 0 || days < s[0]! || days > grid.endDays[hi]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid]! <= days) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface ChooseUnitOptions {
  dateResolution?: DateResolution; // a unit finer than the dates are known is never chosen
}

const DAYS_PER_YEAR = 365.2425;

/**
 * Picks the unit from the span so that a share chart gets roughly 12–80 points.
 * Rule (span = days covered from the first to the last date, widened to the date resolution):
 *   span < 61 days → day (≤ 60) · < 1 year → week (9–53) · < 5 years → month (12–60)
 *   · < 20 years → quarter (20–80) · ≤ 100 years → year (20–100) · longer → decade.
 * Over a century a yearly share line is mostly noise (one address a year for the default corpus:
 * 232 points for 1790–2021), while decades (24 points) show the rise and fall a reader knows.
 * Year- or month-resolution dates never get a finer unit than their resolution.
 */
export function choosePeriodUnit(minDate: string, maxDate: string, opts: ChooseUnitOptions = {}): PeriodUnit {
  const resolution = opts.dateResolution ?? 'day';
  const lo = parseDay(minDate);
  const hi = parseDay(maxDate);
  if (lo > hi) throw new RangeError(`minDate ${minDate} is after maxDate ${maxDate}`);
  const span = coveredDays(hi, resolution).end - coveredDays(lo, resolution).start + 1;
  let unit: PeriodUnit;
  if (span < 61) unit = 'day';
  else if (span < 366) unit = 'week';
  else if (span < 5 * DAYS_PER_YEAR) unit = 'month';
  else if (span < 20 * DAYS_PER_YEAR) unit = 'quarter';
  else if (span <= 100 * DAYS_PER_YEAR + 1) unit = 'year';
  else unit = 'decade';
  const floor: PeriodUnit = resolution === 'year' ? 'year' : resolution === 'month' ? 'month' : 'day';
  return PERIOD_UNITS.indexOf(unit) < PERIOD_UNITS.indexOf(floor) ? floor : unit;
}

export interface AssignOptions extends EnumerateOptions {
  unit?: PeriodUnit; // default: choosePeriodUnit over the data's span
}

/** Periods covering a set of dates and the period index of each date (input order kept). */
export interface PeriodAssignment {
  unit: PeriodUnit;
  minDate: string;
  maxDate: string;
  periods: CalendarPeriod[];
  periodIndex: Int32Array; // per date
}

/**
 * Maps every date to its period. Parsing is memoised per distinct date string (a corpus has few),
 * min/max are order-independent, so the result does not depend on the order of the input.
 */
export function assignPeriods(dates: readonly string[], opts: AssignOptions = {}): PeriodAssignment {
  if (dates.length === 0) throw new RangeError('assignPeriods: no dates');
  if (opts.unit !== undefined && !PERIOD_UNITS.includes(opts.unit)) {
    throw new RangeError(`unknown period unit ${JSON.stringify(opts.unit)}; expected one of ${PERIOD_UNITS.join(', ')}`);
  }
  if (opts.dateResolution !== undefined) checkResolution(opts.dateResolution);
  const dayOf = new Map<string, number>();
  const days = new Int32Array(dates.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < dates.length; i++) {
    const s = dates[i]!;
    let d = dayOf.get(s);
    if (d === undefined) {
      try {
        d = parseDay(s);
      } catch (e) {
        throw new RangeError(`date of document ${i}: ${(e as Error).message}`);
      }
      dayOf.set(s, d);
    }
    days[i] = d;
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  const minDate = formatDay(lo);
  const maxDate = formatDay(hi);
  const unit = opts.unit ?? choosePeriodUnit(minDate, maxDate, { dateResolution: opts.dateResolution });
  const grid = periodGrid(lo, hi, unit, { dateResolution: opts.dateResolution });
  const periodIndex = new Int32Array(dates.length);
  const indexOfDay = new Map<number, number>();
  for (let i = 0; i < days.length; i++) {
    const d = days[i]!;
    let p = indexOfDay.get(d);
    if (p === undefined) {
      p = periodIndexInGrid(grid, d);
      indexOfDay.set(d, p);
    }
    periodIndex[i] = p;
  }
  return { unit, minDate, maxDate, periods: grid.periods, periodIndex };
}
