// The compiled pipeline (scripts/build.mjs → dist/), which `npm start` and bin/topic-trends.mjs
// run: it must start its worker threads from the worker bundle without a TypeScript loader, and
// publish exactly what the TypeScript sources publish.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../pipeline/node-flags.ts';
import { REPO, runCli } from './helpers/cli.ts';

describe('compiled build (dist/)', () => {
  let dir: string;
  let compiled: ReturnType<typeof spawnSync>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-dist-'));
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    // Without vega's code cache, so that the run has to write one (see the test below).
    for (const f of readdirSync(join(REPO, 'dist'))) if (f.endsWith('.v8cache')) rmSync(join(REPO, 'dist', f), { force: true });
    // Two threads, so the worker pool has to load dist/worker.mjs. Started as npx starts it:
    // the file itself, through its shebang (which gives node the flags of pipeline/node-flags.ts).
    compiled = spawnSync(join(REPO, 'bin/topic-trends.mjs'), ['run', '--out', join(dir, 'compiled'), '--k', '8', '--quiet'], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, TOPIC_TRENDS_WORKERS: '2' },
    });
    await runCli(['run', '--out', join(dir, 'sources'), '--k', '8', '--quiet']);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the bundles: the CLI, the worker, and vega with vega-lite for the installed versions', async () => {
    const { vegaBundleName } = (await import('../reports/chart-render.mjs' as string)) as { vegaBundleName(): string };
    for (const f of ['cli.mjs', 'worker.mjs', vegaBundleName()]) expect(existsSync(join(REPO, 'dist', f)), f).toBe(true);
  });

  it('runs from plain node with its worker threads and publishes the report', () => {
    expect(compiled.status, String(compiled.stderr)).toBe(0);
    expect(String(compiled.stderr)).not.toMatch(/worker threads unavailable|internal error/);
    const path = String(compiled.stdout).trim().split('\n').pop()!;
    expect(path.endsWith('index.html')).toBe(true);
    expect(existsSync(path)).toBe(true);
  });

  it("leaves vega's code cache beside its bundle for the next run (reports/chart-render.mjs, loadCachedBundle)", async () => {
    const { vegaBundleName } = (await import('../reports/chart-render.mjs' as string)) as { vegaBundleName(): string };
    const caches = readdirSync(join(REPO, 'dist')).filter((f) => f.startsWith(`${vegaBundleName()}.`) && f.endsWith('.v8cache'));
    expect(caches).toHaveLength(1);
  });

  it('runs with the node flags of pipeline/node-flags.ts, from the shebang', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'compiled', 'latest', 'manifest.json'), 'utf8')) as { nodeFlags: string[] };
    expect(manifest.nodeFlags).toEqual([...NODE_FLAGS]);
  });

  it('publishes the same topics and assignments as the TypeScript sources', () => {
    for (const f of ['assignments.csv', 'clusters.json', 'trends.csv']) {
      const a = readFileSync(join(dir, 'compiled', 'latest', f), 'utf8');
      const b = readFileSync(join(dir, 'sources', 'latest', f), 'utf8');
      expect(a, f).toBe(b);
    }
  });
});
