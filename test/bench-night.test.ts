// bench:night's parts that decide what is measured: which records make the night, the split
// files (every record once, byte for byte, in order), the order of the nights in a round, and
// the table's medians, and the comparison of the nights' published files. The command itself runs
// the pipeline for minutes and is not run here.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { baselineLine, baselineRatios, nightOrder, nightRow, nightTable, parseNightArgs } from '../bench/night.ts';
import { differingFiles, outputDigests, outputsLine } from '../bench/night-outputs.ts';
import { nightDays, recordDay, splitNight } from '../bench/night-split.ts';
import type { SystemRun } from '../bench/systems.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bench-night-'));
  dirs.push(d);
  return d;
}

/** A run as runOurs reports it, with the figures a test sets. */
function measuredRun(o: { wall: number; cpu: number; mode: string; ok: boolean; stages: Record<string, number> }): SystemRun {
  return {
    system: 'topic-trends',
    run: 1,
    ok: o.ok,
    wallSeconds: o.wall,
    cpuSeconds: o.cpu,
    peakTreeMb: 800,
    peakLargestMb: 800,
    processes: 1,
    measuredWith: 'gnu-time+proc',
    stages: o.stages,
    resultDir: '',
    facts: { model: { mode: o.mode } },
  };
}

const record = (id: string, date: unknown) => JSON.stringify({ id, title: `T ${id}`, text: `text of ${id}`, date });

describe('bench:night split', () => {
  it('reads the day of a record, or nothing for an undated or broken line', () => {
    expect(recordDay(record('a', '2026-07-01'))).toBe('2026-07-01');
    expect(recordDay(record('a', '2026-07-01T23:59:00Z'))).toBe('2026-07-01');
    expect(recordDay(record('a', 1999))).toBeUndefined();
    expect(recordDay(record('a', 'July 1st'))).toBeUndefined();
    expect(recordDay('{"id": "a", "date": ')).toBeUndefined();
  });

  it('takes the last distinct days, and refuses a night that would leave no archive', () => {
    expect(nightDays(['2026-01-03', '2026-01-01', '2026-01-03', '2026-01-02'], 1)).toEqual(['2026-01-03']);
    expect(nightDays(['2026-01-03', '2026-01-01', '2026-01-02'], 2)).toEqual(['2026-01-02', '2026-01-03']);
    expect(() => nightDays(['2026-01-01', '2026-01-01'], 1)).toThrow(/1 dated day: a night of 1 needs at least one more/);
    expect(() => nightDays(['2026-01-01', '2026-01-02'], 0)).toThrow(/--night-days/);
  });

  it('writes the night’s records and every other record once, byte for byte, in the corpus’s order', async () => {
    const dir = tempDir();
    const lines = [record('p1', '2026-01-02'), record('p2', '2026-01-03'), '', record('p3', undefined), record('p4', '2026-01-01'), 'not json', record('p5', '2026-01-03T08:00:00Z'), record('p6', '2026-01-02')];
    const corpus = join(dir, 'corpus.jsonl.gz');
    writeFileSync(corpus, gzipSync(`${lines.join('\n')}\n`));
    const archive = join(dir, 'archive.jsonl.gz');
    const night = join(dir, 'night.jsonl.gz');
    const split = await splitNight(corpus, 1, archive, night);
    const read = (f: string) => gunzipSync(readFileSync(f)).toString('utf8').split('\n').filter(Boolean);
    expect(split).toEqual({ days: ['2026-01-03'], archiveRecords: 5, nightRecords: 2 });
    expect(read(night)).toEqual([lines[1], lines[6]]);
    expect(read(archive)).toEqual([lines[0], lines[3], lines[4], lines[5], lines[7]]);

    const two = await splitNight(corpus, 2, archive, night);
    expect(two.days).toEqual(['2026-01-02', '2026-01-03']);
    expect(read(night)).toEqual([lines[0], lines[1], lines[6], lines[7]]);
  });
});

describe('bench:night runs', () => {
  it('parses its flags and checks them', () => {
    const a = parseNightArgs(['--corpus', 'c.jsonl.gz', '--k', '30', '--refit']);
    expect(a).toMatchObject({ k: 30, nightDays: 1, runs: 3, refit: true, keep: false, components: 100 });
    expect(parseNightArgs(['--corpus', 'c', '--k', '30', '--keep']).keep).toBe(true);
    expect(() => parseNightArgs(['--k', '30'])).toThrow(/--corpus/);
    expect(() => parseNightArgs(['--corpus', 'c', '--k', '30', '--night-days', '0'])).toThrow(/--night-days must be a whole number ≥ 1/);
  });

  it('alternates the order of the night and its refit by round', () => {
    expect(nightOrder(0, false)).toEqual(['night']);
    expect(nightOrder(1, false)).toEqual(['night']);
    expect(nightOrder(0, true)).toEqual(['night', 'refit']);
    expect(nightOrder(1, true)).toEqual(['refit', 'night']);
  });

  it('takes a baseline checkout that holds the command and its modules, and alternates it with this build', () => {
    const dir = tempDir();
    expect(() => parseNightArgs(['--corpus', 'c', '--k', '30', '--baseline', dir])).toThrow(/no bin\/topic-trends.mjs there/);
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'topic-trends.mjs'), '');
    expect(() => parseNightArgs(['--corpus', 'c', '--k', '30', '--baseline', dir])).toThrow(/no node_modules there/);
    mkdirSync(join(dir, 'node_modules'));
    expect(parseNightArgs(['--corpus', 'c', '--k', '30', '--baseline', dir]).baseline).toBe(dir);
    expect(parseNightArgs(['--corpus', 'c', '--k', '30']).baseline).toBeUndefined();
    expect(nightOrder(0, false, true)).toEqual(['night', 'baseline']);
    expect(nightOrder(1, false, true)).toEqual(['baseline', 'night']);
    expect(nightOrder(1, true, true)).toEqual(['baseline', 'refit', 'night']);
  });

  it('tabulates each run and the median of each kind over its successful runs', () => {
    const run = (wall: number, mode: string, ok = true): SystemRun => measuredRun({ wall, cpu: wall * 1.5, mode, ok, stages: { ingest: wall / 10 } });
    const rows = [
      nightRow('archive', 0, run(13, 'refit')),
      nightRow('night', 1, run(4, 'fold-in')),
      nightRow('refit', 1, run(12, 'refit')),
      nightRow('night', 2, run(6, 'fold-in')),
      nightRow('refit', 2, run(99, 'refit', false)),
      nightRow('night', 3, run(5, 'fold-in')),
      nightRow('refit', 3, run(14, 'refit')),
    ];
    expect(rows[1]!.mode).toBe('fold-in');
    const table = nightTable(rows).split('\n');
    const line = (start: string) => table.find((l) => l.startsWith(start))!.split(/\s{2,}/);
    expect(line('night, median of 3').slice(1, 4)).toEqual(['fold-in', '5.00', '7.50']);
    expect(line('refit, median of 2').slice(1, 3)).toEqual(['refit', '13.00']); // the failed 99 s run left out
    expect(line('refit 2 (failed)')[2]).toBe('99.00');
    expect(table.some((l) => l.startsWith('archive, cold,'))).toBe(false);
  });

  it('compares this build with the baseline round by round, over the rounds where both ran', () => {
    const run = (wall: number, cpu: number, ok = true): SystemRun => measuredRun({ wall, cpu, mode: 'fold-in', ok, stages: {} });
    const rows = [
      nightRow('archive', 0, run(100, 150)),
      nightRow('night', 1, run(30, 45)),
      nightRow('baseline', 1, run(40, 50)),
      nightRow('baseline', 2, run(35, 50)),
      nightRow('night', 2, run(35, 50)),
      nightRow('night', 3, run(20, 30)),
      nightRow('baseline', 3, run(10, 10, false)), // failed: round 3 has no pair
      nightRow('night', 4, run(45, 60)),
      nightRow('baseline', 4, run(50, 60)),
    ];
    const r = baselineRatios(rows)!;
    expect(r.wall).toEqual({ median: 0.9, min: 0.75, max: 1, rounds: 3 });
    expect(r.cpu).toEqual({ median: 1, min: 0.9, max: 1, rounds: 3 });
    expect(baselineLine(rows)).toBe('this build / baseline, round by round over 3 round(s): wall 0.90× (0.75–1.00×), CPU 1.00× (0.90–1.00×)');
    expect(baselineRatios(rows.filter((x) => x.kind !== 'baseline'))).toBeUndefined();
    expect(baselineLine(rows.slice(0, 2))).toBeUndefined();
  });
});

describe("the nights' outputs", () => {
  it('digests the published files of a run folder (through its latest link)', () => {
    const out = tempDir();
    mkdirSync(join(out, 'runs', 'r1'), { recursive: true });
    writeFileSync(join(out, 'runs', 'r1', 'assignments.csv'), 'id,topic\na,1\n');
    writeFileSync(join(out, 'runs', 'r1', 'clusters.json'), '{}');
    symlinkSync(join('runs', 'r1'), join(out, 'latest'));
    const d = outputDigests(out);
    expect(Object.keys(d)).toEqual(['assignments.csv', 'clusters.json']); // the others were not published
    expect(d['assignments.csv']).toBe(createHash('sha256').update('id,topic\na,1\n').digest('hex'));
  });

  it('says whether each kind agrees across rounds and the baseline with this build, naming what differs', () => {
    const same = { 'assignments.csv': 'a', 'clusters.json': 'c', 'clusters.csv': 'k', 'trends.csv': 't' };
    const night = (kind: string, round: number, outputs: Record<string, string> | undefined, ok = true) => ({ kind, round, ok, ...(outputs ? { outputs } : {}) });
    const rows = [night('archive', 0, same), night('night', 1, same), night('baseline', 1, same), night('baseline', 2, same), night('night', 2, same)];
    expect(outputsLine(rows)).toBe(
      'outputs (assignments.csv, clusters.json, clusters.csv, trends.csv): night nights identical over 2 rounds; baseline nights identical over 2 rounds; baseline identical to this build in all 2 rounds',
    );
    // The baseline publishes other trends in round 2; this build's round 3 another assignment.
    const changed = [...rows.slice(0, 3), night('baseline', 2, { ...same, 'trends.csv': 'T' }), rows[4]!, night('night', 3, { ...same, 'assignments.csv': 'A' })];
    expect(outputsLine(changed)).toBe(
      "outputs (assignments.csv, clusters.json, clusters.csv, trends.csv): night nights DIFFER from round 1's in round(s) 3 (assignments.csv); baseline nights DIFFER from round 1's in round(s) 2 (trends.csv); baseline DIFFERS from this build in round(s) 2 (trends.csv)",
    );
    // A failed night is not compared; a file only one run published differs.
    expect(differingFiles(same, { ...same, 'trends.csv': undefined as unknown as string })).toEqual(['trends.csv']);
    expect(outputsLine([night('night', 1, same), night('baseline', 1, { ...same, 'clusters.csv': 'x' }, false)])).toBe('outputs (assignments.csv, clusters.json, clusters.csv, trends.csv): night: one night');
    expect(outputsLine([night('night', 1, undefined)])).toBeUndefined();
  });
});
