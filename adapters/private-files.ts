import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/**
 * The data dir holds signing secrets (sealed), key hashes and every payment: nobody but the switch's own user
 * reads it. Files are created 0600 and a directory the switch creates 0700; an operator's existing directory is
 * left as the operator made it.
 */
export const privateFileMode = 0o600;
export const privateDirectoryMode = 0o700;

/** Creates the directory (and missing parents) 0700 when it does not exist. */
export function ensurePrivateDirectory(path: string): void {
  if (!existsSync(path)) mkdirSync(path, { recursive: true, mode: privateDirectoryMode });
}

/** The files SQLite keeps beside a database, which hold the same data as the database itself. */
const sqliteCompanionSuffixes = ['-wal', '-shm', '-journal'] as const;

/**
 * Makes a SQLite database file private before better-sqlite3 opens it: creates it empty with mode 0600 when
 * missing (SQLite takes an empty file as a new database), and sets 0600 on one left world-readable by an older
 * version. SQLite creates its -wal and -shm files with the database file's own mode, so they are 0600 too; those
 * already there are set here as well.
 */
export function preparePrivateDatabaseFile(path: string): void {
  if (path === ':memory:') return;
  if (existsSync(path)) chmodSync(path, privateFileMode);
  else closeSync(openSync(path, 'a', privateFileMode));
  for (const suffix of sqliteCompanionSuffixes) {
    if (existsSync(`${path}${suffix}`)) chmodSync(`${path}${suffix}`, privateFileMode);
  }
}
