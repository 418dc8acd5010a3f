import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  countsFromJunit,
  operationsFromOutput,
  parseFuzzArguments,
  schemathesisArguments,
  summaryLine,
  testCasesFromOutput,
} from '../../../scripts/fuzz-api';

/** The parts of `npm run fuzz:api` that need no schemathesis: the run itself is too long for `npm test`. */
describe('fuzz:api', () => {
  it('runs every check, bounded in examples and time, with the key it is given', () => {
    const args = schemathesisArguments({
      url: 'http://127.0.0.1:1',
      key: 'secret',
      options: { maxExamples: 7, maxTimeSeconds: 30, outDirectory: '/tmp' },
      junitPath: '/tmp/r.xml',
    });
    expect(args.slice(args.indexOf('run'), args.indexOf('run') + 2)).toEqual(['run', 'http://127.0.0.1:1/openapi.json']);
    expect(args[args.indexOf('--checks') + 1]).toBe('all');
    expect(args[args.indexOf('--header') + 1]).toBe('Authorization: Bearer secret');
    expect(args[args.indexOf('--max-examples') + 1]).toBe('7');
    expect(args[args.indexOf('--max-time') + 1]).toBe('30');
    expect(existsSync(args[args.indexOf('--config-file') + 1] as string)).toBe(true);
  });

  it('takes --max-examples and --max-time, and refuses anything else', () => {
    expect(parseFuzzArguments([])).toMatchObject({
      maxExamples: 60,
      maxTimeSeconds: 900,
      outDirectory: expect.stringMatching(/test-results$/),
    });
    expect(parseFuzzArguments(['--max-examples', '5', '--max-time', '60', '--out', '/tmp/x'])).toEqual({
      maxExamples: 5,
      maxTimeSeconds: 60,
      outDirectory: '/tmp/x',
    });
    expect(() => parseFuzzArguments(['--max-examples', '0'])).toThrow(/at least 1/);
    expect(() => parseFuzzArguments(['--workers', '4'])).toThrow(/unknown flag/);
  });

  it('counts from the JUnit report and the summary, and says in one line whether anything failed', () => {
    const xml =
      '<?xml version="1.0"?><testsuites failures="1" errors="0"><testsuite><testcase name="GET /a"/><testcase name="POST /b"><failure/></testcase></testsuite></testsuites>';
    expect(countsFromJunit(xml)).toEqual({ testCases: null, operations: 2, failures: 1 });
    expect(countsFromJunit(null)).toEqual({ testCases: null, operations: null, failures: null });
    expect(testCasesFromOutput('Test cases:\n  2688 generated, 2688 passed')).toBe(2688);
    expect(operationsFromOutput('API Operations:\n  Selected: 25/25\n  Tested: 25\n')).toBe(25);
    expect(operationsFromOutput('no summary')).toBeNull();
    const clean = { requests: 30, rejected: 20, serverErrors: 0, violationCount: 0, verifyClean: true };
    const passed = summaryLine([{ role: 'operator', exitCode: 0, testCases: 10, operations: 26, failures: 0 }], clean);
    expect(passed).toBe(
      'fuzz:api passed (schemathesis --checks all) - 10 test cases: operator 10 cases/26 operations; 30 requests, 20 rejected, 0 5xx, 0 state changes by rejected requests; verify clean',
    );
    expect(summaryLine([{ role: 'participant', exitCode: 1, testCases: 10, operations: 26, failures: 2 }], clean)).toMatch(
      /^fuzz:api FAILED .*participant 10 cases\/26 operations 2 FAILING/,
    );
    // schemathesis passing is not enough: a rejected request that changed state, or a broken invariant, fails the run.
    const ran = [{ role: 'merchant', exitCode: 0, testCases: 5, operations: 3, failures: 0 }];
    expect(summaryLine(ran, { ...clean, violationCount: 1 })).toMatch(/^fuzz:api FAILED .*1 state changes by rejected requests/);
    expect(summaryLine(ran, { ...clean, verifyClean: false })).toMatch(/^fuzz:api FAILED .*verify FAILED$/);
    // schemathesis exiting 0 is not enough either: a key with no test case run (or none counted) proved nothing.
    expect(summaryLine([{ role: 'regulator', exitCode: 0, testCases: 0, operations: 0, failures: 0 }], clean)).toMatch(
      /^fuzz:api FAILED .*regulator 0 cases\/0 operations NO TEST CASE RUN/,
    );
    expect(summaryLine([{ role: 'regulator', exitCode: 0, testCases: null, operations: null, failures: null }], clean)).toMatch(
      /^fuzz:api FAILED .*regulator \? cases\/\? operations NO TEST CASE RUN/,
    );
    expect(summaryLine([], clean)).toMatch(/^fuzz:api FAILED/);
  });

  it('is the npm script, and not part of npm test', () => {
    const scripts = (
      JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['fuzz:api']).toBe('tsx scripts/fuzz-api.ts');
    expect(scripts.test).not.toMatch(/fuzz/);
  });
});
