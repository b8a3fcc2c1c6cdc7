// The token cache's form dictionary, and the corpus assembled from a stream of its form ids
// (pipeline/token-cache.ts assembles a night's corpus with it; pipeline/record-corpus.ts the rows
// that are asked for).
import { sharedUint8 } from '../analysis/parallel/shared.ts';
import { codeUnitOrder } from '../analysis/text/key-order.ts';
import { MAX_VARIANT } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { StringIndex } from './string-index.ts';

/** A form: a term key and one way it is written (lower case). */
export interface Form {
  key: string;
  surface: string;
}

/**
 * Form ids in order of first sight (never reused while the config key stays the same). The lookup
 * (key, surface) → id is built on the first id() or keyIndex() call only: a night that tokenizes
 * nothing needs only keyIndex(). It maps a key to its forms' ids (a term has 1-3 forms, compared
 * by surface), so a lookup builds no `key + surface` string.
 */
export class FormDictionary {
  readonly forms: Form[] = [];
  // Built on first use (index()): each distinct key's index (in order of first sight), the key of
  // each index, the form ids of each key (one, or several), and each form's key index.
  private keyIds: StringIndex | undefined; // over `keys` (not a Map: see string-index.ts)
  private readonly keys: string[] = [];
  private readonly keyForms: (number | number[])[] = [];
  private readonly formKey: number[] = [];
  constructor(forms: readonly Form[] = []) {
    for (const f of forms) this.forms.push(f); // not push(...forms): 200k+ arguments overflow the stack
  }
  get size(): number {
    return this.forms.length;
  }
  id(key: string, surface: string): number {
    const k = this.indexed().get(key);
    if (k >= 0) {
      const ids = this.keyForms[k]!;
      if (typeof ids === 'number') {
        if (this.forms[ids]!.surface === surface) return ids;
      } else {
        for (const i of ids) if (this.forms[i]!.surface === surface) return i;
      }
    }
    const id = this.forms.length;
    this.forms.push({ key, surface });
    this.index(key, id, k);
    return id;
  }
  /**
   * Each form's key as an index into `keys`, the distinct keys: what assembleForms groups forms
   * by. A night that tokenized papers has it from id() already (no second string index over 200k+
   * keys); an all-cached night builds it here.
   */
  keyIndex(): { formKey: readonly number[]; keys: readonly string[] } {
    this.indexed();
    return { formKey: this.formKey, keys: this.keys };
  }
  private indexed(): StringIndex {
    if (this.keyIds === undefined) {
      this.keyIds = new StringIndex(this.keys);
      for (let i = 0; i < this.forms.length; i++) this.index(this.forms[i]!.key, i, this.keyIds.get(this.forms[i]!.key));
    }
    return this.keyIds;
  }
  /** Enters form `id` under `key`, whose index the caller has just looked up (`k`; -1: a new key). */
  private index(key: string, id: number, k: number): void {
    if (k < 0) {
      k = this.keys.length;
      this.keys.push(key);
      this.keyIds!.added();
      this.keyForms.push(id);
    } else {
      const ids = this.keyForms[k]!;
      if (typeof ids === 'number') this.keyForms[k] = [ids, id];
      else ids.push(id);
    }
    this.formKey.push(k);
  }
}

/**
 * The corpus of a stream of form ids (`tokens`, documents at docOffsets; overwritten with term
 * ids) given each form's count: term ids in sorted key order, a term's surface forms by count
 * descending, ties in code-unit order (the rules of mergeChunks).
 */
export function assembleForms(tokenIds: Int32Array, docOffsets: Int32Array, counts: Int32Array, dict: FormDictionary, beforeRewrite?: () => void): TokenizedCorpus {
  const n = dict.size;
  const total = tokenIds.length;
  // The keys of the forms in use (a dictionary key whose forms are all unused tonight is not a term).
  const { formKey, keys: allKeys } = dict.keyIndex();
  const keyUsed = new Int32Array(allKeys.length).fill(-1);
  const keys: string[] = [];
  const formTerm = new Int32Array(n).fill(-1);
  for (let f = 0; f < n; f++) {
    if (counts[f]! <= 0) continue;
    const all = formKey[f]!;
    let k = keyUsed[all]!;
    if (k < 0) {
      k = keyUsed[all] = keys.length;
      keys.push(allKeys[all]!);
    }
    formTerm[f] = k;
  }
  const order = codeUnitOrder(keys); // the keys are distinct
  const rank = new Int32Array(keys.length);
  const terms: string[] = new Array(keys.length);
  for (let r = 0; r < order.length; r++) {
    rank[order[r]!] = r;
    terms[r] = keys[order[r]!]!;
  }
  for (let f = 0; f < n; f++) if (formTerm[f]! >= 0) formTerm[f] = rank[formTerm[f]!]!; // from here on, the term id
  // Bucket the used forms by term (counting sort), then order each bucket (mostly 1-3 forms).
  const start = new Int32Array(terms.length + 1);
  for (let f = 0; f < n; f++) if (formTerm[f]! >= 0) start[formTerm[f]! + 1]++;
  for (let t = 0; t < terms.length; t++) start[t + 1] += start[t]!;
  const fill = start.slice(0, terms.length);
  const byTerm = new Int32Array(start[terms.length]!);
  for (let f = 0; f < n; f++) if (formTerm[f]! >= 0) byTerm[fill[formTerm[f]!]!++] = f;
  const formVariant = new Uint8Array(n);
  const variants: string[][] = new Array(terms.length);
  const display: string[] = new Array(terms.length);
  const bySurface = (a: number, b: number): number => {
    const sa = dict.forms[a]!.surface;
    const sb = dict.forms[b]!.surface;
    return counts[b]! - counts[a]! || (sa < sb ? -1 : sa > sb ? 1 : 0);
  };
  for (let t = 0; t < terms.length; t++) {
    if (start[t + 1]! - start[t]! === 1) {
      const f = byTerm[start[t]!]!; // most terms are written one way (formVariant[f] stays 0)
      variants[t] = [dict.forms[f]!.surface];
      display[t] = dict.forms[f]!.surface;
      continue;
    }
    const group = Array.from(byTerm.subarray(start[t]!, start[t + 1]!));
    if (group.length > 1) group.sort(bySurface);
    variants[t] = group.map((f, i) => {
      formVariant[f] = Math.min(i, MAX_VARIANT);
      return dict.forms[f]!.surface;
    });
    display[t] = variants[t]![0] ?? terms[t]!;
  }
  // Shared, like tokenIds: the vectorizer's threads read it for the phrase displays (tfidf-kernels.ts).
  const tokenVariants = sharedUint8(total);
  beforeRewrite?.(); // a writer cutting records out of the stream of form ids is done with it
  for (let k = 0; k < total; k++) {
    const f = tokenIds[k]!;
    if (f < 0) continue;
    tokenIds[k] = formTerm[f]!;
    tokenVariants[k] = formVariant[f]!;
  }
  return { terms, display, docOffsets, tokenIds, variants, tokenVariants };
}

