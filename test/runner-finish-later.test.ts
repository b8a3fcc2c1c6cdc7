// Work a stage leaves running (StageContext.finishLater; tokenize: the token cache's rows, written
// by a helper thread while vectorize runs): the runner publishes the run only once it is done, and
// a failed run lets go of the out folder only once it is done. On a first night over enough new
// papers, tokenize hands its cache write over, and the cache is complete when the run returns.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import type { Stage, StageContext } from '../pipeline/stage.ts';
import { describeStage } from '../pipeline/stages/describe.ts';
import { tokenizeStage } from '../pipeline/stages/tokenize.ts';
import { trendsStage } from '../pipeline/stages/trends.ts';
import { threeTopicText } from './helpers/three-topics.ts';

describe('runner: work a stage finishes later', () => {
  let dir: string;
  let small: string;
  let large: string;
  const PAPERS = 5200; // over tokenize's writeBehindMin (5000 new records)
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tt-finish-later-'));
    // A word of its own per paper, so that every paper is a distinct text (one cache row each).
    const line = (i: number) => JSON.stringify({ id: `p${i}`, title: `Paper ${i}`, text: `${threeTopicText(i)} item${i}`, date: `2025-0${1 + (i % 6)}-10` });
    small = join(dir, 'small.jsonl');
    writeFileSync(small, Array.from({ length: 60 }, (_, i) => line(i)).join('\n') + '\n');
    large = join(dir, 'large.jsonl');
    writeFileSync(large, Array.from({ length: PAPERS }, (_, i) => line(i)).join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const config = (input: string, out: string) => resolveConfig({ input: [input], out: join(dir, out), cluster: { k: 3 }, workers: 1 });

  /** Makes `stage` hand the runner a piece of work that takes `ms` and records when it ends. */
  function leaveWork(stage: Stage, ms: number, onEnd: () => void): void {
    const run = stage.run.bind(stage);
    vi.spyOn(stage, 'run').mockImplementation(async (ctx: StageContext) => {
      expect(ctx.finishLater).toBeTypeOf('function');
      ctx.finishLater!(new Promise<void>((resolve) => setTimeout(resolve, ms)).then(onEnd));
      return run(ctx);
    });
  }

  it('publishes the run only after the work is done', async () => {
    let publishedWhenDone: boolean | undefined;
    const out = join(dir, 'published');
    leaveWork(describeStage as Stage, 1500, () => {
      publishedWhenDone = existsSync(join(out, 'runs', 'r1')) || existsSync(join(out, 'latest'));
    });
    const result = await runPipeline(config(small, 'published'), { logger: silentLogger, runId: 'r1' });
    expect(publishedWhenDone).toBe(false);
    expect(result.runDir).toBe(join(out, 'runs', 'r1'));
    expect(existsSync(join(out, 'latest', 'index.html'))).toBe(true);
  }, 60_000);

  it('a failed run returns only after the work is done', async () => {
    let done = false;
    leaveWork(describeStage as Stage, 1000, () => (done = true));
    vi.spyOn(trendsStage as Stage, 'run').mockImplementation(() => {
      throw new Error('trends broke');
    });
    await expect(runPipeline(config(small, 'failed'), { logger: silentLogger, runId: 'r1' })).rejects.toThrow('trends broke');
    expect(done).toBe(true);
    expect(existsSync(join(dir, 'failed', 'latest'))).toBe(false);
  }, 60_000);

  it('tokenize leaves a first night’s cache write running, and the cache is complete when the run returns', async () => {
    const handed: Promise<void>[] = [];
    const run = tokenizeStage.run.bind(tokenizeStage);
    vi.spyOn(tokenizeStage, 'run').mockImplementation((ctx: StageContext) => {
      const finishLater = ctx.finishLater!;
      return run({ ...ctx, finishLater: (work) => (handed.push(work), finishLater(work)) });
    });
    const out = join(dir, 'cache');
    await runPipeline(config(large, 'cache'), { logger: silentLogger, runId: 'r1' });
    expect(handed).toHaveLength(1);
    const db = new Database(join(out, 'cache', 'tokens.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM papers').get()).toEqual({ n: PAPERS });
      expect(db.prepare("SELECT value FROM meta WHERE name = 'runs'").get()).toEqual({ value: '1' }); // endRun after the rows
    } finally {
      db.close();
    }
    // The next night reads every paper from it.
    const infos: string[] = [];
    const logger = { ...silentLogger, info: (m: string) => void infos.push(m) };
    await runPipeline(config(large, 'cache'), { logger, runId: 'r2', from: 'tokenize' });
    expect(infos.find((m) => m.startsWith('tokenize: 5200'))).toContain(`(${PAPERS} from the token cache, 0 tokenized)`);
  }, 120_000);
});
