// The stage graph, in run order.
import type { Stage, StageName } from '../stage.ts';
import { clusterStage } from './cluster.ts';
import { describeStage } from './describe.ts';
import { ingestStage } from './ingest.ts';
import { reduceStage } from './reduce.ts';
import { reportStage } from './report.ts';
import { tokenizeStage } from './tokenize.ts';
import { trackStage } from './track.ts';
import { trendsStage } from './trends.ts';
import { vectorizeStage } from './vectorize.ts';

export const STAGES: Record<StageName, Stage<never>> = {
  ingest: ingestStage as Stage<never>,
  tokenize: tokenizeStage as Stage<never>,
  vectorize: vectorizeStage as Stage<never>,
  reduce: reduceStage as Stage<never>,
  cluster: clusterStage as Stage<never>,
  describe: describeStage as Stage<never>,
  track: trackStage as Stage<never>,
  trends: trendsStage as Stage<never>,
  report: reportStage as Stage<never>,
};
