// The benchmark's printed report: per-stage tables for each system, the medians and their ratio,
// and the quality scores. Pure formatting of a BenchResult, so the same figures go to the
// terminal and (as JSON) to bench/out/.
import { formatMachine, type MachineFacts } from './machine.ts';
import { formatProbes, type NoiseProbe } from './noise-probe.ts';
import { cell, formatTable, median, ratio } from './stats.ts';
import { MATCHING_STAGES, OUR_STAGES, REFERENCE_STAGES, type SystemName, type SystemRun } from './systems.ts';

export interface SystemSummary {
  runs: number;
  ok: number;
  medianWallSeconds: number;
  /** NaN when no run has a CPU figure (no GNU time). */
  medianCpuSeconds: number;
  medianPeakTreeMb: number;
  medianStageSeconds: Record<string, number>;
  /** Median CPU seconds per stage, all threads (only stages some run reported CPU for). */
  medianStageCpuSeconds: Record<string, number>;
  /** Median over runs of the summed seconds of the system's MATCHING_STAGES (a run that lacks one is left out; NaN when none has them all). */
  medianMatchingSeconds: number;
}

export interface BenchResult {
  createdAt: string;
  corpus: string;
  k: number;
  components: number;
  runsPerSystem: number;
  machine: MachineFacts;
  /** 1-minute load average when the last run ended: with machine.loadAverage1m, how busy the machine was. */
  loadAverageAtEnd: number;
  runs: SystemRun[];
  summary: Partial<Record<SystemName, SystemSummary>>;
  /** topic-trends / sklearn, medians. */
  ratios?: { wall: number; cpu: number; peakRss: number; matchingStages: number };
  /** topic-trends / sklearn round by round (pairedRatios of `runs`); undefined without a round that has both. */
  paired?: ReturnType<typeof pairedRatios>;
  scores: Partial<Record<SystemName, Record<string, unknown>>>;
  /** The machine probe timed before each round (noise-probe.ts); absent in results from before it existed. */
  probes?: NoiseProbe[];
}

export function summarise(runs: SystemRun[], stageOrder: string[], matching: readonly string[] = []): SystemSummary {
  const ok = runs.filter((r) => r.ok);
  const stages = orderedStages(ok, stageOrder);
  const matchingSeconds = (r: SystemRun): number => (matching.length === 0 ? Number.NaN : matching.reduce((sum, s) => sum + (r.stages[s] ?? Number.NaN), 0));
  // The median over the successful runs of one figure (a run without it counts as missing).
  const medianOf = (pick: (r: SystemRun) => number | undefined): number => median(ok.map((r) => pick(r) ?? Number.NaN));
  return {
    runs: runs.length,
    ok: ok.length,
    medianWallSeconds: medianOf((r) => r.wallSeconds),
    medianCpuSeconds: medianOf((r) => r.cpuSeconds),
    medianPeakTreeMb: medianOf((r) => r.peakTreeMb),
    medianStageSeconds: Object.fromEntries(stages.map((s) => [s, medianOf((r) => r.stages[s])])),
    medianStageCpuSeconds: Object.fromEntries(stages.filter((s) => ok.some((r) => r.stageCpu?.[s] !== undefined)).map((s) => [s, medianOf((r) => r.stageCpu?.[s])])),
    medianMatchingSeconds: medianOf(matchingSeconds),
  };
}

/** A ratio's median and range over the rounds that have it. */
export interface RatioSpread {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

/**
 * topic-trends / sklearn round by round: each of our runs over the reference's run of the same
 * round, which ran right before or after it (the systems alternate). The machine's speed drifts by
 * ±20-40% from one hour to the next here (the reference's wall on 20 Newsgroups went from 8.8 s to
 * 15.3 s within a day), and a round's two runs share their moment: the spread of these ratios
 * says how far one round's conditions move the figure, which the ratio of the medians hides.
 * Undefined when no round has both runs.
 */
export function pairedRatios(runs: readonly SystemRun[]): { wall: RatioSpread; cpu?: RatioSpread } | undefined {
  const ok = (system: SystemName) => new Map(runs.filter((r) => r.system === system && r.ok).map((r) => [r.run, r]));
  const ours = ok('topic-trends');
  const reference = ok('sklearn');
  return pairSpreads([...ours.entries()].flatMap(([n, a]) => (reference.has(n) ? [[a, reference.get(n)!] as const] : [])));
}

/** Measured runs, as far as a ratio of two of them reads them. */
interface Timed {
  wallSeconds: number;
  cpuSeconds?: number;
}

/**
 * a / b over pairs of runs made side by side (each run of a round over the other one's): the
 * median and range of the wall and the CPU ratios; undefined without a pair. The CPU spread is
 * left out when no pair has both CPU figures.
 */
export function pairSpreads(pairs: readonly (readonly [Timed, Timed])[]): { wall: RatioSpread; cpu?: RatioSpread } | undefined {
  const spread = (values: number[]): RatioSpread | undefined =>
    values.length === 0 ? undefined : { median: median(values), min: Math.min(...values), max: Math.max(...values), rounds: values.length };
  const wall = spread(pairs.map(([a, b]) => ratio(a.wallSeconds, b.wallSeconds)).filter(Number.isFinite));
  if (!wall) return undefined;
  const cpu = spread(pairs.map(([a, b]) => ratio(a.cpuSeconds ?? Number.NaN, b.cpuSeconds ?? Number.NaN)).filter(Number.isFinite));
  return cpu ? { wall, cpu } : { wall };
}

/** A spread as the reports print it: "0.52× (0.50–0.55×)". */
export function formatSpread(r: RatioSpread): string {
  return `${cell(r.median, 2)}× (${cell(r.min, 2)}–${cell(r.max, 2)}×)`;
}

/** The known stages first, in pipeline order, then any others a system reported. */
export function orderedStages(runs: SystemRun[], known: string[]): string[] {
  const seen = new Set(runs.flatMap((r) => Object.keys(r.stages)));
  return [...known.filter((s) => seen.has(s) || runs.length === 0), ...[...seen].filter((s) => !known.includes(s))];
}

export function ratios(summary: BenchResult['summary']): BenchResult['ratios'] {
  const a = summary['topic-trends'];
  const b = summary.sklearn;
  if (!a || !b) return undefined;
  return {
    wall: ratio(a.medianWallSeconds, b.medianWallSeconds),
    cpu: ratio(a.medianCpuSeconds, b.medianCpuSeconds),
    peakRss: ratio(a.medianPeakTreeMb, b.medianPeakTreeMb),
    matchingStages: ratio(a.medianMatchingSeconds, b.medianMatchingSeconds),
  };
}

function systemTable(title: string, runs: SystemRun[], known: string[]): string {
  const ok = runs.filter((r) => r.ok);
  const header = ['stage (s)', ...runs.map((r) => `run ${r.run}`), 'median'];
  const row = (label: string, pick: (r: SystemRun) => number | undefined, decimals = 2) => [
    label,
    ...runs.map((r) => (r.ok ? cell(pick(r), decimals) : 'failed')),
    cell(median(ok.map((r) => pick(r) ?? Number.NaN)), decimals),
  ];
  const rows = orderedStages(ok, known).map((s) => row(s, (r) => r.stages[s]));
  rows.push(row('sum of stages', (r) => Object.values(r.stages).reduce((a, b) => a + b, 0)));
  rows.push(row('wall (whole process)', (r) => r.wallSeconds));
  rows.push(row('CPU, all threads (s)', (r) => r.cpuSeconds));
  rows.push(row('peak RSS tree (MB)', (r) => r.peakTreeMb, 0));
  rows.push(row('peak RSS self-reported (MB)', (r) => r.selfReportedPeakMb, 0));
  const failures = runs.filter((r) => !r.ok).map((r) => `run ${r.run} failed: ${r.error ?? 'unknown error'}`);
  return [`== ${title} ==`, formatTable(header, rows), ...failures].join('\n');
}

const SCORE_KEYS: [string, string][] = [
  ['nmi', 'NMI'],
  ['ari', 'ARI'],
  ['npmi', 'NPMI'],
  ['td10', 'TD@10'],
  ['td25', 'TD@25'],
  ['coverage', 'coverage'],
  ['clusters', 'clusters'],
];

/** A score for the table: at most 4 decimals (score.py leaves coverage unrounded). */
export function scoreCell(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(Math.round(value * 1e4) / 1e4) : '–';
}

export function formatBenchReport(result: BenchResult): string {
  const out: string[] = [];
  out.push(formatMachine(result.machine));
  out.push(`load average ${result.machine.loadAverage1m} at start, ${result.loadAverageAtEnd} at the end (${result.machine.cores} cores)`);
  if (result.probes) out.push(formatProbes(result.probes));
  out.push(`corpus: ${result.corpus}, k = ${result.k}, ${result.components} components, ${result.runsPerSystem} cold run(s) per system`);
  const ours = result.runs.filter((r) => r.system === 'topic-trends');
  const reference = result.runs.filter((r) => r.system === 'sklearn');
  out.push('', systemTable('topic-trends (stage seconds from manifest.json)', ours, OUR_STAGES));
  if (reference.length) out.push('', systemTable(`scikit-learn ${result.machine.sklearn ?? ''} reference (timings_s)`, reference, REFERENCE_STAGES));

  const summaryRows = (Object.entries(result.summary) as [SystemName, SystemSummary][]).map(([name, s]) => [
    name,
    `${s.ok}/${s.runs}`,
    cell(s.medianWallSeconds, 2),
    cell(s.medianCpuSeconds, 2),
    cell(s.medianPeakTreeMb, 0),
  ]);
  if (result.ratios) {
    const { wall, cpu, peakRss } = result.ratios;
    summaryRows.push(['topic-trends / sklearn', '', `${cell(wall, 2)}×`, Number.isFinite(cpu) ? `${cell(cpu, 2)}×` : '–', `${cell(peakRss, 2)}×`]);
  }
  out.push('', '== medians ==', formatTable(['system', 'ok runs', 'wall (s)', 'CPU (s)', 'peak RSS (MB)'], summaryRows));
  const { paired } = result;
  if (paired) {
    const cpu = paired.cpu ? `, CPU ${formatSpread(paired.cpu)}` : '';
    out.push(`round by round (each run over the reference's run next to it in time), median and range of ${paired.wall.rounds}: wall ${formatSpread(paired.wall)}${cpu}`);
  }
  const matching = (Object.entries(result.summary) as [SystemName, SystemSummary][]).filter(([, s]) => Number.isFinite(s.medianMatchingSeconds));
  if (matching.length > 0) {
    const rows = matching.map(([name, s]) => [`${name} (${MATCHING_STAGES[name].join(' + ')})`, cell(s.medianMatchingSeconds, 2)]);
    if (result.ratios && Number.isFinite(result.ratios.matchingStages)) rows.push(['topic-trends / sklearn', `${cell(result.ratios.matchingStages, 2)}×`]);
    out.push('', '== the stages that do the same job (no start-up, no report) ==', formatTable(['system', 'seconds'], rows));
  }

  const budget = cpuBudget(result);
  if (budget) out.push('', budget);

  const scored = Object.entries(result.scores) as [SystemName, Record<string, unknown>][];
  if (scored.length) {
    const rows = scored.map(([name, s]) => [name, ...SCORE_KEYS.map(([k]) => scoreCell(s[k]))]);
    out.push(
      '',
      '== quality (score.py, last run of each: one draw; npm run bench:quality gives the spread) ==',
      formatTable(['system', ...SCORE_KEYS.map(([, h]) => h)], rows),
    );
    for (const [name, s] of scored) out.push(`${name}: ${JSON.stringify(s)}`);
  }
  return out.join('\n');
}

/** Issue 3's wall-time target: topic-trends in at most this fraction of the reference's wall time. */
export const WALL_TARGET = 0.5;

/**
 * Where topic-trends' CPU goes (median wall and CPU seconds per stage, and the cores each kept
 * busy), and what the wall target asks of the CPU: at the cores the whole process kept busy, and
 * at every core of the machine, how many CPU seconds a run could spend and still take at most
 * WALL_TARGET × the reference's wall. On 2 cores a wall-time lead can come from the second core
 * or from doing less work; this says how much of each the target needs. Empty without CPU figures.
 */
export function cpuBudget(result: BenchResult): string {
  const ours = result.summary['topic-trends'];
  if (!ours || !Number.isFinite(ours.medianCpuSeconds)) return '';
  const cores = (cpu: number, wall: number): string => cell(ratio(cpu, wall), 2);
  const rows = Object.entries(ours.medianStageCpuSeconds).map(([stage, cpu]) => {
    const wall = ours.medianStageSeconds[stage] ?? Number.NaN;
    return [stage, cell(wall, 2), cell(cpu, 2), cores(cpu, wall)];
  });
  if (rows.length === 0) return '';
  rows.push(['whole process', cell(ours.medianWallSeconds, 2), cell(ours.medianCpuSeconds, 2), cores(ours.medianCpuSeconds, ours.medianWallSeconds)]);
  const out = ['== topic-trends: where the CPU goes (medians; cores = CPU / wall) ==', formatTable(['stage', 'wall (s)', 'CPU (s)', 'cores'], rows)];
  const reference = result.summary.sklearn;
  if (reference && Number.isFinite(reference.medianWallSeconds)) {
    const target = WALL_TARGET * reference.medianWallSeconds;
    const used = ratio(ours.medianCpuSeconds, ours.medianWallSeconds);
    const atUsed = target * used;
    const atAll = target * result.machine.cores;
    const share = (cpu: number): string => `${cell(cpu, 1)} s of CPU (${cell(ratio(cpu, ours.medianCpuSeconds), 2)}× this run's ${cell(ours.medianCpuSeconds, 1)} s)`;
    const refCpu = Number.isFinite(reference.medianCpuSeconds) ? `; the reference used ${cell(reference.medianCpuSeconds, 1)} s` : '';
    out.push(
      `${WALL_TARGET}× the reference's wall is ${cell(target, 2)} s: at the ${cell(used, 2)} cores this run kept busy that allows ${share(atUsed)}, ` +
        `at all ${result.machine.cores} cores ${share(atAll)}${refCpu}.`,
    );
  }
  return out.join('\n');
}
