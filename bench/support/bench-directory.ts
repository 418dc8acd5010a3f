import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory for a benchmark's database files, removed when the benchmark ends. */
export function benchDirectory(name: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `hisaab-bench-${name}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
