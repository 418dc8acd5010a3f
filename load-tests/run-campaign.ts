import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs a campaign: SIGINT/SIGTERM abort it (k6 and the switch are stopped), its temp directory is removed at the
 * end, and the exit code is the body's, or 2 with one sentence on stderr when the run could not be made.
 */
export function runCampaign(name: string, body: (argv: string[], signal: AbortSignal, workDirectory: string) => Promise<number>): void {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const workDirectory = mkdtempSync(join(tmpdir(), `hisaab-${name}-`));
  body(process.argv.slice(2), abort.signal, workDirectory)
    .then(
      (exitCode) => {
        process.exitCode = exitCode;
      },
      (error: unknown) => {
        process.stderr.write(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
      },
    )
    .finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      rmSync(workDirectory, { recursive: true, force: true });
    });
}
