// A first night's upsert into an empty archive (a bulk load through a rollback journal), and the
// values ingest computes once and hands to the store (text hashes, extra JSON).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Paper } from '../pipeline/paper.ts';
import { openStore, paperExtraJson, paperTextHash, windowOfInserted, type Store } from '../pipeline/store/store.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'topic-trends-store-bulk-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const clock = () => new Date(Date.UTC(2025, 0, 1));
const open = (opts: Parameters<typeof openStore>[1] = {}): Store => openStore(join(dir, 'archive.sqlite'), { now: clock, ...opts });

function papers(n: number, prefix = 'p'): Paper[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String((i * 7919) % n).padStart(5, '0')}`,
    title: `Title ${i}`,
    text: `abstract number ${i} ${'words '.repeat(i % 50)}`,
    date: `2025-0${1 + (i % 9)}-1${i % 10}`,
    source: 'night.jsonl',
    ...(i % 3 === 0 ? { label: 'cs.CL' } : {}),
    ...(i % 4 === 0 ? { extra: { categories: 'cs.CL cs.LG', authors: `Author ${i}, Other ${i}` } } : {}),
  }));
}

/** Every stored column but the timestamps, in id order. */
function rows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT id, title, text, date, label, url, source, text_hash, first_seen_run, extra_json FROM papers ORDER BY id').raw().all();
  } finally {
    db.close();
  }
}

function journalMode(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('journal_mode', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('store: bulk load into an empty archive', () => {
  it('stores exactly what the WAL path stores, counts the same, and leaves the file in WAL mode', () => {
    const ps = papers(500);
    const bulk = open({ bulkLoadMinPapers: 100 });
    expect(bulk.upsertPapers(ps, 'r1')).toEqual({ inserted: 500, updated: 0, unchanged: 0, metadataUpdated: 0, updatedIds: [] });
    const bulkWindow = bulk.readWindow({ all: true });
    // The pages went to the file itself, not through the log: the WAL is new and empty.
    expect(statSync(join(dir, 'archive.sqlite-wal')).size).toBe(0);
    bulk.close();
    const bulkRows = rows(join(dir, 'archive.sqlite'));
    expect(journalMode(join(dir, 'archive.sqlite'))).toBe('wal');

    rmSync(join(dir, 'archive.sqlite'));
    const plain = open(); // default threshold: 500 papers go through the WAL
    plain.upsertPapers(ps, 'r1');
    expect(statSync(join(dir, 'archive.sqlite-wal')).size).toBeGreaterThan(0);
    expect(plain.readWindow({ all: true })).toEqual(bulkWindow);
    plain.close();
    expect(rows(join(dir, 'archive.sqlite'))).toEqual(bulkRows);
  });

  it('the archive keeps working as usual afterwards (second night, integrity, reopen)', () => {
    const s = open({ bulkLoadMinPapers: 10 });
    s.upsertPapers(papers(50), 'r1');
    const night2 = [...papers(50).slice(0, 5), ...papers(20, 'q')];
    night2[0] = { ...night2[0]!, text: 'changed' };
    const counts = s.upsertPapers(night2, 'r2');
    expect([counts.inserted, counts.updated, counts.unchanged]).toEqual([20, 1, 4]);
    expect(s.integrityCheck()).toBe('ok');
    s.close();
    const again = open();
    expect(again.countPapers()).toBe(70);
    again.close();
  });

  it('with another connection open the load goes through the WAL instead, and both see it', () => {
    const s = open({ bulkLoadMinPapers: 10 });
    const reader = open();
    expect(s.upsertPapers(papers(50), 'r1').inserted).toBe(50);
    expect(reader.countPapers()).toBe(50);
    reader.close();
    s.close();
    expect(journalMode(join(dir, 'archive.sqlite'))).toBe('wal');
  });

  it('a failed load leaves an empty, sound archive in WAL mode', () => {
    const s = open({ bulkLoadMinPapers: 10 });
    const ps = papers(50);
    // An id twice in one batch: on an empty archive nothing is looked up, so the second insert
    // fails on the primary key half-way through the load, which must roll all of it back.
    const withClash = [...ps, { ...ps[3]!, text: 'other' }];
    expect(() => s.upsertPapers(withClash, 'r1')).toThrow(/UNIQUE/);
    expect(s.countPapers()).toBe(0);
    expect(s.integrityCheck()).toBe('ok');
    s.close();
    expect(journalMode(join(dir, 'archive.sqlite'))).toBe('wal');
  });

  it('kill -9 during a bulk load: the archive is sound, holds all of the load or none of it, and reopens in WAL mode', async () => {
    const path = join(dir, 'killed.sqlite');
    const script = join(dir, 'loader.ts');
    writeFileSync(
      script,
      `import { openStore } from ${JSON.stringify(join(REPO, 'pipeline/store/store.ts'))};
       const store = openStore(${JSON.stringify(path)}, { bulkLoadMinPapers: 1 });
       const papers = [];
       for (let i = 0; i < 40000; i++) {
         papers.push({ id: 'p' + i, title: 'Title ' + i, text: ('text ' + i + ' ').repeat(120), date: '2025-01-01', source: 'x' });
       }
       process.stdout.write('loading\\n');
       store.upsertPapers(papers, 'r1');
       process.stdout.write('done\\n');
       setInterval(() => {}, 1000); // wait to be killed
      `,
    );
    // Kill moments after the load starts, spread over it (and one after it finished).
    for (const delayMs of [0, 150, 400, 5000]) {
      rmSync(path, { force: true });
      rmSync(path + '-wal', { force: true });
      rmSync(path + '-shm', { force: true });
      rmSync(path + '-journal', { force: true });
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes('loading') && !child.killed) {
            const kill = () => child.kill('SIGKILL');
            if (delayMs === 0) kill();
            else setTimeout(kill, delayMs);
          }
          if (stdout.includes('done')) child.kill('SIGKILL');
        });
        child.on('close', () => resolve());
        child.on('error', reject);
      });
      const s = openStore(path);
      const n = s.countPapers();
      expect({ delayMs, ok: s.integrityCheck(), allOrNone: n === 0 || n === 40000 }).toEqual({ delayMs, ok: 'ok', allOrNone: true });
      s.close();
      expect(journalMode(path)).toBe('wal');
    }
  }, 120_000);

  it('opening the archive while another process writes in rollback-journal mode waits instead of failing', async () => {
    // What a bulk load looks like from outside: a writer holding the file in rollback-journal
    // mode. SQLite refuses the switch to WAL at once (SQLITE_BUSY, no busy handler), so the open
    // must retry until busy_timeout like any other lock wait.
    const path = join(dir, 'shared.sqlite');
    openStore(path).close();
    const script = join(dir, 'holder.mjs');
    writeFileSync(
      script,
      `import Database from ${JSON.stringify(join(REPO, 'node_modules/better-sqlite3/lib/index.js'))};
       const db = new Database(${JSON.stringify(path)});
       db.pragma('journal_mode = DELETE');
       db.exec('BEGIN IMMEDIATE');
       db.prepare("INSERT INTO meta (key, value) VALUES ('held', '1')").run();
       process.stdout.write('locked\\n');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
       db.exec('COMMIT');
       db.close();
      `,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const opened = await new Promise<{ ok: boolean; held?: string; error?: string }>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        if (!d.toString().includes('locked')) return;
        try {
          const s = openStore(path, { busyTimeoutMs: 20_000 });
          const db = new Database(path, { readonly: true });
          const held = (db.prepare("SELECT value FROM meta WHERE key = 'held'").get() as { value: string } | undefined)?.value;
          db.close();
          s.close();
          resolve({ ok: true, held });
        } catch (err) {
          resolve({ ok: false, error: (err as Error).message });
        }
      });
    });
    expect(await closed).toBe(0);
    // The open got through only after the writer committed.
    expect(opened).toEqual({ ok: true, held: '1' });
    expect(journalMode(path)).toBe('wal');
  }, 60_000);

  it('checks its option', () => {
    expect(() => open({ bulkLoadMinPapers: 0 })).toThrow(/bulkLoadMinPapers/);
  });
});

describe('store: values computed once by ingest', () => {
  it('paperExtraJson sorts keys like the JSON of a sorted object (numeric-looking keys, __proto__)', () => {
    expect(paperExtraJson(undefined)).toBeNull();
    expect(paperExtraJson({})).toBeNull();
    expect(paperExtraJson({ b: 1, a: 'x"y' })).toBe('{"a":"x\\"y","b":1}');
    // Keys that are array indices come first in any object, sorted numerically: as before.
    expect(paperExtraJson({ b: 1, 10: 'ten', 2: 'two' })).toBe('{"2":"two","10":"ten","b":1}');
    const proto = JSON.parse('{"z": 1, "__proto__": "p"}') as Record<string, string | number>;
    expect(paperExtraJson(proto)).toBe('{"__proto__":"p","z":1}');
  });

  it('upsertPapers and windowOfInserted give the same with precomputed extra JSON, and check its length', () => {
    const ps = papers(40);
    const hashes = ps.map((p) => paperTextHash(p.title, p.text));
    const extras = ps.map((p) => paperExtraJson(p.extra));
    const s = open();
    expect(s.upsertPapers(ps, 'r1', hashes, extras).inserted).toBe(40);
    expect(s.upsertPapers(ps, 'r2', hashes, extras).unchanged).toBe(40);
    expect(() => s.upsertPapers(ps, 'r3', hashes, extras.slice(1))).toThrow(/40 papers but 39 extra JSON values/);
    for (const window of [{ all: true } as const, { sinceDate: '2025-05-01' }]) {
      expect(windowOfInserted(ps, hashes, window, extras)).toEqual(s.readWindow(window));
    }
    s.close();
  });
});
