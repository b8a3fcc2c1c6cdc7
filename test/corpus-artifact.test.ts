// The tokenize stage's artifact (pipeline/corpus-artifact.ts): the corpus with its surface forms
// flattened and no display list; read back it is the corpus again, and an artifact that stored
// the corpus whole (written before) still loads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import { ArtifactWriter } from '../pipeline/artifact-writer.ts';
import { saveArtifact } from '../pipeline/artifacts.ts';
import { corpusFromArtifact, corpusToArtifact } from '../pipeline/corpus-artifact.ts';
import { loadStageArtifact } from '../pipeline/runner.ts';
import { tokenizeStage } from '../pipeline/stages/tokenize.ts';
import { makeCorpus } from './helpers/corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'tt-corpus-artifact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Words written several ways ('Colour' / 'colour' / 'color', 'Models' / 'models') give terms
// with more than one form.
const docs = [
  ...makeCorpus(80, 3).map((r) => ({ title: r.title, text: r.abstract })),
  { title: 'Colour models', text: 'The colour of Models. COLOUR, color and colours of large-scale Large-Scale models.' },
];
const corpus = tokenizeCorpus(docs, { titleRepeat: 2 });

describe('tokenize artifact: flattened surface forms', () => {
  it('reads back as the corpus it was made from, through the stage', async () => {
    expect(corpus.variants!.some((v) => v.length > 1)).toBe(true);
    const writer = new ArtifactWriter();
    await writer.save(join(dir, 'flat'), tokenizeStage.toArtifact!(corpus));
    const json = JSON.parse(readFileSync(join(dir, 'flat', 'value.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(json)).not.toContain('display');
    expect(Object.keys(json)).not.toContain('variants');
    expect(loadStageArtifact(tokenizeStage, join(dir, 'flat'))).toEqual(corpus);
  });

  it('an artifact that stored the corpus whole loads as it is', () => {
    saveArtifact(join(dir, 'whole'), corpus);
    expect(loadStageArtifact(tokenizeStage, join(dir, 'whole'))).toEqual(corpus);
  });

  it('keeps a corpus whole when its display forms are not its first variants, or it has none', () => {
    const odd = { ...corpus, display: corpus.display.map((d, t) => (t === 0 ? `${d}x` : d)) };
    expect(corpusToArtifact(odd)).toBe(odd);
    const { variants: _v, tokenVariants: _tv, ...plain } = corpus;
    expect(corpusToArtifact(plain)).toBe(plain);
    expect(corpusFromArtifact(plain)).toBe(plain);
  });

  it('refuses form ranges that do not match the terms', () => {
    const stored = corpusToArtifact(corpus) as { variantEnds: Int32Array };
    expect(() => corpusFromArtifact({ ...stored, variantEnds: stored.variantEnds.subarray(1) })).toThrow(/form ranges/);
  });
});
