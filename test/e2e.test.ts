// End to end through the CLI entry point, on the default corpus and (when ../shared is present)
// on the trending page the product brief came from.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

const SEED_PAGE = fileURLToPath(new URL('../../shared/seed/000_3080d421c8bcd2ec.txt', import.meta.url));


describe('default corpus end to end', () => {
  let dir: string;
  let first: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-e2e-'));
    first = await runCli(['run', '--out', dir, '--k', '12', '--quiet']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes a report and prints its path', () => {
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    const path = first.stdout.trim().split('\n').pop()!;
    expect(path.endsWith('index.html')).toBe(true);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(join(dir, 'latest', 'index.html'))).toBe(true);
  });

  it('writes every export of the output contract', () => {
    const run = join(dir, 'latest');
    for (const f of ['clusters.json', 'clusters.csv', 'assignments.csv', 'trends.csv', 'manifest.json', 'rejects.jsonl', 'duplicates.jsonl']) {
      expect(existsSync(join(run, f)), f).toBe(true);
    }
    const charts = readdirSync(join(run, 'charts'));
    expect(charts.filter((f) => f.endsWith('.vl.json')).length).toBeGreaterThanOrEqual(4);
    expect(charts.filter((f) => f.endsWith('.svg')).length).toBe(charts.filter((f) => f.endsWith('.vl.json')).length);
    const header = readFileSync(join(run, 'assignments.csv'), 'utf8').split(/\r?\n/)[0];
    expect(header).toBe('id,cluster,label,score,date,title');
  });

  it('has 12 uniquely labelled clusters, every label in the report', () => {
    const run = join(dir, 'latest');
    const { clusters } = JSON.parse(readFileSync(join(run, 'clusters.json'), 'utf8')) as { clusters: { id: number; label: string; size: number; top_terms: { term: string }[]; representative: string[] }[] };
    expect(clusters).toHaveLength(12);
    expect(new Set(clusters.map((c) => c.label)).size).toBe(12);
    const html = readFileSync(join(run, 'index.html'), 'utf8');
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    for (const c of clusters) {
      expect(html).toContain(escape(c.label));
      expect(c.top_terms.length).toBeGreaterThanOrEqual(10);
      expect(c.representative.length).toBeGreaterThanOrEqual(3);
      expect(c.size).toBeGreaterThan(0);
    }
  });

  it('accounts for every record in the manifest', () => {
    const m = JSON.parse(readFileSync(join(dir, 'latest', 'manifest.json'), 'utf8'));
    expect(m.counts.read).toBe(m.counts.accepted + m.counts.duplicate + m.counts.rejected);
    expect(m.counts.accepted).toBeGreaterThan(10000);
    expect(m.seed).toBe(42);
    expect(m.stages.map((s: { stage: string }) => s.stage)).toEqual(['ingest', 'tokenize', 'vectorize', 'reduce', 'cluster', 'describe', 'track', 'trends', 'report']);
    expect(m.archive.inserted).toBe(m.counts.accepted); // a fresh archive: every paper is new
    expect(m.versions['wink-nlp']).toMatch(/^\d/);
  });

  it('skips unchanged stages on a second run and gives identical clusters.json', async () => {
    const before = readFileSync(join(dir, 'latest', 'clusters.json'), 'utf8');
    const again = await runCli(['run', '--out', dir, '--k', '12', '--quiet']);
    expect(again.code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'latest', 'manifest.json'), 'utf8'));
    const skipped = m.stages.filter((s: { skipped: boolean }) => s.skipped).map((s: { stage: string }) => s.stage);
    // ingest and track always run (they read the archive); the window did not change.
    expect(skipped).toEqual(['tokenize', 'vectorize', 'reduce', 'cluster', 'describe', 'trends']);
    expect(m.archive.inserted).toBe(0);
    expect(readFileSync(join(dir, 'latest', 'clusters.json'), 'utf8')).toBe(before);
  });

  it('re-runs from a stage with --from and gives the same result', async () => {
    const before = readFileSync(join(dir, 'latest', 'clusters.json'), 'utf8');
    const again = await runCli(['run', '--out', dir, '--k', '12', '--quiet', '--from', 'reduce']);
    expect(again.code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'latest', 'manifest.json'), 'utf8'));
    const ran = m.stages.filter((s: { skipped: boolean }) => !s.skipped).map((s: { stage: string }) => s.stage);
    expect(ran).toEqual(['reduce', 'cluster', 'describe', 'track', 'trends', 'report']);
    expect(readFileSync(join(dir, 'latest', 'clusters.json'), 'utf8')).toBe(before);
  });
});

describe('CLI errors', () => {
  it('rejects an unknown config key with exit code 2 and names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    const cfg = join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ cluster: { kk: 3 } }));
    const r = await runCli(['run', '--config', cfg, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cluster\.kk/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    rmSync(dir, { recursive: true, force: true });
  });

  it('names an unreadable input file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    const r = await runCli(['run', '--input', join(dir, 'missing.jsonl'), '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.jsonl');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints help for run', async () => {
    const r = await runCli(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--input/);
  });
});

describe.skipIf(!existsSync(SEED_PAGE))('the trending page from the product brief', () => {
  it('runs end to end and labels every cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-seed-'));
    const r = await runCli(['run', '--input', SEED_PAGE, '--out', dir, '--k', '5', '--quiet']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const { clusters } = JSON.parse(readFileSync(join(dir, 'latest', 'clusters.json'), 'utf8'));
    expect(clusters).toHaveLength(5);
    const html = readFileSync(join(dir, 'latest', 'index.html'), 'utf8');
    for (const c of clusters) expect(html).toContain(c.label.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
    rmSync(dir, { recursive: true, force: true });
  });
});
