/**
 * `npm run bench:lookup [-- --slices N --requests N --concurrency N]`: what one `GET /v1/transfers/{id}` costs the
 * switch (issue 10), measured so that a busy, shared machine moves both sides alike.
 *
 * In one process: the real switch (startSwitch on a fresh data dir, the production log level, lines to a file),
 * two simulated wallets onboarded through the operator API, 64 transfers committed; and the reference, a bare
 * express route answering a fixed transfer body (load-tests/reference-server.ts). One HTTP client (keep-alive,
 * `concurrency` requests in flight) asks each in turn, slice by slice (reference, switch, reference, switch...),
 * so that a neighbour's burst falls on both. Per slice it records requests per second and the process's CPU time
 * per request (user and system: the client's share is the same on both sides). The last line is one JSON object:
 * the medians, `ratio` (switch over reference requests per second) and `switchCpuMicrosecondsPerRequestOverReference`
 * (what a GET costs beyond what express alone costs: the figure that a leaner read path lowers).
 */
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createLogger } from '../api/logger';
import { startLoadNetwork } from '../load-tests/load-network';
import { startReferenceServer } from '../load-tests/reference-server';
import { commitTransferToRead } from '../load-tests/commit-transfer-to-read';

const lookupTransfers = 64;
/** A request that takes longer than this is a failure of the run, not a figure. */
const requestTimeoutMs = 30_000;

type Flags = { slices: number; requests: number; concurrency: number };
type Target = { label: 'reference' | 'switch'; urls: readonly string[]; authorizations: readonly string[] };
type Slice = { requestsPerSecond: number; cpuMicrosecondsPerRequest: number };

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { slices: 6, requests: 3_000, concurrency: 16 };
  const bounds: Record<keyof Flags, [number, number]> = { slices: [1, 50], requests: [100, 100_000], concurrency: [1, 256] };
  for (let index = 0; index < argv.length; index += 2) {
    const name = (argv[index] ?? '').replace(/^--/, '') as keyof Flags;
    const value = Number(argv[index + 1]);
    const bound = Object.hasOwn(bounds, name) ? bounds[name] : undefined;
    if (bound === undefined) throw new Error(`unknown argument ${JSON.stringify(argv[index])}; use --slices, --requests, --concurrency`);
    if (!Number.isSafeInteger(value) || value < bound[0] || value > bound[1])
      throw new Error(`--${name} takes a whole number from ${bound[0]} to ${bound[1]}, got ${JSON.stringify(argv[index + 1])}`);
    flags[name] = value;
  }
  return flags;
}

function get(agent: Agent, url: string, authorization: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { agent, headers: { authorization }, timeout: requestTimeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`GET ${url} took more than ${requestTimeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** `requests` GETs, `concurrency` at a time, each checked: 200 and the transfer asked for. */
async function runSlice(agent: Agent, target: Target, flags: Flags): Promise<Slice> {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const startedAt = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < flags.requests) {
      const index = next % target.urls.length;
      next += 1;
      const url = target.urls[index] as string;
      const answer = await get(agent, url, target.authorizations[index] as string);
      if (answer.status !== 200 || !answer.body.includes('"id"'))
        throw new Error(`${target.label} answered ${url} with ${answer.status}: ${answer.body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: flags.concurrency }, worker));
  const elapsedSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return { requestsPerSecond: flags.requests / elapsedSeconds, cpuMicrosecondsPerRequest: (cpu.user + cpu.system) / flags.requests };
}

/** Commits the transfers to read, through the seed's pairs, and returns their URLs and their payers' keys. */
async function committedLookups(seed: Awaited<ReturnType<typeof startLoadNetwork>>['seed']): Promise<Target> {
  const urls: string[] = [];
  const authorizations: string[] = [];
  for (let index = 0; index < lookupTransfers; index += 1) {
    const { id, participantKey } = await commitTransferToRead(seed, index);
    urls.push(`${seed.baseUrl}/v1/transfers/${id}`);
    authorizations.push(`Bearer ${participantKey}`);
  }
  return { label: 'switch', urls, authorizations };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('median of no slices');
  return middle;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const logDirectory = mkdtempSync(join(tmpdir(), 'hisaab-bench-lookup-'));
  // The production level (info: a line per request), written synchronously to a file as pino writes to stdout.
  const logger = createLogger('info', pino.destination({ dest: join(logDirectory, 'switch.log'), sync: true }));
  const network = await startLoadNetwork({ walletCount: 2, logger });
  const reference = await startReferenceServer();
  const agent = new Agent({ keepAlive: true, maxSockets: flags.concurrency });
  try {
    const switchTarget = await committedLookups(network.seed);
    const referenceTarget: Target = {
      label: 'reference',
      urls: [`${reference.url}/v1/transfers/00000000-0000-4000-8000-000000000000`],
      authorizations: ['Bearer reference'],
    };
    // A first slice of each warms the JIT, the statement caches and the connections; it is not counted.
    await runSlice(agent, referenceTarget, { ...flags, requests: Math.min(flags.requests, 1_000) });
    await runSlice(agent, switchTarget, { ...flags, requests: Math.min(flags.requests, 1_000) });
    const slices: Record<Target['label'], Slice[]> = { reference: [], switch: [] };
    for (let slice = 0; slice < flags.slices; slice += 1) {
      for (const target of [referenceTarget, switchTarget]) {
        const measured = await runSlice(agent, target, flags);
        slices[target.label].push(measured);
        process.stdout.write(
          `slice ${slice + 1} ${target.label.padEnd(9)} ${measured.requestsPerSecond.toFixed(0).padStart(6)} requests/s  ${measured.cpuMicrosecondsPerRequest.toFixed(1).padStart(6)} µs CPU per request\n`,
        );
      }
    }
    const rate = (label: Target['label']) => median(slices[label].map((each) => each.requestsPerSecond));
    const cpu = (label: Target['label']) => median(slices[label].map((each) => each.cpuMicrosecondsPerRequest));
    const summary = {
      bench: 'transfer-lookup',
      flags,
      referenceRequestsPerSecond: Math.round(rate('reference')),
      switchRequestsPerSecond: Math.round(rate('switch')),
      ratio: Math.round((rate('switch') / rate('reference')) * 1000) / 1000,
      referenceCpuMicrosecondsPerRequest: Math.round(cpu('reference') * 10) / 10,
      switchCpuMicrosecondsPerRequest: Math.round(cpu('switch') * 10) / 10,
      switchCpuMicrosecondsPerRequestOverReference: Math.round((cpu('switch') - cpu('reference')) * 10) / 10,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    agent.destroy();
    await reference.close();
    await network.close();
    rmSync(logDirectory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:lookup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
