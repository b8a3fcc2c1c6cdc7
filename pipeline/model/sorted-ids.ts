// Matching tonight's paper ids against a stored list of ids (the fit's, last night's rows).
//
// Both lists are normally in id order: the window is read sorted by id, and a fit or a night's
// rows are saved in their window's order. Then one walk along both, comparing strings, finds the
// matches; a Map or Set of a million ids instead hashed every one of them (fresh strings, read
// from disk), ~1-2 s per list at 1M papers, several times a night.

/** Strictly increasing in UTF-16 order (what `<` compares): sorted, no repeats. */
export function increasing(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) return false;
  return true;
}

/** For each of `ids`, the index of the same id in `known` (its last, if repeated), else −1. */
export function indexIn(ids: readonly string[], known: readonly string[]): Int32Array {
  const at = new Int32Array(ids.length).fill(-1);
  if (increasing(ids) && increasing(known)) {
    let j = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      // Most ids are in both lists: their equality, checked first, spares the ordering compare
      // (~70 ns a pair at 1M ids) the walk would otherwise make for each.
      if (j < known.length && known[j] === id) {
        at[i] = j++;
        continue;
      }
      while (j < known.length && known[j]! < id) j++;
      if (j < known.length && known[j] === id) at[i] = j++;
    }
    return at;
  }
  const indexOf = new Map<string, number>();
  for (let j = 0; j < known.length; j++) indexOf.set(known[j]!, j);
  for (let i = 0; i < ids.length; i++) at[i] = indexOf.get(ids[i]!) ?? -1;
  return at;
}
