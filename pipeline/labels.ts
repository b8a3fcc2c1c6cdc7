// Editor labels in and out of the archive: `topic-trends labels export` writes the last published
// run's topics (automatic label, editor label, terms, size, trend, review flag) as CSV or JSON for
// an editor to fill in; `topic-trends labels import FILE` stores the names. A name belongs to a
// stable topic id and is shown from the next run on, for as long as that id lives.
//
// Import is careful with what it changes: a row whose editor_label equals the stored one is left
// alone (re-importing an untouched export must not reset the drift baseline of every label), and
// a file naming an id the archive does not know is refused as a whole, so a typo never applies
// half a file.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { toCsv } from '../reports/csv.ts';
import { InputError, UserError } from './errors.ts';
import { StoreError, type Store } from './store/store.ts';

export type LabelFormat = 'csv' | 'json';

/** One exported row; the CSV columns in this order. */
export interface LabelRow {
  topic_id: number;
  label: string; // automatic label of the last published run
  editor_label: string; // '' when none
  top_terms: string; // top 10, '; '-separated
  size: number;
  share: number | null;
  growth: number | null;
  needs_review: boolean;
  review_reason: string;
}

export const LABEL_COLUMNS: (keyof LabelRow)[] = ['topic_id', 'label', 'editor_label', 'top_terms', 'size', 'share', 'growth', 'needs_review', 'review_reason'];

export interface LabelImportRow {
  topicId: number;
  editorLabel: string; // '' clears
  /** false when the file says the flagged label was reviewed and still fits. */
  needsReview?: boolean;
  line: number; // where the row is in the file (1-based), for error messages
}

export interface LabelImportResult {
  run: string; // the published run the names were given against
  set: number;
  cleared: number;
  confirmed: number; // flagged labels marked reviewed (needs_review false, label unchanged)
  unchanged: number;
}

class NoRunError extends UserError {}

function round6(x: number | undefined): number | null {
  return x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(6));
}

/** The last published run's topics with their labels, largest first (ties by id). */
export function labelRows(store: Store): { run: string; rows: LabelRow[] } {
  const run = store.lastPublishedRun();
  if (!run) throw new NoRunError(`the archive ${store.path} has no published run yet: run \`topic-trends run\` first`);
  const labels = store.editorLabels();
  const rows = store
    .topicsOfRun(run.runId)
    .sort((a, b) => b.size - a.size || a.topicId - b.topicId)
    .map((t) => {
      const e = labels.get(t.topicId);
      return {
        topic_id: t.topicId,
        label: t.label,
        editor_label: e?.label ?? '',
        top_terms: t.terms
          .slice(0, 10)
          .map((x) => x.term)
          .join('; '),
        size: t.size,
        share: round6(t.metrics.share),
        growth: round6(t.metrics.growth),
        needs_review: e?.needsReview ?? false,
        review_reason: e?.reviewReason ?? '',
      };
    });
  return { run: run.runId, rows };
}

/** The export document: CSV (formula-safe cells, CRLF) or JSON ({run, labels: [rows]}). */
export function exportLabels(store: Store, format: LabelFormat): string {
  const { run, rows } = labelRows(store);
  if (format === 'json') return JSON.stringify({ run, labels: rows }, null, 2) + '\n';
  return toCsv(
    LABEL_COLUMNS,
    rows.map((r) => LABEL_COLUMNS.map((c) => r[c])),
  );
}

const FALSE = new Set(['false', '0', 'no', 'n']);
const TRUE = new Set(['true', '1', 'yes', 'y']);

function parseTopicId(value: unknown, where: string): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,15}$/.test(text)) throw new InputError(`${where}: topic_id must be a non-negative whole number, got ${JSON.stringify(value ?? null)}`, undefined, undefined, 'topic_id');
  return Number(text);
}

/** Undoes the export's formula guard: "'=x" was written for "=x". */
function unguard(label: string): string {
  return /^'[=+\-@\t\r]/.test(label) ? label.slice(1) : label;
}

function parseNeedsReview(value: unknown, where: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (FALSE.has(text)) return false;
  if (TRUE.has(text)) return true;
  throw new InputError(`${where}: needs_review must be true or false, got ${JSON.stringify(value)}`, undefined, undefined, 'needs_review');
}

/**
 * Parses a label file: CSV with a header (topic_id, editor_label, optional needs_review; other
 * columns are ignored, so an edited export works), or JSON: an array of rows or {labels: [...]}.
 * The format comes from the extension, else from the first character.
 */
export function parseLabelFile(text: string, file: string): LabelImportRow[] {
  const body = text.replace(/^\uFEFF/, '');
  const ext = extname(file).toLowerCase();
  const json = ext === '.json' || (ext !== '.csv' && /^\s*[[{]/.test(body));
  const rows: LabelImportRow[] = [];
  if (json) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (err) {
      throw new InputError(`${file}: not valid JSON (${(err as Error).message})`, file);
    }
    const list = Array.isArray(doc) ? doc : (doc as { labels?: unknown })?.labels;
    if (!Array.isArray(list)) throw new InputError(`${file}: expected an array of {topic_id, editor_label} or {"labels": [...]}`, file);
    list.forEach((raw, i) => {
      const where = `${file}: labels[${i}]`;
      if (typeof raw !== 'object' || raw === null) throw new InputError(`${where}: not an object`, file);
      const r = raw as Record<string, unknown>;
      if (!('editor_label' in r)) throw new InputError(`${where}: no editor_label`, file, undefined, 'editor_label');
      const label = r.editor_label ?? '';
      if (typeof label !== 'string') throw new InputError(`${where}: editor_label must be a string`, file, undefined, 'editor_label');
      rows.push({ topicId: parseTopicId(r.topic_id, where), editorLabel: label, needsReview: parseNeedsReview(r.needs_review, where), line: i + 1 });
    });
  } else {
    let records: string[][];
    try {
      records = parse(body, { skip_empty_lines: true, relax_column_count: true }) as string[][];
    } catch (err) {
      throw new InputError(`${file}: not valid CSV (${(err as Error).message})`, file);
    }
    const header = (records[0] ?? []).map((c) => c.trim().toLowerCase());
    const col = (name: string) => header.indexOf(name);
    for (const name of ['topic_id', 'editor_label']) {
      if (col(name) < 0) throw new InputError(`${file}: the header has no ${name} column (found: ${header.join(', ') || 'nothing'})`, file, 1, name);
    }
    const [idCol, labelCol, reviewCol] = [col('topic_id'), col('editor_label'), col('needs_review')];
    records.slice(1).forEach((r, i) => {
      const line = i + 2; // a data row's record number (multi-line cells aside)
      const where = `${file}: row ${line}`;
      rows.push({
        topicId: parseTopicId(r[idCol], where),
        editorLabel: unguard(r[labelCol] ?? ''),
        needsReview: reviewCol >= 0 ? parseNeedsReview(r[reviewCol], where) : undefined,
        line,
      });
    });
  }
  const seen = new Map<number, number>();
  for (const r of rows) {
    const first = seen.get(r.topicId);
    if (first !== undefined) throw new InputError(`${file}: topic ${r.topicId} is listed twice (rows ${first} and ${r.line})`, file, r.line, 'topic_id');
    seen.set(r.topicId, r.line);
  }
  return rows;
}

function normalizeLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ');
}

/**
 * Applies parsed rows to the archive. Ids must be topics of the last published run (or, to clear
 * a name, ids that have one); otherwise nothing is applied and an InputError lists them.
 */
export function importLabels(store: Store, rows: readonly LabelImportRow[], file = 'labels'): LabelImportResult {
  const run = store.lastPublishedRun();
  if (!run) throw new NoRunError(`the archive ${store.path} has no published run yet: run \`topic-trends run\` first`);
  const known = new Set(store.topicsOfRun(run.runId).map((t) => t.topicId));
  const labels = store.editorLabels();
  const unknown = rows
    .filter((r) => !known.has(r.topicId) && !(normalizeLabel(r.editorLabel) === '' && labels.has(r.topicId)))
    .map((r) => r.topicId)
    .sort((a, b) => a - b);
  if (unknown.length > 0) {
    throw new InputError(
      `${file}: unknown topic id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: not topics of the last published run ${run.runId}; nothing was imported (export the current topics with \`topic-trends labels export\`)`,
      file,
    );
  }
  const result: LabelImportResult = { run: run.runId, set: 0, cleared: 0, confirmed: 0, unchanged: 0 };
  const changes: { topicId: number; label: string }[] = [];
  const confirm: number[] = [];
  for (const r of rows) {
    const label = normalizeLabel(r.editorLabel);
    const stored = labels.get(r.topicId);
    if (label === (stored?.label ?? '')) {
      if (stored?.needsReview && r.needsReview === false) confirm.push(r.topicId);
      else result.unchanged++;
      continue;
    }
    changes.push({ topicId: r.topicId, label });
  }
  try {
    const applied = store.setEditorLabels(changes, run.runId);
    result.set = applied.set;
    result.cleared = applied.cleared;
  } catch (err) {
    if (err instanceof StoreError) throw new InputError(`${file}: ${err.message.replace(/^setEditorLabels: /, '')}`, file);
    throw err;
  }
  for (const id of confirm) if (store.clearReview(id)) result.confirmed++;
  return result;
}

/** Reads and applies a label file. */
export function importLabelFile(store: Store, path: string): LabelImportResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read label file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, path);
  }
  return importLabels(store, parseLabelFile(text, path), path);
}
