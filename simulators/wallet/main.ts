/**
 * Runs one simulated wallet provider as its own process (`npm run sim:wallet`):
 *
 *   npm run sim:wallet -- --participant MARGALLA --port 9101 --signing-secret "$SECRET" \
 *     --customer 'MRGL000001:923001111111:Ayesha Khan:100000.00'
 *
 * Every flag has an environment form for scripts: WALLET_PARTICIPANT_ID, WALLET_PORT (0: any free port),
 * WALLET_HOST (127.0.0.1), WALLET_CURRENCY (PKR), WALLET_SIGNING_SECRET, WALLET_ACCOUNTS (a JSON array of
 * {walletNumber, msisdn, name, balance}), and HISAAB_SWITCH_URL with WALLET_PARTICIPANT_KEY (--switch-url, --key)
 * to send transfers. Prints one JSON line with "msg":"listening" and the endpoints to register; stops on SIGINT
 * or SIGTERM.
 */
import pino from 'pino';
import {
  parseWalletCliOptions,
  walletCliUsage,
  WalletCliHelpRequested,
  WalletCliOptionsError,
  type WalletSimulatorCliOptions,
} from './cli-options';
import { WalletSimulator } from './wallet-simulator';

async function main(): Promise<void> {
  let options: WalletSimulatorCliOptions;
  try {
    options = parseWalletCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof WalletCliHelpRequested) {
      process.stdout.write(`${walletCliUsage}\n`);
      process.exit(0);
    }
    if (error instanceof WalletCliOptionsError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`wallet simulator: ${(error as Error).message}\n${walletCliUsage}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ name: 'wallet-simulator' });
  const simulator = new WalletSimulator({
    participantId: options.participantId,
    currency: options.currency,
    host: options.host,
    port: options.port,
    accounts: options.accounts,
    ...(options.signingSecrets.length === 0 ? {} : { signingSecrets: options.signingSecrets }),
    ...(options.switchConnection === null ? {} : options.switchConnection),
  });
  let url: string;
  try {
    url = await simulator.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    process.stderr.write(
      `wallet simulator: port ${options.port} on ${options.host} is already in use; choose another --port (0 picks a free one)\n`,
    );
    process.exit(2);
  }
  logger.info(
    {
      participantId: simulator.participantId,
      url,
      endpoints: simulator.endpoints,
      customers: options.accounts.length,
      signed: options.signingSecrets.length > 0,
    },
    'listening',
  );
  if (options.signingSecrets.length === 0)
    logger.warn('no --signing-secret: every credit request from the switch will be refused as unsigned');
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
