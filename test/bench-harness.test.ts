// The benchmark harness (bench/bench.ts and helpers): parsing what the systems and GNU time
// report, combining memory figures, the run order, and a real measured child process tree.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs, roundOrder } from '../bench/bench.ts';
import { type BenchResult, cpuBudget, formatBenchReport, orderedStages, pairedRatios, ratios, scoreCell, summarise } from '../bench/bench-report.ts';
import { combinePeaks, parseGnuTime, runMeasured } from '../bench/measure-process.ts';
import { formatProbes, probeMachine } from '../bench/noise-probe.ts';
import { parseStatParent, processTree, statusKb } from '../bench/process-tree.ts';
import { cell, formatTable, median, ratio } from '../bench/stats.ts';
import { MATCHING_STAGES, manifestFigures, OUR_STAGES, parseReferenceOutput, REFERENCE_STAGES, type SystemName, type SystemRun } from '../bench/systems.ts';

describe('parsing', () => {
  it('reads GNU time output, also after a non-zero exit note', () => {
    expect(parseGnuTime('12.34 401234\n')).toEqual({ seconds: 12.34, maxRssKb: 401234 });
    expect(parseGnuTime('Command exited with non-zero status 1\n0.05 2048\n')).toEqual({ seconds: 0.05, maxRssKb: 2048 });
    expect(parseGnuTime('garbage')).toBeUndefined();
  });

  it('reads CPU time (user + system) from the four-field form', () => {
    expect(parseGnuTime('18.69 933000 20.51 1.83\n')).toEqual({ seconds: 18.69, maxRssKb: 933000, cpuSeconds: 22.34 });
    expect(parseGnuTime('Command terminated by signal 9\n3.10 2048 2.90 0.15\n')).toEqual({ seconds: 3.1, maxRssKb: 2048, cpuSeconds: 3.05 });
    expect(parseGnuTime('18.69 933000 20.51\n')).toBeUndefined();
  });

  it('reads the parent pid from /proc/<pid>/stat even when the name has spaces and parentheses', () => {
    expect(parseStatParent('1234 (node) S 99 1234 1234 0 -1')).toBe(99);
    expect(parseStatParent('77 (tsx (watch) x) R 5 77 77 0')).toBe(5);
    expect(parseStatParent('nonsense')).toBeUndefined();
  });

  it('reads VmHWM and VmRSS from /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmPeak:\t  999 kB\nVmHWM:\t  123456 kB\nVmRSS:\t   65432 kB\n';
    expect(statusKb(status, 'VmHWM')).toBe(123456);
    expect(statusKb(status, 'VmRSS')).toBe(65432);
    expect(statusKb('Name:\tkthread\n', 'VmHWM')).toBeUndefined();
  });

  it('walks a process tree from a parent map', () => {
    const parents = new Map([
      [1, 0],
      [10, 1],
      [11, 10],
      [12, 10],
      [13, 11],
      [20, 1],
    ]);
    expect(processTree(10, parents).sort()).toEqual([10, 11, 12, 13]);
    expect(processTree(20, parents)).toEqual([20]);
    expect(processTree(99, parents)).toEqual([]);
  });

  it('takes per-stage seconds and the peak from a manifest, tolerating odd entries', () => {
    const f = manifestFigures({
      stages: [
        { stage: 'ingest', seconds: 1.5, peakRssMb: 200, skipped: false },
        { stage: 'tokenize', seconds: 3, peakRssMb: 350, skipped: false },
        { stage: 'report', seconds: 0.5, peakRssMb: 340, skipped: false },
        { nonsense: true },
      ],
      totalSeconds: 5,
      counts: { read: 10 },
    });
    expect(f).toEqual({ stages: { ingest: 1.5, tokenize: 3, report: 0.5 }, stageCpu: {}, peakRssMb: 350, totalSeconds: 5, counts: { read: 10 } });
    const withCpu = manifestFigures({
      stages: [
        { stage: 'ingest', seconds: 2, cpuSeconds: 3.5 },
        { stage: 'tokenize', seconds: 4 },
        { stage: 'reduce', seconds: 1, cpuSeconds: 'x' },
      ],
    });
    expect(withCpu.stageCpu).toEqual({ ingest: 3.5 });
    expect(manifestFigures(null).stages).toEqual({});
  });

  it("finds the reference's JSON line among other output", () => {
    const out = 'warning: something\n{"system": "sklearn-1.2.1", "timings_s": {"read": 1, "total": 3}, "peak_rss_mb": 400}\n';
    expect(parseReferenceOutput(out).peak_rss_mb).toBe(400);
    expect(() => parseReferenceOutput('{"no": 1}\n')).toThrow(/timings_s/);
  });

  it('checks benchmark flags up front', () => {
    const a = parseBenchArgs(['--corpus', 'x.jsonl.gz', '--k', '20']);
    expect(a).toMatchObject({ k: 20, runs: 3, components: 100, reference: true });
    expect(parseBenchArgs(['--corpus', 'x', '--k', '5', '--no-reference', '--runs', '1']).reference).toBe(false);
    expect(() => parseBenchArgs(['--k', '5'])).toThrow(/--corpus/);
    expect(() => parseBenchArgs(['--corpus', 'x'])).toThrow(/--k is required/);
    expect(() => parseBenchArgs(['--corpus', 'x', '--k', '1'])).toThrow(/≥ 2/);
    expect(() => parseBenchArgs(['--corpus', 'x', '--k', '5', '--runs', '0'])).toThrow(/--runs/);
  });
});

describe('summaries', () => {
  it('median, ratio and cells handle missing figures', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(cell(Number.NaN)).toBe('–');
    expect(cell(1.234, 2)).toBe('1.23');
    expect(scoreCell(0.9981959036400297)).toBe('0.9982');
    expect(scoreCell(null)).toBe('–');
  });

  it('combines high-water marks with GNU time: the largest is replaced when time saw more', () => {
    const hwm = new Map([
      [1, 50 * 1024],
      [2, 600 * 1024],
    ]);
    expect(combinePeaks(hwm)).toEqual({ treeMb: 650, largestMb: 600 });
    expect(combinePeaks(hwm, 700 * 1024)).toEqual({ treeMb: 750, largestMb: 700 });
    expect(combinePeaks(hwm, 500 * 1024)).toEqual({ treeMb: 650, largestMb: 600 });
    expect(combinePeaks(new Map(), 100 * 1024)).toEqual({ treeMb: 100, largestMb: 100 });
  });

  it('alternates the order of the systems every round', () => {
    expect(roundOrder(0, true)).toEqual(['topic-trends', 'sklearn']);
    expect(roundOrder(1, true)).toEqual(['sklearn', 'topic-trends']);
    expect(roundOrder(2, true)).toEqual(['topic-trends', 'sklearn']);
    expect(roundOrder(1, false)).toEqual(['topic-trends']);
  });

  it('summarises only successful runs, stages in pipeline order then extras', () => {
    const run = (n: number, ok: boolean, wall: number, stages: Record<string, number>): SystemRun => ({
      system: 'topic-trends',
      run: n,
      ok,
      wallSeconds: wall,
      cpuSeconds: wall * 1.5,
      peakTreeMb: wall * 100,
      peakLargestMb: wall * 100,
      processes: 1,
      measuredWith: 'proc',
      stages,
      resultDir: '',
      facts: {},
    });
    const runs = [run(1, true, 10, { tokenize: 4, ingest: 1, track: 0.5 }), run(2, false, 1, {}), run(3, true, 12, { ingest: 2, tokenize: 6 })];
    const s = summarise(runs, ['ingest', 'tokenize', 'report'], ['ingest', 'tokenize']);
    expect(s).toMatchObject({ runs: 3, ok: 2, medianWallSeconds: 11, medianCpuSeconds: 16.5, medianPeakTreeMb: 1100 });
    expect(s.medianStageSeconds).toEqual({ ingest: 1.5, tokenize: 5, track: 0.5 });
    // The matching stages are summed per run, then the median taken: (1 + 4, 2 + 6) → 6.5.
    expect(s.medianMatchingSeconds).toBe(6.5);
    // A run without one of them has no figure (not a smaller sum); no list, no figure.
    expect(summarise(runs, ['ingest'], ['ingest', 'vectorize']).medianMatchingSeconds).toBeNaN();
    expect(summarise(runs, ['ingest']).medianMatchingSeconds).toBeNaN();
    const reference = { ...s, medianWallSeconds: 22, medianCpuSeconds: 22, medianPeakTreeMb: 2200, medianMatchingSeconds: 13 };
    expect(ratios({ 'topic-trends': s, sklearn: reference })).toEqual({ wall: 0.5, cpu: 0.75, peakRss: 0.5, matchingStages: 0.5 });
    // Without GNU time there is no CPU figure: its ratio is NaN, not 0.
    expect(ratios({ 'topic-trends': { ...s, medianCpuSeconds: Number.NaN }, sklearn: reference })!.cpu).toBeNaN();
    expect(orderedStages(runs, ['ingest', 'tokenize', 'report'])).toEqual(['ingest', 'tokenize', 'track']);
    expect(formatTable(['a', 'bb'], [['xyz', '1']])).toBe('a    bb\n---  --\nxyz   1');
  });
});

describe('the printed report', () => {
  const run = (system: SystemName, n: number, wall: number, stages: Record<string, number>): SystemRun => ({
    system,
    run: n,
    ok: true,
    wallSeconds: wall,
    cpuSeconds: wall,
    peakTreeMb: 500,
    peakLargestMb: 500,
    processes: 1,
    measuredWith: 'proc',
    stages,
    resultDir: '',
    facts: {},
  });
  /** The benchmark's result for these runs, summarised as bench.ts does, on a made-up 2-core machine. */
  const benchResult = (ours: SystemRun[], reference: SystemRun[]): BenchResult => {
    const summary: BenchResult['summary'] = {
      'topic-trends': summarise(ours, OUR_STAGES, MATCHING_STAGES['topic-trends']),
      sklearn: summarise(reference, REFERENCE_STAGES, MATCHING_STAGES.sklearn),
    };
    return {
      createdAt: '',
      corpus: 'c.jsonl',
      k: 2,
      components: 10,
      runsPerSystem: ours.length,
      loadAverageAtEnd: 0,
      runs: [...ours, ...reference],
      summary,
      ratios: ratios(summary),
      paired: pairedRatios([...ours, ...reference]),
      scores: {},
      machine: { cores: 2, cpuModel: 'cpu', totalMemoryGb: 1, loadAverage1m: 0, platform: 'linux', node: 'v20', sklearn: '1.2.1', gitCommit: 'abc' },
    };
  };
  it('compares the stages that do the same job, apart from start-up and the extras', () => {
    // topic-trends: 1 + 2 + 1 + 1 + 1 = 6 s of matching stages (describe and report are not);
    // the reference: 1 + 3 + 5 + 3 = 12 s (write is not).
    const ours = [run('topic-trends', 1, 9, { ingest: 1, tokenize: 2, vectorize: 1, reduce: 1, cluster: 1, describe: 1, report: 1 })];
    const reference = [run('sklearn', 1, 16, { read: 1, tfidf: 3, svd: 5, kmeans: 3, write: 0.5 })];
    const result = benchResult(ours, reference);
    expect(result.ratios!.matchingStages).toBe(0.5);
    const text = formatBenchReport(result);
    expect(text).toMatch(/topic-trends \(ingest \+ tokenize \+ vectorize \+ reduce \+ cluster\)\s+6\.00/);
    expect(text).toMatch(/sklearn \(read \+ tfidf \+ svd \+ kmeans\)\s+12\.00/);
    expect(text).toMatch(/the stages that do the same job[^]*topic-trends \/ sklearn\s+0\.50×/);
    expect(text).not.toMatch(/where the CPU goes/); // no stage reported its CPU
  });

  it('gives the ratio round by round: each run over the reference run of its round', () => {
    // Rounds 1-3: 10/20, 12/16, 9/10 → 0.5, 0.75, 0.9 (median 0.75), where the medians give
    // 10/16 = 0.625. A failed run leaves its round out.
    const ours = [run('topic-trends', 1, 10, {}), run('topic-trends', 2, 12, {}), run('topic-trends', 3, 9, {}), { ...run('topic-trends', 4, 1, {}), ok: false }];
    const reference = [20, 16, 10, 5].map((wall, i) => ({ ...run('sklearn', i + 1, wall, {}), cpuSeconds: 2 * wall }));
    const paired = pairedRatios([...ours, ...reference])!;
    expect(paired.wall).toEqual({ median: 0.75, min: 0.5, max: 0.9, rounds: 3 });
    expect(paired.cpu).toEqual({ median: 0.375, min: 0.25, max: 0.45, rounds: 3 });
    const result = benchResult(ours, reference);
    expect(result.ratios!.wall).toBeCloseTo(10 / 13, 9); // medians: ours 10, the reference's (10 + 16) / 2
    expect(formatBenchReport(result)).toContain("round by round (each run over the reference's run next to it in time), median and range of 3: wall 0.75× (0.50–0.90×), CPU 0.38× (0.25–0.45×)");
    // No CPU figures: the wall only. No reference: nothing.
    expect(pairedRatios([...ours, ...reference.map((r) => ({ ...r, cpuSeconds: undefined }))])).toEqual({ wall: paired.wall });
    expect(pairedRatios(ours)).toBeUndefined();
    expect(formatBenchReport(benchResult(ours, []))).not.toMatch(/round by round/);
  });

  it("says where topic-trends' CPU goes and what the wall target asks of it", () => {
    // Ours: 10 s wall, 16 s CPU (1.6 cores); the reference: 16 s wall, 20 s CPU. The target,
    // 0.5 × 16 = 8 s, allows 8 × 1.6 = 12.8 s of CPU at the cores used, 16 s at both cores.
    const stages = { ingest: 2, tokenize: 4, reduce: 4 };
    const ours = [1, 2, 3].map((n) => ({ ...run('topic-trends', n, 10, stages), cpuSeconds: 16, stageCpu: { ingest: 3, tokenize: 7.6, reduce: 5.4 + n - 2 } }));
    const reference = [{ ...run('sklearn', 1, 16, { read: 1, tfidf: 3, svd: 5, kmeans: 3 }), cpuSeconds: 20 }];
    const result = benchResult(ours, reference);
    const { summary } = result;
    expect(summary['topic-trends']!.medianStageCpuSeconds).toEqual({ ingest: 3, tokenize: 7.6, reduce: 5.4 });
    const text = cpuBudget(result);
    expect(text).toMatch(/^ingest\s+2\.00\s+3\.00\s+1\.50$/m);
    expect(text).toMatch(/^tokenize\s+4\.00\s+7\.60\s+1\.90$/m);
    expect(text).toMatch(/^whole process\s+10\.00\s+16\.00\s+1\.60$/m);
    expect(text).toContain("0.5× the reference's wall is 8.00 s: at the 1.60 cores this run kept busy that allows 12.8 s of CPU (0.80× this run's 16.0 s), at all 2 cores 16.0 s of CPU (1.00× this run's 16.0 s); the reference used 20.0 s.");
    expect(formatBenchReport(result)).toContain(text);
    // Without a reference: the table alone; without CPU figures: nothing.
    expect(cpuBudget({ ...result, summary: { 'topic-trends': summary['topic-trends'] } })).not.toMatch(/wall is/);
    expect(cpuBudget({ ...result, summary: { ...summary, 'topic-trends': { ...summary['topic-trends']!, medianCpuSeconds: Number.NaN } } })).toBe('');
  });
  it('goes into the printed report when the result has it (older results do not)', () => {
    const ours = [run('topic-trends', 1, 10, {})];
    const result = benchResult(ours, []);
    expect(formatBenchReport(result)).not.toMatch(/machine probe/);
    expect(formatBenchReport({ ...result, probes: [{ aluMs: 1000, memoryMs: 2000 }] })).toContain('machine probe before each round');
  });
});

describe.skipIf(!existsSync('/proc/self/status'))('runMeasured', () => {
  // A parent that holds little memory starts a child that fills 120 MB and keeps it a moment:
  // the tree peak must count the child (a wrapper-only measurement would see ~40 MB).
  const child = 'const b = Buffer.alloc(120 * 2 ** 20, 1); setTimeout(() => console.log(b[5]), 600);';
  const parent = `const r = require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: 'inherit' }); process.exit(r.status ?? 9);`;

  it.each([true, false])('measures the whole process tree (GNU time: %s)', async (useGnuTime) => {
    const m = await runMeasured(process.execPath, ['-e', parent], { useGnuTime, pollMs: 50 });
    expect(m.exitCode).toBe(0);
    expect(m.stdout.trim()).toBe('1');
    expect(m.processes).toBeGreaterThanOrEqual(2);
    expect(m.peakLargestMb).toBeGreaterThan(120);
    expect(m.peakTreeMb).toBeGreaterThan(m.peakLargestMb + 10);
    expect(m.wallSeconds).toBeGreaterThan(0);
    // CPU time comes from GNU time only: the child's busy Buffer.alloc, at most ~2 cores' worth.
    if (useGnuTime && existsSync('/usr/bin/time')) {
      expect(m.cpuSeconds).toBeGreaterThan(0);
      expect(m.cpuSeconds!).toBeLessThan(m.wallSeconds * 4);
    } else if (!useGnuTime) expect(m.cpuSeconds).toBeUndefined();
  });

  it('reports a failing command with its exit code and stderr', async () => {
    const m = await runMeasured(process.execPath, ['-e', 'console.error("boom"); process.exit(3)']);
    expect(m.exitCode).toBe(3);
    expect(m.stderr).toContain('boom');
  });
});

describe('the machine probe', () => {
  it('times both probes and prints their spread over the rounds', () => {
    const probe = probeMachine();
    expect(probe.aluMs).toBeGreaterThan(0);
    expect(probe.memoryMs).toBeGreaterThan(0);
    expect(Number.isInteger(probe.aluMs) && Number.isInteger(probe.memoryMs)).toBe(true);
    expect(formatProbes([{ aluMs: 1920, memoryMs: 2660 }, { aluMs: 1960, memoryMs: 4030 }, { aluMs: 1940, memoryMs: 3000 }])).toBe(
      'machine probe before each round (fixed work; slower = a slower machine at that moment): memory 2.66–4.03 s, arithmetic 1.92–1.96 s',
    );
    expect(formatProbes([{ aluMs: 1500, memoryMs: 2500 }])).toMatch(/memory 2\.50 s, arithmetic 1\.50 s$/);
    expect(formatProbes([])).toBe('machine probe: not run');
  });

});
