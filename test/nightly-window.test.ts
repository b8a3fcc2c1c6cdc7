// The archive window and the nightly config keys, with known answers.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archivePath, resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import { ConfigError } from '../pipeline/errors.ts';
import { describeWindow, resolveWindow } from '../pipeline/store/window.ts';

describe('resolveWindow', () => {
  it('keeps everything for {all: true} and for an empty archive', () => {
    expect(resolveWindow({ all: true }, '2025-03-10', '2026-01-01')).toEqual({ all: true });
    expect(resolveWindow({ lastDays: 7 }, undefined, '2026-01-01')).toEqual({ all: true });
  });

  it('counts lastDays back from the newest paper, inclusive', () => {
    expect(resolveWindow({ lastDays: 1 }, '2025-03-10', '2026-01-01')).toEqual({ sinceDate: '2025-03-10' });
    expect(resolveWindow({ lastDays: 7 }, '2025-03-10', '2026-01-01')).toEqual({ sinceDate: '2025-03-04' });
    expect(resolveWindow({ lastDays: 366 }, '2024-12-31', '2026-01-01')).toEqual({ sinceDate: '2024-01-01' }); // leap year
  });

  it('counts calendar months, clamping to the end of a shorter month', () => {
    expect(resolveWindow({ lastMonths: 12 }, '2025-06-15', '2026-01-01')).toEqual({ sinceDate: '2024-06-16' });
    expect(resolveWindow({ lastMonths: 1 }, '2025-03-31', '2026-01-01')).toEqual({ sinceDate: '2025-03-01' }); // 28 Feb + 1
    expect(resolveWindow({ lastMonths: 1 }, '2024-03-31', '2026-01-01')).toEqual({ sinceDate: '2024-03-01' }); // 29 Feb + 1
    expect(resolveWindow({ lastMonths: 3 }, '2025-01-15', '2026-01-01')).toEqual({ sinceDate: '2024-10-16' }); // across a year
  });

  it('caps a newest date in the future at today', () => {
    expect(resolveWindow({ lastDays: 10 }, '2099-01-01', '2026-01-10')).toEqual({ sinceDate: '2026-01-01' });
  });

  it('says what it keeps', () => {
    expect(describeWindow({ lastMonths: 1 })).toBe('papers of the last 1 month');
    expect(describeWindow({ lastDays: 30 })).toBe('papers of the last 30 days');
  });
});

describe('nightly config keys', () => {
  it('defaults: archive in the output folder, window all, tracking thresholds from topic matching', () => {
    const c = resolveConfig({ out: 'somewhere' });
    expect(c.archive).toEqual({ window: { all: true }, keepAssignmentRuns: 30 });
    expect(archivePath(c)).toBe(resolve(join('somewhere', 'archive.sqlite')));
    expect(archivePath(resolveConfig({ archive: { path: '/tmp/a.sqlite' } }))).toBe('/tmp/a.sqlite');
    expect(c.tracking).toEqual({ threshold: 0.5, splitThreshold: 0.4, maxLabelDrift: 0.5 });
  });

  it('refuses bad windows and thresholds, naming the key', () => {
    expect(() => resolveConfig({ archive: { window: { lastDays: 0 } } })).toThrow(ConfigError);
    expect(() => resolveConfig({ archive: { window: { all: false } } })).toThrow(/archive\.window/);
    expect(() => resolveConfig({ archive: { window: { lastDays: 3, lastMonths: 1 } } })).toThrow(/archive\.window/);
    expect(() => resolveConfig({ tracking: { threshold: 0 } })).toThrow(/tracking\.threshold/);
    expect(() => resolveConfig({ tracking: { threshold: 0.3, splitThreshold: 0.4 } })).toThrow(/tracking\.splitThreshold/);
    expect(() => resolveConfig({ archive: { keepAssignmentRuns: 0 } })).toThrow(/archive\.keepAssignmentRuns/);
  });
});

describe('a run on a window of the archive', () => {
  it('fits on the papers of the last months only, and says so in the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-window-'));
    try {
      const words = [['galaxy', 'telescope', 'orbit', 'comet', 'nebula'], ['recipe', 'oven', 'flour', 'butter', 'garlic']];
      const lines: string[] = [];
      for (let m = 1; m <= 6; m++) {
        for (let i = 0; i < 20; i++) {
          const w = words[i % 2]!;
          const text = Array.from({ length: 12 }, (_, j) => w[(i * 7 + j * 3 + m) % w.length]).join(' ');
          lines.push(JSON.stringify({ id: `p-${m}-${String(i).padStart(2, '0')}`, title: '', text, date: `2025-0${m}-15` }));
        }
      }
      const input = join(dir, 'papers.jsonl');
      writeFileSync(input, lines.join('\n') + '\n');
      const config = resolveConfig({ input: [input], out: join(dir, 'out'), cluster: { k: 2 }, pca: { nComponents: 3 }, tfidf: { minDf: 1, bigrams: false }, archive: { window: { lastMonths: 3 } } });
      const run = await runPipeline(config, { logger: silentLogger, runId: 'w' });
      // newest 2025-06-15; three months earlier 2025-03-15; the window starts the day after.
      expect(run.manifest.archive).toMatchObject({ inserted: 120, total: 120, window: 60, windowSince: '2025-03-16' });
      const rows = readFileSync(join(run.runDir!, 'assignments.csv'), 'utf8').trim().split('\r\n').slice(1);
      expect(rows).toHaveLength(60);
      expect(rows.every((r) => /^p-[456]-/.test(r))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
