// Stage warm-ups: while ingest waits for its archive writer, the runner lets later stages do work
// ahead of time on the main thread (tokenize: load wink, start the worker threads). Checked: it
// happens once, before tokenize runs, never in a one-stage run, and changes no output.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import { tokenizeStage } from '../pipeline/stages/tokenize.ts';
import { writeThreeTopicNight } from './helpers/three-topics.ts';

describe('runner: stage warm-ups', () => {
  let dir: string;
  let input: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tt-warm-up-'));
    input = writeThreeTopicNight(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const config = (out: string) => resolveConfig({ input: [input], out: join(dir, out), cluster: { k: 3 }, workers: 1 });

  it('runs tokenize’s warm-up once, while ingest waits, before tokenize runs; outputs as without it', async () => {
    const events: string[] = [];
    const warmUp = vi.spyOn(tokenizeStage, 'warmUp');
    warmUp.mockImplementation(() => void events.push('warm-up'));
    const run = tokenizeStage.run.bind(tokenizeStage);
    vi.spyOn(tokenizeStage, 'run').mockImplementation((ctx) => {
      events.push('tokenize');
      return run(ctx);
    });
    const warmed = await runPipeline(config('warmed'), { logger: silentLogger, runId: 'r1' });
    expect(events).toEqual(['warm-up', 'tokenize']);
    expect(warmUp).toHaveBeenCalledTimes(1);

    vi.restoreAllMocks();
    vi.spyOn(tokenizeStage, 'warmUp').mockImplementation(() => undefined); // no warm-up at all
    const cold = await runPipeline(config('cold'), { logger: silentLogger, runId: 'r1' });
    for (const f of ['assignments.csv', 'clusters.json', 'trends.csv']) {
      expect(readFileSync(join(warmed.runDir!, f), 'utf8'), f).toBe(readFileSync(join(cold.runDir!, f), 'utf8'));
    }
  }, 120_000);

  it('runs no warm-up in a one-stage run', async () => {
    const warmUp = vi.spyOn(tokenizeStage, 'warmUp');
    await runPipeline(config('one-stage'), { stage: 'ingest', logger: silentLogger, runId: 'r1' });
    expect(warmUp).not.toHaveBeenCalled();
  }, 60_000);
});
