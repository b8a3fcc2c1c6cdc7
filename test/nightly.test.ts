// Ten nights of the nightly job, replayed on the default corpus: the State of the Union passages
// of 1790–1888 in date order, a first bulk night and nine nights of the following years. Titles
// are written but not tokenized (titleRepeat 0), as for the default corpus: ours name the
// president and would cluster by speaker. Each
// night is its own input file run through runPipeline against one archive, as cron would.
// Checks: every night publishes; topic ids persist from night to night; an editor's name given
// after night 1 is still shown on night 10; the lineage accounts for every id change; a failed
// night leaves `latest` and the archive's last published run alone; re-running a night is safe
// and a night without new papers skips tokenize … cluster (k-means warm-starts from the same
// previous grouping as the night it repeats).
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArtifact } from '../pipeline/artifacts.ts';
import { resolveConfig, type Config } from '../pipeline/config.ts';
import { InputError } from '../pipeline/errors.ts';
import { loadSotuPapers } from '../pipeline/ingest/sotu.ts';
import { importLabels } from '../pipeline/labels.ts';
import { silentLogger } from '../pipeline/log.ts';
import type { Paper } from '../pipeline/paper.ts';
import { runPipeline, type RunResult } from '../pipeline/runner.ts';
import type { ClusterOutput } from '../pipeline/stages/cluster.ts';
import { openStore } from '../pipeline/store/store.ts';

const NIGHTS = 10;
const PASSAGES = 4000; // 1790–1888
const FIRST_NIGHT_SHARE = 0.5; // the bulk load; nights 2–10 add ~5% of the archive each
const K = 12;
// Id persistence = share of tonight's topics that kept last night's id (continued, or merged
// into a kept id). The target is 0.9 every night. Refitted from scratch, k-means
// reshuffled one or two of twelve topics on some nights (1.00 1.00 0.92 1.00 0.92 0.75 0.92 1.00
// 0.92); warm-started from last night's clusters (cluster.warmStart) it keeps the target every night.
const MIN_PERSISTENCE = 0.9;

interface Lineage {
  run: string;
  previous_run: string | null;
  lineage: { id: number; label: string; status: 'continued' | 'born' | 'split' | 'merged'; from: number[]; similarity: number }[];
  died: { id: number; label: string }[];
}
interface Cluster {
  id: number;
  label: string;
  editor_label?: string;
  size: number;
}

/** Cuts date-ordered papers into nights: the first a bulk share, the rest equal, never splitting a year. */
function nightSlices(papers: Paper[]): Paper[][] {
  const slices: Paper[][] = [];
  let start = 0;
  for (let night = 1; night <= NIGHTS; night++) {
    const share = FIRST_NIGHT_SHARE + ((1 - FIRST_NIGHT_SHARE) * (night - 1)) / (NIGHTS - 1);
    let end = Math.round(share * papers.length);
    while (end < papers.length && end > 0 && papers[end]!.date === papers[end - 1]!.date) end++;
    slices.push(papers.slice(start, end));
    start = end;
  }
  return slices;
}

/** Share of tonight's topics that kept an id from last night (continued, or merged into a kept id). */
export function idPersistence(lineage: Lineage['lineage']): number {
  const kept = lineage.filter((e) => e.status === 'continued' || e.status === 'merged').length;
  return lineage.length === 0 ? 1 : kept / lineage.length;
}

/** Every id change explained: the violations, empty when the lineage accounts for all of them. */
export function lineageViolations(previousIds: number[], lin: Lineage): string[] {
  const out: string[] = [];
  const prev = new Set(previousIds);
  const tonight = new Set(lin.lineage.map((e) => e.id));
  for (const e of lin.lineage) {
    if (e.status === 'continued' && (e.from.length !== 1 || e.from[0] !== e.id)) out.push(`continued ${e.id} from ${e.from}`);
    if (e.status === 'merged' && (e.from[0] !== e.id || e.from.length < 2 || e.from.slice(1).some((f) => !prev.has(f) || tonight.has(f)))) out.push(`merged ${e.id} from ${e.from}`);
    if ((e.status === 'continued' || e.status === 'merged') && !prev.has(e.id)) out.push(`${e.status} ${e.id} was not a previous id`);
    if ((e.status === 'born' || e.status === 'split') && prev.has(e.id)) out.push(`${e.status} ${e.id} reuses a previous id`);
    if (e.status === 'born' && e.from.length !== 0) out.push(`born ${e.id} from ${e.from}`);
    if (e.status === 'split' && (e.from.length !== 1 || !prev.has(e.from[0]!))) out.push(`split ${e.id} from ${e.from}`);
  }
  const absorbed = new Set(lin.lineage.filter((e) => e.status === 'merged').flatMap((e) => e.from.slice(1)));
  const died = new Set(lin.died.map((d) => d.id));
  for (const id of prev) {
    const where = (tonight.has(id) ? 1 : 0) + (absorbed.has(id) ? 1 : 0) + (died.has(id) ? 1 : 0);
    if (where !== 1) out.push(`previous id ${id} is accounted for ${where} times`);
  }
  return out;
}

const read = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('ten nights on the default corpus', () => {
  let dir: string;
  let slices: Paper[][];
  const runs: RunResult[] = [];
  const lineages: Lineage[] = [];
  const clusters: Cluster[][] = [];
  const named = new Map<number, string>(); // editor names given after night 1
  const warmStarts: (string | null | undefined)[] = []; // the cluster artifact's warmStartFrom per night

  const configFor = (input: string, over: Record<string, unknown> = {}): Config =>
    resolveConfig({ input: [input], out: join(dir, 'out'), seed: 7, cluster: { k: K, nInit: 20 }, pca: { nComponents: 30 }, tokenize: { titleRepeat: 0 }, ...over });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-nightly-'));
    slices = nightSlices(loadSotuPapers().slice(0, PASSAGES));
    for (let night = 1; night <= NIGHTS; night++) {
      const file = join(dir, `night-${night}.jsonl`);
      // Input order shuffled (reversed) on purpose: the archive, not the file, sets the order.
      const rows = slices[night - 1]!.map((p) => JSON.stringify({ id: p.id, title: p.title, text: p.text, date: p.date })).reverse();
      writeFileSync(file, rows.join('\n') + '\n');
      const run = await runPipeline(configFor(file), { logger: silentLogger, runId: `night-${String(night).padStart(2, '0')}` });
      runs.push(run);
      lineages.push(read<Lineage>(join(run.runDir!, 'lineage.json')));
      clusters.push(read<{ clusters: Cluster[] }>(join(run.runDir!, 'clusters.json')).clusters);
      warmStarts.push(loadArtifact<ClusterOutput>(join(dir, 'out', 'stages', 'cluster')).warmStartFrom);
      if (night === 1) {
        // An editor names every topic of night 1 through the import API.
        const store = openStore(join(dir, 'out', 'archive.sqlite'));
        try {
          const rows = clusters[0]!.map((c, i) => ({ topicId: c.id, editorLabel: `Editor name ${c.id} <${c.label}>`, line: i + 2 }));
          const r = importLabels(store, rows, 'labels.csv');
          expect(r.set).toBe(rows.length);
          for (const row of rows) named.set(row.topicId, row.editorLabel);
        } finally {
          store.close();
        }
      }
    }
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes every night, in the archive and as latest', () => {
    expect(runs).toHaveLength(NIGHTS);
    const store = openStore(join(dir, 'out', 'archive.sqlite'));
    try {
      for (const run of runs) expect(store.getRun(run.runId)?.status).toBe('published');
      expect(store.lastPublishedRun()?.runId).toBe(runs[NIGHTS - 1]!.runId);
      expect(store.countPapers()).toBe(slices.flat().length);
    } finally {
      store.close();
    }
    expect(readlinkSync(join(dir, 'out', 'latest'))).toBe(join('runs', runs[NIGHTS - 1]!.runId));
    for (let i = 0; i < NIGHTS; i++) {
      const m = runs[i]!.manifest;
      expect(m.counts.read).toBe(m.counts.accepted + m.counts.duplicate + m.counts.rejected);
      expect(m.counts.accepted).toBe(slices[i]!.length);
      expect(m.archive?.inserted).toBe(slices[i]!.length); // every paper is new on its night
      expect(m.archive?.window).toBe(slices.slice(0, i + 1).flat().length); // window: all
      expect(clusters[i]).toHaveLength(K);
    }
  });

  it(`keeps ≥ ${MIN_PERSISTENCE * 100}% of topic ids from one night to the next, every night`, () => {
    expect(lineages[0]!.previous_run).toBeNull();
    expect(lineages[0]!.lineage.every((e) => e.status === 'born')).toBe(true);
    expect(lineages[0]!.lineage.map((e) => e.id).sort((a, b) => a - b)).toEqual([...Array(K).keys()]);
    const persistence = lineages.slice(1).map((l) => idPersistence(l.lineage));
    console.log(`id persistence per night: ${persistence.map((p) => p.toFixed(2)).join(' ')}`);
    for (const p of persistence) expect(p).toBeGreaterThanOrEqual(MIN_PERSISTENCE);
  });

  it('warm-starts k-means from the previous night (none on night 1)', () => {
    expect(warmStarts[0]).toBeNull();
    for (let i = 1; i < NIGHTS; i++) expect(warmStarts[i], `night ${i + 1}`).toBe(runs[i - 1]!.runId);
  });

  it('accounts for every id change in the lineage', () => {
    for (let i = 1; i < NIGHTS; i++) {
      expect(lineages[i]!.previous_run).toBe(runs[i - 1]!.runId);
      expect(lineageViolations(clusters[i - 1]!.map((c) => c.id), lineages[i]!), `night ${i + 1}`).toEqual([]);
      // The ids in the exports are the lineage's ids.
      expect(clusters[i]!.map((c) => c.id).sort((a, b) => a - b)).toEqual(lineages[i]!.lineage.map((e) => e.id).sort((a, b) => a - b));
    }
    // Ids are never reused: a new id is larger than every id seen before.
    const seen = new Set<number>();
    for (const l of lineages) {
      const max = Math.max(-1, ...seen);
      for (const e of l.lineage) if (e.status === 'born' || e.status === 'split') expect(e.id).toBeGreaterThan(max);
      for (const e of l.lineage) seen.add(e.id);
    }
  });

  it('still shows the names editors gave after night 1 on night 10', () => {
    const last = clusters[NIGHTS - 1]!;
    const survivors = last.filter((c) => named.has(c.id));
    expect(survivors.length).toBeGreaterThanOrEqual(Math.ceil(K * 0.5));
    const html = readFileSync(join(runs[NIGHTS - 1]!.runDir!, 'index.html'), 'utf8');
    const assignments = readFileSync(join(runs[NIGHTS - 1]!.runDir!, 'assignments.csv'), 'utf8');
    for (const c of survivors) {
      expect(c.editor_label).toBe(named.get(c.id));
      expect(html).toContain(named.get(c.id)!.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      expect(assignments).toContain(`,${c.id},${named.get(c.id)},`);
    }
    // Topics born later carry no editor name.
    for (const c of last.filter((x) => !named.has(x.id))) expect(c.editor_label).toBeUndefined();
  });

  it('flags the names of topics that died or merged away for review', () => {
    const store = openStore(join(dir, 'out', 'archive.sqlite'));
    try {
      const labels = store.editorLabels();
      const alive = new Set(clusters[NIGHTS - 1]!.map((c) => c.id));
      for (const [id, label] of labels) if (!alive.has(id)) expect(label.needsReview, `topic ${id}`).toBe(true);
    } finally {
      store.close();
    }
  });

  it('marks a failed night as failed and leaves latest and the matching base alone', async () => {
    const latest = readlinkSync(join(dir, 'out', 'latest'));
    await expect(runPipeline(configFor(join(dir, 'missing.jsonl')), { logger: silentLogger, runId: 'night-failed' })).rejects.toThrow(InputError);
    expect(readlinkSync(join(dir, 'out', 'latest'))).toBe(latest);
    const store = openStore(join(dir, 'out', 'archive.sqlite'));
    try {
      expect(store.getRun('night-failed')?.status).toBe('failed');
      expect(store.lastPublishedRun()?.runId).toBe(runs[NIGHTS - 1]!.runId);
    } finally {
      store.close();
    }
  }, 120_000);

  it('re-runs a night safely: same topics and ids, a new run folder, tokenize … cluster skipped', async () => {
    const file = join(dir, `night-${NIGHTS}.jsonl`);
    const again = await runPipeline(configFor(file), { logger: silentLogger, runId: `night-${NIGHTS}` });
    expect(again.runId).not.toBe(runs[NIGHTS - 1]!.runId); // the id was taken: a suffixed one
    expect(again.manifest.archive?.inserted).toBe(0);
    expect(again.manifest.archive?.unchanged).toBe(slices[NIGHTS - 1]!.length);
    const skipped = again.manifest.stages.filter((s) => s.skipped).map((s) => s.stage);
    // The last run is night 10 itself, fitted on the same papers: the warm start comes from
    // night 9 as on night 10, so the cluster artifact is still valid.
    expect(skipped).toEqual(['tokenize', 'vectorize', 'reduce', 'cluster', 'describe', 'trends']);
    expect(loadArtifact<ClusterOutput>(join(dir, 'out', 'stages', 'cluster')).warmStartFrom).toBe(runs[NIGHTS - 2]!.runId);
    const lin = read<Lineage>(join(again.runDir!, 'lineage.json'));
    expect(lin.lineage.every((e) => e.status === 'continued' && e.similarity === 1)).toBe(true);
    expect(readFileSync(join(again.runDir!, 'clusters.json'), 'utf8')).toBe(readFileSync(join(runs[NIGHTS - 1]!.runDir!, 'clusters.json'), 'utf8'));
  }, 120_000);

  it('publishes a night with an empty feed from the archive as it was', async () => {
    const file = join(dir, 'empty.jsonl');
    writeFileSync(file, '');
    const run = await runPipeline(configFor(file), { logger: silentLogger, runId: 'night-empty' });
    expect(run.manifest.counts).toEqual({ read: 0, accepted: 0, duplicate: 0, rejected: 0 });
    expect(run.manifest.archive?.window).toBe(slices.flat().length);
    expect(run.manifest.stages.filter((s) => !s.skipped).map((s) => s.stage)).toEqual(['ingest', 'track', 'report']);
    expect(readlinkSync(join(dir, 'out', 'latest'))).toBe(join('runs', run.runId));
  }, 120_000);
});
