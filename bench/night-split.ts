// A dated corpus cut into an archive and a night: the papers of its last `nightDays` dates are
// "tonight's file", every other record is the archive the night is added to. What bench:night
// (night.ts) replays: a cold run on the archive, then the night from a copy of that state.
// Records are read and written line by line (a 1M-paper corpus is ~1.4 GB of JSON) and kept
// byte for byte; only their `date` field is parsed, once.
import { createReadStream, createWriteStream, renameSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/** The day a record is dated (the first 10 characters of a `date` string), or undefined. */
export function recordDay(line: string): string | undefined {
  let date: unknown;
  try {
    date = (JSON.parse(line) as { date?: unknown }).date;
  } catch {
    return undefined; // not a record the pipeline would accept: it stays in the archive file, which ingest reports
  }
  return typeof date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(0, 10) : undefined;
}

/**
 * The last `nightDays` distinct days of `days` (ascending), which make up the night. Throws when
 * there is not at least one day left over for the archive: a night needs an archive to go into.
 */
export function nightDays(days: Iterable<string>, nightDays: number): string[] {
  if (!Number.isInteger(nightDays) || nightDays < 1) throw new RangeError(`--night-days must be a whole number ≥ 1, got ${nightDays}`);
  const distinct = [...new Set(days)].sort();
  if (distinct.length <= nightDays) {
    throw new RangeError(`the corpus has ${distinct.length} dated day${distinct.length === 1 ? '' : 's'}: a night of ${nightDays} needs at least one more for the archive`);
  }
  return distinct.slice(-nightDays);
}

export interface NightSplit {
  /** The night's days, ascending. */
  days: string[];
  archiveRecords: number;
  nightRecords: number;
}

function lines(file: string): AsyncIterable<string> & { close(): void } {
  const input = createReadStream(file).pipe(file.endsWith('.gz') ? createGunzip() : new PassThrough());
  return createInterface({ input, crlfDelay: Infinity });
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
}

/**
 * Writes the records of `corpus` (JSONL, .gz ok) dated on its last `days` days to `nightFile` and
 * all others to `archiveFile` (both gzipped JSONL, in the corpus's order; empty lines dropped).
 * Two passes over the corpus: each line's day first, then the split (the file must not change in
 * between). Each file appears only when whole.
 */
export async function splitNight(corpus: string, days: number, archiveFile: string, nightFile: string): Promise<NightSplit> {
  // Each line's day, as an index into `seen` (-1: none), so that the second pass parses nothing.
  const seen = new Map<string, number>();
  const dayOfLine: number[] = [];
  for await (const line of lines(corpus)) {
    const day = line.trim() ? recordDay(line) : undefined;
    if (day !== undefined && !seen.has(day)) seen.set(day, seen.size);
    dayOfLine.push(day === undefined ? -1 : seen.get(day)!);
  }
  const night = new Set(nightDays(seen.keys(), days).map((d) => seen.get(d)!));
  const archive = createGzip({ level: 1 });
  const tonight = createGzip({ level: 1 });
  const archiveTmp = `${archiveFile}.partial`;
  const nightTmp = `${nightFile}.partial`;
  const archiveDone = finished(archive.pipe(createWriteStream(archiveTmp)));
  const nightDone = finished(tonight.pipe(createWriteStream(nightTmp)));
  let archiveRecords = 0;
  let nightRecords = 0;
  let at = 0;
  for await (const line of lines(corpus)) {
    const day = dayOfLine[at++]!;
    if (!line.trim()) continue;
    if (night.has(day)) {
      await write(tonight, `${line}\n`);
      nightRecords++;
    } else {
      await write(archive, `${line}\n`);
      archiveRecords++;
    }
  }
  archive.end();
  tonight.end();
  await Promise.all([archiveDone, nightDone]);
  renameSync(archiveTmp, archiveFile);
  renameSync(nightTmp, nightFile);
  return { days: [...seen.keys()].filter((d) => night.has(seen.get(d)!)).sort(), archiveRecords, nightRecords };
}
