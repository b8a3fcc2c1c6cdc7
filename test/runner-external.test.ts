// The runner works out an always-run stage's external inputs (ingest: the sha256 of each input
// file) while the stage runs: the stage's cache key, the manifest and the errors must be what
// they were when the hash came first.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import { ingestStage } from '../pipeline/stages/ingest.ts';

describe('runner: external inputs of an always-run stage', () => {
  let dir: string;
  let input: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tt-runner-external-'));
    input = join(dir, 'night.jsonl');
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `p${i}`, title: `Paper ${i}`, text: `text number ${i} about topic ${i % 3}`, date: `2025-01-${String((i % 28) + 1).padStart(2, '0')}` }));
    writeFileSync(input, lines.join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the input hash in the manifest and keys the stage on it, as when it was hashed first', async () => {
    const config = resolveConfig({ input: [input], out: join(dir, 'out'), cluster: { k: 3 } });
    const run = await runPipeline(config, { stage: 'ingest', logger: silentLogger, runId: 'r1' });
    const sha256 = createHash('sha256').update(readFileSync(input)).digest('hex');
    expect(run.manifest.inputs).toEqual([{ file: input, sha256 }]);
    const meta = JSON.parse(readFileSync(join(dir, 'out', 'stages', 'ingest', 'meta.json'), 'utf8')) as { hash: string };
    // The stage hash as runner.ts's stageHash builds it (ingest has no deps).
    const expected = createHash('sha256')
      .update(JSON.stringify({ stage: 'ingest', version: ingestStage.version, config: ingestStage.configKey(config) ?? null, external: [{ file: input, sha256 }] }))
      .digest('hex');
    expect(meta.hash).toBe(expected);
  });

  it('a missing input file fails with the hash error, as before', async () => {
    const missing = join(dir, 'missing.jsonl');
    const config = resolveConfig({ input: [missing], out: join(dir, 'out-missing') });
    await expect(runPipeline(config, { stage: 'ingest', logger: silentLogger })).rejects.toThrow(`${missing}: cannot read input (ENOENT)`);
  });
});
