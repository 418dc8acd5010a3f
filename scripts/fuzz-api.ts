/**
 * `npm run fuzz:api`: schemathesis (PyPI) with every check against a real switch, once with the operator's key
 * and once with a participant's. It installs schemathesis into a venv under .tmp/ when missing, starts the switch
 * on loopback with a temporary data dir, onboards two wallets with keys and an alias each, runs schemathesis
 * for each key with a bounded number of examples and a time budget, prints one line, exits non-zero on any
 * failure, and stops everything it started. Flags: `--max-examples N` (default 25), `--max-time SECONDS` per
 * key (default 150). Not part of `npm test`: it takes minutes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repositoryRoot = resolve(__dirname, '..');
const venvDirectory = join(repositoryRoot, '.tmp', 'schemathesis-venv');
const schemathesisBinary = join(venvDirectory, 'bin', 'st');
/** What the checks expect where JSON Schema cannot say everything the server checks (each entry says why). */
const schemathesisConfig = join(__dirname, 'schemathesis.toml');
const operatorKey = 'fuzz-operator-key-0123456789abcdef';
const listeningTimeoutMs = 60_000;

export type FuzzOptions = { maxExamples: number; maxTimeSeconds: number };
export type FuzzRun = { role: string; exitCode: number; testCases: number | null; operations: number | null; failures: number | null };

export function parseFuzzArguments(argv: readonly string[]): FuzzOptions {
  const options: FuzzOptions = { maxExamples: 25, maxTimeSeconds: 150 };
  for (let index = 0; index < argv.length; index += 2) {
    const value = Number(argv[index + 1]);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${argv[index]} needs a whole number of at least 1`);
    if (argv[index] === '--max-examples') options.maxExamples = value;
    else if (argv[index] === '--max-time') options.maxTimeSeconds = value;
    else throw new Error(`unknown flag ${argv[index]}: use --max-examples N and --max-time SECONDS`);
  }
  return options;
}

/** The schemathesis command line for one key: every check, bounded in examples and time, a JUnit report to count. */
export function schemathesisArguments(input: { url: string; key: string; options: FuzzOptions; junitPath: string }): string[] {
  return [
    '--config-file',
    schemathesisConfig,
    'run',
    `${input.url}/openapi.json`,
    '--checks',
    'all',
    '--header',
    `Authorization: Bearer ${input.key}`,
    '--max-examples',
    String(input.options.maxExamples),
    '--max-time',
    String(input.options.maxTimeSeconds),
    // One worker: the machine is shared, and hypothesis's lambda descriptions are not thread-safe on CPython 3.11.
    '--workers',
    '1',
    '--seed',
    '9',
    '--report',
    'junit',
    '--report-junit-path',
    input.junitPath,
  ];
}

/** Test cases, operations and failures from schemathesis's JUnit report (null when it wrote none). */
export function countsFromJunit(xml: string | null): Pick<FuzzRun, 'testCases' | 'operations' | 'failures'> {
  if (xml === null) return { testCases: null, operations: null, failures: null };
  const suite = /<testsuites?\b[^>]*>/.exec(xml)?.[0] ?? '';
  const attribute = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 'NaN');
  const operations = (xml.match(/<testcase\b/g) ?? []).length;
  const failures = attribute('failures') + attribute('errors');
  return { testCases: null, operations, failures: Number.isNaN(failures) ? null : failures };
}

/** Test cases schemathesis reports on its summary line ("N generated"), or null. */
export function testCasesFromOutput(output: string): number | null {
  const match = /(\d+)\s+generated/.exec(output);
  return match ? Number(match[1]) : null;
}

/** Operations schemathesis reports as tested in its summary ("Tested: N"), or null. */
export function operationsFromOutput(output: string): number | null {
  const match = /Tested:\s+(\d+)/.exec(output);
  return match ? Number(match[1]) : null;
}

export function summaryLine(runs: readonly FuzzRun[]): string {
  const failed = runs.filter((run) => run.exitCode !== 0);
  const parts = runs.map(
    (run) =>
      `${run.role}: ${run.testCases ?? '?'} test cases over ${run.operations ?? '?'} operations, ${run.exitCode === 0 ? 'no failures' : `${run.failures ?? '?'} failing operations`}`,
  );
  return `fuzz:api ${failed.length === 0 ? 'passed' : 'FAILED'} (schemathesis --checks all) - ${parts.join('; ')}`;
}

function ensureSchemathesis(): void {
  if (existsSync(schemathesisBinary)) return;
  console.log(`installing schemathesis into ${venvDirectory} ...`);
  const steps: [string, string[]][] = [
    ['python3', ['-m', 'venv', venvDirectory]],
    [join(venvDirectory, 'bin', 'pip'), ['install', '--quiet', 'schemathesis']],
  ];
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): python3 with venv and pip, and PyPI, are needed`);
  }
}

type StartedSwitch = { url: string; child: ChildProcess; exited: Promise<void> };

function startSwitch(dataDir: string): Promise<StartedSwitch> {
  const child = spawn(join(repositoryRoot, 'node_modules', '.bin', 'tsx'), [join(repositoryRoot, 'api', 'main.ts')], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HISAAB_HOST: '127.0.0.1',
      HISAAB_PORT: '0',
      HISAAB_ISO8583_PORT: '0',
      HISAAB_DATA_DIR: dataDir,
      HISAAB_OPERATOR_KEY: operatorKey,
      HISAAB_PAYEE_DEADLINE_MS: '500',
      HISAAB_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`the switch did not listen within ${listeningTimeoutMs} ms`)), listeningTimeoutMs);
    void exited.then(() => reject(new Error('the switch exited before it listened')));
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const port = /"msg":"listening"/.test(line) ? /"port":(\d+)/.exec(line)?.[1] : undefined;
        if (port !== undefined) {
          clearTimeout(timer);
          resolveStart({ url: `http://127.0.0.1:${port}`, child, exited });
        }
      }
    });
  });
}

async function call(url: string, key: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`seeding: ${method} ${path} answered ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * Two wallets with a key and an alias each, so that transfers find a payee. Their credit URLs point at a port
 * nothing listens on: a transfer is then aborted (PAYEE_UNAVAILABLE), which is an answer like any other.
 */
async function seed(url: string): Promise<{ participantKey: string }> {
  const keys: string[] = [];
  for (const [id, bankCode, msisdn] of [
    ['ALPHA', 'ALFA', '923001111111'],
    ['BETA', 'BETA', '923002222222'],
  ] as const) {
    const endpoints = { creditUrl: 'http://127.0.0.1:9/credit', reversalUrl: 'http://127.0.0.1:9/reversal' };
    await call(url, operatorKey, 'POST', '/v1/participants', {
      id,
      name: `${id} Wallet`,
      type: 'WALLET',
      bankCode,
      currency: 'PKR',
      netDebitCap: '1000000.00',
      endpoints,
    });
    const issued = await call(url, operatorKey, 'POST', `/v1/participants/${id}/keys`);
    const key = String(issued.key);
    keys.push(key);
    await call(url, key, 'POST', '/v1/aliases', {
      type: 'MSISDN',
      value: msisdn,
      account: { type: 'WALLET', value: `W${id}0001` },
      name: `${id} Customer`,
    });
  }
  return { participantKey: keys[0] as string };
}

function runSchemathesis(role: string, url: string, key: string, options: FuzzOptions, reportDirectory: string): Promise<FuzzRun> {
  const junitPath = join(reportDirectory, `${role}.xml`);
  const child = spawn(schemathesisBinary, schemathesisArguments({ url, key, options, junitPath }), {
    cwd: reportDirectory,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    process.stdout.write(chunk);
  });
  return new Promise((resolveRun) => {
    child.once('exit', (code) => {
      const xml = existsSync(junitPath) ? readFileSync(junitPath, 'utf8') : null;
      const counts = countsFromJunit(xml);
      resolveRun({
        role,
        exitCode: code ?? 1,
        ...counts,
        testCases: testCasesFromOutput(output),
        operations: operationsFromOutput(output) ?? counts.operations,
      });
    });
  });
}

async function main(): Promise<void> {
  const options = parseFuzzArguments(process.argv.slice(2));
  ensureSchemathesis();
  const dataDir = mkdtempSync(join(tmpdir(), 'hisaab-fuzz-'));
  let started: StartedSwitch | null = null;
  try {
    started = await startSwitch(dataDir);
    const { participantKey } = await seed(started.url);
    const runs: FuzzRun[] = [];
    runs.push(await runSchemathesis('operator', started.url, operatorKey, options, dataDir));
    runs.push(await runSchemathesis('participant', started.url, participantKey, options, dataDir));
    console.log(summaryLine(runs));
    process.exitCode = runs.every((run) => run.exitCode === 0) ? 0 : 1;
  } finally {
    if (started !== null) {
      started.child.kill('SIGTERM');
      await started.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
