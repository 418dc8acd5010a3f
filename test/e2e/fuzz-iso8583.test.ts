import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir';
import { TsxChild } from '../support/tsx-child';

const script = join(__dirname, '..', '..', 'scripts', 'fuzz-iso8583.ts');

/**
 * The short version of `npm run fuzz:iso8583`, run as its user runs it: 20,000 generated frames in-process and 500
 * over TCP against a real switch child process, with a fixed seed. It passes only if every frame met the
 * documented rules, the switch still echoes, no position moved and verify is clean.
 */
it('passes 20,000 frames in-process and 500 over TCP, and writes its result as JSON', async () => {
  const out = tempDir('hisaab-fuzz-iso-test-');
  try {
    const child = new TsxChild(script, ['--frames', '20000', '--tcp-frames', '500', '--seed', '14', '--out', out.path]);
    const { code } = await child.exited;
    const summary = child.lines.find((line) => line.startsWith('fuzz:iso8583 passed') || line.startsWith('fuzz:iso8583 FAILED'));
    expect({ code, summary, stderr: child.stderr }).toMatchObject({
      code: 0,
      summary: expect.stringMatching(/^fuzz:iso8583 passed \(seed 14\)/),
    });
    const [file] = readdirSync(out.path).filter((name) => /^fuzz-iso8583-.*\.json$/.test(name));
    const result = JSON.parse(readFileSync(join(out.path, file ?? ''), 'utf8')) as {
      passed: boolean;
      inProcess: { frames: number; violationCount: number; outcomes: Record<string, number> };
      tcp: { result: { frames: number; skipped: number; violationCount: number }; after: { problems: string[] } };
    };
    expect(result.passed).toBe(true);
    expect(result.inProcess).toMatchObject({ frames: 20_000, violationCount: 0 });
    // The campaign reaches every documented outcome, not only the parser's refusals.
    for (const outcome of [
      'answered 00',
      'answered 05',
      'answered 12',
      'answered 13',
      'answered 30',
      'dropped: header over the limit',
      'handler: transfer_request',
    ])
      expect(result.inProcess.outcomes[outcome]).toBeGreaterThan(0);
    expect(result.tcp.result.frames + result.tcp.result.skipped).toBe(500);
    expect(result.tcp.result.violationCount).toBe(0);
    expect(result.tcp.after.problems).toEqual([]);
  } finally {
    out.remove();
  }
}, 180_000);
