// How the archive stores a paper's extra fields. Its own module because the archive's helper thread
// (load-behind.ts) runs this very function, as source text, on its side of a first night's load.

/**
 * How the archive stores a paper's `extra` (extra_json): JSON with object keys sorted, so equal
 * objects compare equal as strings; null for none.
 */
export function paperExtraJson(value: Record<string, string | number> | undefined): string | null {
  if (!value) return null;
  const keys = Object.keys(value);
  if (keys.length === 0) return null;
  // Usually the keys come in the same (sorted) order every time: no copy needed then.
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  if (sorted) return JSON.stringify(value);
  keys.sort();
  // A plain object filled in sorted order serialises like Object.fromEntries of the sorted pairs
  // (~30% faster); a '__proto__' key would be lost by assignment, so it takes the long way.
  if (keys.includes('__proto__')) return JSON.stringify(Object.fromEntries(keys.map((k) => [k, value[k]])));
  const copy: Record<string, string | number> = {};
  for (const k of keys) copy[k] = value[k]!;
  return JSON.stringify(copy);
}
