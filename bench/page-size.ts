// SQLite page size for a first load (pipeline/store/page-size.ts): the arXiv corpus inserted into
// the archive's schema in one transaction, as the load-behind helper writes a first night, and
// 75k token-cache-like rows (random 40-character keys, ~660-byte blobs) as its writer thread does,
// each with 4, 8 and 16 KiB pages in turn, several rounds. Prints figures; asserts nothing.
//
//   npx tsx bench/page-size.ts [--corpus ../shared/data/arxiv-cs-daily.jsonl.gz] [--rounds 5]

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../pipeline/store/migrations.ts';
import { wholeNumber } from './bench.ts';
import { readCorpusText } from './corpus-text.ts';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: new URL('../../shared/data/arxiv-cs-daily.jsonl.gz', import.meta.url).pathname },
    rounds: { type: 'string', default: '5' },
  },
});
const rounds = wholeNumber('--rounds', values.rounds, 1);
const papers = readCorpusText(values.corpus!)
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as Record<string, unknown>);
const keys = papers.map((_, i) => createHash('sha1').update(`paper ${i}`).digest('hex'));
const blobs = papers.map((_, i) => randomBytes(560 + (i % 200)));
const dir = mkdtempSync(join(tmpdir(), 'topic-trends-page-size-'));
console.log(`${papers.length} papers from ${values.corpus}`);

/** Seconds of the inserts and of the commit, and the file's size in MB. */
function load(pageSize: number, kind: 'archive' | 'tokens'): string {
  const path = join(dir, `${kind}-${pageSize}.sqlite`);
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const db = new Database(path);
  db.pragma(`page_size = ${pageSize}`);
  let insert: () => void;
  if (kind === 'archive') {
    db.exec(MIGRATIONS[0]!);
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
    const stmt = db.prepare('INSERT INTO papers (id, title, text, date, label, url, source, text_hash, first_seen_run, first_seen_at, updated_at, extra_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert = () => papers.forEach((p, i) => stmt.run(String(p.id), String(p.title ?? ''), String(p.text ?? p.abstract ?? ''), String(p.date ?? ''), null, null, 'bench', keys[i]!, 'run', 'now', 'now', null));
  } else {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE papers (paper_key TEXT NOT NULL, data BLOB NOT NULL, used INTEGER NOT NULL); CREATE UNIQUE INDEX papers_by_key ON papers (paper_key);');
    const stmt = db.prepare('INSERT OR REPLACE INTO papers (paper_key, data, used) VALUES (?, ?, ?)');
    insert = () => keys.forEach((key, i) => stmt.run(key, blobs[i]!, 1));
  }
  const t0 = performance.now();
  db.exec('BEGIN IMMEDIATE');
  insert();
  const t1 = performance.now();
  db.exec('COMMIT');
  db.close();
  const t2 = performance.now();
  return `inserts ${((t1 - t0) / 1000).toFixed(2)} s, commit + close ${((t2 - t1) / 1000).toFixed(2)} s, total ${((t2 - t0) / 1000).toFixed(2)} s, ${(statSync(path).size / 1e6).toFixed(0)} MB`;
}

try {
  for (let r = 0; r < rounds; r++) {
    for (const kind of ['archive', 'tokens'] as const) {
      for (const pageSize of r % 2 === 0 ? [4096, 8192, 16384] : [16384, 8192, 4096]) console.log(`round ${r + 1} ${kind.padEnd(7)} ${String(pageSize).padStart(5)}-byte pages: ${load(pageSize, kind)}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
