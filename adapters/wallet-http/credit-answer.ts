import { z } from 'zod';
import type { CreditOutcome } from '../../core/payee-port';
import type { DeliveryAttemptResult } from '../../core/outbox/delivery-transport';
import type { PostResult } from './signed-post';
import { replaceUnsafeCharacters } from '../../core/unsafe-text';

/** A rejection reason is kept to this length: it ends up in the transfer's events and in answers to the payer. */
export const rejectionReasonLengthMax = 100;

/** The wallet's answer to a credit request (issue 4). Extra fields are tolerated, the status is not negotiable. */
const creditAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ACCEPTED') }),
  z.object({ status: z.literal('REJECTED'), reason: z.string().optional() }),
]);

/**
 * Classifies a credit request's result as issue 4 fixes it: 200 ACCEPTED → accepted; 200 REJECTED → rejected
 * with the wallet's reason; nothing sent → unavailable; anything else (timeout, a status other than 200, a body
 * that is not one of the two answers, a reset after sending) → unknown, since the wallet may have credited.
 */
export function classifyCreditAnswer(result: PostResult): CreditOutcome {
  if (result.delivery === 'not-sent') return { outcome: 'unavailable', detail: result.detail };
  if (result.delivery === 'no-answer') return { outcome: 'unknown', detail: result.detail };
  if (result.status !== 200) return { outcome: 'unknown', detail: `HTTP_STATUS: the wallet answered HTTP ${result.status}` };
  let body: unknown;
  try {
    body = JSON.parse(result.body);
  } catch {
    return {
      outcome: 'unknown',
      detail: `UNREADABLE_BODY: the wallet answered 200 with a body that is not JSON (${preview(result.body)})`,
    };
  }
  const answer = creditAnswerSchema.safeParse(body);
  if (!answer.success) {
    return { outcome: 'unknown', detail: `UNREADABLE_BODY: the wallet answered 200 without a clear status (${preview(result.body)})` };
  }
  if (answer.data.status === 'ACCEPTED') return { outcome: 'accepted' };
  // The payee chose this text: the characters a request body may not carry are replaced, not kept.
  const reason = replaceUnsafeCharacters((answer.data.reason ?? '').trim());
  return { outcome: 'rejected', reason: reason === '' ? 'UNSPECIFIED' : reason.slice(0, rejectionReasonLengthMax) };
}

/**
 * Classifies a store-and-forward attempt: done at the first 2xx whose body is empty or JSON. A 2xx with a body
 * that is not JSON is not a wallet's answer (a truncated or mangled one, or some page in front of the wallet):
 * the message may not have been applied, and since a payee deduplicates by transferId, repeating it is safe while
 * taking it as delivered could lose a reversal or an advice for good. No answer, 408, 429 and 5xx say the receiver
 * is not taking messages now (the whole destination backs off); any other status refuses this message only.
 */
export function classifyDeliveryAnswer(result: PostResult): DeliveryAttemptResult {
  if (result.delivery !== 'answered') return { outcome: 'failed', scope: 'destination', detail: result.detail };
  if (result.status >= 200 && result.status < 300) {
    if (result.body.trim() !== '' && !isJson(result.body))
      return {
        outcome: 'failed',
        scope: 'delivery',
        detail: `UNREADABLE_BODY: the wallet answered ${result.status} with a body that is not JSON (${preview(result.body)})`,
      };
    return { outcome: 'delivered', detail: `HTTP ${result.status}` };
  }
  const destinationWide = result.status === 408 || result.status === 429 || result.status >= 500;
  return {
    outcome: 'failed',
    scope: destinationWide ? 'destination' : 'delivery',
    detail: `HTTP_STATUS: HTTP ${result.status} ${preview(result.body)}`,
  };
}

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

function preview(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  // JSON escapes the C0 controls visibly; DEL, the C1 and the bidirectional controls it leaves are replaced.
  return replaceUnsafeCharacters(flat.length <= 80 ? JSON.stringify(flat) : `${JSON.stringify(flat.slice(0, 80))}…`);
}
