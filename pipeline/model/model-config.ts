// Which part of the config shapes a stored model: when any of it changes, the model no longer
// describes what a fit would give and the night refits. The refit policy itself (config.model)
// is not part of it: tightening the policy must not throw the model away.
import { createHash } from 'node:crypto';
import { TOKENIZER_VERSION } from '../../analysis/text/tokenizer.ts';
import type { Config } from '../config.ts';
import { MODEL_FORMAT_VERSION } from './model-store.ts';

export function modelConfigHash(c: Config): string {
  const { k, kMin, kMax, nInit, maxIter } = c.cluster;
  const shape = {
    format: MODEL_FORMAT_VERSION,
    tokenizer: TOKENIZER_VERSION,
    tokenize: c.tokenize,
    tfidf: c.tfidf,
    pca: c.pca,
    cluster: { k, kMin, kMax, nInit, maxIter },
    seed: c.seed,
    window: c.archive.window,
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 32);
}
