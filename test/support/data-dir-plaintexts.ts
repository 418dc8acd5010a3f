import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under the data dir, whatever its kind: databases, -wal, -shm, snapshots, the key files. */
function dataDirFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? dataDirFiles(path) : [path];
  });
}

/**
 * The plaintexts found in some file under `dataDir`, as "file: value". They are searched as UTF-8 bytes because
 * that is how SQLite stores text, so a personal datum written anywhere in the clear is found.
 */
export function plaintextsInDataDir(dataDir: string, plaintexts: Iterable<string>): string[] {
  const found: string[] = [];
  for (const file of dataDirFiles(dataDir)) {
    const bytes = readFileSync(file);
    for (const plaintext of plaintexts) if (bytes.includes(Buffer.from(plaintext, 'utf8'))) found.push(`${file}: ${plaintext}`);
  }
  return found;
}
