import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PostgresEventStore } from '../../adapters/eventstore-postgres/postgres-event-store';
import { participantStreamName } from '../../core/participants/participant-profile';
import { newMasterKey } from '../../core/secrets/secret-box';
import { LocalPostgres, localPostgresPassword, localPostgresUser } from '../postgres/local-postgres';
import { startSwitchChild } from '../switch-child';

const run = promisify(execFile);
const operatorKey = 'chaos-postgres-operator-key-0123456789';
const requestTimeoutMs = 15_000;
/** Concurrent clients: each registers participants one after another, retrying the same id until it has an answer. */
const clients = 6;
/** Writes one run makes at most: a bound on the load, far above what the bursts produce. */
const writesMax = 5_000;

export type FailoverSettings = {
  /** Traffic before the kill, and after the promotion, in milliseconds. */
  burstMs: number;
  /** How long no primary is there: from the SIGKILL to `pg_ctl promote`. */
  outageMs: number;
  log: (line: string) => void;
};

export type FailoverReport = {
  acknowledgedBeforeKill: number;
  acknowledged: number;
  answersDuringOutage: Record<string, number>;
  killToFirstWriteMs: number | null;
  missingOnNewPrimary: string[];
  duplicated: string[];
  serverErrors: number;
  verifyExitCode: number | null;
  passed: boolean;
};

/** Four capital letters for client `index`'s n-th registration: bank codes must be unique, like the ids. */
function bankCode(sequence: number): string {
  let code = '';
  let rest = sequence;
  for (let letter = 0; letter < 4; letter += 1) {
    code = String.fromCharCode(65 + (rest % 26)) + code;
    rest = Math.floor(rest / 26);
  }
  return code;
}

function registration(id: string, code: string): string {
  return JSON.stringify({
    id,
    name: `${id} Wallet`,
    type: 'WALLET',
    bankCode: code,
    currency: 'PKR',
    netDebitCap: '1000000.00',
    creditMode: 'ADVICE',
    endpoints: { creditUrl: 'http://127.0.0.1:9/credit', reversalUrl: 'http://127.0.0.1:9/reversal', rtpUrl: 'http://127.0.0.1:9/rtp' },
  });
}

type Answer = { status: number; code: string };

async function register(url: string, id: string, code: string): Promise<Answer> {
  try {
    const response = await fetch(`${url}/v1/participants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
      body: registration(id, code),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    let errorCode = '';
    try {
      errorCode = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
    } catch {
      // Not JSON: the status alone tells.
    }
    return { status: response.status, code: errorCode };
  } catch {
    return { status: 0, code: 'NO_ANSWER' };
  }
}

/**
 * The failover drill of issue 19: a primary and a synchronous standby (pg_basebackup, synchronous_standby_names),
 * the switch in front through a two-host connection string, participant registrations (each one a ledger command,
 * an audit entry and the participant's streams) from several clients; SIGKILL the primary mid-burst, promote the
 * standby, keep going. Then: every registration acknowledged is on the new primary, each exactly once (clients
 * retry an unanswered one with the same id until the switch says it exists), the switch never answered 500, and
 * `npm run verify` passes against the new primary. Reports the time from the kill to the first acknowledged write.
 */
export async function runFailover(settings: FailoverSettings): Promise<FailoverReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hisaab-chaos-pg-'));
  const primary = await LocalPostgres.create({ durable: true });
  let standby: LocalPostgres | null = null;
  let switchProcess: Awaited<ReturnType<typeof startSwitchChild>> | null = null;
  try {
    standby = await primary.createStandby('standby1');
    await primary.sql(`ALTER SYSTEM SET synchronous_standby_names = 'standby1'`);
    await primary.sql('SELECT pg_reload_conf()');
    settings.log(`primary 127.0.0.1:${primary.port}, synchronous standby 127.0.0.1:${standby.port} (synchronous_commit = on)`);
    const storeUrl = `postgres://${localPostgresUser}:${localPostgresPassword}@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/postgres`;
    switchProcess = await startSwitchChild({
      dataDir,
      operatorKey,
      environment: { HISAAB_EVENTSTORE: storeUrl, HISAAB_MASTER_KEY: newMasterKey().toString('base64') },
    });
    const switchUrl = switchProcess.url;
    settings.log(`switch at ${switchUrl}`);

    const acknowledged = new Map<string, number>();
    const answersDuringOutage: Record<string, number> = {};
    let serverErrors = 0;
    let killedAtMs: number | null = null;
    let promotedAtMs: number | null = null;
    // Set before `pg_ctl promote` is called: the standby may take writes before the command returns.
    let promotionStartedAtMs: number | null = null;
    let firstWriteAfterKillMs: number | null = null;
    let acknowledgedBeforeKill = 0;
    let stopping = false;
    let sequence = 0;
    const unanswered = new Set<string>();

    const attempt = async (id: string, code: string): Promise<Answer> => {
      // Only a request sent after the kill counts: one in flight at the kill may have been committed before it.
      const sentAfterKill = killedAtMs !== null;
      const sentBeforePromotion = promotionStartedAtMs === null;
      const answer = await register(switchUrl, id, code);
      const now = performance.now();
      if (answer.status >= 500 && answer.status !== 503) serverErrors += 1;
      if (sentAfterKill && killedAtMs !== null && firstWriteAfterKillMs === null && answer.status === 201)
        firstWriteAfterKillMs = now - killedAtMs;
      // Answers to requests sent and answered while no primary was there (one sent then may succeed after the promotion).
      if (sentAfterKill && sentBeforePromotion && promotionStartedAtMs === null) {
        const key = `${answer.status} ${answer.code}`.trim();
        answersDuringOutage[key] = (answersDuringOutage[key] ?? 0) + 1;
      }
      return answer;
    };
    const clientLoop = async (): Promise<void> => {
      while (!stopping && sequence < writesMax) {
        sequence += 1;
        const code = bankCode(sequence);
        const id = `CH${code}`;
        const answer = await attempt(id, code);
        if (answer.status === 201) acknowledged.set(id, performance.now());
        else unanswered.add(`${id} ${code}`);
        if (answer.status !== 201) await new Promise((resolvePause) => setTimeout(resolvePause, 100));
      }
    };
    const load = Promise.all(Array.from({ length: clients }, () => clientLoop()));
    await new Promise((resolveBurst) => setTimeout(resolveBurst, settings.burstMs));
    acknowledgedBeforeKill = acknowledged.size;
    const beforeKill = new Set(acknowledged.keys());
    killedAtMs = performance.now();
    await primary.kill();
    settings.log(`SIGKILL to the primary with ${acknowledgedBeforeKill} registrations acknowledged`);
    await new Promise((resolveOutage) => setTimeout(resolveOutage, settings.outageMs));
    promotionStartedAtMs = performance.now();
    await standby.promote();
    promotedAtMs = performance.now();
    settings.log(`standby promoted ${Math.round(promotedAtMs - killedAtMs)} ms after the kill`);
    await new Promise((resolveBurst) => setTimeout(resolveBurst, settings.burstMs));
    stopping = true;
    await load;

    // Clients retry what had no 201 with the same id: 201 (applied now) or 409 (an earlier attempt was applied).
    for (const entry of unanswered) {
      const [id, code] = entry.split(' ') as [string, string];
      if (acknowledged.has(id)) continue;
      for (let retry = 0; retry < 50; retry += 1) {
        const answer = await attempt(id, code);
        if (answer.status === 201 || answer.status === 409) break;
        await new Promise((resolvePause) => setTimeout(resolvePause, 200));
      }
    }

    const reader = new PostgresEventStore(`postgres://${localPostgresUser}:${localPostgresPassword}@127.0.0.1:${standby.port}/postgres`);
    const missingOnNewPrimary: string[] = [];
    const duplicated: string[] = [];
    try {
      const ids = [...beforeKill, ...acknowledged.keys()];
      for (const id of new Set(ids)) {
        const events = await reader.readStream(participantStreamName(id), 0n, 100);
        const registered = events.filter((recorded) => recorded.type === 'ParticipantRegistered');
        if (events.length === 0) missingOnNewPrimary.push(id);
        if (registered.length > 1) duplicated.push(id);
      }
    } finally {
      await reader.close();
    }
    const verify = await run(process.execPath, ['--import', 'tsx', resolve(__dirname, '..', 'verify.ts')], {
      cwd: resolve(__dirname, '..', '..'),
      env: {
        PATH: process.env.PATH ?? '',
        HISAAB_EVENTSTORE: `postgres://${localPostgresUser}:${localPostgresPassword}@127.0.0.1:${standby.port}/postgres`,
      },
      timeout: 120_000,
    }).then(
      () => 0,
      (error: { code?: number }) => (typeof error.code === 'number' ? error.code : 1),
    );
    const report: FailoverReport = {
      acknowledgedBeforeKill,
      acknowledged: acknowledged.size,
      answersDuringOutage,
      killToFirstWriteMs: firstWriteAfterKillMs === null ? null : Math.round(firstWriteAfterKillMs),
      missingOnNewPrimary,
      duplicated,
      serverErrors,
      verifyExitCode: verify,
      passed: false,
    };
    report.passed =
      missingOnNewPrimary.length === 0 &&
      duplicated.length === 0 &&
      serverErrors === 0 &&
      verify === 0 &&
      report.killToFirstWriteMs !== null &&
      acknowledgedBeforeKill > 0;
    return report;
  } finally {
    await switchProcess?.stop();
    await standby?.remove();
    await primary.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
