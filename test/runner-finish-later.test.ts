// Work a stage leaves running when it returns (StageContext.finishLater; the tokenize stage's
// token-cache write): the runner publishes the run only once it is done, and fails the run when it
// fails. tokenizeWithCache's finishLater hands the write's wait to its caller and ends the run
// (endRun) only after the write is in.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DocText } from '../analysis/text/tokenizer.ts';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import { reportStage } from '../pipeline/stages/report.ts';
import { trendsStage } from '../pipeline/stages/trends.ts';
import { memoryTokenStore, type TokenStore, tokenizeWithCache } from '../pipeline/token-cache.ts';
import { threeTopicText, writeThreeTopicNight } from './helpers/three-topics.ts';

const docs: DocText[] = Array.from({ length: 20 }, (_, i) => ({ title: `Paper ${i}`, text: threeTopicText(i) }));

/** A memory store whose putBehind settles when the test says so; counts endRun calls. */
function heldStore() {
  const inner = memoryTokenStore();
  const calls = { endRun: 0, written: false };
  let settle!: (error?: Error) => void;
  const store: TokenStore = {
    forms: (k) => inner.forms(k),
    get: (k, keys) => inner.get(k, keys),
    put: (...args) => inner.put(...args),
    putBehind: () => ({
      waitForCopy() {},
      written: new Promise<void>((resolve, reject) => {
        settle = (error) => {
          calls.written = error === undefined;
          if (error) reject(error);
          else resolve();
        };
      }),
    }),
    endRun: () => void calls.endRun++,
    close() {},
  };
  return { store, calls, settle: (error?: Error) => settle(error) };
}

describe('tokenizeWithCache: finishLater', () => {
  it('returns before a write behind is in, and ends the run only after it', async () => {
    const { store, calls, settle } = heldStore();
    const run = await tokenizeWithCache(docs, {}, store, { writeBehindMin: 1, finishLater: true });
    expect(run.finishing).toBeDefined();
    expect(run.cacheError).toBeUndefined();
    expect(calls.endRun).toBe(0);
    settle();
    expect(await run.finishing).toBeUndefined();
    expect(calls).toEqual({ endRun: 1, written: true });
  });

  it('a failed write settles finishing with its message, and the run is not ended', async () => {
    const { store, calls, settle } = heldStore();
    const run = await tokenizeWithCache(docs, {}, store, { writeBehindMin: 1, finishLater: true });
    settle(new Error('disk full'));
    expect(await run.finishing).toBe('disk full');
    expect(calls.endRun).toBe(0);
  });

  it('without finishLater (or with nothing written behind) it waits as before', async () => {
    const held = heldStore();
    const waiting = tokenizeWithCache(docs, {}, held.store, { writeBehindMin: 1 });
    let returned = false;
    void waiting.then(() => (returned = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(returned).toBe(false);
    held.settle();
    const run = await waiting;
    expect(run.finishing).toBeUndefined();
    expect(held.calls.endRun).toBe(1);
    const inline = heldStore();
    const small = await tokenizeWithCache(docs, {}, inline.store, { writeBehindMin: 1000, finishLater: true });
    expect(small.finishing).toBeUndefined();
    expect(inline.calls.endRun).toBe(1);
  });
});

describe('runner: work left running by a stage', () => {
  let dir: string;
  let input: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tt-finish-later-'));
    input = writeThreeTopicNight(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const config = (out: string) => resolveConfig({ input: [input], out: join(dir, out), cluster: { k: 3 }, workers: 1 });
  const leaveRunning = (work: () => Promise<void>) => {
    const run = trendsStage.run.bind(trendsStage);
    vi.spyOn(trendsStage, 'run').mockImplementation((ctx) => {
      ctx.finishLater!(work());
      return run(ctx);
    });
  };

  it('publishes the run only once the work is done', async () => {
    let release!: () => void;
    leaveRunning(() => new Promise<void>((resolve) => (release = resolve)));
    let reported = false;
    const report = reportStage.run.bind(reportStage);
    vi.spyOn(reportStage, 'run').mockImplementation(async (ctx) => {
      const out = await report(ctx);
      reported = true;
      return out;
    });
    let settled = false;
    const running = runPipeline(config('waits'), { logger: silentLogger, runId: 'r1' }).finally(() => (settled = true));
    while (!reported) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false); // every stage has run: only the work is left
    expect(readdirSync(join(dir, 'waits', 'runs')).filter((f) => !f.startsWith('.'))).toEqual([]);
    release();
    const result = await running;
    expect(existsSync(result.reportPath!)).toBe(true);
  }, 120_000);

  it('fails the run when the work fails, and publishes nothing', async () => {
    leaveRunning(() => Promise.reject(new Error('helper thread died')));
    await expect(runPipeline(config('fails'), { logger: silentLogger, runId: 'r1' })).rejects.toThrow('helper thread died');
    expect(readdirSync(join(dir, 'fails', 'runs')).filter((f) => !f.startsWith('.'))).toEqual([]);
  }, 120_000);
});
