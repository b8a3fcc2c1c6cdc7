// What a stage is: a named job with declared inputs (other stages), the part of the config it
// reads, and a version. Its cache key is a hash of all of those, so changing one config key only
// re-runs the stages that read it and those downstream.
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

export const STAGE_NAMES = ['ingest', 'tokenize', 'vectorize', 'reduce', 'cluster', 'describe', 'trends', 'report'] as const;
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
}

export interface StageTiming {
  stage: StageName;
  seconds: number;
  peakRssMb: number; // process peak RSS at the end of the stage (monotone: a high-water mark)
  skipped: boolean;
}

export interface Stage<T = unknown> {
  name: StageName;
  deps: StageName[];
  /** Bump when the stage's output changes for the same inputs. */
  version: string;
  /** The config keys this stage reads (anything that changes its output). */
  configKey(config: Config): unknown;
  /** Extra input identity, e.g. hashes of input files (ingest). */
  externalInputs?(config: Config): Promise<unknown> | unknown;
  run(ctx: StageContext): Promise<T> | T;
  /** Custom persistence; the default stores the value with saveArtifact. */
  save?(dir: string, value: T): void;
  load?(dir: string): T;
  /** Stages that always run (the report publishes a new run folder each time). */
  alwaysRun?: boolean;
}
