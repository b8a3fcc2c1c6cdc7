// Vectorize's and cluster's external inputs (the night's plan, the warm start's source) key on the
// archive window's paper ids. In a whole run the runner hands them ingest's window
// (KnownInputs) instead of having each stage read it from the archive again: the keys must be
// the ones the archive gives, whatever the order of the ids, and a run that skipped ingest must
// still read the archive.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig, type Config } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import type { KnownInputs } from '../pipeline/stage.ts';
import { clusterStage } from '../pipeline/stages/cluster.ts';
import { windowPaperIds } from '../pipeline/stages/cluster-warm-start.ts';
import { vectorizeStage } from '../pipeline/stages/vectorize.ts';
import { makeCorpus, shuffled, toJsonl } from './helpers/corpus.ts';

// The archive read, counted: a whole run must not make it (the runner hands the stages ingest's window).
const archiveReads = vi.hoisted(() => ({ count: 0 }));
vi.mock('../pipeline/stages/cluster-warm-start.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../pipeline/stages/cluster-warm-start.ts')>();
  return {
    ...original,
    windowPaperIds: (...args: Parameters<typeof original.windowPaperIds>) => {
      archiveReads.count++;
      return original.windowPaperIds(...args);
    },
  };
});

const known = (ids: readonly string[] | undefined): KnownInputs => ({ windowPaperIds: () => ids });

describe('external inputs from the window the run already holds', () => {
  let dir: string;
  let config: (input: string) => Config;
  let nightFile: string;
  let nightArchiveReads = -1;
  const meta = (stage: string) => JSON.parse(readFileSync(join(dir, 'out', 'stages', stage, 'meta.json'), 'utf8')) as { hash: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-known-inputs-'));
    const records = makeCorpus(400, 3, 6).map((r) => ({ id: r.id, title: r.title, text: r.abstract, date: r.date }));
    const newest = records.reduce((a, r) => (r.date > a ? r.date : a), '');
    const base = records.filter((r) => r.date !== newest);
    const night = records.filter((r) => r.date === newest);
    const baseFile = join(dir, 'base.jsonl');
    nightFile = join(dir, 'night.jsonl');
    writeFileSync(baseFile, toJsonl(base));
    writeFileSync(nightFile, toJsonl(night));
    config = (input) => resolveConfig({ input: [input], out: join(dir, 'out'), seed: 5, cluster: { k: 4 }, pca: { nComponents: 8 }, model: { maxChangedFraction: 0.5 } });
    await runPipeline(config(baseFile), { logger: silentLogger, runId: 'base' });
    archiveReads.count = 0;
    await runPipeline(config(nightFile), { logger: silentLogger, runId: 'night' });
    nightArchiveReads = archiveReads.count;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const archiveIds = () => windowPaperIds(join(dir, 'out', 'archive.sqlite'), { all: true });

  it('vectorize: the given ids key the plan as the archive’s do, in any order, and are what it reads', async () => {
    const c = config(nightFile);
    const fromArchive = await vectorizeStage.externalInputs!(c);
    expect(fromArchive).toMatchObject({ mode: 'fold-in' });
    expect(await vectorizeStage.externalInputs!(c, known(shuffled(archiveIds(), 9)))).toEqual(fromArchive);
    expect(await vectorizeStage.externalInputs!(c, known(undefined))).toEqual(fromArchive);
    // Ids the archive does not hold (as many again): the plan follows them, so they were used.
    const doubled = [...archiveIds(), ...archiveIds().map((id) => `${id}-other`)];
    expect(await vectorizeStage.externalInputs!(c, known(doubled))).toEqual({ mode: 'refit' });
  });

  it('cluster: the given ids pick the warm start the archive’s do, in any order, and are what it reads', async () => {
    const c = config(nightFile);
    const fromArchive = (await clusterStage.externalInputs!(c)) as { warmStart: string | null };
    expect(typeof fromArchive.warmStart).toBe('string');
    expect(await clusterStage.externalInputs!(c, known(shuffled(archiveIds(), 4)))).toEqual(fromArchive);
    // Tonight's window as the last run's papers: the source is then the run before it (base), another key.
    const withoutNight = archiveIds().filter((id) => !readFileSync(nightFile, 'utf8').includes(`"${id}"`));
    const other = (await clusterStage.externalInputs!(c, known(withoutNight))) as { warmStart: string | null };
    expect(other.warmStart).not.toBe(fromArchive.warmStart);
  });

  it('a whole night keys vectorize and cluster as a run that reads the archive does, without reading it', async () => {
    expect(nightArchiveReads).toBe(0);
    const whole = { vectorize: meta('vectorize').hash, cluster: meta('cluster').hash };
    // --stage skips ingest: its window is not in memory, and the stages read the archive.
    archiveReads.count = 0;
    await runPipeline(config(nightFile), { logger: silentLogger, runId: 'stage-vectorize', stage: 'vectorize' });
    expect(archiveReads.count).toBe(1);
    expect(meta('vectorize').hash).toBe(whole.vectorize);
    await runPipeline(config(nightFile), { logger: silentLogger, runId: 'stage-cluster', stage: 'cluster' });
    expect(archiveReads.count).toBe(2);
    expect(meta('cluster').hash).toBe(whole.cluster);
  });
});
