import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir';
import { TsxChild } from '../support/tsx-child';

const script = join(__dirname, '..', '..', 'scripts', 'fuzz-api.ts');

/**
 * The short version of `npm run fuzz:api`, run as its user runs it: schemathesis (installed into .tmp/ from PyPI on
 * first use; python3 is needed) with each of the four roles' keys, a few examples per operation, through the
 * recording proxy. It passes only if schemathesis found nothing, no request got a 5xx, no rejected request changed
 * state and verify is clean.
 */
it('fuzzes the API with the operator, participant, merchant and regulator keys, and no rejected request changes state', async () => {
  const out = tempDir('hisaab-fuzz-api-test-');
  try {
    const child = new TsxChild(script, ['--max-examples', '3', '--max-time', '60', '--out', out.path]);
    const { code } = await child.exited;
    const summary = child.lines.find((line) => /^fuzz:api (passed|FAILED)/.test(line));
    // Without python3 the script says so on stderr: the failure shows it.
    expect({ code, summary, stderr: child.stderr }).toMatchObject({ code: 0, summary: expect.stringMatching(/^fuzz:api passed/) });
    const [file] = readdirSync(out.path).filter((name) => /^fuzz-api-[^-].*Z\.json$/.test(name));
    const result = JSON.parse(readFileSync(join(out.path, file ?? ''), 'utf8')) as {
      runs: { role: string; exitCode: number; testCases: number | null }[];
      proxy: { requests: number; rejected: number; serverErrors: number; violationCount: number; rejectedWithLogUnchanged: number };
      verifyClean: boolean;
    };
    expect(result.runs.map((run) => [run.role, run.exitCode])).toEqual([
      ['operator', 0],
      ['participant', 0],
      ['merchant', 0],
      ['regulator', 0],
    ]);
    for (const run of result.runs) expect(run.testCases).toBeGreaterThan(0);
    expect(result.proxy.rejected).toBeGreaterThan(0);
    expect(result.proxy).toMatchObject({ serverErrors: 0, violationCount: 0 });
    expect(result.verifyClean).toBe(true);
  } finally {
    out.remove();
  }
}, 300_000);
