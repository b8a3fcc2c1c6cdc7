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
  configKey: (c: Config) => ({ ...c.tokenize, titleRepeat: titleRepeat(c) }),
  run(ctx) {
    const { papers } = ctx.input<IngestOutput>('ingest');
    const t = ctx.config.tokenize;
    const corpus = tokenizeCorpus(papers, { titleRepeat: titleRepeat(ctx.config), extraStopWords: t.extraStopWords, maxChars: t.maxChars });
    ctx.log.info(`tokenize: ${papers.length} papers, ${corpus.tokenIds.length} tokens, ${corpus.terms.length} distinct terms`);
    return corpus;
  },
};

/**
 * The default corpus's titles ("Abraham Lincoln, 1862 State of the Union (passage 3)") are made
 * by us, not written by an author: tokenized, they would cluster passages by president instead
 * of by subject. They stay in the report as titles.
 */
function titleRepeat(c: Config): number {
  return c.input.length === 0 ? 0 : c.tokenize.titleRepeat;
}
