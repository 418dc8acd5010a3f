import { signingSecretsProjection } from '../../../adapters/readmodel-sqlite/projections/signing-secrets-projection';
import { walletEndpointOf } from '../../../adapters/wallet-http/wallet-endpoint';
import { newMasterKey, SecretBox } from '../../../core/secrets/secret-box';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { PayeeCreditRouter, PayeeDeliveryRouter } from '../../../adapters/payee-routing';
import { directoryProjection } from '../../../adapters/readmodel-sqlite/projections/directory-projection';
import { SqliteDirectoryReader } from '../../../adapters/readmodel-sqlite/projections/directory-read-model';
import { keysProjection } from '../../../adapters/readmodel-sqlite/projections/keys-projection';
import { participantsProjection } from '../../../adapters/readmodel-sqlite/projections/participants-projection';
import { SqliteParticipantReader } from '../../../adapters/readmodel-sqlite/projections/participants-read-model';
import { settlementProjection } from '../../../adapters/readmodel-sqlite/projections/settlement-projection';
import { SqliteSettlementReader } from '../../../adapters/readmodel-sqlite/projections/settlement-read-model';
import { statisticsProjection } from '../../../adapters/readmodel-sqlite/projections/statistics-projection';
import { SqlitePaymentStatisticsReader } from '../../../adapters/readmodel-sqlite/projections/statistics-read-model';
import { SqliteReadModelStore } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { WalletHttpClient } from '../../../adapters/wallet-http/wallet-http-client';
import { registerAlias } from '../../../core/directory/directory-service';
import type { CommandContext } from '../../../core/eventstore/decider-stream';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { createLedgerEngine, type LedgerEngine } from '../../../core/ledger/ledger-engine';
import { Outbox } from '../../../core/outbox/outbox';
import { LedgerParticipantLedger } from '../../../core/participants/ledger-participant-ledger';
import { liquidityAccountId, positionAccountId } from '../../../core/participants/participant-accounts';
import { ParticipantService } from '../../../core/participants/participant-service';
import { SettlementService } from '../../../core/settlement/settlement-service';
import { TransferService } from '../../../core/transfers/transfer-service';
import type { TransferView } from '../../../core/transfers/transfer-view';
import { WalletSimulator } from '../../../simulators/wallet/wallet-simulator';
import { tempDir } from '../../support/temp-dir';

/** A wallet participant of the fixture: its customers get MSISDN aliases `92300<index><customer>`. */
export type WalletSpec = { id: string; bankCode: string; netDebitCapMinor: bigint; customers: number };

export type Customer = { participant: string; msisdn: string; walletNumber: string };

export type SettlementFixture = {
  store: SqliteEventStore;
  readModels: SqliteReadModelStore;
  runner: ProjectionRunner<SqliteReadModelStore['database']>;
  ledger: LedgerEngine;
  participants: ParticipantService;
  transfers: TransferService;
  settlement: SettlementService;
  settlementReader: SqliteSettlementReader;
  statisticsReader: SqlitePaymentStatisticsReader;
  customers: Customer[];
  /** An alias whose wallet account its participant does not know: credits to it are rejected. */
  unknownAccountAlias: Customer;
  context(): CommandContext;
  pay(payer: Customer, payee: Customer, amount: string, id: string, purpose?: string): Promise<TransferView>;
  /** Waits until every projection has applied the whole log. */
  caughtUp(): Promise<void>;
  position(participant: string): Promise<{ positionMinor: bigint; reservedMinor: bigint; liquidityMinor: bigint }>;
  close(): Promise<void>;
};

const now = (): Date => new Date();

/**
 * The payment path with real parts, no HTTP front: SQLite event store and read models, the projection runner, the
 * PKR ledger engine, participants registered through their service, wallet simulators answering signed credit
 * requests over real HTTP, the transfer service, and the settlement service under test.
 */
export async function startSettlementFixture(
  wallets: readonly WalletSpec[],
  ledgerOptions: { transfersRememberedEvents?: number } = {},
): Promise<SettlementFixture> {
  const directory = tempDir('hisaab-settlement-');
  const store = new SqliteEventStore(join(directory.path, 'hisaab.db'), { pollIntervalMs: 20 });
  const readModels = new SqliteReadModelStore(join(directory.path, 'read-models.db'));
  const runner = new ProjectionRunner({
    store,
    readModels,
    projections: [
      participantsProjection,
      keysProjection,
      directoryProjection,
      settlementProjection,
      statisticsProjection,
      signingSecretsProjection,
    ],
  });
  await runner.start();
  const ledger = createLedgerEngine({ ledger: 'PKR', store, now, ...ledgerOptions });
  await ledger.start();
  const secrets = new SecretBox([newMasterKey()]);
  const participants = new ParticipantService({ store, ledger: new LedgerParticipantLedger([ledger]), secrets });
  const participantReader = new SqliteParticipantReader(readModels.database);
  const context = (): CommandContext => ({ now: now(), actor: 'operator', correlationId: 'settlement-fixture' });
  const caughtUp = async (): Promise<void> => runner.waitForPosition(await store.headPosition(), 10_000);

  const simulators: WalletSimulator[] = [];
  const customers: Customer[] = [];
  let unknownAccountAlias: Customer | null = null;
  for (const [walletIndex, spec] of wallets.entries()) {
    const accounts = Array.from({ length: spec.customers }, (_, customer) => ({
      walletNumber: `0300${walletIndex}${String(customer).padStart(6, '0')}`,
      msisdn: `92300${walletIndex}${String(customer).padStart(6, '0')}`,
      name: `Customer ${customer} of ${spec.id}`,
      balanceMinor: 0n,
    }));
    const simulator = new WalletSimulator({ participantId: spec.id, accounts });
    await simulator.start();
    simulators.push(simulator);
    await participants.register(
      {
        participantId: spec.id,
        name: `${spec.id} Wallet`,
        type: 'WALLET',
        bankCode: spec.bankCode,
        currency: 'PKR',
        netDebitCapMinor: spec.netDebitCapMinor,
        creditMode: 'REQUEST',
        endpoints: { ...simulator.endpoints, rtpUrl: null },
      },
      null,
      context(),
    );
    const key = await participants.issueKey(spec.id, null, context());
    simulator.setSigningSecret(key.signingSecret ?? '');
    for (const account of accounts) {
      await registerAlias(
        store,
        { participantId: spec.id, bankCode: spec.bankCode },
        {
          alias: { type: 'MSISDN', value: account.msisdn },
          account: { type: 'WALLET', value: account.walletNumber },
          holderName: account.name,
        },
        context(),
      );
      customers.push({ participant: spec.id, msisdn: account.msisdn, walletNumber: account.walletNumber });
    }
    if (unknownAccountAlias === null) {
      const stranger = { participant: spec.id, msisdn: `92399${walletIndex}000000`, walletNumber: `0399${walletIndex}000000` };
      await registerAlias(
        store,
        { participantId: spec.id, bankCode: spec.bankCode },
        {
          alias: { type: 'MSISDN', value: stranger.msisdn },
          account: { type: 'WALLET', value: stranger.walletNumber },
          holderName: 'Nobody Known',
        },
        context(),
      );
      unknownAccountAlias = stranger;
    }
  }
  await caughtUp();

  const walletClient = new WalletHttpClient({
    resolveEndpoint: (participantId) => walletEndpointOf(participantReader.findParticipant(participantId), secrets, new Date()),
    creditDeadlineMs: 5_000,
  });
  const outbox = new Outbox({ store, channel: 'wallet-http', transport: walletClient });
  await outbox.start();
  const transfers = new TransferService({
    store,
    ledgers: (currency) => (currency === 'PKR' ? ledger : undefined),
    participants: participantReader,
    directory: new SqliteDirectoryReader(readModels.database),
    payees: new PayeeCreditRouter(participantReader, { 'wallet-http': walletClient, iso8583: null }),
    deliveries: new PayeeDeliveryRouter(participantReader, { 'wallet-http': outbox, iso8583: null }),
    now,
    payeeDeadlineMs: 5_000,
  });
  const settlementReader = new SqliteSettlementReader(readModels.database);
  const settlement = new SettlementService({
    store,
    ledgers: (currency) => (currency === 'PKR' ? ledger : undefined),
    reader: settlementReader,
    waitForReadModel: (position) => runner.waitForPosition(position, 10_000),
  });
  await settlement.openFirstWindow('PKR', context());

  return {
    store,
    readModels,
    runner,
    ledger,
    participants,
    transfers,
    settlement,
    settlementReader,
    statisticsReader: new SqlitePaymentStatisticsReader(readModels.database),
    customers,
    unknownAccountAlias: unknownAccountAlias!,
    context,
    async pay(payer, payee, amount, id, purpose = 'P2P') {
      const execution = await transfers.execute(
        payer.participant,
        {
          id,
          payer: { type: 'MSISDN', value: payer.msisdn },
          payee: { type: 'MSISDN', value: payee.msisdn },
          amount,
          currency: 'PKR',
          purpose,
        },
        'api',
        // The fixture's ids are the transfers' own, as the settlement tests read them back.
        'switch',
      );
      return execution.view;
    },
    caughtUp,
    async position(participant) {
      const position = await ledger.lookupAccount(positionAccountId(participant));
      const liquidity = await ledger.lookupAccount(liquidityAccountId(participant));
      if (position === undefined || liquidity === undefined) throw new Error(`${participant} has no accounts`);
      return {
        positionMinor: position.debitsPostedMinor - position.creditsPostedMinor,
        reservedMinor: position.debitsPendingMinor,
        liquidityMinor: liquidity.creditsPostedMinor - liquidity.debitsPostedMinor,
      };
    },
    async close() {
      await outbox.stop();
      walletClient.close();
      for (const simulator of simulators) await simulator.close();
      await ledger.stop();
      await runner.stop();
      await store.close();
      readModels.close();
      directory.remove();
    },
  };
}
