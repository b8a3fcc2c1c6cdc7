import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

/**
 * Brings the database to the newest schema version. Each missing migration runs in its own
 * IMMEDIATE transaction that re-reads the version first, so two processes opening a fresh file
 * at the same moment apply each migration exactly once (the second waits on busy_timeout, then
 * finds the work done). Returns the schema version.
 */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const read = db.prepare<[], { version: number }>('SELECT version FROM schema_version');
  const currentVersion = (): number => read.get()?.version ?? 0;

  const found = currentVersion();
  if (found > migrations.length) {
    throw new Error(
      `the archive has schema version ${found} but this topic-trends knows only ${migrations.length}: ` +
        'it was written by a newer version; upgrade topic-trends',
    );
  }
  for (let target = 1; target <= migrations.length; target++) {
    const step = db.transaction(() => {
      const version = currentVersion();
      if (version >= target) return;
      db.exec(migrations[target - 1]);
      if (version === 0) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(target);
      else db.prepare('UPDATE schema_version SET version = ?').run(target);
    });
    step.immediate();
  }
  return currentVersion();
}
