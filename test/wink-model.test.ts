// The English model read by wink-model.ts must be the package's own, field by field: wink
// tokenizes from it, and every tokenizer test compares against wink as loaded from it.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { readCoreModel, winkEnglishModel } from '../analysis/text/wink-model.ts';

const require = createRequire(import.meta.url);
const PACKAGE = 'wink-eng-lite-web-model';

describe('winkEnglishModel', () => {
  it('reads the same core model as the package does', () => {
    const theirs = (require(PACKAGE) as { core: () => Record<string, unknown> }).core();
    const ours = readCoreModel(require.resolve(`${PACKAGE}/dist/languages/cur/models/eng-core-web-model.json`)) as unknown as Record<string, unknown>;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    // The packed tables, decoded to the same words.
    expect(ours.lexicon).toBeInstanceOf(Uint32Array);
    expect(ours.lexicon).toEqual(theirs.lexicon);
    expect(ours.xpansions).toEqual(theirs.xpansions);
    // Each feature's list, hash (same keys, same indexes, no prototype) and sizes.
    const features = theirs.features as Record<string, Record<string, unknown>>;
    const ourFeatures = ours.features as Record<string, Record<string, unknown>>;
    expect(Object.keys(ourFeatures).sort()).toEqual(Object.keys(features).sort());
    for (const name of Object.keys(features)) {
      const f = features[name]!;
      const g = ourFeatures[name]!;
      expect(Object.keys(g).sort(), name).toEqual(Object.keys(f).sort());
      for (const key of Object.keys(f)) {
        if (key === 'hash') {
          expect(Object.getPrototypeOf(g.hash), name).toBe(null);
          expect(Object.entries(g.hash as object), name).toEqual(Object.entries(f.hash as object));
        } else expect(g[key], `${name}.${key}`).toEqual(f[key]);
      }
    }
    expect(features.lexeme!.intrinsicSize).toBeGreaterThan(50_000);
    // The rest as the package leaves it (packing with its efList, token categories, POS, regexes, ...).
    for (const key of Object.keys(theirs)) {
      if (key === 'features' || key === 'lexicon' || key === 'xpansions') continue;
      expect(ours[key], key).toEqual(theirs[key]);
    }
  });

  it('reads a fresh copy each time (wink may change what it is given)', () => {
    const file = require.resolve(`${PACKAGE}/dist/languages/cur/models/eng-core-web-model.json`);
    const a = readCoreModel(file) as unknown as { features: { lexeme: { list: string[] } } };
    a.features.lexeme.list.push('qqnotaword');
    const b = readCoreModel(file) as unknown as { features: { lexeme: { list: string[] } } };
    expect(b.features.lexeme.list.length).toBe(a.features.lexeme.list.length - 1);
  });

  it('hands wink the package’s other models, features and add-ons', () => {
    const theirs = require(PACKAGE) as Record<string, unknown>;
    const ours = winkEnglishModel();
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const key of ['sbd', 'pos', 'ner', 'negation', 'sa', 'metaCER', 'featureFn']) expect(ours[key], key).toBe(theirs[key]);
    expect(Object.keys(ours.addons as object).sort()).toEqual(Object.keys(theirs.addons as object).sort());
    for (const [key, value] of Object.entries(theirs.addons as object)) expect((ours.addons as Record<string, unknown>)[key], key).toBe(value);
  });
});
