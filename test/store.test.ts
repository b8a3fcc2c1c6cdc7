import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Paper } from '../pipeline/paper.ts';
import { labelsNeedingReview } from '../pipeline/store/label-review.ts';
import { MIGRATIONS } from '../pipeline/store/migrations.ts';
import { NEW_FILE_PAGE_SIZE } from '../pipeline/store/page-size.ts';
import { openStore, paperTextHash, windowOfInserted, type Store, type StoredTopic } from '../pipeline/store/store.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let tick: number;
// A clock that moves one second per call, so run order never hinges on the wall clock.
const clock = () => new Date(Date.UTC(2025, 0, 1) + tick++ * 1000);
const open = (file = 'archive/papers.sqlite', opts: Parameters<typeof openStore>[1] = {}): Store =>
  openStore(join(dir, file), { now: clock, ...opts });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'topic-trends-store-'));
  tick = 0;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function paper(id: string, date: string, text = `abstract of ${id}`, more: Partial<Paper> = {}): Paper {
  return { id, title: `Title ${id}`, text, date, source: 'night-1.jsonl', ...more };
}

function topic(cluster: number, topicId: number, terms: string[], size = 10): StoredTopic {
  return { cluster, topicId, label: terms.slice(0, 2).join(' / '), size, terms: terms.map((term, i) => ({ term, weight: 1 / (i + 1) })), metrics: { npmi: 0.1 * cluster } };
}

describe('store: schema', () => {
  it('creates folder, file and schema on first use, in WAL mode with foreign keys', () => {
    const path = join(dir, 'nested/deeper/papers.sqlite');
    expect(existsSync(path)).toBe(false);
    const store = openStore(path);
    expect(existsSync(path)).toBe(true);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(store.integrityCheck()).toBe('ok');
    store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(['editor_labels', 'meta', 'papers', 'run_assignments', 'runs', 'schema_version', 'topics']);
    expect(raw.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 1 });
    raw.close();
  });

  it('gives a new file 16 KiB pages and leaves an existing file its own', () => {
    const fresh = join(dir, 'fresh.sqlite');
    open('fresh.sqlite').close();
    const pageSize = (path: string): unknown => {
      const raw = new Database(path, { readonly: true });
      try {
        return raw.pragma('page_size', { simple: true });
      } finally {
        raw.close();
      }
    };
    expect(pageSize(fresh)).toBe(NEW_FILE_PAGE_SIZE);
    // An archive written before (SQLite's default 4 KiB pages) keeps them: the pragma only sets a new file's.
    const old = join(dir, 'old.sqlite');
    const raw = new Database(old);
    raw.exec('CREATE TABLE t (x)');
    raw.close();
    const store = openStore(old);
    store.upsertPapers([paper('p1', '2025-01-01')], 'r1');
    store.close();
    expect(pageSize(old)).toBe(4096);
  });

  it('reopening keeps the data and applies no migration twice', () => {
    const a = open();
    a.beginRun('r1', '{}');
    a.upsertPapers([paper('p1', '2025-01-01')], 'r1');
    a.close();
    const b = open();
    expect(b.countPapers()).toBe(1);
    expect(b.getRun('r1')?.status).toBe('running');
    expect(b.schemaVersion).toBe(1);
    b.close();
  });

  it('refuses a file written by a newer schema', () => {
    open().close();
    const raw = new Database(join(dir, 'archive/papers.sqlite'));
    raw.prepare('UPDATE schema_version SET version = 99').run();
    raw.close();
    expect(() => open()).toThrow(/schema version 99.*newer/);
  });

  it('checks its options', () => {
    expect(() => open('x.sqlite', { keepAssignmentRuns: 0 })).toThrow(/keepAssignmentRuns/);
  });
});

describe('store: papers', () => {
  it('upsert is idempotent and counts inserts', () => {
    const store = open();
    const papers = [paper('b', '2025-01-02'), paper('a', '2025-01-01'), paper('c', '2025-01-03')];
    expect(store.upsertPapers(papers, 'r1')).toEqual({ inserted: 3, updated: 0, unchanged: 0, metadataUpdated: 0, updatedIds: [] });
    expect(store.upsertPapers(papers, 'r2')).toEqual({ inserted: 0, updated: 0, unchanged: 3, metadataUpdated: 0, updatedIds: [] });
    expect(store.countPapers()).toBe(3);
    expect(store.paperIdsFirstSeenIn('r1')).toEqual(['a', 'b', 'c']);
    expect(store.paperIdsFirstSeenIn('r2')).toEqual([]);
    store.close();
  });

  it('a changed text updates the record; a metadata change is counted apart; first seen stays', () => {
    const store = open();
    store.upsertPapers([paper('a', '2025-01-01'), paper('b', '2025-01-02'), paper('c', '2025-01-03')], 'r1');
    const counts = store.upsertPapers(
      [
        paper('c', '2025-01-03', 'a corrected abstract', { source: 'night-2.jsonl' }),
        paper('a', '2025-01-01', 'another corrected abstract'),
        paper('b', '2025-01-05'), // same text, new date
        paper('d', '2025-01-04'),
      ],
      'r2',
    );
    expect(counts).toEqual({ inserted: 1, updated: 2, unchanged: 0, metadataUpdated: 1, updatedIds: ['a', 'c'] });
    const byId = new Map(store.papersInWindow({ all: true }).map((p) => [p.id, p]));
    expect(byId.get('c')).toMatchObject({ text: 'a corrected abstract', source: 'night-2.jsonl' });
    expect(byId.get('b')?.date).toBe('2025-01-05');
    expect(store.paperIdsFirstSeenIn('r1')).toEqual(['a', 'b', 'c']);
    expect(store.paperIdsFirstSeenIn('r2')).toEqual(['d']);
    store.close();
  });

  it('text hash separates title from text', () => {
    expect(paperTextHash('ab', 'c')).not.toBe(paperTextHash('a', 'bc'));
    expect(paperTextHash('a', 'b')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('window query: inclusive since-date, ordered by id, optional fields round-trip', () => {
    const store = open();
    store.upsertPapers(
      [
        paper('z9', '2025-03-01', 'x', { label: 'cs.CL', url: 'https://arxiv.org/abs/z9', extra: { upvotes: 7, authors: 'A; B' } }),
        paper('a1', '2025-02-01'),
        paper('m5', '2025-01-31'),
        paper('b2', '2025-02-15'),
      ],
      'r1',
    );
    expect(store.papersInWindow({ sinceDate: '2025-02-01' }).map((p) => p.id)).toEqual(['a1', 'b2', 'z9']);
    expect(store.papersInWindow({ all: true }).map((p) => p.id)).toEqual(['a1', 'b2', 'm5', 'z9']);
    const [z9] = store.papersInWindow({ sinceDate: '2025-03-01' });
    expect(z9).toEqual({ id: 'z9', title: 'Title z9', text: 'x', date: '2025-03-01', label: 'cs.CL', url: 'https://arxiv.org/abs/z9', source: 'night-1.jsonl', extra: { authors: 'A; B', upvotes: 7 }, textHash: paperTextHash('Title z9', 'x') });
    const [a1] = store.papersInWindow({ all: true });
    expect(Object.keys(a1).sort()).toEqual(['date', 'id', 'source', 'text', 'textHash', 'title']);
    expect(() => store.papersInWindow({ sinceDate: '1 March' })).toThrow(/YYYY-MM-DD/);
    expect(() => store.upsertPapers([paper('bad', '2025-3-1')], 'r1')).toThrow(/expected YYYY-MM-DD/);
    store.close();
  });

  it('extra objects with the same content in another key order are unchanged', () => {
    const store = open();
    store.upsertPapers([paper('a', '2025-01-01', 't', { extra: { x: 1, y: 'b' } })], 'r1');
    const counts = store.upsertPapers([paper('a', '2025-01-01', 't', { extra: { y: 'b', x: 1 } })], 'r2');
    expect(counts.unchanged).toBe(1);
    store.close();
  });
});

describe('store: runs, topics and ids', () => {
  it('tracks runs and finds the last published one', () => {
    const store = open();
    expect(store.lastPublishedRun()).toBeUndefined();
    store.beginRun('r1', '{"k":20}');
    store.finishRun('r1', { status: 'published', countsJson: '{"papers":3}', reportDir: 'out/r1' });
    store.beginRun('r2', '{}');
    store.finishRun('r2', { status: 'failed' });
    store.beginRun('r3', '{}');
    expect(store.lastPublishedRun()).toMatchObject({ runId: 'r1', status: 'published', configJson: '{"k":20}', countsJson: '{"papers":3}', reportDir: 'out/r1' });
    store.finishRun('r3', { status: 'published' });
    expect(store.lastPublishedRun()?.runId).toBe('r3');
    expect(store.runs().map((r) => `${r.runId}:${r.status}`)).toEqual(['r1:published', 'r2:failed', 'r3:published']);
    expect(() => store.beginRun('r1', '{}')).toThrow(/already exists/);
    expect(() => store.finishRun('r3', { status: 'failed' })).toThrow(/already published/);
    expect(() => store.finishRun('nope', { status: 'failed' })).toThrow(/no run/);
    expect(() => store.beginRun('r4', '{not json')).toThrow(/not valid JSON/);
    store.close();
  });

  it('saves and reads topics, replacing a run’s earlier save, and raises the next id', () => {
    const store = open();
    store.beginRun('r1', '{}');
    expect(store.nextTopicId()).toBe(0);
    store.saveTopics('r1', [topic(1, 4, ['video', 'frame']), topic(0, 2, ['graph', 'node'])]);
    expect(store.nextTopicId()).toBe(5);
    const metrics = { npmi: 0.25, silhouette: undefined, nan: Number.NaN };
    store.saveTopics('r1', [{ ...topic(0, 2, ['graph', 'node']), metrics }, topic(1, 3, ['protein', 'fold'], 7)]);
    const topics = store.topicsOfRun('r1');
    expect(topics.map((t) => [t.cluster, t.topicId, t.size])).toEqual([[0, 2, 10], [1, 3, 7]]);
    expect(topics[0].terms).toEqual([{ term: 'graph', weight: 1 }, { term: 'node', weight: 0.5 }]);
    expect(topics[0].metrics).toEqual({ npmi: 0.25, nan: undefined });
    expect(store.topicSignatures('r1')[1]).toEqual({ id: 3, size: 7, terms: topics[1].terms });
    expect(store.nextTopicId()).toBe(5); // never lowered
    store.setNextTopicId(9);
    expect(store.nextTopicId()).toBe(9);
    expect(() => store.setNextTopicId(8)).toThrow(/never reused/);
    expect(() => store.saveTopics('r1', [topic(0, 1, ['a']), topic(1, 1, ['b'])])).toThrow(/topic id 1 appears twice/);
    expect(() => store.saveTopics('r9', [])).toThrow(/no run 'r9'/);
    expect(store.topicsOfRun('r9')).toEqual([]);
    store.close();
  });
});

describe('store: assignments', () => {
  it('round-trip exactly', () => {
    const store = open();
    store.beginRun('r1', '{}');
    const n = 5000;
    const ids = Array.from({ length: n }, (_, i) => `2503.${String(i).padStart(5, '0')}`);
    const clusters = Int32Array.from({ length: n }, (_, i) => (i * 7) % 23);
    const scores = Float32Array.from({ length: n }, (_, i) => Math.sin(i) / 3);
    store.saveAssignments('r1', ids, clusters, scores);
    const back = store.assignmentsOfRun('r1')!;
    expect(back.paperIds).toEqual(ids);
    expect(back.clusters).toEqual(clusters);
    expect(back.scores).toEqual(scores);
    expect(store.assignmentsOfRun('r2')).toBeUndefined();
    expect(() => store.saveAssignments('r1', ids, clusters.subarray(1), scores)).toThrow(/5000 paper ids but 4999 clusters/);
    store.close();
  });

  it('keeps only the newest runs’ assignments, and always the last published one', () => {
    const store = open('a.sqlite', { keepAssignmentRuns: 2 });
    const one = (runId: string, status?: 'published' | 'failed') => {
      store.beginRun(runId, '{}');
      store.saveAssignments(runId, ['p'], Int32Array.of(0), Float32Array.of(1));
      if (status) store.finishRun(runId, { status });
    };
    one('r1', 'published');
    one('r2', 'published');
    one('r3', 'published');
    expect(store.runsWithAssignments()).toEqual(['r2', 'r3']);
    one('r4', 'failed');
    one('r5', 'failed');
    // r3 is the last published run: kept although it is not among the newest two.
    expect(store.runsWithAssignments()).toEqual(['r3', 'r4', 'r5']);
    expect(store.getRun('r1')).toBeDefined(); // runs and topics themselves stay
    store.close();
  });
});

describe('store: editor labels', () => {
  function withPublishedRun(): Store {
    const store = open();
    store.beginRun('r1', '{}');
    store.saveTopics('r1', [topic(0, 10, ['graph', 'node', 'edge']), topic(1, 11, ['protein', 'fold'])]);
    store.finishRun('r1', { status: 'published' });
    return store;
  }

  it('sets labels for known topics, reports unknown ids, clears with an empty label', () => {
    const store = withPublishedRun();
    const r = store.setEditorLabels(
      [
        { topicId: 10, label: '  Graph   learning ' },
        { topicId: 11, label: 'Protein folding' },
        { topicId: 99, label: 'Ghost topic' },
      ],
      'r1',
    );
    expect(r).toEqual({ set: 2, cleared: 0, unknown: [99] });
    let labels = store.editorLabels();
    expect([...labels.keys()]).toEqual([10, 11]);
    expect(labels.get(10)).toEqual({
      label: 'Graph learning',
      setAt: expect.stringMatching(/^2025-01-01T/),
      setFromRun: 'r1',
      needsReview: false,
      terms: [{ term: 'graph', weight: 1 }, { term: 'node', weight: 0.5 }, { term: 'edge', weight: 1 / 3 }],
    });
    expect(store.setEditorLabels([{ topicId: 11, label: '' }, { topicId: 98, label: ' ' }], 'r1')).toEqual({ set: 0, cleared: 1, unknown: [98] });
    labels = store.editorLabels();
    expect([...labels.keys()]).toEqual([10]);
    expect(() => store.setEditorLabels([{ topicId: 10, label: 'a' }, { topicId: 10, label: 'b' }], 'r1')).toThrow(/listed twice/);
    expect(() => store.setEditorLabels([{ topicId: 10, label: 'x'.repeat(201) }], 'r1')).toThrow(/longer than 200/);
    store.close();
  });

  it('with no published run every id is unknown', () => {
    const store = open();
    expect(store.setEditorLabels([{ topicId: 0, label: 'x' }], 'r0')).toEqual({ set: 0, cleared: 0, unknown: [0] });
    store.close();
  });

  it('flags, clears review and re-snapshots terms; setting a label again clears the flag', () => {
    const store = withPublishedRun();
    store.setEditorLabels([{ topicId: 10, label: 'Graphs' }], 'r1');
    expect(store.flagEditorLabel(10, 'terms drifted')).toBe(true);
    expect(store.flagEditorLabel(12, 'nope')).toBe(false);
    expect(store.editorLabels().get(10)).toMatchObject({ needsReview: true, reviewReason: 'terms drifted' });
    // Tonight the topic moved; the editor confirms the name still fits.
    store.beginRun('r2', '{}');
    store.saveTopics('r2', [topic(0, 10, ['graph', 'gnn', 'message'])]);
    store.finishRun('r2', { status: 'published' });
    expect(store.clearReview(10)).toBe(true);
    const label = store.editorLabels().get(10)!;
    expect(label.needsReview).toBe(false);
    expect(label.reviewReason).toBeUndefined();
    expect(label.terms.map((t) => t.term)).toEqual(['graph', 'gnn', 'message']);
    store.flagEditorLabel(10, 'again');
    store.setEditorLabels([{ topicId: 10, label: 'Graph neural networks' }], 'r2');
    expect(store.editorLabels().get(10)).toMatchObject({ label: 'Graph neural networks', needsReview: false, setFromRun: 'r2' });
    store.close();
  });

  it('labelsNeedingReview flags drifted and vanished topics, not steady or already flagged ones', () => {
    const store = withPublishedRun();
    store.setEditorLabels([{ topicId: 10, label: 'Graphs' }, { topicId: 11, label: 'Proteins' }], 'r1');
    const labels = store.editorLabels();
    const steady = labelsNeedingReview(labels, [topic(0, 10, ['graph', 'nodes', 'edge']), topic(1, 11, ['protein', 'fold'])], { runId: 'r2' });
    expect(steady).toEqual([]);
    const moved = labelsNeedingReview(labels, [topic(0, 10, ['traffic', 'road', 'graph'])], { runId: 'r2' });
    expect(moved.map((m) => m.topicId)).toEqual([10, 11]);
    expect(moved[0].reason).toMatch(/drifted 0\.\d\d .*then: graph, node, edge; now: traffic, road, graph/);
    expect(moved[1].reason).toMatch(/not in run r2/);
    store.flagEditorLabel(11, 'died');
    expect(labelsNeedingReview(store.editorLabels(), [], { runId: 'r3' }).map((m) => m.topicId)).toEqual([10]);
    store.close();
  });
});

describe('store: concurrent access', () => {
  it('two Store instances on one file see each other’s writes', () => {
    const a = open();
    const b = open();
    a.upsertPapers([paper('a', '2025-01-01')], 'r1');
    expect(b.countPapers()).toBe(1);
    b.upsertPapers([paper('b', '2025-01-01')], 'r1');
    expect(a.papersInWindow({ all: true }).map((p) => p.id)).toEqual(['a', 'b']);
    a.close();
    b.close();
  });

  it('two processes migrating and writing the same fresh file at once do not corrupt it', async () => {
    const path = join(dir, 'shared/papers.sqlite');
    const script = join(dir, 'writer.ts');
    const storeModule = join(REPO, 'pipeline/store/store.ts');
    writeFileSync(
      script,
      `import { openStore } from ${JSON.stringify(storeModule)};
       const [path, prefix] = process.argv.slice(2);
       const store = openStore(path, { busyTimeoutMs: 30000 });
       store.beginRun('run-' + prefix, '{}');
       for (let batch = 0; batch < 20; batch++) {
         const papers = [];
         for (let i = 0; i < 100; i++) {
           const id = prefix + '-' + String(batch * 100 + i).padStart(4, '0');
           papers.push({ id, title: id, text: 'text ' + id, date: '2025-01-01', source: prefix });
         }
         store.upsertPapers(papers, 'run-' + prefix);
         // Both writers also touch the same rows: the second delivery must find them unchanged.
         store.upsertPapers([{ id: 'common', title: 'c', text: 'c', date: '2025-01-01', source: prefix }], 'run-' + prefix);
       }
       store.finishRun('run-' + prefix, { status: 'published' });
       store.close();
      `,
    );
    const runWriter = (prefix: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, path, prefix], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([runWriter('x'), runWriter('y')]);
    // Compare the exit code and the error line only: a raw child stack trace confuses vitest's reporter.
    for (const r of results) {
      expect({ code: r.code, error: r.stderr.split('\n').find((l) => /Error/.test(l)) ?? '' }).toEqual({ code: 0, error: '' });
    }
    const store = openStore(path);
    expect(store.integrityCheck()).toBe('ok');
    expect(store.schemaVersion).toBe(1);
    expect(store.countPapers()).toBe(4001);
    expect(store.runs().map((r) => r.status)).toEqual(['published', 'published']);
    store.close();
  });
});

describe('store: readWindow (what ingest hands to later stages)', () => {
  it('JavaScript id order (not SQLite byte order), same papers as papersInWindow, digest independent of insert order', () => {
    // '\u{1F600}' sorts after '\uFFFD' in UTF-8 bytes but before it in UTF-16 units.
    const ids = ['b', 'a', 'x\uFFFD', 'x\u{1F600}', 'c'];
    const papers = ids.map((id, i) => paper(id, `2025-01-0${i + 1}`, `text ${i}`, { label: i % 2 ? 'l' : undefined, extra: { n: i } }));
    const a = open('a.sqlite');
    a.upsertPapers(papers, 'r1');
    const b = open('b.sqlite');
    b.upsertPapers([...papers].reverse(), 'r1');
    const ra = a.readWindow({ all: true });
    const rb = b.readWindow({ all: true });
    expect(ra.papers.map((p) => p.id)).toEqual(['a', 'b', 'c', 'x\u{1F600}', 'x\uFFFD']);
    expect(ra.digest).toBe(rb.digest);
    expect(ra.digest).toMatch(/^[0-9a-f]{64}$/);
    const sorted = a.papersInWindow({ all: true }).sort((p, q) => (p.id < q.id ? -1 : 1));
    expect(ra.papers).toEqual(sorted);
    expect(a.readWindow({ sinceDate: '2025-01-04' }).papers.map((p) => p.id)).toEqual(['c', 'x\u{1F600}']);
    expect(() => a.readWindow({ sinceDate: 'soon' })).toThrow(/YYYY-MM-DD/);
    a.close();
    b.close();
  });

  it('the digest changes with any stored field, and not with first_seen / updated_at', () => {
    const s = open();
    s.upsertPapers([paper('a', '2025-01-01'), paper('b', '2025-01-02')], 'r1');
    const d0 = s.readWindow({ all: true }).digest;
    s.upsertPapers([paper('a', '2025-01-01'), paper('b', '2025-01-02')], 'r2'); // unchanged
    expect(s.readWindow({ all: true }).digest).toBe(d0);
    s.upsertPapers([paper('a', '2025-01-01', 'abstract of a', { url: 'https://x.org/a' })], 'r3');
    const d1 = s.readWindow({ all: true }).digest;
    expect(d1).not.toBe(d0);
    s.upsertPapers([paper('a', '2025-01-01', 'a new abstract', { url: 'https://x.org/a' })], 'r4');
    expect(s.readWindow({ all: true }).digest).not.toBe(d1);
    s.close();
  });

  it('reuses the strings of papers in memory whose text hash matches, and reads the others', () => {
    const s = open();
    const stored = [paper('a', '2025-01-01', 'old text'), paper('b', '2025-01-02'), paper('c', '2025-01-03')];
    s.upsertPapers(stored, 'r1');
    const mine = { ...paper('b', '2025-01-02'), text: ['abstract', 'of', 'b'].join(' ') };
    const stale = paper('a', '2025-01-01', 'a text the archive does not hold');
    const reuse = new Map([
      ['b', { paper: mine, textHash: paperTextHash(mine.title, mine.text) }],
      ['a', { paper: stale, textHash: paperTextHash(stale.title, stale.text) }],
    ]);
    const r = s.readWindow({ all: true }, reuse);
    expect(r.papers.map((p) => p.text)).toEqual(['old text', 'abstract of b', 'abstract of c']);
    expect(r.papers[1]!.text).toBe(mine.text);
    expect(r).toEqual(s.readWindow({ all: true }));
    s.close();
  });

  it('upsertPapers with precomputed hashes counts the same, and checks their number', () => {
    const s = open();
    const ps = [paper('a', '2025-01-01'), paper('b', '2025-01-02')];
    const hashes = ps.map((p) => paperTextHash(p.title, p.text));
    expect(s.upsertPapers(ps, 'r1', hashes)).toEqual({ inserted: 2, updated: 0, unchanged: 0, metadataUpdated: 0, updatedIds: [] });
    expect(s.upsertPapers(ps, 'r2')).toEqual({ inserted: 0, updated: 0, unchanged: 2, metadataUpdated: 0, updatedIds: [] });
    expect(() => s.upsertPapers(ps, 'r3', hashes.slice(1))).toThrow(/2 papers but 1 text hashes/);
    s.close();
  });
});

describe('store: windowOfInserted (a first night is not read back)', () => {
  it('gives exactly what readWindow gives on an archive holding just those papers', () => {
    const papers = ['z', 'x\u{1F600}', 'x\uFFFD', 'a', 'm'].map((id, i) =>
      paper(id, `2025-02-0${i + 1}`, `text of ${id}`, { label: i % 2 ? 'cs.CL' : undefined, url: i === 2 ? 'https://x.org' : undefined, extra: i === 0 ? { z: 1, a: 'b' } : undefined }),
    );
    const hashes = papers.map((p) => paperTextHash(p.title, p.text));
    const s = open();
    s.upsertPapers(papers, 'r1', hashes);
    for (const window of [{ all: true } as const, { sinceDate: '2025-02-03' }]) {
      expect(windowOfInserted(papers, hashes, window)).toEqual(s.readWindow(window));
    }
    expect(Object.keys(windowOfInserted(papers, hashes, { all: true }).papers.at(-1)!.extra!)).toEqual(['a', 'z']);
    s.close();
  });

  it('adopt: the given papers become the window where they have the stored shape; the rest are copies; the same window either way', () => {
    const make = (): Paper[] => [
      { id: 'd', title: 'T d', text: 'text d', date: '2025-02-01', source: 's', label: 'cs.CL', url: 'https://x.org/d', extra: { categories: 'cs.CL', authors: 'A, B' } },
      { id: 'b', title: 'T b', text: 'text b', date: '2025-02-02', source: 's', extra: { a: 1, b: 'two' } },
      { id: 'c', title: 'T c', text: 'text c', date: '2025-02-03', source: 's' },
      // Not the stored shape: an own undefined label, a -0 that JSON gives back as 0, an array-index key, an empty extra, keys out of order.
      { id: 'a', title: 'T a', text: 'text a', date: '2025-02-04', source: 's', label: undefined },
      { id: 'e', title: 'T e', text: 'text e', date: '2025-02-05', source: 's', extra: { n: -0 } },
      { id: 'f', title: 'T f', text: 'text f', date: '2025-02-06', source: 's', extra: { 10: 'x', b: 'y' } },
      { id: 'g', title: 'T g', text: 'text g', date: '2025-02-07', source: 's', extra: {} },
      { title: 'T h', id: 'h', text: 'text h', date: '2025-02-08', source: 's' },
    ];
    const hashes = make().map((p) => paperTextHash(p.title, p.text));
    const s = open();
    s.upsertPapers(make(), 'r1', hashes);
    for (const window of [{ all: true } as const, { sinceDate: '2025-02-03' }]) {
      const given = make();
      const copied = windowOfInserted(make(), hashes, window);
      const adopted = windowOfInserted(given, hashes, window, undefined, { adopt: true });
      expect(adopted).toEqual(s.readWindow(window));
      // Key order included (what later stages serialise), and the same digest.
      expect(JSON.stringify(adopted.papers)).toBe(JSON.stringify(copied.papers));
      expect(adopted.digest).toBe(copied.digest);
      const reused = adopted.papers.filter((p) => given.includes(p)).map((p) => p.id);
      expect(reused).toEqual('all' in window ? ['b', 'c', 'd'] : ['c']);
    }
    const d = make()[0]!;
    const adoptedD = windowOfInserted([d], [hashes[0]!], { all: true }, undefined, { adopt: true }).papers[0]!;
    expect(adoptedD).toBe(d);
    expect(Object.keys(d.extra!)).toEqual(['authors', 'categories']);
    expect(d.textHash).toBe(hashes[0]);
    s.close();
  });
});
