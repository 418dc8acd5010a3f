import { createHash, randomInt } from 'node:crypto';

/** Session ids: `cs_` and 22 characters of [A-Za-z0-9] (about 131 random bits), 25 in all to fit the QR's tag 62-05. */
export const sessionIdPattern = /^cs_[A-Za-z0-9]{22}$/;
const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newSessionId(): string {
  let suffix = '';
  for (let index = 0; index < 22; index += 1) suffix += idAlphabet[randomInt(idAlphabet.length)];
  return `cs_${suffix}`;
}

export const sessionStatuses = ['OPEN', 'COMPLETED', 'EXPIRED', 'CANCELLED'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

/** As Stripe Checkout: 30 minutes unless asked, from 1 minute to 24 hours. */
export const sessionExpiresInSecondsDefault = 1800;
export const sessionExpiresInSecondsMin = 60;
export const sessionExpiresInSecondsMax = 86_400;
export const orderIdLengthMax = 64;
export const descriptionLengthMax = 500;
export const returnUrlLengthMax = 2048;

export function checkoutStreamName(sessionId: string): string {
  return `checkout-${sessionId}`;
}

/** The stream that holds which session a merchant's Idempotency-Key created. */
export function checkoutRequestStreamName(merchantId: string, idempotencyKey: string): string {
  return `checkout-request-${createHash('sha256').update(`${merchantId}\n${idempotencyKey}`, 'utf8').digest('hex')}`;
}
