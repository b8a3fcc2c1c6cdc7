// The stage graph runner: runs stages in order, skips a stage whose input hash matches its
// artifact, records time and memory per stage, and publishes the run folder atomically.
//
// The paper archive (pipeline/store) outlives runs. A publishing run is recorded in it as
// 'running' at the start; only after its folder has been renamed into place are its topics,
// assignment, next topic id and label flags written and the run marked 'published', in one
// transaction. A run that fails is marked 'failed' and `latest` stays where it was; a crash
// between the rename and that transaction leaves the archive's last published run unchanged,
// so the next night matches against the older run, which is still correct.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './config.ts';
import { ArtifactWriter } from './artifact-writer.ts';
import { artifactExists, loadArtifact } from './artifacts.ts';
import { ConfigError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import type { Progress } from './progress.ts';
import { acquireLock } from './lock.ts';
import { publishRun, newRunId } from './publish.ts';
import { type KnownInputs, type Prefetch, STAGE_NAMES, type Stage, type StageContext, type StageName, type StageTiming } from './stage.ts';
import { STAGES } from './stages/index.ts';
import { buildManifest, type Manifest } from './manifest.ts';
import { openArchive } from './store/open-archive.ts';
import { recordPublishedRun } from './store/record-run.ts';
import type { Store } from './store/store.ts';
import type { ArchiveSummary, IngestOutput } from './stages/ingest.ts';
import type { TrackOutput } from './stages/track.ts';
import type { ClusterOutput } from './stages/cluster.ts';
import type { ReduceOutput } from './stages/reduce.ts';
import type { NightPlan } from './model/night-plan.ts';

export interface RunOptions {
  /** Run only this stage (its inputs must have artifacts from an earlier run). */
  stage?: StageName;
  /** Re-run this stage and every later one; earlier ones come from their artifacts. */
  from?: StageName;
  logger?: Logger;
  /** Fixed run id (tests); default: the UTC time. */
  runId?: string;
  /** A live line per stage on a terminal (see pipeline/progress.ts); absent: none. */
  progress?: Progress;
  /** Fail the run if a stage's arrays change after its artifact was saved (tests; see pipeline/artifact-writer.ts). */
  checkArtifacts?: boolean;
}

/** manifest.json as the runner writes it: the common manifest plus the archive's view. */
export interface RunManifest extends Manifest {
  archive?: ArchiveSummary;
  topics?: { previousRun: string | null; continued: number; merged: number; split: number; born: number; died: number };
  /** Set when reduce ran this run and fitted its basis on a sample of the papers (pca.fitSampleSize). */
  pcaFitSample?: { rows: number; of: number };
  /** Whether tonight refitted the model or folded new papers into the stored one, and why. */
  model?: Pick<NightPlan, 'mode' | 'reason' | 'added' | 'dropped' | 'fitPapers' | 'capturedRatio'>;
}

export interface RunResult {
  runId: string;
  runDir: string | undefined; // the published run folder (undefined when the report stage did not run)
  reportPath: string | undefined;
  manifest: RunManifest;
  timings: StageTiming[];
}

interface StageMeta {
  stage: StageName;
  version: string;
  hash: string; // of the stage's inputs: config slice, deps' hashes, external inputs
  contentHash?: string; // of its output, for stages that define one (what later stages key on)
  createdAt: string;
  artifactId: string; // matches <stage dir>/artifact.id when this meta describes the files there
}

/** The hash later stages key their caches on. */
function outputHash(meta: StageMeta | undefined): string | undefined {
  return meta?.contentHash ?? meta?.hash;
}

export async function runPipeline(config: Config, opts: RunOptions = {}): Promise<RunResult> {
  const log = opts.logger ?? createLogger();
  const out = resolve(config.out);
  mkdirSync(out, { recursive: true });
  for (const name of [opts.stage, opts.from]) {
    if (name && !STAGE_NAMES.includes(name)) {
      throw new ConfigError(`unknown stage "${name}"; stages are: ${STAGE_NAMES.join(', ')}`, 'stage');
    }
  }
  const release = acquireLock(out);
  try {
    const store = openArchive(config);
    try {
      return await runWithArchive(config, opts, log, out, store);
    } finally {
      store.close();
    }
  } finally {
    release();
  }
}

async function runWithArchive(config: Config, opts: RunOptions, log: Logger, out: string, store: Store): Promise<RunResult> {
  // A run id names one run folder and one archive record: re-running a night gets a new one.
  const baseId = opts.runId ?? newRunId();
  let runId = baseId;
  for (let n = 2; store.getRun(runId) || existsSync(join(out, 'runs', runId)); n++) runId = `${baseId}-${n}`;
  const publishes = opts.stage === undefined || opts.stage === 'report';
  if (publishes) store.beginRun(runId, JSON.stringify(config));
  const stagingDir = join(out, 'runs', `.staging-${runId}`);
  try {
    return await runLocked(config, opts, log, out, store, runId, stagingDir);
  } catch (err) {
    rmSync(stagingDir, { recursive: true, force: true });
    if (publishes && store.getRun(runId)?.status === 'running') {
      try {
        store.finishRun(runId, { status: 'failed' });
      } catch (inner) {
        log.warn(`could not mark run ${runId} as failed in the archive: ${(inner as Error).message}`);
      }
    }
    throw err;
  }
}

async function runLocked(config: Config, opts: RunOptions, log: Logger, out: string, store: Store, runId: string, stagingDir: string): Promise<RunResult> {
  // Whatever happens, no artifact is left half-written behind the lock's back.
  const writer = new ArtifactWriter({ checkUnchanged: opts.checkArtifacts === true });
  const prefetches = startPrefetches(config, opts);
  const unfinished: Promise<void>[] = []; // StageContext.finishLater
  try {
    return await runStages(config, opts, log, out, store, runId, stagingDir, writer, prefetches, unfinished);
  } finally {
    for (const p of prefetches.values()) p.cancel();
    await Promise.allSettled(unfinished);
    await writer.close();
  }
}

/** The stages' prefetches (Stage.prefetch), in whole runs only: under --stage or --from a stage may not run at all. */
function startPrefetches(config: Config, opts: RunOptions): Map<StageName, Prefetch> {
  const started = new Map<StageName, Prefetch>();
  if (opts.stage || opts.from) return started;
  for (const name of STAGE_NAMES) {
    const p = (STAGES[name] as Stage).prefetch?.(config);
    if (p) started.set(name, p);
  }
  return started;
}

async function runStages(
  config: Config,
  opts: RunOptions,
  log: Logger,
  out: string,
  store: Store,
  runId: string,
  stagingDir: string,
  writer: ArtifactWriter,
  prefetches: Map<StageName, Prefetch>,
  unfinished: Promise<void>[],
): Promise<RunResult> {
  const createdAt = new Date().toISOString();
  mkdirSync(stagingDir, { recursive: true });

  const values = new Map<StageName, unknown>();
  const hashes: Partial<Record<StageName, string>> = {};
  const timings: StageTiming[] = [];
  const externalInputs: Partial<Record<StageName, unknown>> = {};
  const ctx: StageContext = {
    config,
    log,
    runDir: stagingDir,
    hashes,
    runId,
    createdAt,
    timings,
    store,
    finishLater(work: Promise<void>): void {
      work.catch(() => undefined); // awaited before the run is published; an early failure is not unhandled
      unfinished.push(work);
    },
    input<T>(name: StageName): T {
      if (!values.has(name)) {
        // A value dropped as unneeded is read back from its artifact: correct, but slow, so say so.
        if (dropped.has(name)) log.warn(`${name}: its output was released but is read again; add it to LATER_READS in pipeline/runner.ts`);
        if (writer.pending(stageDir(out, name))) throw new Error(`${name}: its output was released and its artifact is still being written`);
        values.set(name, loadStage(out, STAGES[name], store));
      }
      return values.get(name) as T;
    },
  };
  const progress = opts.progress;
  if (progress) ctx.progress = (done, total) => progress.update(done, total);
  let running = -1; // index of the stage running now
  let warmedUp = false;
  if (!opts.stage) {
    ctx.whileWaiting = () => {
      if (warmedUp) return;
      warmedUp = true;
      for (const later of STAGE_NAMES.slice(running + 1)) (STAGES[later] as Stage).warmUp?.(config);
    };
  }
  const dropped = new Set<StageName>();
  const saves: Promise<void>[] = [];
  // Memory: once the last stage that reads a value is done, the value goes (it stays on disk as
  // the stage's artifact); a value whose later readers need only part of it is slimmed.
  const release = (done: StageName) => {
    for (const name of [...values.keys()]) {
      if (lastReader(name) === done) {
        values.delete(name);
        dropped.add(name);
        continue;
      }
      const slim = (STAGES[name] as Stage).slim;
      if (slim?.after === done) values.set(name, slim.apply(values.get(name) as never));
    }
  };

  // Ingest's window as the stages' external inputs would otherwise read it from the archive (see
  // KnownInputs). Only while ingest's output is in memory: a run that skipped ingest (--stage,
  // --from) has the archive read, as before.
  let windowIds: readonly string[] | undefined;
  const known: KnownInputs = {
    windowPaperIds() {
      if (windowIds === undefined && values.has('ingest')) windowIds = (values.get('ingest') as IngestOutput).papers.map((p) => p.id);
      return windowIds;
    },
  };

  const fromIndex = opts.from ? STAGE_NAMES.indexOf(opts.from) : -1;
  let reportRan = false;
  let pcaFitSample: RunManifest['pcaFitSample'];
  for (const name of STAGE_NAMES) {
    const stage = STAGES[name] as Stage;
    const index = STAGE_NAMES.indexOf(name);
    if (opts.stage && opts.stage !== name) {
      hashes[name] = outputHash(readMeta(out, name));
      release(name);
      continue;
    }
    const forced = opts.stage === name || (fromIndex >= 0 && index >= fromIndex);
    const beforeFrom = fromIndex >= 0 && index < fromIndex;
    // A stage that always runs (and is not taken from its artifact before --from) needs its input
    // hash only for the meta written after it ran: its external inputs (ingest: the sha256 of every
    // input file, ~0.3 s on arXiv) are worked out while it runs instead of before.
    const overlapped = stage.alwaysRun === true && !beforeFrom && stage.externalInputs !== undefined;
    const pendingExternal = overlapped ? Promise.resolve(stage.externalInputs!(config, known)) : undefined;
    pendingExternal?.catch(() => undefined); // awaited below; an early failure is not unhandled
    const external = overlapped ? undefined : stage.externalInputs ? await stage.externalInputs(config, known) : undefined;
    if (external !== undefined) externalInputs[name] = external;
    let hash = stageHash(stage, config, hashes, external);
    hashes[name] = hash;
    const meta = readMeta(out, name);
    const cached = meta !== undefined && artifactExists(stageDir(out, name)) && (meta.hash === hash || beforeFrom);
    if (beforeFrom && !cached) {
      throw new ConfigError(`--from ${opts.from}: stage "${name}" has no artifact in ${stageDir(out, name)}; run the whole pipeline first`, 'from');
    }
    // Stages that always run (ingest, track, report) are still taken from their artifact before
    // --from, so that the later stages see the inputs the artifacts were made from.
    // A prefetch goes with its stage: handed to it, or dropped when the stage is skipped.
    const prefetch = prefetches.get(name);
    prefetches.delete(name);
    if (cached && !forced && (!stage.alwaysRun || beforeFrom)) {
      prefetch?.cancel();
      hashes[name] = outputHash(meta)!;
      timings.push({ stage: name, seconds: 0, peakRssMb: peakRssMb(), skipped: true });
      log.info(`${name}: unchanged, reusing ${stageDir(out, name)}`);
      log.event('stage', { stage: name, seconds: 0, peakRssMb: peakRssMb(), skipped: true });
      release(name);
      continue;
    }
    await writer.catchUp();
    running = index;
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    log.info(`${name}: running`);
    progress?.begin(name);
    let value: unknown;
    if (prefetch) ctx.takePrefetched = () => prefetch.take();
    try {
      value = await stage.run(ctx);
    } catch (err) {
      progress?.end(name, 'failed'); // erase the live line before the error is printed
      // Worked out first, the external inputs would have failed before the stage started.
      if (pendingExternal) await pendingExternal;
      throw err;
    }
    if (pendingExternal) {
      const late = await pendingExternal;
      if (late !== undefined) externalInputs[name] = late;
      hash = stageHash(stage, config, hashes, late);
      hashes[name] = hash;
    }
    ctx.takePrefetched = undefined;
    prefetch?.cancel(); // a stage that did not use it
    progress?.end(name, 'done');
    values.set(name, value);
    if (name === 'reduce') pcaFitSample = (value as ReduceOutput).fitSample;
    const contentHash = stage.contentHash?.(value as never);
    if (contentHash !== undefined) hashes[name] = contentHash;
    // Every stage keeps an artifact, so --stage / --from can start from any of them.
    const dir = stageDir(out, name);
    // A kill while the artifact is being replaced must not leave an old meta.json vouching for
    // new (or half-written) files: the meta goes first, and the new one names the artifact it
    // describes by a fresh id written after the artifact is complete.
    rmSync(join(dir, 'meta.json'), { force: true });
    const artifactId = randomUUID();
    const newMeta: StageMeta = { stage: name, version: stage.version, hash, ...(contentHash !== undefined ? { contentHash } : {}), createdAt, artifactId };
    if (stage.save) {
      stage.save(dir, value as never);
      writeFileSync(join(dir, ARTIFACT_ID_FILE), artifactId);
      writeFileAtomic(join(dir, 'meta.json'), JSON.stringify(newMeta, null, 2));
    } else {
      // Written by a helper thread while the next stage runs (pipeline/artifact-writer.ts).
      saves.push(writer.save(dir, stage.toArtifact ? stage.toArtifact(value as never) : value, [{ path: join(dir, ARTIFACT_ID_FILE), text: artifactId }, { path: join(dir, 'meta.json'), text: JSON.stringify(newMeta, null, 2) }]));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = round3((cpu.user + cpu.system) / 1e6);
    timings.push({ stage: name, seconds, peakRssMb: peakRssMb(), skipped: false, cpuSeconds });
    log.info(`${name}: done in ${seconds.toFixed(2)} s`);
    log.event('stage', { stage: name, seconds: round3(seconds), cpuSeconds, peakRssMb: peakRssMb(), skipped: false });
    if (name === 'report') reportRan = true;
    release(name);
  }

  // Every stage's artifact is on disk before the run is published (a failed write fails the run),
  // and the work stages left running is done.
  await Promise.all([...saves, ...unfinished]);
  const ingest = ctx.input<IngestOutput>('ingest');
  const manifest: RunManifest = buildManifest({ config, runId, createdAt, timings, hashes, externalInputs, ingest });
  if (ingest.archive) manifest.archive = ingest.archive;
  if (pcaFitSample) manifest.pcaFitSample = pcaFitSample;
  if (!reportRan) {
    rmSync(stagingDir, { recursive: true, force: true });
    return { runId, runDir: undefined, reportPath: undefined, manifest, timings };
  }
  const track = ctx.input<TrackOutput>('track');
  const count = (s: string) => track.lineage.filter((e) => e.status === s).length;
  manifest.topics = { previousRun: track.previousRun, continued: count('continued'), merged: count('merged'), split: count('split'), born: count('born'), died: track.died.length };
  const night = ctx.input<ClusterOutput>('cluster').night;
  if (night) {
    manifest.model = { mode: night.mode, reason: night.reason, added: night.added, dropped: night.dropped, fitPapers: night.fitPapers };
    if (night.capturedRatio !== undefined) manifest.model.capturedRatio = night.capturedRatio;
  }
  writeFileSync(join(stagingDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  const runDir = publishRun(out, stagingDir, runId);
  // Only now does the archive learn of the run (see the note at the top).
  recordPublishedRun(store, {
    runId,
    runDir,
    ingest,
    cluster: ctx.input('cluster'),
    describe: ctx.input('describe'),
    trends: ctx.input('trends'),
    track,
  });
  log.info(`published ${runDir}`);
  return { runId, runDir, reportPath: join(runDir, 'index.html'), manifest, timings };
}

/**
 * Upstream outputs a stage reads with ctx.input beyond its declared deps (deps are its cache key;
 * these are read for ids, dates or counts that the key already covers through other deps).
 * 'end' is the runner itself, which writes the manifest and records the run in the archive.
 */
const LATER_READS: Partial<Record<StageName | 'end', StageName[]>> = {
  cluster: ['ingest'],
  end: ['ingest', 'cluster', 'describe', 'trends', 'track'],
};

/**
 * The last stage (in run order) that reads `name`'s output; 'end' when the runner needs it; the
 * stage itself when nothing reads it (the report).
 */
export function lastReader(name: StageName): StageName | 'end' {
  if (LATER_READS.end?.includes(name)) return 'end';
  let last: StageName | undefined;
  for (const s of STAGE_NAMES) {
    if ((STAGES[s] as Stage).deps.includes(name) || LATER_READS[s]?.includes(name)) last = s;
  }
  return last ?? name;
}

function stageDir(out: string, name: StageName): string {
  return join(out, 'stages', name);
}

const ARTIFACT_ID_FILE = 'artifact.id';

/** The stage's meta, only when it describes the artifact on disk (else: not cached). */
function readMeta(out: string, name: StageName): StageMeta | undefined {
  const dir = stageDir(out, name);
  const path = join(dir, 'meta.json');
  if (!existsSync(path)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(path, 'utf8')) as StageMeta;
    const id = readFileSync(join(dir, ARTIFACT_ID_FILE), 'utf8');
    return meta.artifactId === id ? meta : undefined;
  } catch {
    return undefined; // a torn meta file or a missing artifact id means "not cached"
  }
}

function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function loadStage(out: string, stage: Stage, store: Store): unknown {
  const dir = stageDir(out, stage.name);
  if (!artifactExists(dir)) {
    throw new ConfigError(`stage "${stage.name}" has no artifact in ${dir}; run the whole pipeline first`, 'stage');
  }
  return loadStageArtifact(stage, dir, store);
}

/** A stage's output read back from its artifact in `dir` (Stage.load, else the default persistence). */
export function loadStageArtifact(stage: Stage, dir: string, store?: Store): unknown {
  if (stage.load) return stage.load(dir, store);
  const stored = loadArtifact(dir);
  return stage.fromArtifact ? stage.fromArtifact(stored) : stored;
}

function stageHash(stage: Stage, config: Config, hashes: Partial<Record<StageName, string>>, external: unknown): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ stage: stage.name, version: stage.version, config: stage.configKey(config) ?? null, external: external ?? null }));
  for (const dep of stage.deps) h.update(`${dep}:${hashes[dep] ?? 'none'}`);
  return h.digest('hex');
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
