// Opening the archive from a config, with the errors a user can fix turned into ConfigErrors
// (exit code 2) that name the path: a folder where the file should be, a file that is not a
// SQLite database, a path that cannot be created, a bad option.
import { existsSync } from 'node:fs';
import { archivePath, type Config } from '../config.ts';
import { ConfigError, UserError } from '../errors.ts';
import { openStore, StoreError, type Store } from './store.ts';

const USER_FAULT_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_READONLY', 'EACCES', 'ENOTDIR', 'EISDIR', 'EROFS', 'EEXIST']);

export function openArchive(config: Config): Store {
  const path = archivePath(config);
  try {
    return openStore(path, { keepAssignmentRuns: config.archive.keepAssignmentRuns });
  } catch (err) {
    throw archiveError(err, path) ?? err;
  }
}

/** Opens an archive that must exist already (the labels commands never create one). */
export function openExistingArchive(config: Config): Store {
  const path = archivePath(config);
  if (!existsSync(path)) {
    throw new UserError(`no archive at ${path}: run \`topic-trends run\` first, or point --out / --config / --archive at the nightly run's archive`);
  }
  return openArchive(config);
}

/** A ConfigError for an archive failure that is the user's to fix, else undefined. */
export function archiveError(err: unknown, path: string): ConfigError | undefined {
  const code = (err as { code?: unknown })?.code;
  if (err instanceof StoreError) return new ConfigError(`archive ${path}: ${err.message}`, 'archive.path');
  if (typeof code === 'string' && USER_FAULT_CODES.has(code)) {
    return new ConfigError(`archive ${path}: cannot open the paper archive (${code}: ${(err as Error).message}); set archive.path to a writable SQLite file`, 'archive.path');
  }
  return undefined;
}
