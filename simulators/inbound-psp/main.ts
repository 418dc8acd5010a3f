/**
 * Runs the in-bound PSP simulator as its own process (`npm run sim:inbound-psp`): buyers abroad paying Pakistani
 * exporters in USD, EUR and GBP through a foreign acquirer registered as an INBOUND_PSP.
 *
 *   npm run sim:inbound-psp -- --switch-url http://127.0.0.1:8080 --key "$REMITLY_KEY" --merchant KARACHI_SOFT \
 *     --count 20 --purpose-codes 9184,9182 [--dealer-key "$ALLIED_KEY"] [--interval-ms 500] [--seed 7]
 *
 * Flags have environment forms: HISAAB_SWITCH_URL, INBOUND_PSP_KEY, FX_DEALER_KEY. With a dealer key (an FX
 * provider bank's) it also posts USD, EUR and GBP rates into rupees and refreshes them before they go stale. Each
 * payment is quoted, then paid under its own id with bounded retries (5xx, 429, no answer) by that id. It prints one
 * JSON line per payment and a summary; exit 0 when every payment completed, 1 otherwise, 2 on bad flags.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { seededRandom } from '../seeded-random';
import { FxRateFeed } from './fx-rate-feed';
import { inboundCountMax, runInboundPayments } from './inbound-psp-simulator';

const usage =
  'usage: npm run sim:inbound-psp -- --switch-url URL --key PSP_KEY --merchant ID[,ID] [--count N] [--purpose-codes 9184,9182] [--dealer-key KEY] [--rate-valid-seconds 300] [--interval-ms MS] [--seed N]';

function wholeNumber(min: number, max: number, flag: string) {
  const message = `${flag} takes a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
}

const idList = z
  .array(z.string().regex(/^[A-Z0-9_]{3,32}$/, 'a merchant id is 3 to 32 capital letters, digits or _'))
  .min(1, 'name a merchant (--merchant)');
const optionsSchema = z.object({
  switchUrl: z.url({ protocol: /^https?$/, error: 'the switch URL is an http:// or https:// URL' }),
  pspKey: z.string().min(1, 'the in-bound PSP key (--key or INBOUND_PSP_KEY) is required'),
  dealerKey: z.string().min(1).nullable(),
  merchantIds: idList.max(100),
  purposeCodes: z
    .array(z.string().regex(/^[0-9]{4}$/, 'a purpose code is four digits such as 9184'))
    .min(1)
    .max(20),
  count: wholeNumber(1, inboundCountMax, '--count'),
  intervalMs: wholeNumber(0, 60_000, '--interval-ms'),
  rateValidSeconds: wholeNumber(10, 3_600, '--rate-valid-seconds'),
  seed: wholeNumber(0, 2 ** 31, '--seed'),
});

const list = (text: string): string[] => text.split(',').filter((item) => item !== '');

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      'switch-url': { type: 'string' },
      key: { type: 'string' },
      'dealer-key': { type: 'string' },
      merchant: { type: 'string' },
      'purpose-codes': { type: 'string' },
      count: { type: 'string' },
      'interval-ms': { type: 'string' },
      'rate-valid-seconds': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const parsed = optionsSchema.safeParse({
    switchUrl: values['switch-url'] ?? process.env['HISAAB_SWITCH_URL'] ?? 'http://127.0.0.1:8080',
    pspKey: values.key ?? process.env['INBOUND_PSP_KEY'] ?? '',
    dealerKey: values['dealer-key'] ?? process.env['FX_DEALER_KEY'] ?? null,
    merchantIds: list(values.merchant ?? ''),
    purposeCodes: list(values['purpose-codes'] ?? '9184,9182'),
    count: values.count ?? '10',
    intervalMs: values['interval-ms'] ?? '200',
    rateValidSeconds: values['rate-valid-seconds'] ?? '300',
    seed: values.seed ?? '1',
  });
  if (!parsed.success) {
    process.stderr.write(`inbound PSP simulator: ${parsed.error.issues.map((issue) => issue.message).join('; ')}\n${usage}\n`);
    process.exit(2);
  }
  const options = parsed.data;
  // Written synchronously: the run ends with process.exit, which would drop lines an asynchronous stream still holds
  // (a test saw the summary line lost after the last "paid").
  const logger = pino({ name: 'inbound-psp-simulator' }, pino.destination({ dest: 1, sync: true }));
  const random = seededRandom(options.seed);
  const feed =
    options.dealerKey === null
      ? null
      : new FxRateFeed({
          switchUrl: options.switchUrl,
          dealerKey: options.dealerKey,
          currencies: ['USD', 'EUR', 'GBP'],
          validForSeconds: options.rateValidSeconds,
          random,
          onError: (message) => logger.warn({ message }, 'rate refresh failed'),
        });
  if (feed !== null) logger.info({ rates: await feed.start(), refreshMs: feed.refreshMs }, 'rates posted');
  const { summary } = await runInboundPayments({
    switchUrl: options.switchUrl,
    pspKey: options.pspKey,
    merchantIds: options.merchantIds,
    purposeCodes: options.purposeCodes,
    count: options.count,
    intervalMs: options.intervalMs,
    seed: options.seed + 1,
    onRetry: (what, attempt) => logger.warn({ what, attempt }, 'retrying by the same id'),
    onResult: (result) => {
      const { order } = result;
      const facts = {
        paymentId: result.paymentId,
        merchantId: result.merchantId,
        payer: `${order.buyer.name} (${order.buyer.country}, ${order.buyer.type})`,
        amount: `${order.amount} ${order.buyer.currency}`,
        purposeCode: order.purposeCode,
        invoiceNumber: order.invoiceNumber,
        attempts: result.attempts,
      };
      if (result.kind === 'completed') {
        const { retained, converted } = result.payment;
        logger.info(
          { ...facts, retained: retained.amount, rupees: converted.toAmount, rate: converted.rate, provider: converted.provider },
          'paid',
        );
      } else if (result.kind === 'refused') logger.warn({ ...facts, code: result.code, message: result.message }, 'refused');
      else logger.error({ ...facts, detail: result.detail }, 'no clear answer');
    },
  });
  feed?.stop();
  logger.info(summary, 'done');
  process.exit(summary.completed === summary.sent ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`inbound PSP simulator failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
