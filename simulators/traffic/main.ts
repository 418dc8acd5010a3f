/**
 * Drives P2P traffic through a running switch from the command line:
 *
 *   npx tsx simulators/traffic/main.ts traffic.json
 *
 * traffic.json: {"switchUrl":"http://127.0.0.1:8080","count":500,"durationMs":60000,"concurrency":16,
 *   "amountMin":"10.00","amountMax":"2500.00","currency":"PKR","wallets":[{"participantId":"MARGALLA",
 *   "participantKey":"…","customers":[{"walletNumber":"03001234567","msisdn":"923001234567",
 *   "name":"Ayesha Khan","balance":"100000.00"}]}]}
 *
 * Every customer pays random others by MSISDN (so their aliases must be registered with the switch). Prints
 * the summary; exits 0 when every transfer reached a final outcome, 1 when some stayed UNKNOWN.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseAmount } from '../../core/money';
import { WalletSimulator } from '../wallet/wallet-simulator';
import { runTraffic, trafficLimits, type TrafficPayee } from './traffic-generator';
import { formatSummary } from './traffic-summary';

const configSchema = z.strictObject({
  switchUrl: z.url(),
  count: z.number().int().min(1).max(trafficLimits.countMax),
  durationMs: z.number().int().min(1).max(trafficLimits.durationMsMax),
  concurrency: z.number().int().min(1).max(trafficLimits.concurrencyMax).default(8),
  amountMin: z.string(),
  amountMax: z.string(),
  currency: z.string().length(3).default('PKR'),
  wallets: z
    .array(
      z.strictObject({
        participantId: z.string().regex(/^[A-Z0-9_]{2,16}$/),
        participantKey: z.string().min(1),
        customers: z
          .array(z.strictObject({ walletNumber: z.string(), msisdn: z.string(), name: z.string(), balance: z.string() }))
          .min(1)
          .max(10_000),
      }),
    )
    .min(1)
    .max(100),
});

async function main(): Promise<void> {
  const path = process.argv[2];
  if (path === undefined) throw new Error('usage: tsx simulators/traffic/main.ts <config.json>');
  const config = configSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const senders = config.wallets.map(
    (wallet) =>
      new WalletSimulator({
        participantId: wallet.participantId,
        currency: config.currency,
        switchUrl: config.switchUrl,
        participantKey: wallet.participantKey,
        accounts: wallet.customers.map(({ balance, ...customer }) => ({
          ...customer,
          balanceMinor: parseAmount(balance, config.currency, { allowZero: true }),
        })),
      }),
  );
  const payees: TrafficPayee[] = config.wallets.flatMap((wallet) =>
    wallet.customers.map((customer) => ({ type: 'MSISDN', value: customer.msisdn, participantId: wallet.participantId })),
  );
  const { summary } = await runTraffic({
    senders,
    payees,
    countMax: config.count,
    durationMs: config.durationMs,
    concurrency: config.concurrency,
    amountMinorMin: parseAmount(config.amountMin, config.currency),
    amountMinorMax: parseAmount(config.amountMax, config.currency),
  });
  process.stdout.write(`${formatSummary(summary)}\n${JSON.stringify(summary)}\n`);
  process.exitCode = summary.outcomes.UNKNOWN > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`traffic failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
