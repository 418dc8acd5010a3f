import { TransferChargebacks } from '../core/disputes/charged-back-amounts';
import { PaymentPayerReversals } from '../core/gateway/payer-reversals';
import type Database from 'better-sqlite3';
import { Iso8583Channel } from '../adapters/iso8583-switch/iso8583-channel';
import { SqliteClientCertificateReader } from '../adapters/readmodel-sqlite/projections/client-certificates-read-model';
import { iso8583TlsOptions } from './tls-settings';
import { connectionShares } from './connection-cap';
import { PayeeCreditRouter, PayeeDeliveryRouter } from '../adapters/payee-routing';
import type { PayeeDeliveryQueue } from '../core/transfers/transfer-ports';
import { ReadYourWritesTransport } from '../adapters/read-your-writes-transport';
import { SqliteTransferReader } from '../adapters/readmodel-sqlite/projections/transfers-read-model';
import { WalletHttpClient } from '../adapters/wallet-http/wallet-http-client';
import type { OutgoingMessageSigner } from '../adapters/wallet-http/switch-jws-signer';
import { SignedRequestEvidence } from '../core/transfers/signed-request-evidence';
import type { JointSubjectSeal } from '../core/personal-data/joint-subject-seal';
import { walletEndpointOf } from '../adapters/wallet-http/wallet-endpoint';
import type { LedgerEngine } from '../core/ledger/ledger-engine';
import type { DeliveryEvent } from '../core/outbox/delivery-events';
import type { DeliveryTransport } from '../core/outbox/delivery-transport';
import { AdviceIntake } from '../core/outbox/advice-intake';
import { Outbox } from '../core/outbox/outbox';
import type { SealedTextOpener } from '../core/personal-data/sealed-text';
import type { SecretBox } from '../core/secrets/secret-box';
import type { TransferReader } from '../core/transfers/transfer-reader';
import { StuckTransferSweeper } from '../core/transfers/stuck-transfer-sweeper';
import { TransferService } from '../core/transfers/transfer-service';
import type { MerchantPaymentPort } from '../core/transfers/merchant-payment-port';
import type { AppDependencies } from './app-dependencies';
import { assemble, type Assembled, type StartedParts } from './assembly';
import type { SwitchConfig } from './config';
import type { Logger } from './logger';
import type { SwitchMetrics } from './metrics';
import { transferRoutes } from './routes/transfers';
import type { EdgeDependencies, RouteModule } from './route-kit';

/** In-flight transfers finished per recovery page at start-up. */
const recoveryPageSize = 500;
/** Past this many transfers that recovery could not finish, the rest are left to the sweeper too. */
const recoveryFailuresMax = 10_000;
/** How often the running switch looks for transfers stuck in flight, and how many it finishes per look. */
const sweepIntervalMs = 5_000;
const sweepTransfersMax = 100;
/** Past its payee deadline, a transfer gets this long to finish on its own before the sweeper finishes it. */
const stuckGraceMs = 30_000;

export type TransfersAssemblyInput = {
  config: SwitchConfig;
  logger: Logger;
  now: () => Date;
  store: AppDependencies['store'];
  ledgers: readonly LedgerEngine[];
  readModels: AppDependencies['readModels'];
  readModelDatabase: Database.Database;
  metrics: SwitchMetrics;
  /** Opens the participants' sealed signing secrets when a callback is signed. */
  secrets: SecretBox;
  /** Opens the payers and payees the transfers read model holds sealed (core/personal-data); absent: plaintext rows. */
  personalData?: SealedTextOpener;
  /** Seals signed requests' bodies kept as evidence for the data subjects they name (core/personal-data). */
  jointSeal: JointSubjectSeal;
  /**
   * Whether this process opens the ISO 8583 inbound port (default true). The writer of a cluster does not: its
   * front-end workers open it, sharing the port, each with its own transfer service (api/cluster/).
   */
  iso8583Inbound?: boolean;
  /** Payments to merchants and their checkout sessions (the gateway, api/gateway-assembly.ts). */
  merchantPayments?: MerchantPaymentPort;
  /** Signs what the wallet channel sends with the switch's own key (Hisaab-JWS). */
  jwsSigner: OutgoingMessageSigner;
};

export type TransfersAssembly = {
  service: TransferService;
  reader: TransferReader;
  walletClient: WalletHttpClient;
  walletOutbox: Outbox;
  /** Queues the credit advices of committed ADVICE transfers, following the log. */
  adviceIntake: AdviceIntake;
  /** Banks over ISO 8583: the gateway, the `iso8583` outbox and the inbound port (HISAAB_ISO8583_PORT). */
  bankChannel: Iso8583Channel;
  /** Store-and-forward messages to a participant through its channel's outbox (reversals, advices, chargeback credits). */
  deliveries: PayeeDeliveryQueue;
  routeModule: RouteModule<EdgeDependencies>;
};

/**
 * The payment path of the switch: the wallet channel (signed HTTP and its store-and-forward outbox), the bank
 * channel (ISO 8583), the transfer service over the ledgers, and its routes. Before it serves, it finishes
 * whatever transfers a crash left in flight, so none stays in between past its deadline. Stopping it stops the
 * sweeper, then the advice intake, the bank channel, the wallet outbox and the wallet client's connections.
 */
export function assembleTransfers(input: TransfersAssemblyInput): Promise<Assembled<TransfersAssembly>> {
  return assemble(input.logger, (parts) => startTransfers(input, parts));
}

async function startTransfers(input: TransfersAssemblyInput, parts: StartedParts): Promise<TransfersAssembly> {
  const participants = input.readModels.participants;
  const walletClient = new WalletHttpClient({
    resolveEndpoint: (participantId) => walletEndpointOf(participants.findParticipant(participantId), input.secrets, input.now()),
    creditDeadlineMs: input.config.payeeDeadlineMs,
    now: input.now,
    jwsSigner: input.jwsSigner,
  });
  parts.onStop('wallet client', () => walletClient.close());
  const reader = new SqliteTransferReader(input.readModelDatabase, input.personalData);
  const waitForReadModels = async (): Promise<void> =>
    input.readModels.waitForPosition(await input.store.headPosition(), input.config.readYourWritesTimeoutMs);
  // A payee told how a transfer ended (a reversal, an advice) reads it so: deliveries wait for the read models.
  const readYourWrites = (transport: DeliveryTransport): DeliveryTransport =>
    new ReadYourWritesTransport(transport, { reader, awaitReadModels: waitForReadModels });
  const walletOutbox = new Outbox({
    store: input.store,
    channel: 'wallet-http',
    transport: readYourWrites(walletClient),
    now: input.now,
    onError: (error) => input.logger.warn({ err: error }, 'wallet outbox error'),
    onRecorded: (events) => recordDeliveryOutcomes('wallet-http', events, input),
  });
  await walletOutbox.start();
  parts.onStop('wallet outbox', () => walletOutbox.stop());
  const bankChannel = await Iso8583Channel.open({
    awaitReadModels: waitForReadModels,
    outboxTransport: readYourWrites,
    store: input.store,
    participants,
    now: input.now,
    logger: input.logger,
    creditDeadlineMs: input.config.payeeDeadlineMs,
    switchInstitutionId: input.config.iso8583InstitutionId,
    // The switch's own certificate, presented to bank hosts reached over TLS as it is to HTTPS clients.
    ...(input.config.tls === null
      ? {}
      : { clientCertificate: { certificatePem: input.config.tls.certificatePem, keyPem: input.config.tls.keyPem } }),
    onOutboxRecorded: (events) => recordDeliveryOutcomes('iso8583', events, input),
  });
  parts.onStop('bank channel', () => bankChannel.close());
  const deliveries = new PayeeDeliveryRouter(participants, { 'wallet-http': walletOutbox, iso8583: bankChannel.outbox });
  // Started before recovery, which may commit ADVICE transfers: the intake queues their advices from the log.
  const adviceIntake = new AdviceIntake({
    store: input.store,
    outboxes: deliveries,
    now: input.now,
    onError: (error) => input.logger.warn({ err: error }, 'advice intake error; it hands the group over again'),
  });
  await adviceIntake.start();
  parts.onStop('advice intake', () => adviceIntake.stop());
  const service = new TransferService({
    store: input.store,
    ledgers: (currency) => input.ledgers.find((ledger) => ledger.ledger === currency),
    participants,
    directory: input.readModels.directory,
    payees: new PayeeCreditRouter(participants, { 'wallet-http': walletClient, iso8583: bankChannel.gateway }),
    deliveries,
    now: input.now,
    payeeDeadlineMs: input.config.payeeDeadlineMs,
    observer: {
      onCompleted: (outcome) => input.metrics.transfers.inc({ state: outcome.state, abort_reason: outcome.abortReason ?? '' }),
    },
    ...(input.merchantPayments === undefined ? {} : { merchantPayments: input.merchantPayments }),
    // A bank's 0420 meets the refunds and chargebacks of its transfer on the payment's refunds stream.
    payerReversals: new PaymentPayerReversals({ store: input.store, chargebacks: new TransferChargebacks(input.store) }),
  });
  await recoverInFlight(service, reader, waitForReadModels, input.logger);
  // Banks may send transfers only once recovery is done, like HTTP clients.
  if (input.iso8583Inbound !== false) {
    const tls = input.config.tls;
    await bankChannel.listen(service, {
      port: input.config.iso8583Port,
      host: input.config.host,
      connectionsMax: connectionShares(input.config.maxConnections).iso8583,
      enabledCurrencies: input.config.currencies,
      ...(tls === null ? {} : { tls: iso8583TlsOptions(tls, new SqliteClientCertificateReader(input.readModelDatabase)) }),
    });
  }
  const sweeper = startSweeper(service, reader, input);
  parts.onStop('stuck-transfer sweeper', () => sweeper.stop());
  return {
    service,
    reader,
    walletClient,
    walletOutbox,
    adviceIntake,
    bankChannel,
    deliveries,
    routeModule: transferRoutes({
      transfers: service,
      transferReader: reader,
      awaitWritesVisible: waitForReadModels,
      evidence: new SignedRequestEvidence(input.store, input.jointSeal),
    }),
  };
}

/** Runs the stuck-transfer sweeper on an interval, one sweep at a time; `stop` waits for a sweep in progress. */
function startSweeper(service: TransferService, reader: TransferReader, input: TransfersAssemblyInput): { stop(): Promise<void> } {
  const sweeper = new StuckTransferSweeper({
    service,
    reader,
    now: input.now,
    stuckAfterMs: input.config.payeeDeadlineMs + stuckGraceMs,
    transfersPerSweepMax: sweepTransfersMax,
    onFinished: (view) =>
      input.logger.warn({ transferId: view.id, state: view.state, abortReason: view.abortReason }, 'finished a transfer stuck in flight'),
    onError: (transferId, error) => input.logger.error({ transferId, err: error }, 'could not finish a transfer stuck in flight'),
  });
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    // A sweep still running (a slow ledger, many stuck transfers) is let finish; sweeps never pile up.
    if (running !== null) return;
    running = sweeper
      .sweep()
      .catch((error: unknown) => input.logger.error({ err: error }, 'stuck-transfer sweep failed'))
      .finally(() => (running = null));
  }, sweepIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Counts finished deliveries, and makes an abandoned one loud: after days of failed attempts a reversal or an
 * advice is given up, and only an operator can settle it with the participant now.
 */
function recordDeliveryOutcomes(channel: string, events: readonly DeliveryEvent[], input: TransfersAssemblyInput): void {
  for (const event of events) {
    if (event.type === 'DeliverySucceeded') input.metrics.outboxDeliveries.inc({ channel, outcome: 'delivered' });
    if (event.type === 'DeliveryAbandoned') {
      input.metrics.outboxDeliveries.inc({ channel, outcome: 'abandoned' });
      input.logger.error(
        { channel, ...event.data },
        'delivery abandoned after its attempt limit: an operator must settle it with the participant',
      );
    }
  }
}

/**
 * Finishes, page by page, every transfer the read model shows in flight (the read model has caught up at start).
 * One that cannot be finished now (its payee's outbox is full, say) is logged and left to the sweeper: the switch
 * must start all the same, or a backlog that only a running switch can drain would keep it down for good.
 */
async function recoverInFlight(
  service: TransferService,
  reader: TransferReader,
  waitForReadModels: () => Promise<void>,
  logger: Logger,
): Promise<void> {
  let recovered = 0;
  const failed = new Set<string>();
  for (;;) {
    // The page after a recovered one must not show it again: the read model catches up first. Transfers that
    // failed stay in flight, so the page is widened by their number and they are skipped.
    await waitForReadModels();
    const page = reader.listInFlight(null, recoveryPageSize + failed.size).filter((transferId) => !failed.has(transferId));
    for (const transferId of page) {
      try {
        const view = await service.recover(transferId);
        recovered += 1;
        logger.warn({ transferId, state: view.state, abortReason: view.abortReason }, 'finished a transfer left in flight by a restart');
      } catch (error) {
        failed.add(transferId);
        logger.error({ transferId, err: error }, 'could not finish a transfer left in flight by a restart; the sweeper tries again');
      }
    }
    if (page.length < recoveryPageSize || failed.size >= recoveryFailuresMax) break;
  }
  if (recovered > 0 || failed.size > 0) logger.info({ recovered, failed: failed.size }, 'recovery of in-flight transfers done');
}
