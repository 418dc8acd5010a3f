import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const repositoryRoot = join(__dirname, '..', '..', '..');

/** Every file git tracks (the files a fresh clone has), relative to the repository root. */
function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: repositoryRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((path) => path !== '');
}

/**
 * A fresh clone must stand alone: no document or comment may send a reader to a file outside the repository.
 * The architecture lives in docs/ARCHITECTURE.md; docs/ itself may tell where its text came from.
 */
describe('the repository stands alone', () => {
  it('has its architecture in docs/ARCHITECTURE.md, and the README points there', () => {
    expect(existsSync(join(repositoryRoot, 'docs', 'ARCHITECTURE.md'))).toBe(true);
    expect(readFileSync(join(repositoryRoot, 'README.md'), 'utf8')).toContain('docs/ARCHITECTURE.md');
  });

  it('has no tracked file outside docs/ that mentions ../shared/ or the old DESIGN.md', () => {
    const offenders: string[] = [];
    for (const path of trackedFiles()) {
      if (path.startsWith('docs/') || path === 'test/integration/repository/self-contained-docs.test.ts') continue;
      const absolute = join(repositoryRoot, path);
      // A tracked file deleted in the working tree is no longer part of what a clone will hold.
      if (!existsSync(absolute)) continue;
      const text = readFileSync(absolute, 'utf8');
      text.split('\n').forEach((line, index) => {
        if (line.includes('../shared/') || line.includes('DESIGN.md')) offenders.push(`${path}:${index + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
