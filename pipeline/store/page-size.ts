// The page size of a new SQLite file (the archive, the token cache).
//
// Rows here are whole abstracts (~1.3 KB) or token records. With SQLite's default 4 KiB pages a
// first arXiv load (75k papers, the archive's schema, one transaction) took 1.32–1.53 s of
// inserts and commit; with 16 KiB pages 0.73–1.14 s, in a file 15% smaller (126 against 149 MB;
// five alternating loads; npx tsx bench/page-size.ts repeats them). That load runs on the helper
// thread ingest waits for at its end.
import type Database from 'better-sqlite3';

export const NEW_FILE_PAGE_SIZE = 16384;

/**
 * Sets the page size a file gets when its first page is written: no effect on a file that
 * already has pages (it keeps its own), so call it right after opening, before anything writes
 * (switching to WAL writes a new file's header).
 */
export function setNewFilePageSize(db: Database.Database): void {
  db.pragma(`page_size = ${NEW_FILE_PAGE_SIZE}`);
}
