import { createHmac, timingSafeEqual } from 'node:crypto';

/** As Stripe: a signature older or newer than this is refused, so a captured request cannot be replayed later. */
export const signatureToleranceSecondsDefault = 300;
/** A header longer than this is not a Hisaab signature (a few v1 values during a rotation at most). */
const headerLengthMax = 1_024;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Verifies `Hisaab-Signature: t=<unix>,v1=<hex>[,v1=<hex>]` as a merchant does (README, "Verifying a webhook"):
 * HMAC-SHA256 of `t + "." + rawBody` under the merchant's secret; any one v1 matching is enough (during the 24 h after
 * a rotation the switch signs with both secrets), and `t` must be within the tolerance of the merchant's clock.
 */
export function verifyWebhookSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
  nowMs: number,
  toleranceSeconds = signatureToleranceSecondsDefault,
): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'the Hisaab-Signature header is missing' };
  if (header.length > headerLengthMax)
    return { ok: false, reason: `the Hisaab-Signature header is longer than ${headerLengthMax} characters` };
  const fields = header.split(',').map((field) => {
    const separator = field.indexOf('=');
    return separator < 0 ? ['', ''] : [field.slice(0, separator).trim(), field.slice(separator + 1).trim()];
  });
  const timestampText = fields.find(([key]) => key === 't')?.[1] ?? '';
  if (!/^[0-9]{1,12}$/.test(timestampText)) return { ok: false, reason: 'the signature has no timestamp t' };
  const timestampSeconds = Number(timestampText);
  if (Math.abs(nowMs / 1000 - timestampSeconds) > toleranceSeconds)
    return { ok: false, reason: `the signature's timestamp is more than ${toleranceSeconds} s from this shop's clock` };
  const expected = createHmac('sha256', secret).update(`${timestampText}.`).update(rawBody).digest();
  const matches = fields.some(
    ([key, value]) =>
      key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value) && timingSafeEqual(Buffer.from(value, 'hex'), expected),
  );
  return matches ? { ok: true } : { ok: false, reason: 'no v1 signature matches this shop’s webhook secret' };
}
