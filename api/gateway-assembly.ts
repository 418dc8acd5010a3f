import type Database from 'better-sqlite3';
import { SqliteOpenSessionReader } from '../adapters/readmodel-sqlite/projections/checkout-sessions-read-model';
import { SqliteMerchantReader } from '../adapters/readmodel-sqlite/projections/merchants-read-model';
import { RequestToPaySender } from '../adapters/wallet-http/request-to-pay-sender';
import type { DirectoryReader } from '../core/directory/directory-reader';
import type { EventStore } from '../core/eventstore/event-store';
import { switchParticipantId } from '../core/gateway/merchant-fees';
import type { LedgerEngine } from '../core/ledger/ledger-engine';
import { positionAccountId } from '../core/participants/participant-accounts';
import { RequestToPayService } from '../core/gateway/request-to-pay-service';
import type { ParticipantReader } from '../core/participants/participant-reader';
import { CheckoutService } from '../core/gateway/checkout-service';
import type { MerchantReader } from '../core/gateway/merchant-reader';
import { MerchantPayments } from '../core/gateway/merchant-payments';
import { MerchantService } from '../core/gateway/merchant-service';
import { SessionExpirySweeper } from '../core/gateway/session-expiry-sweeper';
import type { OutgoingMessageSigner } from '../adapters/wallet-http/switch-jws-signer';
import type { SecretBox } from '../core/secrets/secret-box';
import type { SealedTextOpener } from '../core/personal-data/sealed-text';
import { assemble, type Assembled, type StartedParts } from './assembly';
import type { Logger } from './logger';
import type { RouteModule } from './route-kit';
import { checkoutSessionRoutes } from './routes/checkout-sessions';
import { payPageRoutes } from './routes/pay-page';
import { requestToPayRoutes } from './routes/request-to-pay';
import { merchantRoutes } from './routes/merchants';
import { merchantViewRoutes } from './routes/merchant-views';
import { SqliteMerchantViewsReader } from '../adapters/readmodel-sqlite/projections/merchant-views-read-model';

/** How often expired sessions get their SessionExpired (issue 11: the webhook within 5 s of the expiry). */
const expirySweepIntervalMs = 1_000;
const expiredSessionsPerSweepMax = 500;

export type GatewayAssemblyInput = {
  store: EventStore;
  readModelDatabase: Database.Database;
  /** Opens the personal data the read models hold sealed (a merchant's tax number when it is a CNIC). */
  opener: Pick<SealedTextOpener, 'open'>;
  secrets: SecretBox;
  /** Signs requests to pay with the switch's own key as well (Hisaab-JWS). */
  jwsSigner: OutgoingMessageSigner;
  now: () => Date;
  logger: Logger;
  /** HISAAB_PUBLIC_URL, or http://localhost:<port> once the server listens. */
  publicUrl: () => string;
  participants: ParticipantReader;
  directory: DirectoryReader;
  /** How long a payer's provider has to take a request to pay (the payee deadline of credit requests). */
  requestToPayDeadlineMs: number;
  /** Where the switch's own fee account is opened (one per currency). */
  ledgers: readonly LedgerEngine[];
};

export type GatewayAssembly = {
  merchants: MerchantService;
  merchantReader: MerchantReader;
  checkout: CheckoutService;
  /** The transfer service's collaborator for payments to merchants (session rules, claim, completion). */
  merchantPayments: MerchantPayments;
  /** Runs one expiry sweep now (tests; the switch sweeps every second by itself). */
  sweepExpiredSessions: () => Promise<number>;
  routeModules: readonly RouteModule[];
};

/**
 * The national e-commerce gateway (docs/ARCHITECTURE.md section 6): merchants with their keys and webhook
 * secrets, and checkout sessions with their expiry sweeper. `merchants` is also the port the webhook module signs
 * with (`webhookSigningSecrets`).
 */
export function assembleGateway(input: GatewayAssemblyInput): Promise<Assembled<GatewayAssembly>> {
  return assemble(input.logger, (parts) => startGateway(input, parts));
}

async function startGateway(input: GatewayAssemblyInput, parts: StartedParts): Promise<GatewayAssembly> {
  await openSwitchFeeAccounts(input.ledgers);
  const merchants = new MerchantService({ store: input.store, secrets: input.secrets, now: input.now });
  const merchantReader = new SqliteMerchantReader(input.readModelDatabase, input.opener);
  const checkout = new CheckoutService({ store: input.store, now: input.now });
  const sweeper = new SessionExpirySweeper({
    checkout,
    reader: new SqliteOpenSessionReader(input.readModelDatabase),
    now: input.now,
    sessionsPerSweepMax: expiredSessionsPerSweepMax,
    onError: (sessionId, error) => input.logger.error({ sessionId, err: error }, 'could not record a checkout session expiry'),
  });
  const sender = new RequestToPaySender({
    participants: input.participants,
    secrets: input.secrets,
    now: input.now,
    deadlineMs: input.requestToPayDeadlineMs,
    jwsSigner: input.jwsSigner,
  });
  parts.onStop('request-to-pay sender', () => sender.close());
  const requestToPay = new RequestToPayService({ checkout, merchants: merchantReader, directory: input.directory, port: sender });
  let running: Promise<number> | null = null;
  // One sweep at a time: a slow store lets the running sweep finish rather than piling sweeps up.
  const sweepOnce = (): Promise<number> =>
    (running ??= sweeper
      .sweep()
      .catch((error: unknown) => {
        input.logger.error({ err: error }, 'checkout session expiry sweep failed');
        return 0;
      })
      .finally(() => (running = null)));
  const timer = setInterval(() => void sweepOnce(), expirySweepIntervalMs);
  timer.unref();
  parts.onStop('checkout expiry sweeper', async () => {
    clearInterval(timer);
    await running;
  });
  return {
    merchants,
    merchantReader,
    checkout,
    merchantPayments: new MerchantPayments({ checkout, merchants: merchantReader, now: input.now }),
    sweepExpiredSessions: sweepOnce,
    routeModules: [
      merchantRoutes({ merchants, merchantReader }),
      checkoutSessionRoutes({ checkout, merchantReader, publicUrl: input.publicUrl }),
      requestToPayRoutes(requestToPay),
      payPageRoutes({ checkout, merchantReader, requestToPay }),
      merchantViewRoutes({ views: new SqliteMerchantViewsReader(input.readModelDatabase), merchantReader }),
    ],
  };
}

/**
 * The switch's fee income accrues on its own position account, `HISAAB:position`, with no debit limit (it only
 * earns), so that settlement reports it as a row and settles it like any other. Opening is idempotent.
 */
async function openSwitchFeeAccounts(ledgers: readonly LedgerEngine[]): Promise<void> {
  for (const ledger of ledgers) {
    const { results } = await ledger.submit([
      {
        type: 'create_account',
        id: positionAccountId(switchParticipantId),
        ledger: ledger.ledger,
        code: 'POSITION',
        owner: switchParticipantId,
      },
    ]);
    const result = results[0];
    if (result !== 'ok' && result !== 'exists')
      throw new Error(`the ledger ${ledger.ledger} refused to open the switch's fee account: ${String(result)}`);
  }
}
