/**
 * Runs one simulated shop as its own process (`npm run sim:merchant`):
 *
 *   npm run sim:merchant -- --switch-url http://127.0.0.1:8080 --key "$SHOP_KEY" --webhook-secret "$WHSEC" --port 9201
 *
 * Flags have environment forms for scripts: HISAAB_SWITCH_URL, MERCHANT_KEY, MERCHANT_WEBHOOK_SECRET (several,
 * comma-separated, during a rotation), MERCHANT_PORT (0: any free port), MERCHANT_HOST (127.0.0.1). Register the
 * printed `webhookUrl` as the merchant's. It prints one JSON line with "msg":"listening", then one per verified
 * webhook; `POST /orders` opens a checkout session, `POST /refunds` refunds, `GET /events` lists what arrived.
 * `--checkout AMOUNT` opens one session at start and prints its pay URL. Stops on SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { z } from 'zod';
import { MerchantShop } from './merchant-shop';

const usage =
  'usage: npm run sim:merchant -- --switch-url URL --key MERCHANT_KEY --webhook-secret SECRET[,SECRET] [--port PORT] [--host HOST] [--checkout AMOUNT]';

const optionsSchema = z.object({
  switchUrl: z.url({ protocol: /^https?$/, error: 'the switch URL is an http:// or https:// URL' }),
  apiKey: z.string().min(1, 'the merchant key (--key or MERCHANT_KEY) is required'),
  webhookSecrets: z.array(z.string().min(1)).min(1, 'the webhook secret (--webhook-secret or MERCHANT_WEBHOOK_SECRET) is required').max(4),
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1).max(255),
  checkoutAmount: z
    .string()
    .regex(/^[0-9]{1,13}(\.[0-9]{1,2})?$/, 'an amount is a decimal like 1500.00')
    .nullable(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      'switch-url': { type: 'string' },
      key: { type: 'string' },
      'webhook-secret': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      checkout: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const parsed = optionsSchema.safeParse({
    switchUrl: values['switch-url'] ?? process.env['HISAAB_SWITCH_URL'] ?? 'http://127.0.0.1:8080',
    apiKey: values.key ?? process.env['MERCHANT_KEY'] ?? '',
    webhookSecrets: (values['webhook-secret'] ?? process.env['MERCHANT_WEBHOOK_SECRET'] ?? '').split(',').filter((secret) => secret !== ''),
    port: values.port ?? process.env['MERCHANT_PORT'] ?? '0',
    host: values.host ?? process.env['MERCHANT_HOST'] ?? '127.0.0.1',
    checkoutAmount: values.checkout ?? null,
  });
  if (!parsed.success) {
    process.stderr.write(`merchant simulator: ${parsed.error.issues.map((issue) => issue.message).join('; ')}\n${usage}\n`);
    process.exit(2);
  }
  const options = parsed.data;
  const logger = pino({ name: 'merchant-simulator' });
  const shop = new MerchantShop({
    ...options,
    onEvent: (event) => logger.info({ eventId: event.id, type: event.type, object: event.data.object }, 'verified webhook'),
  });
  const url = await shop.start();
  logger.info({ url, webhookUrl: shop.webhookUrl }, 'listening');
  if (options.checkoutAmount !== null) {
    const session = await shop.createSession({ amount: options.checkoutAmount, orderId: `ORD-${randomUUID().slice(0, 8)}` });
    logger.info({ sessionId: session.id, payUrl: session.payUrl, amount: session.amount }, 'checkout session opened');
  }
  const stop = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    void shop.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`merchant simulator failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
