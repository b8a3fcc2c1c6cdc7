// Interning of space-separated units ("model,", "large-scale", "LLM's") by their char codes:
// an open-addressing hash table over typed arrays. Looking a unit up allocates nothing; a string
// is made only the first time a unit is seen. Per token this replaces the Map<string, …> lookups
// (and the substring each would need) that dominated the tokenizer's profile.
// A slot holds [id + 1, hash, length, start of the unit's chars], so a lookup reads one slot and
// the unit's chars: on a full corpus the table outgrows the caches and each read is a miss.

const STRIDE = 4;

export class UnitTable {
  private slots = new Int32Array(STRIDE << 14); // [id + 1 (0: empty), hash, length, char start]
  private mask = (1 << 14) - 1;
  private chars = new Uint16Array(1 << 16);
  private charsUsed = 0;
  /** Number of distinct units. */
  size = 0;

  /** FNV-1a over the char codes of s[from, to) (the scanner computes it inline the same way). */
  static hash(s: string, from: number, to: number): number {
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return h | 0;
  }

  /** The id of the unit s[from, to) with hash h, or -1 when it has not been added. */
  find(s: string, from: number, to: number, h: number): number {
    const len = to - from;
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const at = slot * STRIDE;
      const v = slots[at]!;
      if (v === 0) return -1;
      if (slots[at + 1] === h && slots[at + 2] === len && this.sameChars(slots[at + 3]!, s, from, len)) return v - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Adds the unit s[from, to) with hash h (it must not be present) and returns its id. */
  add(s: string, from: number, to: number, h: number): number {
    const id = this.size++;
    const len = to - from;
    if (this.charsUsed + len > this.chars.length) {
      const grown = new Uint16Array(Math.max(this.chars.length * 2, this.charsUsed + len));
      grown.set(this.chars.subarray(0, this.charsUsed));
      this.chars = grown;
    }
    const start = this.charsUsed;
    for (let i = 0; i < len; i++) this.chars[start + i] = s.charCodeAt(from + i);
    this.charsUsed += len;
    if (this.size * 2 > this.mask + 1) this.rehash();
    this.place(this.slots, this.mask, id + 1, h, len, start);
    return id;
  }

  private sameChars(start: number, s: string, from: number, len: number): boolean {
    const chars = this.chars;
    for (let i = 0; i < len; i++) if (chars[start + i] !== s.charCodeAt(from + i)) return false;
    return true;
  }

  private place(slots: Int32Array, mask: number, idPlus1: number, h: number, len: number, start: number): void {
    let slot = h & mask;
    while (slots[slot * STRIDE] !== 0) slot = (slot + 1) & mask;
    const at = slot * STRIDE;
    slots[at] = idPlus1;
    slots[at + 1] = h;
    slots[at + 2] = len;
    slots[at + 3] = start;
  }

  private rehash(): void {
    const old = this.slots;
    const mask = (this.mask << 1) | 1;
    const slots = new Int32Array((mask + 1) * STRIDE);
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at] !== 0) this.place(slots, mask, old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!);
    }
    this.slots = slots;
    this.mask = mask;
  }
}
