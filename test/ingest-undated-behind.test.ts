// A first night's archive load alongside the parse (Store.loadBehind) on undated input: the
// papers go to the helper as they are read (ingestFiles' announceUndated), and when a dated record
// later in the file turns them into rejects, what the helper wrote is rolled back and the
// archive holds exactly the accepted papers. Needs a bulk load: 10,000+ papers.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import { openStore } from '../pipeline/store/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'tt-undated-behind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UNDATED = 10_050; // above the store's bulkLoadMinPapers (10,000)

function writeInput(name: string, datedAtEnd: number): string {
  const lines: string[] = [];
  for (let i = 0; i < UNDATED; i++) lines.push(JSON.stringify({ id: `post-${i}`, title: `Post ${i}`, text: `a message about topic ${i % 17} and more ${i}` }));
  for (let i = 0; i < datedAtEnd; i++) lines.push(JSON.stringify({ id: `dated-${i}`, title: `Dated ${i}`, text: `a dated message ${i}`, date: `2025-01-0${i + 1}` }));
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

async function ingestOnly(input: string, out: string): Promise<{ ids: string[]; dates: Set<string> }> {
  const config = resolveConfig({ input: [input], out, cluster: { k: 2 } });
  await runPipeline(config, { stage: 'ingest', logger: silentLogger, runId: 'night-1' });
  const store = openStore(join(out, 'archive.sqlite'));
  try {
    const papers = store.readWindow({ all: true }).papers;
    return { ids: papers.map((p) => p.id).sort(), dates: new Set(papers.map((p) => p.date)) };
  } finally {
    store.close();
  }
}

describe('first night on undated input, written by the helper as it is read', () => {
  it('an undated file: every paper in the archive, dated by the file', { timeout: 120_000 }, async () => {
    const input = writeInput('undated.jsonl', 0);
    const { ids, dates } = await ingestOnly(input, join(dir, 'out-undated'));
    expect(ids).toHaveLength(UNDATED);
    expect(dates).toEqual(new Set([statSync(input).mtime.toISOString().slice(0, 10)]));
  });

  it('undated records then dated ones: the undated are rejects, and the archive holds only the dated', { timeout: 120_000 }, async () => {
    const { ids } = await ingestOnly(writeInput('mixed.jsonl', 3), join(dir, 'out-mixed'));
    expect(ids).toEqual(['dated-0', 'dated-1', 'dated-2']);
  });
});
