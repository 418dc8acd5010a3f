import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ReceiverContext } from './wallet-receiver';
import { checkSignature, readBody, requestBytesMax, sendJson } from './wallet-receiver';

/**
 * How the simulated wallet's customers answer requests to pay (issue 11): after `approveDelayMs` the customer
 * approves and the wallet pays the merchant (a P2M transfer with the session id); a number in `declineNumbers`
 * declines instead.
 */
export type RequestToPayBehaviour = { approveDelayMs: number; declineNumbers: readonly string[] };

const requestToPaySchema = z.object({
  rtpId: z.string().max(64),
  checkoutSessionId: z.string().max(64),
  merchant: z.object({ id: z.string().max(64), name: z.string().max(200), mcc: z.string().max(8) }),
  amount: z.string().max(40),
  currency: z.string().max(3),
  payer: z.object({ type: z.literal('MSISDN'), value: z.string().max(32) }),
  orderId: z.string().max(100),
  expiresAt: z.string().max(40),
});
export type ReceivedRequestToPay = z.infer<typeof requestToPaySchema>;

export type RequestToPayActions = {
  behaviour: () => RequestToPayBehaviour;
  /** The wallet number holding this MSISDN, or null: the customer is not this wallet's. */
  walletOf: (msisdn: string) => string | null;
  pay: (request: ReceivedRequestToPay, walletNumber: string) => Promise<unknown>;
  decline: (request: ReceivedRequestToPay) => Promise<unknown>;
  record: (request: ReceivedRequestToPay) => void;
};

/** POST /rtp: verifies the switch's signature, answers 202 at once (the customer was asked), then acts later. */
export async function handleRequestToPay(
  context: ReceiverContext,
  actions: RequestToPayActions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const rawBody = await readBody(request);
  if (rawBody === null) return sendJson(response, 413, { error: { code: 'BODY_TOO_LARGE', message: `at most ${requestBytesMax} bytes` } });
  if (checkSignature(context, request, rawBody) !== 'VALID') {
    return sendJson(response, 401, { error: { code: 'SIGNATURE_INVALID', message: 'the Hisaab-Signature does not verify' } });
  }
  let parsed: ReceivedRequestToPay;
  try {
    parsed = requestToPaySchema.parse(JSON.parse(rawBody.toString('utf8')));
  } catch {
    return sendJson(response, 400, { error: { code: 'MALFORMED', message: 'not a request to pay' } });
  }
  const walletNumber = actions.walletOf(parsed.payer.value);
  if (walletNumber === null) return sendJson(response, 404, { error: { code: 'UNKNOWN_CUSTOMER', message: 'no such customer here' } });
  actions.record(parsed);
  const behaviour = actions.behaviour();
  sendJson(response, 202, { status: 'CUSTOMER_ASKED', rtpId: parsed.rtpId });
  const act = behaviour.declineNumbers.includes(parsed.payer.value)
    ? () => actions.decline(parsed)
    : () => actions.pay(parsed, walletNumber);
  context.later(behaviour.approveDelayMs, () => void act().catch(() => undefined));
}
