// wink-eng-lite-web-model's model object, with its core model read faster. Each thread that
// tokenizes loads wink once, at the start of tokenizing, where nothing else can run: the package's
// own core loader (dist/read-core-model.js) parses the 3 MB model file through require (and so
// keeps that first parse cached), deep-copies it with JSON.parse(JSON.stringify(…)) for wink to
// mutate, and decodes two base64 tables through atob and a loop over char codes. Here the file is
// parsed once, fresh (the copy wink may mutate), and the tables are decoded by Buffer: the same
// model (test/wink-model.test.ts compares it with the package's core() field by field), ~0.1 s
// sooner per thread. Everything else (the small models wink's load() sets up beside the core, the
// features, the add-ons) comes from the package's own modules, as its dist/model.js assembles them.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const PACKAGE = 'wink-eng-lite-web-model';

/** The model object winkNLP() takes (the package's main export, with `core` replaced). */
export function winkEnglishModel(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const dist = (file: string): unknown => require(`${PACKAGE}/dist/${file}`);
  const coreFile = require.resolve(`${PACKAGE}/dist/languages/cur/models/eng-core-web-model.json`);
  const model = Object.create(null) as Record<string, unknown>;
  model.core = () => readCoreModel(coreFile);
  model.sbd = dist('load-sbd-model.js');
  model.pos = dist('load-pos-model.js');
  model.ner = dist('load-ner-model.js');
  model.negation = dist('load-negation-model.js');
  model.sa = dist('load-sa-model.js');
  model.metaCER = dist('load-cer-meta-model.js');
  model.featureFn = dist('feature.js');
  const addons = Object.create(null) as Record<string, unknown>;
  addons.stem = dist('porter-stemmer.js');
  addons.lemmatize = dist('lemmatize.js');
  addons.readabilityStats = dist('readability-stats.js');
  addons.wordVectors = undefined;
  model.addons = addons;
  return model;
}

interface CoreModel {
  packing: { layout: Record<string, number[]>; efList: string[] };
  features: Record<string, { list: string[]; hash?: Record<string, number>; intrinsicSize?: number; index?: number; maxIndex?: number }> & {
    posClusters: { list: unknown[] };
  };
  pos: { hash: Record<string, number> };
  lexicon: string | Uint32Array;
  xpansions: string | Uint32Array;
}

/**
 * What the package's core() returns (read-core-model.js, then load-core-model.js): the model file
 * with its packed tables decoded, a hash (value → index) beside each list feature, the POS
 * clusters as sets, and each feature's sizes.
 */
export function readCoreModel(file: string): CoreModel {
  const model = JSON.parse(readFileSync(file, 'utf8')) as CoreModel;
  const { packing, features, pos } = model;
  model.lexicon = uint32FromBase64(model.lexicon as string);
  model.xpansions = uint32FromBase64(model.xpansions as string);
  for (const f in packing.layout) if (packing.layout[f]![3] === 0) features[f]!.hash = indexOf(features[f]!.list);
  features.lexeme!.hash = indexOf(features.lexeme!.list);
  const clusters = features.posClusters.list;
  for (let k = 0; k < clusters.length; k++) clusters[k] = new Set((clusters[k] as string).split('_').map((e) => pos.hash[e] || 0));
  packing.efList = [];
  for (const f in packing.layout) {
    const layout = packing.layout[f]!;
    if (layout[3] === 0) {
      const feature = features[f]!;
      feature.intrinsicSize = feature.list.length;
      feature.index = feature.list.length;
      feature.maxIndex = layout[1]! >>> layout[2]!;
    }
    if (layout[4] === 1) packing.efList.push(f);
  }
  features.lexeme!.intrinsicSize = features.lexeme!.list.length;
  features.lexeme!.index = features.lexeme!.list.length;
  return model;
}

/** value → its (last) index in the list, in an object without a prototype, as wink reads it. */
function indexOf(list: readonly string[]): Record<string, number> {
  const hash = Object.create(null) as Record<string, number>;
  for (let k = 0; k < list.length; k++) hash[list[k]!] = k;
  return hash;
}

/** The bytes of a base64 text as 32-bit words (an own, aligned buffer: Buffer.from may hand out a slice of a pool). */
function uint32FromBase64(data: string): Uint32Array {
  const bytes = Buffer.from(data, 'base64');
  return new Uint32Array(Uint8Array.prototype.slice.call(bytes).buffer);
}
