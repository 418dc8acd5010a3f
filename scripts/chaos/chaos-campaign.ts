import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../../test/support/seeded-random';
import { Acknowledgements } from './acknowledgements';
import { startChaosNetwork, type ChaosNetwork } from './chaos-network';
import type { ChaosOptions } from './chaos-options';
import { runChecks, type CheckResult, type LoadMixCounts } from './crash-checks';
import { LoadMix } from './load-mix';
import { ReadModelRebuild } from './read-model-comparison';
import { SwitchChild } from './switch-child';
import { SwitchRecords } from './switch-records';

/**
 * The crash loop of issue 14: the switch under mixed load is SIGKILLed at a seeded random moment, restarted on the
 * same data dir, and checked, `kills` times; at the end the real `npm run verify` runs on the data dir.
 */
export type CycleRecord = {
  kill: number;
  killAfterMs: number;
  restartMs: number;
  closedWindow: boolean;
  loadStopped: boolean;
} & CheckResult;

export type CampaignResult = {
  seed: number;
  kills: number;
  acknowledged: number;
  transfers: number;
  missing: number;
  duplicated: number;
  nonFinal: number;
  /** The longest any restart took until no transfer was in flight. */
  finalAfterMsMax: number;
  verify: 'clean' | 'BROKEN';
  readModels: 'equal' | 'DIFFERENT';
  receivers: 'exact' | 'WRONG';
  books: 'equal' | 'DIFFERENT';
  durationMs: number;
  /** What the load did over the whole campaign (as of the last check). */
  mix: LoadMixCounts | null;
  /** Kept when something broke, for a person to look at; removed otherwise. */
  dataDir: string | null;
  violations: string[];
  cycles: CycleRecord[];
};

const operatorKey = 'chaos-operator-key-0123456789abcdef';
const startTimeoutMs = 120_000;
const repositoryRoot = join(__dirname, '..', '..');

export async function runChaosCampaign(options: ChaosOptions, say: (line: string) => void): Promise<CampaignResult> {
  const startedMs = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'hisaab-chaos-'));
  const rebuildDir = mkdtempSync(join(tmpdir(), 'hisaab-chaos-rebuild-'));
  const [httpPort, iso8583Port] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const environment = {
    HISAAB_DATA_DIR: dataDir,
    HISAAB_OPERATOR_KEY: operatorKey,
    HISAAB_HOST: '127.0.0.1',
    HISAAB_PORT: String(httpPort),
    HISAAB_ISO8583_PORT: String(iso8583Port),
    HISAAB_PAYEE_DEADLINE_MS: String(options.payeeDeadlineMs),
  };
  const switchUrl = `http://127.0.0.1:${httpPort}`;
  const random = seededRandom(options.seed);
  const acknowledgements = new Acknowledgements();
  const records = new SwitchRecords(switchUrl, operatorKey);
  const rebuild = new ReadModelRebuild(rebuildDir);
  const cycles: CycleRecord[] = [];
  let child = await SwitchChild.start(environment, startTimeoutMs);
  let network: ChaosNetwork | null = null;
  try {
    network = await startChaosNetwork(switchUrl, operatorKey, iso8583Port);
    say(`chaos: seed ${options.seed}, ${options.kills} kills, data dir ${dataDir}, switch ${switchUrl}, ISO 8583 port ${iso8583Port}`);
    for (let kill = 1; kill <= options.kills; kill += 1) {
      // The first cycle always closes a window, so that even a short campaign covers a settlement close under load.
      const closedWindow = random() < 0.25 || kill === 1;
      const load = new LoadMix({ switchUrl, operatorKey, network, acknowledgements, random, cycle: kill, closesWindow: closedWindow });
      load.start();
      const killAfterMs = options.killAfterMinMs + Math.floor(random() * (options.killAfterMaxMs - options.killAfterMinMs));
      // The first cycle's kill waits for its close and settle to be answered (under the same load), so that even a
      // short campaign on a slow machine covers a settlement close; later cycles kill whenever the dice say.
      await Promise.all([pause(killAfterMs), kill === 1 ? load.windowCloseFinished() : undefined]);
      child.kill();
      await child.exited;
      const restartedAtMs = Date.now();
      child = await SwitchChild.start(environment, startTimeoutMs);
      const restartMs = Date.now() - restartedAtMs;
      const loadStopped = await load.stop();
      const checks = await runChecks({
        network,
        records,
        acknowledgements,
        dataDir,
        rebuild,
        restartedAtMs,
        finalWithinMs: options.payeeDeadlineMs + options.recoveryMs,
        deliveryWaitMs: options.deliveryWaitMs,
      }).catch((error: unknown) => checksThatFailed(error, child));
      const cycle = { kill, killAfterMs, restartMs, closedWindow, loadStopped, ...checks };
      cycles.push(cycle);
      const broken = violationsOf(cycle);
      say(
        `kill ${kill}/${options.kills} after ${killAfterMs} ms: restart ${restartMs} ms, all final after ${checks.finalAfterMs} ms, ` +
          `${checks.acknowledged} acknowledged, ${checks.transfers} transfers, ${broken.length === 0 ? 'every check holds' : `VIOLATIONS: ${broken.slice(0, 5).join('; ')}`}`,
      );
      // The first broken cycle ends the campaign: its data dir is kept as the kill left it, to be looked at.
      if (broken.length > 0) break;
    }
    const exitCode = await child.terminate();
    const verified = await runVerifyScript(dataDir);
    return summarise(options, cycles, acknowledgements, network, exitCode, verified, startedMs, dataDir);
  } finally {
    child.kill();
    await network?.close();
    rebuild.close();
    rmSync(rebuildDir, { recursive: true, force: true });
  }
}

/** The one line a campaign ends with. */
export function summaryLine(result: CampaignResult): string {
  return (
    `chaos: kills ${result.kills}, acknowledged ${result.acknowledged}, missing ${result.missing}, duplicated ${result.duplicated}, ` +
    `non-final ${result.nonFinal} (all final within ${result.finalAfterMsMax} ms of a restart), verify ${result.verify}, ` +
    `read models ${result.readModels}, receivers ${result.receivers}, books ${result.books}, duration ${Math.round(result.durationMs / 1000)} s, seed ${result.seed}`
  );
}

function summarise(
  options: ChaosOptions,
  cycles: readonly CycleRecord[],
  acknowledgements: Acknowledgements,
  network: ChaosNetwork,
  exitCode: number | null,
  verified: { code: number; output: string },
  startedMs: number,
  dataDir: string,
): CampaignResult {
  const violations = cycles.flatMap((cycle) => violationsOf(cycle).map((text) => `kill ${cycle.kill}: ${text}`));
  if (cycles.length < options.kills) violations.push(`stopped after ${cycles.length} of ${options.kills} kills`);
  if (exitCode !== 0) violations.push(`the switch exited with ${exitCode} on SIGTERM at the end`);
  if (verified.code !== 0) violations.push(`npm run verify exited with ${verified.code}: ${verified.output.trim()}`);
  const count = (pick: (cycle: CycleRecord) => readonly string[]): number => cycles.reduce((sum, cycle) => sum + pick(cycle).length, 0);
  const kept = violations.length > 0;
  if (!kept) rmSync(dataDir, { recursive: true, force: true });
  return {
    seed: options.seed,
    kills: cycles.length,
    acknowledged: acknowledgements.transfers(network.wallets).length,
    transfers: Math.max(0, ...cycles.map((cycle) => cycle.transfers)),
    missing: count((cycle) => cycle.missing),
    duplicated: count((cycle) => cycle.duplicated),
    nonFinal: count((cycle) => cycle.nonFinal),
    finalAfterMsMax: Math.max(0, ...cycles.map((cycle) => cycle.finalAfterMs)),
    verify: count((cycle) => cycle.verify) === 0 && verified.code === 0 ? 'clean' : 'BROKEN',
    readModels: count((cycle) => cycle.readModels) === 0 ? 'equal' : 'DIFFERENT',
    receivers: count((cycle) => [...cycle.receivers, ...cycle.gateway]) === 0 ? 'exact' : 'WRONG',
    books: count((cycle) => cycle.books) === 0 ? 'equal' : 'DIFFERENT',
    durationMs: Date.now() - startedMs,
    mix: [...cycles].reverse().find((cycle) => cycle.transfers > 0)?.mix ?? null,
    dataDir: kept ? dataDir : null,
    violations: violations.slice(0, 200),
    cycles: [...cycles],
  };
}

/** A check that could not run (the switch did not answer) is a violation, with what the switch last said. */
function checksThatFailed(error: unknown, child: SwitchChild): CheckResult {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  const failure = `the checks could not run: ${error instanceof Error ? error.message : String(error)}${cause}; ${child.describe()}`;
  return {
    acknowledged: 0,
    transfers: 0,
    missing: [],
    duplicated: [],
    nonFinal: [],
    finalAfterMs: 0,
    verify: [],
    readModels: [],
    receivers: [],
    books: [],
    gateway: [failure],
    mix: {
      byVia: {},
      sessionsCompleted: 0,
      refundsSucceeded: 0,
      chargebacks: 0,
      windowsClosed: 0,
      windowsSettled: 0,
      reversedTransfers: 0,
      bankAdvices: 0,
      repeatsDeduplicated: 0,
    },
  };
}

function violationsOf(cycle: CycleRecord): string[] {
  return [
    ...cycle.missing,
    ...cycle.duplicated,
    ...cycle.nonFinal,
    ...cycle.verify,
    ...cycle.readModels.map((text) => `read model differs from its rebuild: ${text}`),
    ...cycle.receivers,
    ...cycle.books,
    ...cycle.gateway,
    ...(cycle.loadStopped ? [] : ['the load did not stop within its bound after the kill']),
  ];
}

/** `npm run verify -- --data-dir DIR` itself, as a person would run it, on the stopped switch's data. */
function runVerifyScript(dataDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
      [join(repositoryRoot, 'scripts', 'verify.ts'), '--data-dir', dataDir],
      { cwd: repositoryRoot, timeout: 300_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** A port free on loopback now: the switch keeps the same ports across restarts, so that clients find it again. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function pause(delayMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}
