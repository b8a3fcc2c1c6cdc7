// The row of each string of a list, looked up by string: what a Map<string, number> built over
// the list answers, for a million keys at a time. A night over 1M papers looks every paper's
// token-cache row up by its text hash (40 hex characters): the Map took ~0.8–1.1 s to build and
// query there (each fresh string hashed, the table grown by rehashing, an entry object per key),
// this table ~0.5 s. Open addressing with linear probing over one Int32Array of [row + 1, hash]
// pairs; strings are compared only when their hashes agree. The list may grow (added): the token
// cache's form dictionary enters each new term key so, ~40% faster than a Map's get and set of
// fresh strings (~200 against ~370 ns a lookup over 100k keys).

import { UnitTable } from '../analysis/text/unit-table.ts';

export class StringIndex {
  private slots: Int32Array;
  private mask: number;
  private rows = 0;

  /**
   * Indexes `keys`; a key listed twice answers its last row, as Map.set would leave it. The list
   * is read, never written: a caller that appends to it tells the index (added).
   */
  constructor(private readonly keys: readonly string[]) {
    let size = 16;
    while (size < keys.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size * 2);
    for (let r = 0; r < keys.length; r++) this.put(r);
    this.rows = keys.length;
  }

  /** Indexes the rows the caller has appended to the list since (rows are indexed in order, as in the constructor). */
  added(): void {
    while (this.rows < this.keys.length) {
      if (2 * (this.rows + 1) > this.mask + 1) this.grow();
      this.put(this.rows++);
    }
  }

  /** FNV-1a over the string's UTF-16 code units (the tokenizer's unit hash). */
  static hash(s: string): number {
    return UnitTable.hash(s, 0, s.length);
  }

  /** The row of `key` in the list, or -1. */
  get(key: string): number {
    const h = StringIndex.hash(key);
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const v = slots[2 * s]!;
      if (v === 0) return -1;
      if (slots[2 * s + 1] === h && this.keys[v - 1] === key) return v - 1;
    }
  }

  /** Twice the slots, every row placed again (in row order: a repeated key keeps its last row). */
  private grow(): void {
    const size = 2 * (this.mask + 1);
    this.mask = size - 1;
    this.slots = new Int32Array(size * 2);
    for (let r = 0; r < this.rows; r++) this.put(r);
  }

  private put(row: number): void {
    const key = this.keys[row]!;
    const h = StringIndex.hash(key);
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const v = slots[2 * s]!;
      if (v === 0 || (slots[2 * s + 1] === h && this.keys[v - 1] === key)) {
        slots[2 * s] = row + 1;
        slots[2 * s + 1] = h;
        return;
      }
    }
  }
}
