// A text file written block by block (UTF-8), for exports too large to hold whole: the file is
// the blocks joined, and only one block is in memory at a time.
import { closeSync, openSync, writeSync } from 'node:fs';

export function writeBlocks(path: string, blocks: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const block of blocks) writeSync(fd, block, null, 'utf8');
  } finally {
    closeSync(fd);
  }
}
