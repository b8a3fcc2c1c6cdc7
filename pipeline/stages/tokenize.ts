// Stage 2: title + abstract → token ids (analysis/text/tokenizer.ts: stop words, plural-folded
// term keys, phrase boundaries).
// Papers already tokenized on an earlier night come from the per-paper token cache
// (pipeline/token-cache.ts, <out>/cache/tokens.sqlite); only new or changed papers are tokenized,
// over the shared worker pool when there are many of them.
import { type DocText, TOKENIZER_VERSION } from '../../analysis/text/tokenizer.ts';
import { lexiconLoaded, lexiconLookup, nlp } from '../../analysis/text/wink.ts';
import type { Config } from '../config.ts';
import { foldInPossible } from '../model/night-plan.ts';
import { corpusFromArtifact, corpusToArtifact } from '../corpus-artifact.ts';
import { isRecordCorpus, recordsFromArtifact, recordsToArtifact, sourceTokens, type StoredRecordCorpus, type TokenSource } from '../record-corpus.ts';
import type { Stage } from '../stage.ts';
import { memoryTokenStore, openTokenStore, type TokenStore, tokenizeToSource } from '../token-cache.ts';
import { type PrefetchedTokenRows, prefetchTokenRows } from '../token-cache-prefetch.ts';
import { renewSharedWorkerPool, sharedWorkerPool, sharedWorkerPoolWarm, startSharedWorkerPool } from '../workers/shared-pool.ts';
import type { Paper } from '../paper.ts';
import type { Store } from '../store/store.ts';
import type { IngestOutput } from './ingest.ts';

export const tokenizeStage: Stage<TokenSource> = {
  name: 'tokenize',
  deps: ['ingest'],
  version: `1/${TOKENIZER_VERSION}`,
  configKey: (c: Config) => ({ ...c.tokenize, titleRepeat: titleRepeat(c) }),
  // While ingest waits for its archive writer: the worker threads start, and wink's model and
  // lexicon load in this thread (~0.15–0.25 s, which tokenizing here needs first thing). The
  // workers first, so that they load meanwhile: started after wink (as before), they were not
  // ready when tokenize began, and this thread waited ~0.15 s for them on 20 Newsgroups. They
  // load wink too before their first job (warm), instead of on their first unit.
  warmUp(config) {
    startSharedWorkerPool(config.workers, ['tokenizer']);
    nlp();
    lexiconLookup();
  },
  // A corpus is written with its surface forms flattened (corpus-artifact.ts): less JSON to encode
  // each run. Records (a night's window, mostly from the token cache) are written as they are.
  toArtifact: (source) => (isRecordCorpus(source) ? recordsToArtifact(source) : corpusToArtifact(source)),
  fromArtifact: (stored) => ((stored as Partial<StoredRecordCorpus>).kind === 'records' ? recordsFromArtifact(stored as StoredRecordCorpus) : corpusFromArtifact(stored)),
  // The cache's rows are read beside ingest (token-cache-prefetch.ts): a night over 1M papers
  // spent ~10 s reading them on this thread after ingest.
  prefetch: (config) => prefetchTokenRows(config.out),
  async run(ctx) {
    const ingest = ctx.input<IngestOutput>('ingest');
    const { papers } = ingest;
    const t = ctx.config.tokenize;
    let store: TokenStore;
    try {
      store = openTokenStore(ctx.config.out);
    } catch (e) {
      ctx.log.warn(`tokenize: token cache unavailable, tokenizing everything: ${(e as Error).message}`);
      store = memoryTokenStore();
    }
    let closeLater = false;
    try {
      // Not kept in a variable here: the store drops the rows once get() has used them.
      if (ctx.takePrefetched) store.adopt?.((await ctx.takePrefetched()) as PrefetchedTokenRows | undefined);
      const opts = { titleRepeat: titleRepeat(ctx.config), extraStopWords: t.extraStopWords, maxChars: t.maxChars };
      const { corpus, cached, tokenized, cacheError, finishing } = await tokenizeToSource(papers, opts, store, {
        // Warmed: its workers load wink while this thread reads the cache, and then tokenize
        // tonight's new papers however few (poolWarm): this thread loads no wink for them. On a night
        // of 300 new papers over the 74k arXiv archive, tokenize took 2.40-2.66 s against
        // 3.07-3.32 s tokenizing them here, and the night 10.4-11.7 s against 11.0-13.0 s (4
        // alternating pairs, same outputs). The pool is renewed below, as after any tokenizing.
        pool: () => sharedWorkerPool(ctx.config.workers, ['tokenizer']),
        poolWarm: () => sharedWorkerPoolWarm().includes('tokenizer'),
        // On a night this thread has not loaded wink (a first night loads it while ingest waits):
        // a few thousand new papers go to a warm worker rather than make it load (~0.5 s).
        callerWarm: lexiconLoaded,
        // The tokenizing workers go (their heaps hold wink and its garbage), and fresh ones start
        // at once for vectorize: they load while this thread assembles the corpus alone (~1.5 s
        // on arXiv), instead of while vectorize waits for its first parallel pass. Not awaited:
        // the old threads end on their own (retireSharedWorkerPool reports no failure).
        afterParallel: async () => {
          void renewSharedWorkerPool(ctx.config.workers);
        },
        ...(ingest.textHeadChars !== undefined ? { wholeTexts: (which: readonly number[]) => wholeTexts(ctx.store, papers, which) } : {}),
        // The new records' write (a helper thread's) goes on while the next stages run; the store
        // closes when it is done, and the run waits for it before it is published.
        finishLater: ctx.finishLater !== undefined,
        // The records are handed on as they are only when vectorize may fold in: a night that will
        // refit assembles the whole window anyway, and does it here, as a first night does (two
        // forced refits of the 1M night were 1.8 and 5.1 s slower with it in vectorize).
      }, foldInPossible(ctx.config));
      if (finishing) {
        closeLater = true;
        const log = ctx.log;
        const warned = finishing.then((error) => {
          if (error) log.warn(`tokenize: could not write the token cache: ${error}`);
        });
        ctx.finishLater!(warned.finally(() => store.close()));
      }
      // Workers that loaded wink (they tokenized a few new papers, or none: all came from the
      // token cache) would keep its model through the run: they are replaced too. (A renewed
      // pool is not warmed, so this finds nothing after afterParallel.)
      if (sharedWorkerPoolWarm().includes('tokenizer')) void renewSharedWorkerPool(ctx.config.workers);
      if (cacheError) ctx.log.warn(`tokenize: could not write the token cache: ${cacheError}`);
      ctx.log.info(
        `tokenize: ${papers.length} papers (${cached} from the token cache, ${tokenized} tokenized), ${sourceTokens(corpus)} tokens, ` +
          (isRecordCorpus(corpus) ? 'assembled where needed' : `${corpus.terms.length} distinct terms`),
      );
      return corpus;
    } finally {
      if (!closeLater) store.close();
    }
  },
};

/**
 * The whole title and text of papers `which` from the archive (ingest handed on only their
 * fallback texts), checked against the text hash ingest read with them.
 */
function wholeTexts(store: Store, papers: readonly Paper[], which: readonly number[]): DocText[] {
  const texts = store.textsOf([...new Set(which.map((i) => papers[i]!.id))]);
  return which.map((i) => {
    const p = papers[i]!;
    const t = texts.get(p.id);
    if (t === undefined || t.textHash !== p.textHash) {
      throw new Error(`tokenize: the archive ${store.path} no longer holds the text of paper ${p.id} that ingest read; run again from ingest`);
    }
    return { title: t.title, text: t.text, textHash: t.textHash };
  });
}

/**
 * The default corpus's titles ("Abraham Lincoln, 1862 State of the Union (passage 3)") are made
 * by us, not written by an author: tokenized, they would cluster passages by president instead
 * of by subject. They stay in the report as titles.
 */
function titleRepeat(c: Config): number {
  return c.input.length === 0 ? 0 : c.tokenize.titleRepeat;
}
