// Store.loadBehind: a first night's papers written by a helper thread while they are read. Same
// rows as upsertPapers, same errors, nothing written when it declines or is aborted, and the
// store usable again afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../pipeline/paper.ts';
import { insertedOrder, openStore, paperExtraJson, paperTextHash, type Store } from '../pipeline/store/store.ts';

const papers: Paper[] = Array.from({ length: 40 }, (_, i) => {
  const p: Paper = { id: `p${(i * 7) % 40}`, title: i % 5 ? `Title ${i}` : '', text: `text ${i} \u00e9\u4e2d\u{1F600} ${'x'.repeat(i)}${i % 7 ? '' : '\ud800'}`, date: `2025-0${(i % 9) + 1}-1${i % 10}`, source: 'night.jsonl' };
  if (i % 3 === 0) p.label = `cs.${i % 4}`;
  if (i % 4 === 0) p.url = `https://arxiv.org/abs/${i}`;
  if (i % 2 === 0) p.extra = { z: i, a: `v${i}` };
  // Extras the helper serialises as paperExtraJson does: sorted already, an own '__proto__' key, -0, 10 before 2.
  if (i % 6 === 1) p.extra = { a: 'first', b: `\u2028 "quoted" ${i}` };
  if (i % 6 === 3) p.extra = JSON.parse(`{"z": -0, "__proto__": "p", "10": "ten", "2": ${i}}`) as Record<string, string | number>;
  return p;
});

/** Every stored column except the timestamps, in storage order. */
function rows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT rowid, id, title, text, date, label, url, source, text_hash, first_seen_run, extra_json FROM papers ORDER BY rowid').raw().all();
  } finally {
    db.close();
  }
}

describe('store: loadBehind', () => {
  let dir: string;
  let n = 0;
  const fresh = (bulkLoadMinPapers = 10): Store => openStore(join(dir, `a${n++}.sqlite`), { bulkLoadMinPapers });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tt-load-behind-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes exactly the rows upsertPapers writes, hashes the texts, and hands the store back', async () => {
    const plain = fresh();
    plain.upsertPapers(papers, 'r1');
    const store = fresh();
    const loader = store.loadBehind('r1')!;
    expect(loader).toBeDefined();
    for (const p of papers) loader.add(p);
    const { textHashes, extraJsons, written } = await loader.finish();
    expect(textHashes).toEqual(papers.map((p) => paperTextHash(p.title, p.text)));
    expect(extraJsons).toEqual(papers.map((p) => paperExtraJson(p.extra)));
    expect(await written).toBe(papers.length);
    expect(rows(store.path)).toEqual(rows(plain.path));
    // Usable again, back in WAL mode, and its window is the plain one's.
    expect(store.countPapers()).toBe(papers.length);
    expect(store.readWindow({ all: true })).toEqual(plain.readWindow({ all: true }));
    expect(store.integrityCheck()).toBe('ok');
    const db = new Database(store.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store.close();
    plain.close();
  });

  it("digests the window in the order it is given: readWindow's digest, for the whole archive or a dated part", async () => {
    for (const window of [{ all: true as const }, { sinceDate: '2025-05-01' }]) {
      const store = fresh();
      const loader = store.loadBehind('r1')!;
      for (const p of papers) loader.add(p);
      const order = insertedOrder(papers, window);
      expect(order.length).toBeGreaterThan(1);
      const { digest, written } = await loader.finish(order);
      expect(await written).toBe(papers.length);
      const read = store.readWindow(window);
      expect(read.papers.map((p) => p.id)).toEqual(order.map((i) => papers[i]!.id));
      expect(digest).toBe(read.digest);
      store.close();
    }
    // Without an order, no digest.
    const store = fresh();
    const loader = store.loadBehind('r1')!;
    for (const p of papers) loader.add(p);
    const r = await loader.finish();
    expect(r.digest).toBeUndefined();
    await r.written;
    store.close();
  });

  it('declines below bulkLoadMinPapers and when the archive is no longer empty; writes nothing then', async () => {
    const small = fresh(100);
    const loader = small.loadBehind('r1')!;
    for (const p of papers) loader.add(p);
    const r = await loader.finish();
    expect(await r.written).toBe('declined');
    expect(r.textHashes).toHaveLength(papers.length);
    expect(small.countPapers()).toBe(0);
    small.close();

    const raced = fresh(10);
    const behind = raced.loadBehind('r1')!;
    const other = openStore(raced.path);
    other.upsertPapers([{ id: 'first', title: '', text: 't', date: '2025-01-01', source: 's' }], 'r0');
    other.close();
    for (const p of papers) behind.add(p);
    expect(await (await behind.finish()).written).toBe('declined');
    expect(raced.countPapers()).toBe(1);
    raced.close();

    const full = fresh(1);
    full.upsertPapers(papers.slice(0, 1), 'r0');
    expect(full.loadBehind('r1')).toBeUndefined();
    full.close();
  });

  it('a failed write surfaces as the error upsertPapers would throw, rolled back', async () => {
    const twice = [...papers, { ...papers[3]!, text: 'another text' }];
    const plain = fresh(1);
    let expected: unknown;
    try {
      plain.upsertPapers(twice, 'r1');
    } catch (e) {
      expected = e;
    }
    expect(expected).toBeInstanceOf(Database.SqliteError);
    const store = fresh(10);
    const loader = store.loadBehind('r1')!;
    for (const p of twice) loader.add(p);
    const failure = await loader.finish().then((r) => r.written).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Database.SqliteError);
    expect((failure as { code: string }).code).toBe((expected as { code: string }).code);
    expect((failure as Error).message).toBe((expected as Error).message);
    expect(store.countPapers()).toBe(0);
    expect(store.integrityCheck()).toBe('ok');
    store.close();
    plain.close();
  });

  it('abort rolls back what was written', async () => {
    const store = fresh(5);
    const loader = store.loadBehind('r1')!;
    for (const p of papers) loader.add(p);
    await loader.abort();
    expect(store.countPapers()).toBe(0);
    store.upsertPapers(papers, 'r1'); // usable afterwards
    expect(store.countPapers()).toBe(papers.length);
    store.close();
  });
});
