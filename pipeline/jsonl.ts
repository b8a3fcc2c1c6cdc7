// Synchronous JSON Lines reading in fixed-size chunks: an archive of a million papers is larger
// than the longest string V8 can hold, so it is never read as one string.
import { openSync, readSync, closeSync } from 'node:fs';

export function forEachJsonLine<T>(path: string, visit: (value: T) => void): void {
  const fd = openSync(path, 'r');
  const chunk = Buffer.allocUnsafe(1 << 22);
  let carry: Buffer = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        if (nl > start) visit(JSON.parse(data.toString('utf8', start, nl)) as T);
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length) visit(JSON.parse(carry.toString('utf8')) as T);
  } finally {
    closeSync(fd);
  }
}
