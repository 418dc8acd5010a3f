import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { defaultEventStoreFileName } from '../../adapters/eventstore-factory';
import { SqliteDirectoryReader } from '../../adapters/readmodel-sqlite/projections/directory-read-model';
import { SqliteParticipantReader } from '../../adapters/readmodel-sqlite/projections/participants-read-model';
import { switchProjections } from '../../adapters/readmodel-sqlite/projections/switch-projections';
import { readModelPath, SqliteReadModelStore } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { loadConfig } from '../../api/config';
import { createLogger } from '../../api/logger';
import { resolveMasterKey } from '../../api/master-key';
import { assemblePersonalData } from '../../api/personal-data-assembly';
import { startSwitch } from '../../api/switch';
import type { EventStore } from '../../core/eventstore/event-store';
import { ProjectionError } from '../../core/eventstore/projection-errors';
import { ProjectionRunner } from '../../core/eventstore/projection-runner';
import { createLedgerEngine } from '../../core/ledger/ledger-engine';
import { AdviceIntake } from '../../core/outbox/advice-intake';
import { Outbox } from '../../core/outbox/outbox';
import { PersonalDataEventStore } from '../../core/personal-data/personal-data-event-store';
import type { TransferRequest } from '../../core/transfers/transfer-request';
import { TransferService } from '../../core/transfers/transfer-service';
import { OperatorClient } from '../../simulators/operator-client';

export const benchOperatorKey = 'bench-operator-key-0123456789abcdef';

/** The two wallets of the history: each pays the other in turn, so neither position nears its cap. */
const wallets = [
  { id: 'BENCHA', bankCode: 'BNCA', msisdn: '923001000001', walletNumber: 'WALA0001' },
  { id: 'BENCHB', bankCode: 'BNCB', msisdn: '923001000002', walletNumber: 'WALB0001' },
] as const;

/** Transfers per batch: one ledger tick's worth, as `POST /v1/transfers/batch` takes at most. */
const batchSize = 8_190;
/** Advices pending in the outbox at most while the history is written (below its own limit). */
const outboxPendingShare = 0.9;
/** One wait for the projections (their runner's maximum); waited again until they have caught up. */
const catchUpWaitMs = 60_000;

/**
 * Writes a switch's history of at least `eventCount` events into `dataDir`, the way the switch writes it but
 * without HTTP and without a payee on the other end:
 *   1. the real switch (in this process) onboards two ADVICE-mode wallets, each with a key and an alias, through
 *      its HTTP API, and stops;
 *   2. the real ledger engine, transfer service, advice intake, wallet outbox and projections then run on that
 *      data dir: batches of 8,190 ADVICE payments (each TransferInitiated, a reservation and its post,
 *      TransferCommitted), the intake queueing each payment's credit advice in the `wallet-http` outbox, and the
 *      outbox delivering it to an in-process payee that acknowledges at once (DeliveryQueued, DeliverySucceeded);
 *   3. everything is drained (no advice pending, the read models at the head) and stopped cleanly.
 * So the log has what a busy switch's log has after that many events: transfer streams, a ledger stream with its
 * snapshots, an outbox stream a third of the log, checkpoints, and read models caught up.
 */
export async function writeStartupHistory(dataDir: string, eventCount: number, report: (line: string) => void): Promise<void> {
  if (!(await walletsOnboarded(dataDir))) await onboardWallets(dataDir);
  const sealedLog = new SqliteEventStore(join(dataDir, defaultEventStoreFileName));
  const now = (): Date => new Date();
  // As the switch does (api/switch.ts): modules write through the personal-data store, which seals the payers'
  // fields with the subjects' keys in the data dir; projections read the sealed log, and the directory opens aliases
  // whose streams are named by the subject's keyed hash.
  const masterKey = resolveMasterKey(switchConfigOf(dataDir), createLogger('silent'));
  const { provides: personalData, stop: stopPersonalData } = assemblePersonalData(dataDir, masterKey, now);
  const store = new PersonalDataEventStore(sealedLog, personalData.cipher);
  const readModelStore = new SqliteReadModelStore(readModelPath(dataDir));
  const runner = new ProjectionRunner({ store: sealedLog, readModels: readModelStore, projections: switchProjections });
  const ledger = createLedgerEngine({ ledger: 'PKR', store, now });
  const outbox = new Outbox({
    store,
    channel: 'wallet-http',
    // The payee: every advice is acknowledged at once, as a wallet that is up and quick would.
    transport: { deliver: () => Promise.resolve({ outcome: 'delivered', detail: 'acknowledged by the bench payee' }) },
    now,
    limits: { concurrencyMax: 256 },
  });
  const roomFor = (): number => Math.floor(outbox.pendingLimit * outboxPendingShare) - outbox.pendingCount;
  const intake = new AdviceIntake({
    store,
    now,
    outboxes: {
      roomFor,
      nextFinishedFor: () => outbox.nextFinished(),
      enqueue: async (_payee, delivery, context) => {
        await outbox.enqueue(delivery, context);
      },
    },
  });
  const participants = new SqliteParticipantReader(readModelStore.database);
  const service = new TransferService({
    store,
    ledgers: (currency) => (currency === 'PKR' ? ledger : undefined),
    participants,
    directory: new SqliteDirectoryReader(readModelStore.database, personalData.cipher, personalData.aliasStreams),
    payees: {
      requestCredit: () => Promise.reject(new Error('an ADVICE payee is never asked to credit')),
    },
    deliveries: { enqueue: async (_payee, delivery, context) => void (await outbox.enqueue(delivery, context)) },
    now,
  });
  await runner.start();
  await catchUp(runner, sealedLog);
  await ledger.start();
  await outbox.start();
  await intake.start();
  const startedAtMs = Date.now();
  let batches = 0;
  try {
    while ((await store.headPosition()) + 1n < BigInt(eventCount)) {
      const payer = wallets[batches % 2] as (typeof wallets)[number];
      const payee = wallets[(batches + 1) % 2] as (typeof wallets)[number];
      const requests: TransferRequest[] = Array.from({ length: batchSize }, () => ({
        id: randomUUID(),
        payer: { type: 'MSISDN', value: payer.msisdn },
        payee: { type: 'MSISDN', value: payee.msisdn },
        amount: '1.00',
        currency: 'PKR',
        purpose: 'P2P',
      }));
      const outcomes = await service.executeBatch(payer.id, requests, 'api', 'payer');
      const refused = outcomes.find((outcome) => 'error' in outcome || outcome.execution.view.state !== 'COMMITTED');
      if (refused !== undefined) throw new Error(`a history payment was not committed: ${JSON.stringify(refused)}`);
      intake.nudge();
      batches += 1;
      // The intake and outbox keep up with the payments (as a live switch's do), so the backlog stays small.
      while (intake.handedOverThrough < (await store.headPosition()) - 200_000n) await sleep(20);
      if (batches % 20 === 0) {
        const head = Number(await store.headPosition()) + 1;
        report(`history: ${head} events (${Math.round(head / ((Date.now() - startedAtMs) / 1000))} events/s)`);
      }
    }
    await drain(store, intake, outbox);
    await catchUp(runner, sealedLog);
  } finally {
    await intake.stop();
    await outbox.stop();
    await ledger.stop();
    await runner.stop();
    readModelStore.close();
    await stopPersonalData();
    await sealedLog.close();
  }
}

/** Whether a history was begun in this data dir already (resumed, then, after its onboarding). */
async function walletsOnboarded(dataDir: string): Promise<boolean> {
  const storePath = join(dataDir, defaultEventStoreFileName);
  if (!existsSync(storePath)) return false;
  const store = new SqliteEventStore(storePath);
  try {
    const existing = await store.existingStreams(wallets.map((wallet) => `participant-${wallet.id}`));
    return existing.size === wallets.length;
  } finally {
    await store.close();
  }
}

/** Onboards the two wallets through the real switch's API, then stops it: the history's participants. */
async function onboardWallets(dataDir: string): Promise<void> {
  const running = await startSwitch({ config: switchConfigOf(dataDir), logger: createLogger('silent') });
  try {
    const operator = new OperatorClient(running.url, benchOperatorKey);
    for (const wallet of wallets) {
      await operator.onboard({
        id: wallet.id,
        name: wallet.id,
        type: 'WALLET',
        bankCode: wallet.bankCode,
        netDebitCap: '100000000.00',
        creditMode: 'ADVICE',
        // Never called: the history's advices are acknowledged in process, and none is left pending.
        endpoints: { creditUrl: 'http://127.0.0.1:9/credit', reversalUrl: 'http://127.0.0.1:9/reversal' },
      });
      const key = await operator.issueKey(wallet.id);
      await operator.registerAlias(key.key, {
        type: 'MSISDN',
        value: wallet.msisdn,
        account: { type: 'WALLET', value: wallet.walletNumber },
        name: `Customer ${wallet.id}`,
      });
    }
  } finally {
    await running.close();
  }
}

/** The switch's configuration on the history's data dir, as the bench starts it. */
function switchConfigOf(dataDir: string): ReturnType<typeof loadConfig> {
  return loadConfig({
    HISAAB_PORT: '0',
    HISAAB_HOST: '127.0.0.1',
    HISAAB_ISO8583_PORT: '0',
    HISAAB_DATA_DIR: dataDir,
    HISAAB_OPERATOR_KEY: benchOperatorKey,
  });
}

/** Waits until the intake has handed every advice over and the outbox has delivered all of them. */
async function drain(store: EventStore, intake: AdviceIntake, outbox: Outbox): Promise<void> {
  for (;;) {
    intake.nudge();
    const head = await store.headPosition();
    // The intake's own checkpoints move the head: it has caught up when only they lie beyond its position.
    const transferEventsAhead = await store.readAll(intake.handedOverThrough, 1, { streamPrefixes: ['transfer-'] });
    if (transferEventsAhead.length === 0 && outbox.pendingCount === 0 && head === (await store.headPosition())) return;
    await sleep(50);
  }
}

/** Waits, a minute at a time, until the read models have passed the log's head. */
export async function catchUp(runner: Pick<ProjectionRunner<unknown>, 'position' | 'waitForPosition'>, store: EventStore): Promise<void> {
  const head = await store.headPosition();
  while (runner.position() < head) {
    try {
      await runner.waitForPosition(head, catchUpWaitMs);
    } catch (error) {
      if (runner.position() >= head) return;
      if (!(error instanceof ProjectionError) || error.code !== 'PROJECTION_WAIT_TIMEOUT') throw error;
    }
  }
}

function sleep(durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationMs));
}
