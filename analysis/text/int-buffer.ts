// A growable Int32Array with the two phrase-boundary operations the tokenizers need.

export class IntBuffer {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Pushes -1 unless the buffer is empty since `start` or already ends with -1. */
  boundary(start: number): void {
    if (this.length > start && this.data[this.length - 1] !== -1) this.push(-1);
  }
  /** Drops trailing -1s back to `start`. */
  trim(start: number): void {
    while (this.length > start && this.data[this.length - 1] === -1) this.length--;
  }
  grow(min: number): void {
    let size = this.data.length;
    while (size < min) size *= 2;
    if (size === this.data.length) return;
    const grown = new Int32Array(size);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
