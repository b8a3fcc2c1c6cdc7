// What a stage is: a named job with declared inputs (other stages), the part of the config it
// reads, and a version. Its cache key is a hash of all of those, so changing one config key only
// re-runs the stages that read it and those downstream.
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/store.ts';

export const STAGE_NAMES = ['ingest', 'tokenize', 'vectorize', 'reduce', 'cluster', 'describe', 'track', 'trends', 'report'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface StageContext {
  config: Config;
  log: Logger;
  /** Output of an upstream stage (run now, or loaded from its artifact). */
  input<T>(stage: StageName): T;
  /** The folder the run is being assembled in (published atomically at the end). */
  runDir: string;
  /** Hash of this stage's inputs, as recorded in its artifact. */
  hashes: Partial<Record<StageName, string>>;
  runId: string;
  createdAt: string;
  timings: StageTiming[];
  /** The paper archive (open for the whole run). */
  store: Store;
  /**
   * Reports how far the stage has got (items done, and the total when known), for the progress
   * line on a terminal. Optional: absent when nobody watches; cheap enough to call per item.
   */
  progress?(done: number, total?: number): void;
  /**
   * A stage about to wait for another thread with nothing to do on this one calls this: the
   * runner uses the pause for the warm-ups of the stages after it (Stage.warmUp), once per run.
   */
  whileWaiting?(): void;
  /**
   * What this stage's prefetch (Stage.prefetch) read, when the runner started one (Prefetch.take).
   * The stage must give the same output without it (absent, or a result of undefined).
   */
  takePrefetched?(): Promise<unknown>;
  /**
   * Work the stage leaves running when it returns, whose result no later stage reads (the token
   * cache's write): the runner waits for it before it publishes the run (a rejection fails the
   * run), and before it releases the out folder's lock whatever happens.
   */
  finishLater?(work: Promise<void>): void;
}

/** Reading started ahead of a stage (Stage.prefetch). */
export interface Prefetch {
  /**
   * Waits for the reading and hands over what it read (undefined when there was nothing to read,
   * or it failed: never rejects), keeping no reference to it: the taker decides how long it lives.
   */
  take(): Promise<unknown>;
  /** Stops the reading (or drops what it read); safe to call at any time, more than once. */
  cancel(): void;
}

export interface StageTiming {
  stage: StageName;
  seconds: number;
  peakRssMb: number; // process peak RSS at the end of the stage (monotone: a high-water mark)
  skipped: boolean;
  /** CPU seconds (user + system, all threads) the stage took: on a shared machine, steadier than wall time. */
  cpuSeconds?: number;
}

/**
 * What the runner can tell a stage's externalInputs without reading the archive again. Vectorize
 * and cluster key on the archive window's paper ids: read back from the archive, 1M ids took
 * ~0.3 s (and as much again in garbage collection) each time, on a night whose ingest had just
 * put the same window in memory.
 */
export interface KnownInputs {
  /** Ids of the archive window's papers (ingest's output, in its order), when that output is in memory; undefined otherwise (then read the archive). */
  windowPaperIds(): readonly string[] | undefined;
}

export interface Stage<T = unknown> {
  name: StageName;
  deps: StageName[];
  /** Bump when the stage's output changes for the same inputs. */
  version: string;
  /** The config keys this stage reads (anything that changes its output). */
  configKey(config: Config): unknown;
  /**
   * Extra input identity, e.g. hashes of input files (ingest). `known` offers what this run has
   * already worked out (see KnownInputs), so that the stage need not read it again.
   */
  externalInputs?(config: Config, known?: KnownInputs): Promise<unknown> | unknown;
  /**
   * Computes the output. Its typed arrays, and those of every input it reads, must never be
   * changed afterwards: the default persistence writes them in the background while later stages
   * run (pipeline/artifact-writer.ts; RunOptions.checkArtifacts verifies it in tests).
   */
  run(ctx: StageContext): Promise<T> | T;
  /**
   * What the default persistence (ArtifactWriter.save) writes instead of the output itself, when
   * another form is cheaper to encode; fromArtifact turns it back into the output.
   */
  toArtifact?(value: T): unknown;
  /** The output from what toArtifact gave (or from an artifact written before it existed). */
  fromArtifact?(stored: unknown): T;
  /** Custom persistence (written before the next stage starts); the default is ArtifactWriter.save. */
  save?(dir: string, value: T): void;
  /** Reads the artifact back; `store` is the run's archive (for artifacts that point into it). */
  load?(dir: string, store?: Store): T;
  /**
   * A lighter form of the output, applied in place once the stage named `after` has run (the
   * last one that needs all of it), so a long run does not hold what no later stage reads.
   */
  slim?: { after: StageName; apply(value: T): T };
  /**
   * Stages that always run: the report (it publishes a new run folder each time), and stages
   * whose output depends on the archive rather than only on their inputs (ingest, track). They
   * still save an artifact (for --stage / --from), except the report. Under --from / --stage they
   * are loaded from that artifact like any other earlier stage.
   */
  alwaysRun?: boolean;
  /**
   * Identity of the output, used instead of the input hash in the cache keys of later stages.
   * For a stage whose output is not a function of its config and deps (ingest reads the
   * archive), this is what lets a night with an unchanged window skip tokenize … cluster, and a
   * night with new papers re-run them.
   */
  contentHash?(value: T): string;
  /**
   * Work the stage can do ahead of time on this thread (loading a model), run while an earlier
   * stage waits (StageContext.whileWaiting). It must not change the stage's output; the stage
   * still works without it (a --stage or --from run may never call it).
   */
  warmUp?(config: Config): void;
  /**
   * Reading the stage can start, in another thread, at the beginning of a whole run, because what
   * it reads does not depend on the stages before it (tokenize: the token cache's rows, read while
   * ingest reads the archive window). The runner hands it to run() (ctx.takePrefetched), and cancels
   * it when the stage is skipped or the run ends first. It must not change the stage's output.
   */
  prefetch?(config: Config): Prefetch | undefined;
}
