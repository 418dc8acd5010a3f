/**
 * `npm run bench:startup -- --events 1000000`: how long the switch takes to start on a data dir with a long
 * history, and how much memory it holds once started (issue 14). It
 *   1. writes a history of at least that many events into a new data dir under the system's temporary directory
 *      (bench/support/startup-history.ts: ADVICE payments in batches through the real ledger engine and transfer
 *      service, each with its credit advice queued and delivered through the real `wallet-http` outbox, read
 *      models caught up), unless `--data-dir` names one written before;
 *   2. starts the switch as `npm run serve` does (`node --import tsx api/main.ts`, a process of its own) on it
 *      `--starts` times (3): each from spawn to the first 200 of GET /healthz (the switch listens only once
 *      every module has started), its resident memory (VmRSS) then, and a SIGTERM; the first start is reported
 *      on its own (it may write what an older version did not: an outbox snapshot, say);
 *   3. in the same run, two references: a process that opens the same SQLite file and reads the log's head (the
 *      floor of any start on this data), and the switch started on an empty data dir (what start-up costs
 *      without any history). Start-up bounded by the history shows as a ratio to the empty start near 1.
 * Prints one line per start, a summary, and as its last line one JSON object with the figures.
 *
 * Options: --events N (1,000,000), --starts N (3), --data-dir DIR (reuse, kept; written on up to --events when
 * shorter, so a run cut short resumes), --keep (keep the data dir written), --root DIR (the checkout whose api/main.ts is started: compare versions on the same data),
 * --ledger-transfers N (0; issue 18: after the history, N more single-phase transfers written straight through the
 * PKR ledger engine, bench/support/startup-ledger-fill.ts, so the start is timed after a ledger of that length).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { defaultEventStoreFileName } from '../adapters/eventstore-factory';
import { benchDirectory } from './support/bench-directory';
import { benchOperatorKey, writeStartupHistory } from './support/startup-history';
import { writeLedgerFill } from './support/startup-ledger-fill';

const readyTimeoutMs = 600_000;
const stopTimeoutMs = 60_000;

/** One module's start-up, as the switch logs it (`"msg":"module started"`, api/assembly.ts). */
type ModuleStart = { module: string; durationMs: number };
type StartFigures = { readyMs: number; rssMiB: number; slowestModules: ModuleStart[] };

/** Modules named per start: the few that dominate it. */
const slowestModulesShown = 3;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      starts: { type: 'string', default: '3' },
      'data-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
      root: { type: 'string', default: join(__dirname, '..') },
      'ledger-transfers': { type: 'string', default: '0' },
    },
  });
  // --events 0 with --ledger-transfers: a data dir holding only the ledger fill (the ledger's start-up alone).
  const eventCount = values.events === '0' ? 0 : wholeNumber('--events', values.events);
  const starts = wholeNumber('--starts', values.starts);
  const ledgerTransfers = values['ledger-transfers'] === '0' ? 0 : wholeNumber('--ledger-transfers', values['ledger-transfers']);
  const root = resolve(values.root);
  if (!existsSync(join(root, 'api', 'main.ts'))) throw new Error(`--root ${root} holds no api/main.ts`);
  const kept = values['data-dir'];
  const written = kept === undefined ? benchDirectory('startup') : null;
  const dataDir = kept ?? benchPath(written);
  const empty = benchDirectory('startup-empty');
  try {
    // A data dir given is written on up to --events (a run cut short resumes), drained and caught up.
    const startedAtMs = Date.now();
    if (eventCount > 0) await writeStartupHistory(dataDir, eventCount, (line) => console.log(line));
    console.log(`history written in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s into ${dataDir}`);
    if (ledgerTransfers > 0) await writeLedgerFill(dataDir, ledgerTransfers, (line) => console.log(line));
    const storePath = join(dataDir, defaultEventStoreFileName);
    const history = describeLog(storePath);
    console.log(`log: ${history.events} events, outbox-wallet-http ${history.outboxEvents}, ${history.megabytes} MB`);
    const first = await startSwitchOnce(root, dataDir);
    console.log(`first start: ready in ${first.readyMs} ms, RSS ${first.rssMiB} MiB; slowest modules: ${modulesText(first)}`);
    const emptyFirst = await startSwitchOnce(root, empty.path);
    console.log(`empty data dir, first start: ready in ${emptyFirst.readyMs} ms, RSS ${emptyFirst.rssMiB} MiB`);
    const runs: StartFigures[] = [];
    const emptyRuns: StartFigures[] = [];
    const rawRuns: number[] = [];
    // Interleaved, so that a machine busy with other work slows every target alike.
    for (let round = 1; round <= starts; round += 1) {
      const run = await startSwitchOnce(root, dataDir);
      const emptyRun = await startSwitchOnce(root, empty.path);
      const rawMs = await readHeadInNewProcess(storePath);
      runs.push(run);
      emptyRuns.push(emptyRun);
      rawRuns.push(rawMs);
      console.log(
        `round ${round}: history ${run.readyMs} ms (RSS ${run.rssMiB} MiB; slowest modules: ${modulesText(run)}), empty ${emptyRun.readyMs} ms (RSS ${emptyRun.rssMiB} MiB), raw head read ${rawMs} ms`,
      );
    }
    const readyMs = median(runs.map((run) => run.readyMs));
    const rssMiB = median(runs.map((run) => run.rssMiB));
    const emptyReadyMs = median(emptyRuns.map((run) => run.readyMs));
    const emptyRssMiB = median(emptyRuns.map((run) => run.rssMiB));
    const rawMs = median(rawRuns);
    const ratio = Number((readyMs / emptyReadyMs).toFixed(2));
    console.log(
      `median: ready in ${readyMs} ms with ${history.events} events (empty data dir ${emptyReadyMs} ms, ratio ${ratio}); RSS ${rssMiB} MiB (empty ${emptyRssMiB} MiB); raw open + head read ${rawMs} ms`,
    );
    console.log(
      JSON.stringify({
        events: history.events,
        outboxEvents: history.outboxEvents,
        logMegabytes: history.megabytes,
        starts,
        firstStart: first,
        readyMs,
        rssMiB,
        emptyReadyMs,
        emptyRssMiB,
        rawHeadReadMs: rawMs,
        readyRatioToEmpty: ratio,
      }),
    );
  } finally {
    empty.remove();
    if (written !== null && !values.keep) written.remove();
    else console.log(`data dir kept: ${dataDir}`);
  }
}

/** The switch as `npm run serve` runs it, from spawn to its first healthy answer, then stopped with SIGTERM. */
async function startSwitchOnce(root: string, dataDir: string): Promise<StartFigures> {
  const port = await freePort();
  const startedAtMs = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'api', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      HISAAB_DATA_DIR: dataDir,
      HISAAB_PORT: String(port),
      HISAAB_HOST: '127.0.0.1',
      HISAAB_ISO8583_PORT: '0',
      HISAAB_OPERATOR_KEY: benchOperatorKey,
      // Info, for the modules' start-up times; the switch logs a few lines at start and none per request here.
      HISAAB_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 16_384) stderr += chunk.toString('utf8');
  });
  const modules: ModuleStart[] = [];
  let partialLine = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partialLine + chunk.toString('utf8')).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) {
      const started = moduleStartOf(line);
      if (started !== null) modules.push(started);
    }
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  try {
    for (;;) {
      if (exitCode !== undefined) throw new Error(`the switch exited (${String(exitCode)}) before it was ready: ${stderr}`);
      if (performance.now() - startedAtMs > readyTimeoutMs) throw new Error(`the switch was not ready within ${readyTimeoutMs} ms`);
      if (await healthy(port)) break;
      await new Promise((done) => setTimeout(done, 5));
    }
    const readyMs = Math.round(performance.now() - startedAtMs);
    const slowestModules = [...modules].sort((first, second) => second.durationMs - first.durationMs).slice(0, slowestModulesShown);
    return { readyMs, rssMiB: residentMiB(child.pid as number), slowestModules };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** A `module started` log line's module and duration; null for any other line. */
function moduleStartOf(line: string): ModuleStart | null {
  if (!line.includes('"module started"')) return null;
  try {
    const parsed = JSON.parse(line) as { module?: unknown; durationMs?: unknown };
    return typeof parsed.module === 'string' && typeof parsed.durationMs === 'number'
      ? { module: parsed.module, durationMs: parsed.durationMs }
      : null;
  } catch {
    return null;
  }
}

function modulesText(figures: StartFigures): string {
  return figures.slowestModules.map((started) => `${started.module} ${started.durationMs} ms`).join(', ');
}

/** A port free on loopback now (the OS picks it): other work on the machine may hold any fixed one. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Math.round(Number(match[1]) / 1024);
}

/** The reference: a new node process that opens the store and reads the log's head, spawn to exit. */
async function readHeadInNewProcess(storePath: string): Promise<number> {
  const script = `const Database = require('better-sqlite3'); const db = new Database(${JSON.stringify(storePath)}, { readonly: true, fileMustExist: true }); db.prepare('SELECT MAX(position) AS head FROM events').get(); db.close();`;
  const startedAtMs = performance.now();
  const child = spawn(process.execPath, ['-e', script], { cwd: join(__dirname, '..'), stdio: 'inherit' });
  const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
  if (code !== 0) throw new Error(`the raw head read exited ${String(code)}`);
  return Math.round(performance.now() - startedAtMs);
}

function describeLog(storePath: string): { events: number; outboxEvents: number; megabytes: number } {
  const database = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    const head = database.prepare('SELECT MAX(position) AS head FROM events').get() as { head: number | null };
    const outbox = database.prepare("SELECT COUNT(*) AS count FROM events WHERE stream = 'outbox-wallet-http'").get() as { count: number };
    const pages = database.pragma('page_count', { simple: true }) as number;
    const pageSize = database.pragma('page_size', { simple: true }) as number;
    return { events: (head.head ?? -1) + 1, outboxEvents: outbox.count, megabytes: Math.round((pages * pageSize) / 1_000_000) };
  } finally {
    database.close();
  }
}

function benchPath(directory: { path: string } | null): string {
  if (directory === null) throw new Error('a data dir is either given or written');
  return directory.path;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((first, second) => first - second);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function wholeNumber(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got ${text}`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
