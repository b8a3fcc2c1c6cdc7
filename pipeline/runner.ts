// The stage graph runner: runs stages in order, skips a stage whose input hash matches its
// artifact, records time and memory per stage, and publishes the run folder atomically.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './config.ts';
import { artifactExists, loadArtifact, saveArtifact } from './artifacts.ts';
import { ConfigError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { acquireLock } from './lock.ts';
import { publishRun, newRunId } from './publish.ts';
import { STAGE_NAMES, type Stage, type StageContext, type StageName, type StageTiming } from './stage.ts';
import { STAGES } from './stages/index.ts';
import { buildManifest, type Manifest } from './manifest.ts';

export interface RunOptions {
  /** Run only this stage (its inputs must have artifacts from an earlier run). */
  stage?: StageName;
  /** Re-run this stage and every later one; earlier ones come from their artifacts. */
  from?: StageName;
  logger?: Logger;
  /** Fixed run id (tests); default: the UTC time. */
  runId?: string;
}

export interface RunResult {
  runId: string;
  runDir: string | undefined; // the published run folder (undefined when the report stage did not run)
  reportPath: string | undefined;
  manifest: Manifest;
  timings: StageTiming[];
}

interface StageMeta {
  stage: StageName;
  version: string;
  hash: string;
  createdAt: string;
}

export async function runPipeline(config: Config, opts: RunOptions = {}): Promise<RunResult> {
  const log = opts.logger ?? createLogger();
  const out = resolve(config.out);
  mkdirSync(out, { recursive: true });
  const release = acquireLock(out);
  try {
    return await runLocked(config, opts, log, out);
  } finally {
    release();
  }
}

async function runLocked(config: Config, opts: RunOptions, log: Logger, out: string): Promise<RunResult> {
  for (const name of [opts.stage, opts.from]) {
    if (name && !STAGE_NAMES.includes(name)) {
      throw new ConfigError(`unknown stage "${name}"; stages are: ${STAGE_NAMES.join(', ')}`, 'stage');
    }
  }
  const runId = opts.runId ?? newRunId();
  const createdAt = new Date().toISOString();
  const stagingDir = join(out, 'runs', `.staging-${runId}`);
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
    input<T>(name: StageName): T {
      if (!values.has(name)) values.set(name, loadStage(out, STAGES[name]));
      return values.get(name) as T;
    },
  };

  const fromIndex = opts.from ? STAGE_NAMES.indexOf(opts.from) : -1;
  let reportRan = false;
  for (const name of STAGE_NAMES) {
    const stage = STAGES[name] as Stage;
    const index = STAGE_NAMES.indexOf(name);
    if (opts.stage && opts.stage !== name) {
      hashes[name] = readMeta(out, name)?.hash;
      continue;
    }
    const external = stage.externalInputs ? await stage.externalInputs(config) : undefined;
    if (external !== undefined) externalInputs[name] = external;
    const hash = stageHash(stage, config, hashes, external);
    hashes[name] = hash;
    const meta = readMeta(out, name);
    const forced = opts.stage === name || (fromIndex >= 0 && index >= fromIndex);
    const beforeFrom = fromIndex >= 0 && index < fromIndex;
    const cached = meta !== undefined && artifactExists(stageDir(out, name)) && (meta.hash === hash || beforeFrom);
    if (beforeFrom && !cached) {
      throw new ConfigError(`--from ${opts.from}: stage "${name}" has no artifact in ${stageDir(out, name)}; run the whole pipeline first`, 'from');
    }
    if (cached && !forced && !stage.alwaysRun) {
      hashes[name] = meta!.hash;
      timings.push({ stage: name, seconds: 0, peakRssMb: peakRssMb(), skipped: true });
      log.info(`${name}: unchanged, reusing ${stageDir(out, name)}`);
      log.event('stage', { stage: name, skipped: true });
      continue;
    }
    const started = performance.now();
    log.info(`${name}: running`);
    const value = await stage.run(ctx);
    values.set(name, value);
    if (!stage.alwaysRun) {
      const dir = stageDir(out, name);
      (stage.save ?? saveArtifact)(dir, value as never);
      writeFileSync(join(dir, 'meta.json'), JSON.stringify({ stage: name, version: stage.version, hash, createdAt } satisfies StageMeta, null, 2));
    }
    const seconds = (performance.now() - started) / 1000;
    timings.push({ stage: name, seconds, peakRssMb: peakRssMb(), skipped: false });
    log.info(`${name}: done in ${seconds.toFixed(2)} s`);
    log.event('stage', { stage: name, seconds: round3(seconds), peakRssMb: peakRssMb(), skipped: false });
    if (name === 'report') reportRan = true;
  }

  const manifest = buildManifest({ config, runId, createdAt, timings, hashes, externalInputs, ingest: ctx.input('ingest') });
  if (!reportRan) {
    return { runId, runDir: undefined, reportPath: undefined, manifest, timings };
  }
  writeFileSync(join(stagingDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  const runDir = publishRun(out, stagingDir, runId);
  return { runId, runDir, reportPath: join(runDir, 'index.html'), manifest, timings };
}

function stageDir(out: string, name: StageName): string {
  return join(out, 'stages', name);
}

function readMeta(out: string, name: StageName): StageMeta | undefined {
  const path = join(stageDir(out, name), 'meta.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StageMeta;
  } catch {
    return undefined; // a torn meta file means "not cached"
  }
}

function loadStage(out: string, stage: Stage): unknown {
  const dir = stageDir(out, stage.name);
  if (!artifactExists(dir)) {
    throw new ConfigError(`stage "${stage.name}" has no artifact in ${dir}; run the whole pipeline first`, 'stage');
  }
  return (stage.load ?? loadArtifact)(dir);
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
