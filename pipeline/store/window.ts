// The archive window a night fits on, turned into the store's date filter. Counted back from the
// newest paper's date rather than the clock: replaying old nights gives the windows they had,
// and a feed that paused for a week does not empty the report. A newest date in the future
// (a typo in a feed) is capped at `today` so it cannot shrink the window to nothing.
import type { ArchiveWindow } from '../config.ts';
import type { PaperWindow } from './store.ts';

const DAY_MS = 86_400_000;

function parseDay(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function formatDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * The store's window for a config window. `newest` is the newest paper date in the archive
 * (undefined when it is empty); `today` is YYYY-MM-DD. lastDays n keeps the n days ending at the
 * reference date (inclusive); lastMonths n keeps the dates after the same day n calendar months
 * earlier (clamped to the month's end: 31 March − 1 month → 28/29 February).
 */
export function resolveWindow(window: ArchiveWindow, newest: string | undefined, today: string): PaperWindow {
  if ('all' in window || newest === undefined) return { all: true };
  const ref = parseDay(newest < today ? newest : today);
  if ('lastDays' in window) {
    return { sinceDate: formatDay(new Date(ref.getTime() - (window.lastDays - 1) * DAY_MS)) };
  }
  const y = ref.getUTCFullYear();
  const m = ref.getUTCMonth() - window.lastMonths;
  const lastDayOfTarget = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const start = new Date(Date.UTC(y, m, Math.min(ref.getUTCDate(), lastDayOfTarget)));
  return { sinceDate: formatDay(new Date(start.getTime() + DAY_MS)) };
}

/** A window in words, for the log and the report notes. */
export function describeWindow(window: ArchiveWindow): string {
  if ('all' in window) return 'all archived papers';
  if ('lastDays' in window) return `papers of the last ${window.lastDays} day${window.lastDays === 1 ? '' : 's'}`;
  return `papers of the last ${window.lastMonths} month${window.lastMonths === 1 ? '' : 's'}`;
}
