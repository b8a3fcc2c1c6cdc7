// Term keys: the form under which different spellings of one word are counted together.
// A light English plural folder, not a stemmer: keys stay real words ('study', not 'studi'),
// so a key can itself be shown to a reader, and the display form (the most frequent surface
// form, chosen in the tokenizer) is always a word as it appears in the text. That matters for
// ../shared/eval/score.py, which matches our terms against the raw text.
// Verb forms (-ing, -ed) are left alone: wink's lemma is only right with the POS tagger in the
// pipe, which is 2-4x slower, and a suffix stripper would produce stems.

/** Irregular and ambiguous plurals, mapped to their singular. */
const IRREGULAR: Record<string, string> = {
  analyses: 'analysis',
  hypotheses: 'hypothesis',
  syntheses: 'synthesis',
  theses: 'thesis',
  diagnoses: 'diagnosis',
  prognoses: 'prognosis',
  parentheses: 'parenthesis',
  axes: 'axis',
  crises: 'crisis',
  indices: 'index',
  matrices: 'matrix',
  vertices: 'vertex',
  appendices: 'appendix',
  simplices: 'simplex',
  lives: 'life',
  wives: 'wife',
  knives: 'knife',
  leaves: 'leaf',
  halves: 'half',
  selves: 'self',
  shelves: 'shelf',
  wolves: 'wolf',
  thieves: 'thief',
  heroes: 'hero',
  potatoes: 'potato',
  tomatoes: 'tomato',
  echoes: 'echo',
  vetoes: 'veto',
  biases: 'bias',
  aliases: 'alias',
  atlases: 'atlas',
  canvases: 'canvas',
  gases: 'gas',
  lenses: 'lens',
  buses: 'bus',
  viruses: 'virus',
  statuses: 'status',
  campuses: 'campus',
  bonuses: 'bonus',
  corpuses: 'corpus',
  censuses: 'census',
  consensuses: 'consensus',
  surpluses: 'surplus',
  radiuses: 'radius',
  geniuses: 'genius',
  caches: 'cache',
  headaches: 'headache',
  niches: 'niche',
  cliches: 'cliche',
  avalanches: 'avalanche',
  moustaches: 'moustache',
  mustaches: 'mustache',
};

/**
 * Irregular plurals that do not end in 's' (Latin and Greek ones that abstracts use, and the
 * common English ones). Left out on purpose: 'data' and 'media' (used as singular nouns, and
 * 'media' would merge with 'medium'), 'dice' (→ 'die').
 */
const IRREGULAR_NOT_S = new Map<string, string>(
  Object.entries({
    criteria: 'criterion',
    phenomena: 'phenomenon',
    automata: 'automaton',
    polyhedra: 'polyhedron',
    corpora: 'corpus',
    spectra: 'spectrum',
    maxima: 'maximum',
    minima: 'minimum',
    optima: 'optimum',
    curricula: 'curriculum',
    strata: 'stratum',
    schemata: 'schema',
    formulae: 'formula',
    stimuli: 'stimulus',
    nuclei: 'nucleus',
    radii: 'radius',
    loci: 'locus',
    foci: 'focus',
    children: 'child',
    men: 'man',
    women: 'woman',
    mice: 'mouse',
    geese: 'goose',
    feet: 'foot',
    teeth: 'tooth',
    oxen: 'ox',
  }),
);

/**
 * The last letters (char codes) of IRREGULAR_NOT_S's words: a word ending in any other letter is
 * none of them, which is known without hashing it.
 */
const NOT_S_ENDINGS = new Set([...IRREGULAR_NOT_S.keys()].map((w) => w.charCodeAt(w.length - 1)));

/** Words ending in 's' that are not plurals (or whose plural reading would merge unrelated words). */
const INVARIANT = new Set(
  (
    'news means series species chaos cosmos ethos logos pathos kudos thermos macos ios always perhaps towards ' +
    'afterwards sometimes nevertheless unless thus yes whereas besides alias bias gas atlas canvas christmas ' +
    'texas kansas arkansas vegas thomas douglas lucas nicholas diabetes herpes measles mumps rabies ' +
    'physics mathematics robotics economics linguistics dynamics semantics analytics graphics electronics ' +
    'genomics proteomics metabolomics transcriptomics omics ethics politics statistics kinematics mechanics ' +
    'optics acoustics informatics bioinformatics logistics aesthetics athletics thermodynamics aerodynamics ' +
    'hydrodynamics photonics pragmatics phonetics forensics diagnostics econometrics cybernetics ' +
    'lens plus minus various numerous previous anonymous'
  ).split(' '),
);

/** -ies plurals whose singular ends in -ie, not -y. */
const IE_PLURALS = new Set(
  'movies cookies calories zombies selfies rookies goalies hippies brownies prairies genies aunties pies ties lies dies'.split(
    ' ',
  ),
);

/** Folds one plain lower-case word (no hyphen) to its singular. */
function singular(w: string): string {
  const n = w.length;
  const last = w.charCodeAt(n - 1);
  if (last !== 115 /* s */) return NOT_S_ENDINGS.has(last) ? (IRREGULAR_NOT_S.get(w) ?? w) : w;
  if (n <= 3) return w;
  const irregular = IRREGULAR[w];
  if (irregular !== undefined) return irregular;
  if (INVARIANT.has(w)) return w;
  if (w.endsWith('ss') || w.endsWith('us') || w.endsWith('is') || w.endsWith("'s")) return w;
  if (w.endsWith('ies')) return IE_PLURALS.has(w) || n <= 4 ? w.slice(0, -1) : w.slice(0, -3) + 'y';
  if (w.endsWith('sses') || w.endsWith('shes') || w.endsWith('ches') || w.endsWith('xes') || w.endsWith('zzes')) {
    return w.slice(0, -2);
  }
  return w.slice(0, -1);
}

const memo = new Map<string, string>();
const MEMO_LIMIT = 1 << 20; // bound memory on adversarial input; clearing only costs recomputation

/**
 * The term key of a lower-case surface form: plural folding of the word, or of the last part of a
 * hyphenated compound ('vision-language-models' → 'vision-language-model'). Memoised.
 */
export function termKey(surface: string): string {
  // A last part not ending in 's' folds only if it is one of a few irregular plurals (singular()'s
  // first test), and most words do not end in 's': they skip the memo, whose lookup (a fresh
  // string hashed, a miss in a large table) cost more than this test. test/text.test.ts holds it
  // to foldTermKey.
  const last = surface.charCodeAt(surface.length - 1);
  if (last !== 115 /* s */) return NOT_S_ENDINGS.has(last) ? foldTermKey(surface) : surface;
  let key = memo.get(surface);
  if (key !== undefined) return key;
  key = foldTermKey(surface);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(surface, key);
  return key;
}

/** termKey without the memo and the shortcut: the definition. */
export function foldTermKey(surface: string): string {
  const dash = surface.lastIndexOf('-');
  return dash < 0 ? singular(surface) : surface.slice(0, dash + 1) + singular(surface.slice(dash + 1));
}
