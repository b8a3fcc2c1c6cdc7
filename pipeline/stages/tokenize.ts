// Stage 2: title + abstract → token ids (wink-nlp, stop words, lemmas, phrase boundaries).
import type { TokenizedCorpus } from '../../analysis/types.ts';
import { tokenizeCorpus, TOKENIZER_VERSION } from '../../analysis/text/tokenizer.ts';
import type { Config } from '../config.ts';
import type { Stage } from '../stage.ts';
import type { IngestOutput } from './ingest.ts';

export const tokenizeStage: Stage<TokenizedCorpus> = {
  name: 'tokenize',
  deps: ['ingest'],
  version: `1/${TOKENIZER_VERSION}`,
  configKey: (c: Config) => c.tokenize,
  run(ctx) {
    const { papers } = ctx.input<IngestOutput>('ingest');
    const t = ctx.config.tokenize;
    const corpus = tokenizeCorpus(papers, { titleRepeat: t.titleRepeat, extraStopWords: t.extraStopWords, maxChars: t.maxChars });
    ctx.log.info(`tokenize: ${papers.length} papers, ${corpus.tokenIds.length} tokens, ${corpus.terms.length} distinct terms`);
    return corpus;
  },
};
