// Stage prefetches (Stage.prefetch): in a whole run the runner starts them before ingest and
// hands each to its stage (tokenize: the token cache's rows, read by a helper thread); a skipped
// stage's prefetch is cancelled, a one-stage run starts none, and the outputs are those of a run
// without it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import type { Prefetch, Stage } from '../pipeline/stage.ts';
import { ingestStage } from '../pipeline/stages/ingest.ts';
import { tokenizeStage } from '../pipeline/stages/tokenize.ts';
import { threeTopicText } from './helpers/three-topics.ts';

describe('runner: stage prefetches', () => {
  let dir: string;
  const nights: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tt-prefetch-run-'));
    const text = (i: number) => threeTopicText(i);
    const line = (i: number) => JSON.stringify({ id: `p${i}`, title: `Paper ${i}`, text: text(i), date: `2025-0${1 + (i % 6)}-10` });
    for (const [name, from, to] of [['n1', 0, 60], ['n2', 60, 75]] as const) {
      const file = join(dir, `${name}.jsonl`);
      writeFileSync(file, Array.from({ length: to - from }, (_, k) => line(from + k)).join('\n') + '\n');
      nights.push(file);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const config = (out: string, night: number) => resolveConfig({ input: [nights[night]!], out: join(dir, out), cluster: { k: 3 }, workers: 1 });

  /** Spies on tokenize's prefetch: what happened to it, in order with the stages' runs. */
  function watch(events: string[], taken: unknown[]): void {
    const prefetch = tokenizeStage.prefetch!.bind(tokenizeStage);
    vi.spyOn(tokenizeStage, 'prefetch').mockImplementation((c) => {
      events.push('prefetch');
      const p = prefetch(c)!;
      const watched: Prefetch = {
        take: async () => {
          events.push('take');
          const rows = await p.take();
          taken.push(rows);
          return rows;
        },
        cancel: () => {
          events.push('cancel');
          p.cancel();
        },
      };
      return watched;
    });
    for (const stage of [ingestStage, tokenizeStage] as Stage[]) {
      const run = stage.run.bind(stage);
      vi.spyOn(stage, 'run').mockImplementation((ctx) => {
        events.push(stage.name);
        return run(ctx);
      });
    }
  }

  it('a night reads the token cache ahead, tokenize takes it, and the report is the one without it', async () => {
    await runPipeline(config('ahead', 0), { logger: silentLogger, runId: 'r1' });
    await runPipeline(config('plain', 0), { logger: silentLogger, runId: 'r1' });
    const events: string[] = [];
    const taken: unknown[] = [];
    watch(events, taken);
    const ahead = await runPipeline(config('ahead', 1), { logger: silentLogger, runId: 'r2' });
    expect(events.slice(0, 4)).toEqual(['prefetch', 'ingest', 'tokenize', 'take']);
    expect(taken).toHaveLength(1);
    expect((taken[0] as { ends: Int32Array }).ends.length).toBe(60); // night 1's 60 papers
    vi.restoreAllMocks();
    vi.spyOn(tokenizeStage, 'prefetch').mockImplementation(() => undefined);
    const plain = await runPipeline(config('plain', 1), { logger: silentLogger, runId: 'r2' });
    for (const f of ['assignments.csv', 'clusters.json', 'trends.csv']) {
      expect(readFileSync(join(ahead.runDir!, f), 'utf8'), f).toBe(readFileSync(join(plain.runDir!, f), 'utf8'));
    }
  }, 180_000);

  it('a night whose window did not change skips tokenize and cancels its prefetch', async () => {
    await runPipeline(config('same', 0), { logger: silentLogger, runId: 'r1' });
    const events: string[] = [];
    watch(events, []);
    await runPipeline(config('same', 0), { logger: silentLogger, runId: 'r2' });
    expect(events).toEqual(['prefetch', 'ingest', 'cancel']);
  }, 120_000);

  it('starts no prefetch in a one-stage run', async () => {
    const prefetch = vi.spyOn(tokenizeStage, 'prefetch');
    await runPipeline(config('one-stage', 0), { stage: 'ingest', logger: silentLogger, runId: 'r1' });
    expect(prefetch).not.toHaveBeenCalled();
  }, 60_000);
});
