/**
 * Runs one simulated wallet provider as its own process:
 *
 *   WALLET_PARTICIPANT_ID=MARGALLA WALLET_SIGNING_SECRET=… WALLET_ACCOUNTS='[{"walletNumber":"03001234567",
 *   "msisdn":"923001234567","name":"Ayesha Khan","balance":"5000.00"}]' npx tsx simulators/wallet/main.ts
 *
 * Optional: WALLET_HOST (127.0.0.1), WALLET_PORT (0: any free port), WALLET_CURRENCY (PKR), and HISAAB_SWITCH_URL
 * with WALLET_PARTICIPANT_KEY to send transfers. Prints one JSON line with "msg":"listening" and the
 * endpoints to register; stops on SIGINT or SIGTERM.
 */
import pino from 'pino';
import { z } from 'zod';
import { parseAmount } from '../../core/money';
import { WalletSimulator } from './wallet-simulator';

const accountSchema = z.strictObject({
  walletNumber: z.string().min(1).max(34),
  msisdn: z.string().regex(/^\d{10,15}$/).optional(),
  cnic: z.string().regex(/^\d{13}$/).optional(),
  name: z.string().min(1).max(140),
  balance: z.string(),
});

const environmentSchema = z.object({
  WALLET_PARTICIPANT_ID: z.string().regex(/^[A-Z0-9_]{2,16}$/),
  WALLET_SIGNING_SECRET: z.string().min(1).optional(),
  WALLET_ACCOUNTS: z.string().default('[]'),
  WALLET_HOST: z.string().default('127.0.0.1'),
  WALLET_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  WALLET_CURRENCY: z.string().length(3).default('PKR'),
  HISAAB_SWITCH_URL: z.url().optional(),
  WALLET_PARTICIPANT_KEY: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const logger = pino({ name: 'wallet-simulator' });
  const environment = environmentSchema.parse(process.env);
  const accounts = z.array(accountSchema).max(100_000).parse(JSON.parse(environment.WALLET_ACCOUNTS));
  const simulator = new WalletSimulator({
    participantId: environment.WALLET_PARTICIPANT_ID,
    currency: environment.WALLET_CURRENCY,
    host: environment.WALLET_HOST,
    port: environment.WALLET_PORT,
    accounts: accounts.map(({ balance, ...account }) => ({ ...account, balanceMinor: parseAmount(balance, environment.WALLET_CURRENCY, { allowZero: true }) })),
    // Several secrets, comma-separated, while the wallet takes a rotated one (a secret holds no comma).
    ...(environment.WALLET_SIGNING_SECRET === undefined ? {} : { signingSecrets: environment.WALLET_SIGNING_SECRET.split(',').filter((secret) => secret !== '') }),
    ...(environment.HISAAB_SWITCH_URL === undefined || environment.WALLET_PARTICIPANT_KEY === undefined
      ? {}
      : { switchUrl: environment.HISAAB_SWITCH_URL, participantKey: environment.WALLET_PARTICIPANT_KEY }),
  });
  const url = await simulator.start();
  logger.info({ participantId: simulator.participantId, url, endpoints: simulator.endpoints, customers: accounts.length }, 'listening');
  const stop = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`wallet simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
