import { foldPlural } from '../termSimilarity.ts';

/**
 * Normalises a term the way ../shared/eval/score.py does before counting it: lower case, the
 * words [a-z0-9]+ (with inner - or '), each plain plural folded ('models' → 'model').
 */
export function scoreTermForm(term: string): string {
  const words = term.toLowerCase().match(/[a-z0-9]+(?:[-'][a-z0-9]+)*/g) ?? [];
  return words.map(foldPlural).join(' ');
}

/**
 * Topic diversity (Dieng et al.): distinct terms among all topics' first `topn` terms, divided by
 * how many terms that is. 1 = no term is shared between topics. Terms are compared after
 * `normalize` (default: score.py's folding, so 'model' and 'models' count as one term).
 * Returns NaN when there are no terms.
 */
export function topicDiversity(
  topTerms: string[][],
  topn: number,
  normalize: (term: string) => string = scoreTermForm,
): number {
  if (!Number.isInteger(topn) || topn < 1) throw new RangeError(`topicDiversity: topn must be a positive integer, got ${topn}`);
  const seen = new Set<string>();
  let total = 0;
  for (const ts of topTerms) {
    for (const t of ts.slice(0, topn)) {
      seen.add(normalize(t));
      total++;
    }
  }
  return total > 0 ? seen.size / total : NaN;
}

/** TD@10 and TD@25, the two figures every run reports. */
export function topicDiversityReport(topTerms: string[][]): { td10: number; td25: number } {
  return { td10: topicDiversity(topTerms, 10), td25: topicDiversity(topTerms, 25) };
}
