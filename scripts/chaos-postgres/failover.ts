import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PostgresEventStore } from '../../adapters/eventstore-postgres/postgres-event-store';
import { randomUUID } from 'node:crypto';
import { transferStreamName } from '../../core/transfers/transfer-events';
import { payerScopedTransferId } from '../../core/transfers/transfer-id';
import { firstSigningSecret, OperatorClient } from '../../simulators/operator-client';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { newMasterKey } from '../../core/secrets/secret-box';
import { LocalPostgres, localPostgresPassword, localPostgresUser } from '../postgres/local-postgres';
import { startSwitchChild } from '../switch-child';

const run = promisify(execFile);
const operatorKey = 'chaos-postgres-operator-key-0123456789';
const requestTimeoutMs = 15_000;
/** Concurrent clients: each sends payments one after another, retrying the same ids until it has an answer. */
const clients = 6;
/** Requests one run sends at most: a bound on the load, far above what the bursts produce. */
const requestsMax = 5_000;
/** Transfers in one batch request. */
const batchSize = 4;
/** How long, in all, the drill sends requests without a final answer again with the same ids after the load. */
const retryPhaseMs = 60_000;

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
  /** Acknowledged transfers by kind of request and final state, e.g. "advice COMMITTED". */
  acknowledgedByKind: Record<string, number>;
  answersDuringOutage: Record<string, number>;
  killToFirstWriteMs: number | null;
  missingOnNewPrimary: string[];
  duplicated: string[];
  /** Transfers sent but still without a final answer (IN_FLIGHT) when the retry phase ended. */
  unfinished: string[];
  /** Acknowledged transfers whose state in the new primary's log is not the one answered. */
  stateMismatches: string[];
  /** Reversals the switch sent to the payee whose deadline passed (transfers aborted PAYEE_TIMEOUT). */
  reversalsDelivered: number;
  serverErrors: number;
  verifyExitCode: number | null;
  passed: boolean;
};

/** The payees of the mix: a REQUEST wallet, an ADVICE wallet, and a REQUEST wallet too slow for the deadline. */
const payees = {
  request: { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', creditMode: 'REQUEST' },
  advice: { id: 'KHYBER', bankCode: 'KHYB', msisdn: '923000000003', creditMode: 'ADVICE' },
  reversal: { id: 'INDUS', bankCode: 'INDU', msisdn: '923000000004', creditMode: 'REQUEST' },
} as const;
const payer = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', creditMode: 'REQUEST' } as const;
type Kind = keyof typeof payees | 'batch';
const kinds: readonly Kind[] = ['request', 'advice', 'batch', 'reversal'];

type Payment = { id: string; kind: Kind; body: Record<string, unknown> };
/** One request of the mix: a single payment, or a batch of them (sent again whole, with the same ids). */
type Request = { kind: Kind; payments: Payment[] };
type Answer = { status: number; code: string; results: { id: string; state: string | null; code: string }[] };

function walletNumber(id: string): string {
  return `W${id}0001`;
}

async function startWallet(
  operator: OperatorClient,
  spec: { id: string; bankCode: string; msisdn: string; creditMode: 'REQUEST' | 'ADVICE' },
): Promise<{ simulator: WalletSimulator; key: string }> {
  const simulator = new WalletSimulator({
    participantId: spec.id,
    accounts: [{ walletNumber: walletNumber(spec.id), msisdn: spec.msisdn, name: `Customer ${spec.id}`, balanceMinor: 10_000_000_000n }],
  });
  await simulator.start();
  await operator.onboard({
    id: spec.id,
    name: `${spec.id} Wallet`,
    type: 'WALLET',
    bankCode: spec.bankCode,
    netDebitCap: '100000000.00',
    creditMode: spec.creditMode,
    endpoints: simulator.endpoints,
  });
  const key = await operator.issueKey(spec.id);
  simulator.setSigningSecret(firstSigningSecret(spec.id, key));
  await operator.registerAlias(key.key, {
    type: 'MSISDN',
    value: spec.msisdn,
    account: { type: 'WALLET', value: walletNumber(spec.id) },
    name: `Customer ${spec.id}`,
  });
  return { simulator, key: key.key };
}

function payment(kind: Kind, payee: keyof typeof payees, sequence: number): Payment {
  return {
    id: randomUUID(),
    kind,
    body: {
      payer: { type: 'WALLET', value: walletNumber(payer.id) },
      payee: { type: 'MSISDN', value: payees[payee].msisdn },
      // Whole paisa amounts from 1.01 upwards: exact decimal strings, never a float.
      amount: `${1 + (sequence % 50)}.${String(1 + (sequence % 98)).padStart(2, '0')}`,
      currency: 'PKR',
      purpose: 'P2P',
    },
  };
}

function requestOf(kind: Kind, sequence: number): Request {
  if (kind !== 'batch') return { kind, payments: [payment(kind, kind, sequence)] };
  // A batch pays the REQUEST and the ADVICE wallet in turn.
  return {
    kind,
    payments: Array.from({ length: batchSize }, (_, index) => payment('batch', index % 2 === 0 ? 'request' : 'advice', sequence + index)),
  };
}

const finalStates = new Set(['COMMITTED', 'ABORTED']);

async function send(url: string, payerKey: string, request: Request): Promise<Answer> {
  const batch = request.kind === 'batch';
  const body = batch
    ? { transfers: request.payments.map((entry) => ({ id: entry.id, ...entry.body })) }
    : { id: request.payments[0]?.id, ...request.payments[0]?.body };
  try {
    const response = await fetch(`${url}/v1/transfers${batch ? '/batch' : ''}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${payerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    let parsed: {
      error?: { code?: string };
      id?: string;
      state?: string;
      results?: { id: string; state?: string; error?: { code: string } }[];
    } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Not JSON: the status alone tells.
    }
    const results =
      parsed.results?.map((result) => ({ id: result.id, state: result.state ?? null, code: result.error?.code ?? '' })) ??
      (typeof parsed.id === 'string' ? [{ id: parsed.id, state: parsed.state ?? null, code: '' }] : []);
    return { status: response.status, code: parsed.error?.code ?? '', results };
  } catch {
    return { status: 0, code: 'NO_ANSWER', results: [] };
  }
}

/**
 * The failover drill of issue 19: a primary and a synchronous standby (pg_basebackup, synchronous_standby_names),
 * the switch in front through a two-host connection string, and a mix of payments from several clients: REQUEST
 * transfers (the payee wallet is asked to credit), ADVICE transfers (told after the commit), batches of both, and
 * transfers to a wallet too slow for the deadline, which abort PAYEE_TIMEOUT and are reversed through the outbox.
 * SIGKILL the primary mid-burst, promote the standby, keep going. Then: every transfer acknowledged is on the new
 * primary in the state answered, each exactly once (clients send an unanswered request again with the same ids
 * until it has a final answer), the switch never answered 500, and `npm run verify` passes against the new primary.
 * Reports the time from the kill to the first acknowledged write.
 */
export async function runFailover(settings: FailoverSettings): Promise<FailoverReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hisaab-chaos-pg-'));
  const primary = await LocalPostgres.create({ durable: true });
  let standby: LocalPostgres | null = null;
  let switchProcess: Awaited<ReturnType<typeof startSwitchChild>> | null = null;
  const wallets: WalletSimulator[] = [];
  try {
    standby = await primary.createStandby('standby1');
    await primary.sql(`ALTER SYSTEM SET synchronous_standby_names = 'standby1'`);
    await primary.sql('SELECT pg_reload_conf()');
    settings.log(`primary 127.0.0.1:${primary.port}, synchronous standby 127.0.0.1:${standby.port} (synchronous_commit = on)`);
    const storeUrl = `postgres://${localPostgresUser}:${localPostgresPassword}@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/postgres`;
    switchProcess = await startSwitchChild({
      dataDir,
      operatorKey,
      environment: {
        HISAAB_EVENTSTORE: storeUrl,
        HISAAB_MASTER_KEY: newMasterKey().toString('base64'),
        // The drill is about the store: payments are not shed for a loaded machine's event-loop delay.
        HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS: '0',
      },
    });
    const switchUrl = switchProcess.url;
    // The switch's log is kept for whoever reads a failed drill: outside the data dir, which is removed.
    const switchLogPath = join(tmpdir(), `hisaab-chaos-postgres-switch-${process.pid}.log`);
    const switchLog = createWriteStream(switchLogPath);
    switchProcess.child.stdout?.pipe(switchLog);
    settings.log(`switch at ${switchUrl}, its log in ${switchLogPath}`);
    const operator = new OperatorClient(switchUrl, operatorKey);
    const payerWallet = await startWallet(operator, payer);
    wallets.push(payerWallet.simulator);
    for (const spec of Object.values(payees)) wallets.push((await startWallet(operator, spec)).simulator);
    // INDUS credits but answers after the switch's deadline (500 ms): the transfer aborts and a reversal follows.
    wallets[wallets.length - 1]?.setMode({ mode: 'slow', delayMs: 1_500 }, ['CREDIT_REQUEST']);

    const acknowledged = new Map<string, { kind: Kind; state: string }>();
    const answersDuringOutage: Record<string, number> = {};
    let serverErrors = 0;
    let killedAtMs: number | null = null;
    // Set before `pg_ctl promote` is called: the standby may take writes before the command returns.
    let promotionStartedAtMs: number | null = null;
    let firstWriteAfterKillMs: number | null = null;
    let stopping = false;
    let sequence = 0;
    const unanswered: Request[] = [];

    /** Sends a request once; records what was acknowledged; true when every payment in it has a final answer. */
    const attempt = async (request: Request): Promise<boolean> => {
      // Only a request sent after the kill counts: one in flight at the kill may have been committed before it.
      const sentAfterKill = killedAtMs !== null;
      const sentBeforePromotion = promotionStartedAtMs === null;
      const answer = await send(switchUrl, payerWallet.key, request);
      const now = performance.now();
      if (answer.status >= 500 && answer.status !== 503) serverErrors += 1;
      let final = answer.results.length === request.payments.length;
      for (const result of answer.results) {
        if ((answer.status === 200 || answer.status === 201) && result.state !== null && finalStates.has(result.state)) {
          const entry = request.payments.find((candidate) => candidate.id === result.id);
          if (entry !== undefined) acknowledged.set(entry.id, { kind: entry.kind, state: result.state });
          if (sentAfterKill && killedAtMs !== null && firstWriteAfterKillMs === null) firstWriteAfterKillMs = now - killedAtMs;
        } else {
          final = false;
        }
      }
      // Answers to requests sent and answered while no primary was there (one sent then may succeed after the promotion).
      if (sentAfterKill && sentBeforePromotion && promotionStartedAtMs === null) {
        const codes =
          answer.results.length > 0 && request.kind === 'batch'
            ? answer.results.map((result) => result.code || result.state)
            : [answer.code];
        for (const code of new Set(codes)) {
          const key = `${request.kind === 'batch' ? 'batch ' : ''}${answer.status} ${code ?? ''}`.trim();
          answersDuringOutage[key] = (answersDuringOutage[key] ?? 0) + 1;
        }
      }
      return final;
    };
    const clientLoop = async (client: number): Promise<void> => {
      while (!stopping && sequence < requestsMax) {
        sequence += 1;
        const request = requestOf(kinds[(sequence + client) % kinds.length] ?? 'request', sequence);
        if (!(await attempt(request))) {
          unanswered.push(request);
          await new Promise((resolvePause) => setTimeout(resolvePause, 100));
        }
      }
    };
    const load = Promise.all(Array.from({ length: clients }, (_, client) => clientLoop(client)));
    await new Promise((resolveBurst) => setTimeout(resolveBurst, settings.burstMs));
    const beforeKill = new Map(acknowledged);
    killedAtMs = performance.now();
    await primary.kill();
    settings.log(`SIGKILL to the primary with ${beforeKill.size} transfers acknowledged`);
    await new Promise((resolveOutage) => setTimeout(resolveOutage, settings.outageMs));
    promotionStartedAtMs = performance.now();
    await standby.promote();
    settings.log(`standby promoted ${Math.round(performance.now() - killedAtMs)} ms after the kill`);
    await new Promise((resolveBurst) => setTimeout(resolveBurst, settings.burstMs));
    stopping = true;
    await load;

    // Clients send what had no final answer again, with the same ids, until it has one.
    settings.log(`${acknowledged.size} transfers acknowledged; sending ${unanswered.length} unanswered requests again with the same ids`);
    const retryDeadlineMs = performance.now() + retryPhaseMs;
    let waiting = [...unanswered];
    while (waiting.length > 0 && performance.now() < retryDeadlineMs) {
      const next: Request[] = [];
      for (const request of waiting) if (!(await attempt(request))) next.push(request);
      waiting = next;
      if (waiting.length > 0) await new Promise((resolvePause) => setTimeout(resolvePause, 1_000));
    }
    const unfinished = waiting.flatMap((request) => request.payments.map((entry) => entry.id)).filter((id) => !acknowledged.has(id));
    if (unfinished.length > 0) settings.log(`${unfinished.length} transfers still without a final answer: ${unfinished.join(', ')}`);
    settings.log('retries answered; checking the new primary');
    const reversalsDelivered = await waitForReversals(wallets[wallets.length - 1], acknowledged);

    const newPrimaryUrl = `postgres://${localPostgresUser}:${localPostgresPassword}@127.0.0.1:${standby.port}/postgres`;
    const { missingOnNewPrimary, duplicated, stateMismatches } = await checkOnNewPrimary(newPrimaryUrl, beforeKill, acknowledged);
    const verify = await run(process.execPath, ['--import', 'tsx', resolve(__dirname, '..', 'verify.ts')], {
      cwd: resolve(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', HISAAB_EVENTSTORE: newPrimaryUrl },
      timeout: 120_000,
    }).then(
      () => 0,
      (error: { code?: number }) => (typeof error.code === 'number' ? error.code : 1),
    );
    const acknowledgedByKind: Record<string, number> = {};
    for (const { kind, state } of acknowledged.values())
      acknowledgedByKind[`${kind} ${state}`] = (acknowledgedByKind[`${kind} ${state}`] ?? 0) + 1;
    const report: FailoverReport = {
      acknowledgedBeforeKill: beforeKill.size,
      acknowledged: acknowledged.size,
      acknowledgedByKind,
      answersDuringOutage,
      killToFirstWriteMs: firstWriteAfterKillMs === null ? null : Math.round(firstWriteAfterKillMs),
      missingOnNewPrimary,
      duplicated,
      stateMismatches,
      unfinished,
      reversalsDelivered,
      serverErrors,
      verifyExitCode: verify,
      passed: false,
    };
    report.passed =
      missingOnNewPrimary.length === 0 &&
      duplicated.length === 0 &&
      stateMismatches.length === 0 &&
      unfinished.length === 0 &&
      serverErrors === 0 &&
      verify === 0 &&
      report.killToFirstWriteMs !== null &&
      beforeKill.size > 0;
    return report;
  } finally {
    await switchProcess?.stop();
    for (const wallet of wallets) await wallet.close();
    await standby?.remove();
    await primary.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** How long the drill waits for the outbox to deliver the reversals of the transfers that timed out. */
const reversalsWaitMs = 20_000;

/** Waits (bounded) until the slow wallet received a reversal for every transfer to it acknowledged ABORTED. */
async function waitForReversals(
  slowWallet: WalletSimulator | undefined,
  acknowledged: ReadonlyMap<string, { kind: Kind; state: string }>,
): Promise<number> {
  if (slowWallet === undefined) return 0;
  const aborted = [...acknowledged.values()].filter((entry) => entry.kind === 'reversal' && entry.state === 'ABORTED').length;
  const deadline = performance.now() + reversalsWaitMs;
  while (slowWallet.received('REVERSAL').length < aborted && performance.now() < deadline)
    await new Promise((resolvePause) => setTimeout(resolvePause, 200));
  return slowWallet.received('REVERSAL').length;
}

/** Reads every acknowledged transfer's stream from the new primary's log: there, once, in the state answered. */
async function checkOnNewPrimary(
  url: string,
  beforeKill: ReadonlyMap<string, { kind: Kind; state: string }>,
  acknowledged: ReadonlyMap<string, { kind: Kind; state: string }>,
): Promise<{ missingOnNewPrimary: string[]; duplicated: string[]; stateMismatches: string[] }> {
  const reader = new PostgresEventStore(url);
  const missingOnNewPrimary: string[] = [];
  const duplicated: string[] = [];
  const stateMismatches: string[] = [];
  try {
    for (const [id, answered] of new Map([...beforeKill, ...acknowledged])) {
      // The API scopes a client's transfer id by its payer (core/transfers/transfer-id.ts).
      const events = await reader.readStream(transferStreamName(payerScopedTransferId(payer.id, id)), 0n, 100);
      if (events.length === 0) {
        missingOnNewPrimary.push(id);
        continue;
      }
      if (events.filter((recorded) => recorded.type === 'TransferInitiated').length !== 1) duplicated.push(id);
      const committed = events.filter((recorded) => recorded.type === 'TransferCommitted').length;
      const aborted = events.filter((recorded) => recorded.type === 'TransferAborted').length;
      const state =
        committed === 1 && aborted === 0
          ? 'COMMITTED'
          : aborted === 1 && committed === 0
            ? 'ABORTED'
            : `committed ${committed}, aborted ${aborted}`;
      if (state !== answered.state) stateMismatches.push(`${id}: answered ${answered.state}, log ${state}`);
    }
  } finally {
    await reader.close();
  }
  return { missingOnNewPrimary, duplicated, stateMismatches };
}
