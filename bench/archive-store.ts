// Measures the paper archive (pipeline/store) on the real arXiv corpus in ../shared/data
// (skipped when absent): first ingest, a repeated night (idempotent upsert), reading the window,
// saving and loading one run's assignment, and the file size. Writes to a temp folder.
//
// Run: npx tsx bench/archive-store.ts

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Paper } from '../pipeline/paper.ts';
import { openStore } from '../pipeline/store/store.ts';

const FILE = new URL('../../shared/data/arxiv-cs-daily.jsonl.gz', import.meta.url).pathname;

function time<T>(label: string, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  console.log(`${label.padEnd(44)} ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return out;
}

if (!existsSync(FILE)) {
  console.log(`skipped: ${FILE} not found`);
} else {
  const papers: Paper[] = gunzipSync(readFileSync(FILE))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const r = JSON.parse(l) as { id: string; title: string; text: string; date: string; label?: string };
      return { id: r.id, title: r.title, text: r.text, date: r.date, label: r.label, source: 'arxiv-cs-daily.jsonl.gz' };
    });
  const dir = mkdtempSync(join(tmpdir(), 'topic-trends-bench-'));
  const path = join(dir, 'papers.sqlite');
  try {
    const store = openStore(path);
    store.beginRun('r1', '{}');
    const first = time(`upsert ${papers.length} papers (empty archive)`, () => store.upsertPapers(papers, 'r1'));
    console.log('  ', JSON.stringify({ ...first, updatedIds: first.updatedIds.length }));
    const again = time(`upsert the same ${papers.length} again`, () => store.upsertPapers(papers, 'r2'));
    console.log('  ', JSON.stringify({ ...again, updatedIds: again.updatedIds.length }));
    const all = time('papersInWindow({ all: true })', () => store.papersInWindow({ all: true }));
    time('papersInWindow({ sinceDate: 2026-01-01 })', () => store.papersInWindow({ sinceDate: '2026-01-01' }).length);
    const ids = all.map((p) => p.id);
    const clusters = Int32Array.from(ids, (_, i) => (i * 2654435761) % 30);
    const scores = Float32Array.from(ids, (_, i) => (i % 1000) / 1000);
    time(`saveAssignments (${ids.length})`, () => store.saveAssignments('r1', ids, clusters, scores));
    time('assignmentsOfRun', () => store.assignmentsOfRun('r1'));
    store.close();
    const raw = new (await import('better-sqlite3')).default(path, { readonly: true });
    const blob = raw.prepare('SELECT length(paper_ids) + length(clusters) + length(scores) AS n FROM run_assignments').get() as { n: number };
    raw.close();
    console.log(`assignment BLOBs per run                     ${(blob.n / 1e6).toFixed(2)} MB`);
    console.log(`archive file (after checkpoint)              ${(statSync(path).size / 1e6).toFixed(1)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
