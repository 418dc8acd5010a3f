import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { loadConfig } from '../../api/config';
import { createLogger } from '../../api/logger';
import { startSwitch, type RunningSwitch } from '../../api/switch';
import type { WebhookOptions } from '../../api/webhooks-assembly';
import { auditStreamName } from '../../core/audit/audit-entry';
import { HttpClient } from './http-client';
import { tempDir } from './temp-dir';

export const testOperatorKey = 'operator-test-key-0123456789abcdef';
const repositoryRoot = join(__dirname, '..', '..');

/**
 * Every test client comes from 127.0.0.1, so the per-address limits (50 requests per second by default) would
 * refuse the many keyless requests and pay-page loads some tests send in a burst; those tests are not about rate
 * limits. The per-key limit keeps its default. test/e2e/rate-limits.test.ts sets its own small limits.
 */
const testRateLimits = {
  HISAAB_RATE_LIMIT_PAY_PAGE_PER_ADDRESS: '100000',
  HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: '100000',
  // Shedding on event-loop delay (default 200 ms) would answer 503 to functional tests' payments whenever the shared
  // test machine is slow or a test has just sent a batch of thousands; the in-flight bound still applies.
  HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS: '0',
};

export type TestSwitch = {
  url: string;
  client: HttpClient;
  operatorKey: string;
  dataDir: string;
  running: RunningSwitch;
  /** Every log line the switch wrote, parsed. */
  logLines: Record<string, unknown>[];
  /** Stops the switch (keeps the data dir). */
  stop(): Promise<void>;
  /** Stops the switch and removes its data dir. */
  close(): Promise<void>;
};

/**
 * Starts the real switch in this process on a loopback port chosen by the OS, with a fresh data dir (or the
 * given one, to test restarts). Logs are captured in memory.
 */
export async function startTestSwitch(
  options: { dataDir?: string; environment?: Record<string, string>; now?: () => Date; webhooks?: Partial<WebhookOptions> } = {},
): Promise<TestSwitch> {
  const directory = options.dataDir === undefined ? tempDir('hisaab-api-') : null;
  const dataDir = options.dataDir ?? directory?.path ?? '';
  const config = loadConfig({
    HISAAB_PORT: '0',
    HISAAB_HOST: '127.0.0.1',
    HISAAB_DATA_DIR: dataDir,
    HISAAB_OPERATOR_KEY: testOperatorKey,
    HISAAB_SHUTDOWN_TIMEOUT_MS: '2000',
    HISAAB_ISO8583_PORT: '0',
    ...testRateLimits,
    ...options.environment,
  });
  const logLines: Record<string, unknown>[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const running = await startSwitch({
    config,
    logger: createLogger('info', capture),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.webhooks === undefined ? {} : { webhooks: options.webhooks }),
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await running.close();
  };
  return {
    url: running.url,
    client: new HttpClient(running.url),
    operatorKey: testOperatorKey,
    dataDir,
    running,
    logLines,
    stop,
    async close() {
      await stop();
      directory?.remove();
    },
  };
}

export type SwitchChild = {
  url: string;
  port: number;
  child: ChildProcessWithoutNullStreams;
  /** stdout lines so far, parsed when JSON. */
  lines: unknown[];
  stderr: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/**
 * Runs `npm run serve`'s entry point (`node --import tsx api/main.ts`) as a child process and waits for its
 * "listening" line. Not through the tsx CLI: its relay turns a SIGTERM the switch does not acknowledge within 30 ms
 * (a loaded machine) into a SIGKILL and exit code 143.
 */
/** `entry`: another entry point that runs the switch (a crash test's wrapper with a kill point). */
export function spawnSwitch(environment: Record<string, string>, timeoutMs = 20_000, entry = join('api', 'main.ts')): Promise<SwitchChild> {
  // A process group of its own: a SIGKILL must reach the workers the switch forks too.
  const child = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, entry)], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', HISAAB_HOST: '127.0.0.1', HISAAB_ISO8583_PORT: '0', ...testRateLimits, ...environment },
    detached: true,
  });
  const lines: unknown[] = [];
  let stderr = '';
  let pending = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise<SwitchChild>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the switch did not log "listening" within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the switch exited with ${code} before listening; stderr: ${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        let parsed: unknown = part;
        try {
          parsed = JSON.parse(part);
        } catch {
          // Not JSON: kept as text so a test can show it.
        }
        lines.push(parsed);
        const record = parsed as { msg?: unknown; port?: unknown };
        if (record.msg === 'listening' && typeof record.port === 'number') {
          clearTimeout(timer);
          const port = record.port;
          resolve({
            url: `http://127.0.0.1:${port}`,
            port,
            child,
            lines,
            stderr: () => stderr,
            stop(signal: NodeJS.Signals = 'SIGTERM') {
              if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
                // SIGKILL goes to the whole group, workers included; SIGTERM to the switch, which stops its workers.
                if (signal === 'SIGKILL') process.kill(-child.pid, signal);
                else child.kill(signal);
              }
              return exited;
            },
          });
        }
      }
    });
  });
}

/** Runs the entry point and resolves with its exit code and output, for start-up refusals. */
export function runSwitchExpectingExit(
  environment: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'api', 'main.ts')], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH ?? '', HISAAB_ISO8583_PORT: '0', ...environment },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the switch neither exited nor listened within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A participant registration body as the issue's contract shows it, with overridable fields. */
export function participantBody(id: string, bankCode: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `${id} Wallet`,
    type: 'WALLET',
    bankCode,
    currency: 'PKR',
    netDebitCap: '1000000.00',
    creditMode: 'REQUEST',
    endpoints: { creditUrl: 'http://127.0.0.1:9/credit', reversalUrl: 'http://127.0.0.1:9/reversal', rtpUrl: 'http://127.0.0.1:9/rtp' },
    ...overrides,
  };
}

/**
 * Registers a participant through the API (the body of `participantBody` with `overrides`) and issues it a key;
 * fails the test on any unexpected answer.
 */
export async function onboardParticipant(
  testSwitch: Pick<TestSwitch, 'client' | 'operatorKey'>,
  id: string,
  bankCode: string,
  overrides: Record<string, unknown> = {},
): Promise<{ key: string; keyId: string; signingSecret: string }> {
  const created = await testSwitch.client.post('/v1/participants', {
    key: testSwitch.operatorKey,
    body: participantBody(id, bankCode, overrides),
  });
  if (created.status !== 201) throw new Error(`registering ${id}: ${created.status} ${created.text}`);
  const issued = await testSwitch.client.post(`/v1/participants/${id}/keys`, { key: testSwitch.operatorKey });
  if (issued.status !== 201) throw new Error(`issuing a key for ${id}: ${issued.status} ${issued.text}`);
  return issued.body as { key: string; keyId: string; signingSecret: string };
}

/** Issues a regulator key through the API. */
export async function issueRegulatorKey(testSwitch: TestSwitch): Promise<string> {
  const issued = await testSwitch.client.post('/v1/keys', {
    key: testSwitch.operatorKey,
    body: { role: 'REGULATOR', name: 'SBP examiner' },
  });
  if (issued.status !== 201) throw new Error(`issuing a regulator key: ${issued.status} ${issued.text}`);
  return (issued.body as { key: string }).key;
}

/**
 * The events appended after `position` other than audit entries: an attempt the switch refuses is still recorded
 * in the audit trail (who tried what, from where), but it changes no state.
 */
export async function stateEventsSince(testSwitch: TestSwitch, position: bigint): Promise<string[]> {
  const appended = await testSwitch.running.store.readAll(position, 10_000);
  return appended.filter((event) => event.stream !== auditStreamName).map((event) => `${event.stream} ${event.type}`);
}

/** Runs an action and checks it appended nothing to the event log but audit entries: bad input changes nothing. */
export async function expectLogUnchanged<Result>(testSwitch: TestSwitch, action: () => Promise<Result>): Promise<Result> {
  const before = await testSwitch.running.store.headPosition();
  const result = await action();
  const appended = await stateEventsSince(testSwitch, before);
  if (appended.length > 0) throw new Error(`the event log moved past ${before} (${appended.join(', ')}): the request changed state`);
  return result;
}

/**
 * MARGALLA (payer, wallet 03001111111, alias 923001111111) and RAVI (an ADVICE payee: committed at once, told
 * afterwards; alias 923002222222) onboarded with their keys: a payment from one to the other needs no simulator.
 */
export async function onboardPayerAndAdvicePayee(testSwitch: TestSwitch): Promise<{ payerKey: string; payeeKey: string }> {
  const payerKey = (await onboardParticipant(testSwitch, 'MARGALLA', 'MRGL')).key;
  const payeeKey = (await onboardParticipant(testSwitch, 'RAVI', 'RAVI', { creditMode: 'ADVICE' })).key;
  const aliases = [
    { key: payerKey, value: '923001111111', wallet: '03001111111', name: 'Ayesha Khan' },
    { key: payeeKey, value: '923002222222', wallet: '03002222222', name: 'Bilal Ahmed' },
  ];
  for (const alias of aliases) {
    const registered = await testSwitch.client.post('/v1/aliases', {
      key: alias.key,
      body: { type: 'MSISDN', value: alias.value, account: { type: 'WALLET', value: alias.wallet }, name: alias.name },
    });
    if (registered.status !== 201) throw new Error(`registering alias ${alias.value}: ${registered.status} ${registered.text}`);
  }
  return { payerKey, payeeKey };
}
