// The ingest stage: input files → Paper records. A bad record never stops the run: it becomes a
// Reject (file, line, field, reason). Every record read is accounted for as accepted, duplicate or
// rejected, per file and in total (read = accepted + duplicate + rejected). Only a file that
// cannot be read at all (missing path, unknown format, CSV without an id/text column) throws an
// InputError, because then nothing in it can be trusted to be a record.

import type { IngestCounts, Paper, Reject } from '../paper.ts';
import { dateOfTime, MAX_YEAR, MIN_YEAR, normalizeDate } from './dates.ts';
import { InputError } from './errors.ts';
import type { CsvMapping } from './format-csv.ts';
import { inspectInput } from './read-lines.ts';
import { readRecordBatches, reportedFormat, type RecordKind } from './read-records.ts';
import { INPUT_FORMATS, sniffFormat, type InputFormat } from './sniff.ts';
import { validateRecord, type Validated } from './validate.ts';

export { InputError } from './errors.ts';

export interface IngestOptions {
  /** Column names for CSV (defaults: id, title, text | abstract | summary, date, label, url; delimiter ',' or tab for .tsv). */
  csv?: CsvMapping;
  /** Year for trending-page date headings without one ('Mar 14'); default: the file's modification year. */
  pageYear?: number;
  /** Default 'auto': from the extension and the first bytes / first record. */
  format?: 'auto' | InputFormat;
  /** Texts shorter than this are rejected (default 1: an empty text is rejected). */
  minTextChars?: number;
  /** Longer texts are truncated to this many characters and noted, not rejected (default 100 000). */
  maxTextChars?: number;
  /**
   * A file in which NO record has a date (20 Newsgroups): 'file-date' (default) accepts them all,
   * dated `undatedDate` or else the file's modification date, with a note; 'reject' rejects them.
   * In a file where some records have dates, an undated record is always rejected.
   */
  undatedPolicy?: 'file-date' | 'reject';
  /** 'YYYY-MM-DD' used instead of the file date under undatedPolicy 'file-date' (makes runs reproducible). */
  undatedDate?: string;
  /** Called with the number of records read so far (all files), every 1000 records and at the end. */
  onProgress?: (recordsRead: number) => void;
  /**
   * Called once for every paper of `papers`, in that order, as soon as its acceptance is certain:
   * a dated record whose id is new is accepted while the file is still being read (so a consumer,
   * the archive's helper thread, works alongside the parse); an undated one once its whole file
   * has been read (whether it is a reject depends on the rest of the file), or, with
   * announceUndated, as soon as it is read.
   */
  onAccepted?: (paper: Paper) => void;
  /**
   * With onAccepted: also announce an undated record as soon as it is read, dated as it would be
   * (the file date), betting that its file has no dated record, instead of at the end of the file.
   * On an undated corpus (20 Newsgroups) the archive's helper thread then writes alongside the
   * parse instead of after it. When the bet fails (a dated record later in the same file), the
   * announced undated papers are rejected after all: `retracted` in the result counts them, and
   * the consumer must discard what it was given (the ingest stage upserts as usual then).
   */
  announceUndated?: boolean;
}

export interface Duplicate {
  file: string;
  line: number;
  id: string;
  firstFile: string; // where the kept (first) occurrence is
  firstLine: number;
  sameText: boolean;
}

export type FileCounts = { file: string; format: string } & IngestCounts;

export interface IngestResult {
  papers: Paper[]; // accepted, in input order (files in the order given, records in file order)
  rejects: Reject[];
  duplicates: Duplicate[];
  counts: IngestCounts;
  perFile: FileCounts[];
  notes: string[];
  /** With announceUndated: papers given to onAccepted that were not accepted in the end (see there). */
  retracted?: number;
}

interface Settings {
  format: 'auto' | InputFormat;
  csv: CsvMapping | undefined;
  pageYear: number | undefined;
  minTextChars: number;
  maxTextChars: number;
  undatedPolicy: 'file-date' | 'reject';
  undatedDate: string | undefined;
}

/** Checks every option up front (scikit-learn style) so a typo fails before any file is read. */
export function checkIngestOptions(opts: IngestOptions = {}): Settings {
  const format = opts.format ?? 'auto';
  if (format !== 'auto' && !INPUT_FORMATS.includes(format)) {
    throw new TypeError(`ingest: format must be 'auto' or one of ${INPUT_FORMATS.join(', ')}; got ${JSON.stringify(format)}`);
  }
  const minTextChars = opts.minTextChars ?? 1;
  if (!Number.isInteger(minTextChars) || minTextChars < 1) throw new RangeError(`ingest: minTextChars must be an integer ≥ 1; got ${minTextChars}`);
  const maxTextChars = opts.maxTextChars ?? 100_000;
  if (!Number.isInteger(maxTextChars) || maxTextChars < minTextChars) {
    throw new RangeError(`ingest: maxTextChars must be an integer ≥ minTextChars (${minTextChars}); got ${maxTextChars}`);
  }
  if (opts.pageYear !== undefined && (!Number.isInteger(opts.pageYear) || opts.pageYear < MIN_YEAR || opts.pageYear > MAX_YEAR)) {
    throw new RangeError(`ingest: pageYear must be an integer year in ${MIN_YEAR}–${MAX_YEAR}; got ${opts.pageYear}`);
  }
  const undatedPolicy = opts.undatedPolicy ?? 'file-date';
  if (undatedPolicy !== 'file-date' && undatedPolicy !== 'reject') {
    throw new TypeError(`ingest: undatedPolicy must be 'file-date' or 'reject'; got ${JSON.stringify(undatedPolicy)}`);
  }
  let undatedDate: string | undefined;
  if (opts.undatedDate !== undefined) {
    const d = normalizeDate(opts.undatedDate);
    if (!d.ok || !/^\d{4}-\d{2}-\d{2}$/.test(opts.undatedDate)) {
      throw new RangeError(`ingest: undatedDate must be a valid 'YYYY-MM-DD'; got ${JSON.stringify(opts.undatedDate)}`);
    }
    undatedDate = d.date;
  }
  const delimiter = opts.csv?.delimiter;
  if (delimiter !== undefined && (delimiter.length !== 1 || /["\r\n]/.test(delimiter))) {
    throw new RangeError(`ingest: csv.delimiter must be one character other than a quote or line break; got ${JSON.stringify(delimiter)}`);
  }
  return { format, csv: opts.csv, pageYear: opts.pageYear, minTextChars, maxTextChars, undatedPolicy, undatedDate };
}

function zeroCounts(): IngestCounts {
  return { read: 0, accepted: 0, duplicate: 0, rejected: 0 };
}

export async function ingestFiles(files: string[], opts: IngestOptions = {}): Promise<IngestResult> {
  const s = checkIngestOptions(opts);
  if (!Array.isArray(files) || files.some((f) => typeof f !== 'string')) throw new TypeError('ingest: files must be an array of paths');
  const result: IngestResult = { papers: [], rejects: [], duplicates: [], counts: zeroCounts(), perFile: [], notes: [] };
  // First accepted occurrence of each id: its index in result.papers; the file and line of
  // papers[i] are firstFile[i] and firstLine[i] (no object per paper to outlive collections).
  const firstById = new Map<string, number>();
  const firstFile: string[] = [];
  const firstLine: number[] = [];

  // Check every path before reading any, so a typo in the last one fails fast.
  const inputs = [];
  for (const path of files) inputs.push(await inspectInput(path));
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') throw new TypeError('ingest: onProgress must be a function');
  const onProgress = opts.onProgress;
  if (opts.onAccepted !== undefined && typeof opts.onAccepted !== 'function') throw new TypeError('ingest: onAccepted must be a function');
  const onAccepted = opts.onAccepted;
  const speculate = opts.announceUndated === true && s.undatedPolicy === 'file-date';
  let recordsRead = 0;

  for (const input of inputs) {
    const path = input.path;
    const format = s.format === 'auto' ? await sniffFormat(input) : s.format;
    const note = (m: string) => result.notes.push(`${input.name}: ${m}`);
    let kind: RecordKind | undefined;
    const page = s.pageYear !== undefined
      ? { year: s.pageYear, fromMtime: false, mtime: input.mtime }
      : { year: input.mtime.getUTCFullYear(), fromMtime: true, mtime: input.mtime };

    // Whether an undated record is a reject depends on whether any record of the file has a
    // date, known only at its end. Until the file's first undated record each record is settled
    // (accepted, duplicate or rejected) as it is read; from that record on they wait for the end.
    // Same outcome and order as settling them all at the end; on a dated corpus (arXiv) it spares
    // the main thread a second pass and its lookups after the parse (~0.1 s).
    const waiting: Validated[] = [];
    // Papers handed to onAccepted while their records wait. A dated record with a new id is
    // accepted whatever the rest of the file holds: in a file with a dated record every undated
    // one is rejected, so the only ids accepted before it are earlier files' and earlier dated ones'.
    const announced = new Set<string>();
    // Undated records announced early (announceUndated), with their date set already: settled as
    // the undated records they are.
    const datedEarly = new WeakSet<Validated>();
    const n = { read: 0, accepted: 0, duplicate: 0, rejected: 0 };
    let anyDated = false;
    const fileDate = s.undatedDate ?? dateOfTime(input.mtime);
    let undatedAccepted = 0;
    let undatedRejected = 0;
    let truncated = 0;
    let firstTruncatedLine = 0;
    const settle = (d: Validated): void => {
      n.read++;
      if (!d.ok) {
        result.rejects.push(d.reject);
        n.rejected++;
        return;
      }
      if (d.paper.date === undefined || datedEarly.has(d)) {
        if (anyDated || s.undatedPolicy === 'reject') {
          if (datedEarly.has(d)) result.retracted = (result.retracted ?? 0) + 1;
          const reason = anyDated ? 'missing date' : 'missing date (no record in the file has a date; undatedPolicy is reject)';
          const reject: Reject = { file: path, line: d.line, field: 'date', reason };
          if (d.raw !== '') reject.raw = d.raw;
          result.rejects.push(reject);
          n.rejected++;
          undatedRejected++;
          return;
        }
        undatedAccepted++;
      }
      d.paper.date ??= fileDate;
      const paper = d.paper as Paper;
      const first = firstById.get(paper.id);
      if (first !== undefined) {
        const sameText = result.papers[first]!.text === paper.text;
        result.duplicates.push({ file: path, line: d.line, id: paper.id, firstFile: firstFile[first]!, firstLine: firstLine[first]!, sameText });
        n.duplicate++;
        return;
      }
      if (d.truncated && truncated++ === 0) firstTruncatedLine = d.line;
      firstById.set(paper.id, result.papers.length);
      firstFile.push(path);
      firstLine.push(d.line);
      result.papers.push(paper);
      n.accepted++;
      // The paper accepted for an announced id is the one announced (see above).
      if (onAccepted && !announced.has(paper.id)) onAccepted(paper);
    };
    let lastLine = 0;
    try {
      const batches = readRecordBatches(input, { format, autoKind: s.format === 'auto', csv: s.csv, page, note }, (k) => (kind = k));
      for await (const batch of batches) {
        for (const rec of batch) {
          lastLine = rec.line;
          const d = validateRecord(rec, path, input.name, s);
          if (d.hadDate) anyDated = true;
          if (waiting.length === 0 && !(d.ok && d.paper.date === undefined)) settle(d);
          else {
            waiting.push(d);
            if (onAccepted && d.ok && !firstById.has(d.paper.id) && !announced.has(d.paper.id)) {
              if (d.paper.date !== undefined) {
                announced.add(d.paper.id);
                onAccepted(d.paper as Paper);
              } else if (speculate && !anyDated) {
                d.paper.date = fileDate;
                datedEarly.add(d);
                announced.add(d.paper.id);
                onAccepted(d.paper as Paper);
              }
            }
          }
          if (onProgress && ++recordsRead % 1000 === 0) onProgress(recordsRead);
        }
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      // The stream broke mid-file (truncated or corrupt gzip, I/O error): keep what was read and
      // account for the unreadable rest as one rejected record.
      const reason = `file unreadable after line ${lastLine}: ${(e as Error).message}`;
      const d: Validated = { ok: false, hadDate: false, reject: { file: path, line: lastLine + 1, reason } };
      if (waiting.length === 0) settle(d);
      else waiting.push(d);
      note(`${reason}; the records before it were kept`);
    }
    for (const d of waiting) settle(d);
    const counts: FileCounts = { file: path, format: reportedFormat(format, kind), ...n };

    if (undatedAccepted > 0) {
      const origin = s.undatedDate !== undefined ? 'undatedDate option' : 'file date';
      result.notes.push(`no dates in ${input.name}: all ${undatedAccepted} records dated ${fileDate} (${origin}); trends will be flat`);
    }
    if (undatedRejected > 0 && anyDated) note(`${undatedRejected} record(s) without a date rejected (field 'date'); the rest of the file is dated`);
    if (truncated > 0) note(`${truncated} text(s) longer than ${s.maxTextChars} characters truncated (first at line ${firstTruncatedLine})`);
    result.perFile.push(counts);
    onProgress?.(recordsRead);
    for (const k of ['read', 'accepted', 'duplicate', 'rejected'] as const) result.counts[k] += counts[k];
  }

  if (result.duplicates.length > 0) {
    const differing = result.duplicates.filter((d) => !d.sameText).length;
    result.notes.push(
      `${result.duplicates.length} duplicate id(s): the first occurrence was kept` +
        (differing > 0 ? `; ${differing} of them had a different text (see duplicates.jsonl)` : ''),
    );
  }
  return result;
}
