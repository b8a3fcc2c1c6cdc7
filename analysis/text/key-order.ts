// The order of a list of distinct strings by UTF-16 code units (the order of `<` and of
// Array.prototype.sort without a comparator), computed by multikey quicksort (Bentley & Sedgewick,
// 1997) on char codes. Why not sort(): the token cache's corpus assembly sorts ~210k term keys on
// arXiv, and a comparator sort spent ~250 ms there on the main thread while the second core was
// idle (a native string sort measured the same): every comparison is a call that re-reads both
// strings from their first character. Partitioning on one char code at a time reads each
// character of a key's distinguishing prefix about log n times, with no calls.

/** Below this many keys a range is finished by insertion sort on whole strings. */
const SMALL = 12;

/** Indexes of `keys` in ascending code-unit order (the keys must be distinct for a unique answer). */
export function codeUnitOrder(keys: readonly string[]): Int32Array {
  const n = keys.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Pending ranges [lo, hi) whose keys agree on their first `depth` code units.
  const stack: number[] = [0, n, 0];
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
  return order;
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
