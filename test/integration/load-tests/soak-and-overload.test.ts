/**
 * The short versions of `npm run soak` and `npm run load:overload` (issue 14, items 4 and 5), as their users run
 * them, without k6 (`npm test` does not build it): `--driver node` offers the load from Node. The soak's machinery
 * is checked (a sample of the switch every 2 s, a latency per interval, a verdict, the JSON and the SVG written);
 * the overload run's shedding is checked on a switch admitting one payment at a time, offered far more than one
 * can carry. No figure is asserted: these runs share the machine with everything else.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const repositoryRoot = join(__dirname, '..', '..', '..');
const tsxBinary = join(repositoryRoot, 'node_modules', '.bin', 'tsx');

type Run = { code: number | null; stdout: string; stderr: string };

function runCampaign(script: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsxBinary, [script, ...args], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${script} did not end within ${timeoutMs} ms; its output:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The path a campaign printed in its "... in <path>.json" line. */
function writtenJson(stdout: string): string {
  const match = /(\/\S+\.json)/.exec(stdout);
  if (match?.[1] === undefined) throw new Error(`the campaign named no JSON file:\n${stdout}`);
  return match[1];
}

type SoakResult = {
  samples: { interval: number; rssBytes: number; heapUsedBytes: number; eventLoopDelayP99Ms: number; activeHandles: number }[];
  referenceSamples: { interval: number; rssBytes: number; eventLoopDelayP99Ms: number }[];
  referenceLoad: { accepted: { count: number }; errors: { count: number } };
  series: Record<string, (number | null)[]>;
  diagnostics: {
    ledgerCommitMeanMs: (number | null)[];
    httpRequestMeanMs: (number | null)[];
    disk: { atSeconds: number; writesPerSecond: number; writeMeanMs: number | null; flushMeanMs: number | null }[];
  };
  verdict: { kind: string; flat?: boolean };
  load: { accepted: { count: number }; errors: { count: number } };
  intervals: { interval: number; accepted: number; acceptedP99Ms: number | null }[];
  chart: string;
  summary: string;
};

it('soaks the switch for 20 s at a constant rate beside the reference, samples both every 2 s, judges flatness and writes the JSON and the chart', async () => {
  const run = await runCampaign(
    'load-tests/soak.ts',
    ['--driver', 'node', '--seconds', '20', '--sample-seconds', '2', '--rate', '20'],
    150_000,
  );
  // 0 when flat, 1 when not: either is a verdict; 2 would be a run that could not be made.
  expect(run.stderr).toBe('');
  expect([0, 1]).toContain(run.code);
  const path = writtenJson(run.stdout);
  const result = JSON.parse(readFileSync(path, 'utf8')) as SoakResult;
  try {
    expect(result.samples.length).toBeGreaterThanOrEqual(8);
    for (const sample of result.samples) {
      expect(sample.rssBytes).toBeGreaterThan(0);
      expect(sample.heapUsedBytes).toBeGreaterThan(0);
      expect(sample.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
      expect(sample.activeHandles).toBeGreaterThan(0);
    }
    // The reference beside the switch, sampled on the same grid, and the ratios the verdict judges.
    expect(result.referenceSamples.length).toBeGreaterThanOrEqual(8);
    for (const sample of result.referenceSamples) expect(sample.eventLoopDelayP99Ms).toBeGreaterThan(0);
    expect(result.referenceLoad.accepted.count).toBeGreaterThan(0);
    expect(result.referenceLoad.errors.count).toBe(0);
    expect(result.series.latencyP99Ratio?.some((ratio) => ratio !== null && ratio > 0)).toBe(true);
    expect(result.series.eventLoopDelayP99Ratio?.some((ratio) => ratio !== null && ratio > 0)).toBe(true);
    // The heap is judged by what the last major collection left, a figure the switch serves once one has run.
    expect(result.series.heapAfterMajorGcMiB?.some((mebibytes) => mebibytes !== null && mebibytes > 0)).toBe(true);
    for (const values of Object.values(result.series)) expect(values).toHaveLength(10);
    // Where the time went, interval by interval: the ledger's durable commit is a part of the HTTP answer.
    expect(result.diagnostics.ledgerCommitMeanMs).toHaveLength(10);
    expect(result.diagnostics.httpRequestMeanMs).toHaveLength(10);
    // The disks' write and flush times between readings at every sample, where Linux counts them.
    if (process.platform === 'linux') expect(result.diagnostics.disk.length).toBeGreaterThanOrEqual(8);
    expect(result.diagnostics.ledgerCommitMeanMs.some((meanMs) => meanMs !== null && meanMs > 0)).toBe(true);
    expect(result.diagnostics.httpRequestMeanMs.some((meanMs) => meanMs !== null && meanMs > 0)).toBe(true);
    expect(result.load.accepted.count).toBeGreaterThan(0);
    expect(result.load.errors.count).toBe(0);
    expect(result.intervals.some((interval) => interval.accepted > 0 && interval.acceptedP99Ms !== null)).toBe(true);
    expect(result.verdict.kind).toBe('judged');
    expect(result.verdict.flat).toBe(run.code === 0);
    const svg = readFileSync(result.chart, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    // Memory, heap after collection, heap sampled, handles, both latencies and their ratio, both loop delays and their ratio.
    expect(svg.match(/<polyline /g)).toHaveLength(10);
    // The last line is the one-line summary, and it is the one the JSON holds.
    expect(run.stdout.trim().split('\n').at(-1)).toBe(result.summary);
  } finally {
    rmSync(path, { force: true });
    rmSync(result.chart, { force: true });
  }
}, 180_000);

type OverloadResult = {
  bounded: { inFlightMax: number; figures: { accepted: { count: number }; shed: { count: number }; errors: { count: number } } };
  unbounded: unknown;
  summary: string;
};

it('sheds with 503 and Retry-After what a switch admitting one payment at a time cannot carry, and fails nothing', async () => {
  const run = await runCampaign(
    'load-tests/overload.ts',
    ['--driver', 'node', '--max-rate', '100', '--seconds', '5', '--in-flight-max', '1', '--control', '0'],
    150_000,
  );
  expect(run.stderr).toBe('');
  expect([0, 1]).toContain(run.code);
  const path = writtenJson(run.stdout);
  try {
    const result = JSON.parse(readFileSync(path, 'utf8')) as OverloadResult;
    expect(result.bounded.inFlightMax).toBe(1);
    expect(result.bounded.figures.accepted.count).toBeGreaterThan(0);
    expect(result.bounded.figures.shed.count).toBeGreaterThan(0);
    expect(result.bounded.figures.errors.count).toBe(0);
    expect(result.unbounded).toBeNull();
    expect(run.stdout.trim().split('\n').at(-1)).toBe(result.summary);
  } finally {
    rmSync(path, { force: true });
  }
}, 180_000);
