import { seededRandom } from '../seeded-random';
import { inboundOrder, type InboundOrder } from './foreign-buyers';
import { InboundPspClient, type PaymentOutcome, type RetryPolicy } from './inbound-psp-client';

export type InboundRunOptions = {
  switchUrl: string;
  pspKey: string;
  /** The exporters paid, in turn. */
  merchantIds: readonly string[];
  /** The purpose codes the merchants accept; each order takes one. */
  purposeCodes: readonly string[];
  count: number;
  /** The pause between two payments. */
  intervalMs: number;
  seed: number;
  retry?: RetryPolicy;
  onResult?: (result: InboundResult) => void;
  onRetry?: (what: string, attempt: number) => void;
};

export type InboundResult = { order: InboundOrder; merchantId: string } & PaymentOutcome & { paymentId: string };
export type InboundSummary = { sent: number; completed: number; refused: Record<string, number>; unknown: number };

/** The most payments one run sends: a simulator run is bounded like everything else. */
export const inboundCountMax = 10_000;

/**
 * Buyers abroad paying Pakistani exporters through one in-bound PSP: `count` orders from a seeded generator, each
 * quoted then paid, one after another, with bounded retries by the same payment id (inbound-psp-client.ts).
 */
export async function runInboundPayments(options: InboundRunOptions): Promise<{ results: InboundResult[]; summary: InboundSummary }> {
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > inboundCountMax) {
    throw new Error(`count is a whole number from 1 to ${inboundCountMax}`);
  }
  if (options.merchantIds.length === 0 || options.purposeCodes.length === 0) throw new Error('name at least one merchant and purpose code');
  const random = seededRandom(options.seed);
  const client = new InboundPspClient({
    switchUrl: options.switchUrl,
    apiKey: options.pspKey,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
  });
  const results: InboundResult[] = [];
  const summary: InboundSummary = { sent: 0, completed: 0, refused: {}, unknown: 0 };
  for (let index = 0; index < options.count; index += 1) {
    if (index > 0 && options.intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    const merchantId = options.merchantIds[index % options.merchantIds.length] ?? '';
    const order = inboundOrder(index, random, options.purposeCodes);
    const result: InboundResult = { order, merchantId, ...(await client.payOrder(merchantId, order)) };
    summary.sent += 1;
    if (result.kind === 'completed') summary.completed += 1;
    else if (result.kind === 'refused') summary.refused[result.code] = (summary.refused[result.code] ?? 0) + 1;
    else summary.unknown += 1;
    results.push(result);
    options.onResult?.(result);
  }
  return { results, summary };
}
