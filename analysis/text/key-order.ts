// The order of a list of distinct strings by UTF-16 code units (the order of `<` and of
// Array.prototype.sort without a comparator), computed by multikey quicksort (Bentley & Sedgewick,
// 1997) on char codes. Why not sort(): the token cache's corpus assembly sorts ~210k term keys on
// arXiv, and a comparator sort spent ~250 ms there on the main thread while the second core was
// idle (a native string sort measured the same): every comparison is a call that re-reads both
// strings from their first character. Partitioning on one char code at a time reads each
// character of a key's distinguishing prefix about log n times, with no calls.
// The first two code units are not partitioned on: each key's first two units and its index are
// packed into one double (one unit past 2^19 keys, so that the index still fits), and a
// Float64Array's native numeric sort orders them all at once: the quicksort's first partitions,
// over every key, were its most expensive, each reading every key's string again. Multikey
// quicksort then orders each group of keys that share the packed units from the next unit on.
// On 210k arXiv term keys, 8 alternating runs in one process: 239-303 ms before, 164-193 ms
// after, the same order.

/** Below this many keys a range is finished by insertion sort on whole strings. */
const SMALL = 12;

/** Indexes of `keys` in ascending code-unit order (the keys must be distinct for a unique answer). */
export function codeUnitOrder(keys: readonly string[]): Int32Array {
  const n = keys.length;
  const order = new Int32Array(n);
  // Pending ranges [lo, hi) whose keys agree on their first `depth` code units.
  const stack: number[] = [];
  const units = n <= 1 << INDEX_BITS_AFTER_TWO ? 2 : 1;
  const indexScale = 2 ** (53 - UNIT_BITS * units); // exact: prefix and index fill at most 53 bits
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = prefixOf(keys[i]!, units) * indexScale + i;
  packed.sort();
  for (let i = 0; i < n; i++) order[i] = packed[i]! % indexScale;
  // Each group of two or more keys that share the packed prefix goes on from code unit `units`.
  // (A key shorter than the prefix ends in a 0 there and is alone in its group: the keys are distinct.)
  let lo = 0;
  while (lo < n) {
    const prefix = Math.floor(packed[lo]! / indexScale);
    let hi = lo + 1;
    while (hi < n && Math.floor(packed[hi]! / indexScale) === prefix) hi++;
    if (hi - lo > 1) stack.push(lo, hi, units);
    lo = hi;
  }
  partition(keys, order, stack);
  return order;
}

/** Bits of a packed code unit: unit + 1, with 0 for "the key ended before it" (shorter keys first). */
const UNIT_BITS = 17;
/** Index bits left beside two packed units in a double's 53: up to 2^19 keys get two units, more keys one. */
const INDEX_BITS_AFTER_TWO = 53 - 2 * UNIT_BITS;

function prefixOf(key: string, units: number): number {
  let p = 0;
  for (let k = 0; k < units; k++) p = p * (1 << UNIT_BITS) + (k < key.length ? key.charCodeAt(k) + 1 : 0);
  return p;
}

/** Multikey quicksort of the ranges on `stack` ([lo, hi, depth] triples), in place in `order`. */
function partition(keys: readonly string[], order: Int32Array, stack: number[]): void {
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= SMALL) {
      insertionSort(keys, order, lo, hi);
      continue;
    }
    // Median of three code units at `depth` as the pivot (-1: the key ends here).
    const a = charAt(keys[order[lo]!]!, depth);
    const b = charAt(keys[order[(lo + hi) >>> 1]!]!, depth);
    const c = charAt(keys[order[hi - 1]!]!, depth);
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // Three-way partition: [lo, lt) below the pivot, [lt, gt) equal, [gt, hi) above.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i < gt) {
      const v = charAt(keys[order[i]!]!, depth);
      if (v < pivot) {
        const t = order[lt]!;
        order[lt++] = order[i]!;
        order[i++] = t;
      } else if (v > pivot) {
        const t = order[--gt]!;
        order[gt] = order[i]!;
        order[i] = t;
      } else i++;
    }
    if (lt - lo > 1) stack.push(lo, lt, depth);
    if (hi - gt > 1) stack.push(gt, hi, depth);
    // Keys equal at `depth` go on to the next code unit, unless they all end here (one key at
    // most, the keys being distinct).
    if (gt - lt > 1 && pivot >= 0) stack.push(lt, gt, depth + 1);
  }
}

function charAt(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : -1;
}

function insertionSort(keys: readonly string[], order: Int32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const x = order[i]!;
    const key = keys[x]!;
    let j = i - 1;
    while (j >= lo && keys[order[j]!]! > key) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = x;
  }
}
