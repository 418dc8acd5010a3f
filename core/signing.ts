import { createHmac, timingSafeEqual } from 'node:crypto';
import { assert } from './assert';

/**
 * Signatures on what the switch sends to participants and merchants (docs/ARCHITECTURE.md sections 5 and 6):
 *
 *   Hisaab-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + rawBody)>
 *
 * The timestamp is inside the signed text so that a captured request cannot be replayed later than the
 * receiver's tolerance window; the raw body is signed byte for byte, so a receiver must verify before it
 * parses. A header may carry several v1 values (one per secret while a secret is being rotated); it is
 * valid when any of them matches.
 */
export const signatureHeaderName = 'Hisaab-Signature';

/** How far a signature's timestamp may be from the receiver's clock, either way, unless told otherwise. */
export const signatureToleranceSecondsDefault = 300;

/** A header longer than this is refused before any work: one timestamp and a few signatures fit easily. */
export const signatureHeaderLengthMax = 1024;

const signatureHexLength = 64;
export const signaturesPerHeaderMax = 8;

export type SignatureFailureReason =
  'SIGNATURE_MISSING' | 'SIGNATURE_MALFORMED' | 'SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE' | 'SIGNATURE_MISMATCH';

export type SignatureVerification =
  { valid: true; timestampSeconds: number } | { valid: false; reason: SignatureFailureReason; message: string };

export type SignInput = {
  /**
   * The secrets that sign, newest first: while a secret is being rotated both sign, and the header carries one
   * v1 value for each (`t=…,v1=<new>,v1=<old>`), so a receiver holding either secret accepts it.
   */
  secrets: readonly string[];
  rawBody: string | Uint8Array;
  /** The signing instant; injected so that signatures are reproducible in tests. */
  now: Date;
};

export type VerifyInput = {
  /** The header's value as received; undefined or an array (a repeated header) are refused clearly. */
  header: string | readonly string[] | undefined;
  /** The receiver's secrets (several while it takes a rotated one): valid when any v1 value matches any of them. */
  secrets: readonly string[];
  rawBody: string | Uint8Array;
  now: Date;
  toleranceSeconds?: number;
};

/** The hex HMAC-SHA256 of `timestampSeconds + "." + rawBody` under `secret`. */
export function computeSignature(secret: string, timestampSeconds: number, rawBody: string | Uint8Array): string {
  assert(secret.length > 0, 'a signing secret is never empty');
  assert(Number.isSafeInteger(timestampSeconds) && timestampSeconds >= 0, 'a signature timestamp is whole seconds since 1970');
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestampSeconds}.`, 'utf8');
  if (typeof rawBody === 'string') hmac.update(rawBody, 'utf8');
  else hmac.update(rawBody);
  return hmac.digest('hex');
}

/** The value of the Hisaab-Signature header for a body sent at `now`. */
export function signatureHeader(input: SignInput): string {
  assert(
    input.secrets.length >= 1 && input.secrets.length <= signaturesPerHeaderMax,
    `a header carries 1 to ${signaturesPerHeaderMax} signatures`,
  );
  const timestampSeconds = Math.floor(input.now.getTime() / 1000);
  const signatures = input.secrets.map((secret) => `v1=${computeSignature(secret, timestampSeconds, input.rawBody)}`);
  return [`t=${timestampSeconds}`, ...signatures].join(',');
}

/** Checks a received Hisaab-Signature header against the raw body; says why when it does not hold. */
export function verifySignature(input: VerifyInput): SignatureVerification {
  const toleranceSeconds = input.toleranceSeconds ?? signatureToleranceSecondsDefault;
  assert(Number.isSafeInteger(toleranceSeconds) && toleranceSeconds >= 0, 'a signature tolerance is whole seconds, not negative');
  const header = input.header;
  if (header === undefined || header === '') {
    return failure('SIGNATURE_MISSING', `the ${signatureHeaderName} header is missing`);
  }
  if (typeof header !== 'string') {
    return failure('SIGNATURE_MALFORMED', `the ${signatureHeaderName} header must appear once`);
  }
  const parsed = parseSignatureHeader(header);
  if (!parsed.ok) return failure('SIGNATURE_MALFORMED', parsed.message);

  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  if (Math.abs(nowSeconds - parsed.timestampSeconds) > toleranceSeconds) {
    return failure(
      'SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE',
      `the signature's timestamp ${parsed.timestampSeconds} is more than ${toleranceSeconds} s from now (${nowSeconds})`,
    );
  }
  assert(input.secrets.length <= signaturesPerHeaderMax, `a receiver verifies with at most ${signaturesPerHeaderMax} secrets`);
  // Compare every candidate with every secret without stopping early, so timing says nothing about which matched.
  let matched = false;
  for (const secret of input.secrets) {
    const expected = Buffer.from(computeSignature(secret, parsed.timestampSeconds, input.rawBody), 'hex');
    for (const candidate of parsed.signaturesHex) {
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true;
    }
  }
  if (!matched) return failure('SIGNATURE_MISMATCH', 'the signature does not match the body and the shared secret');
  return { valid: true, timestampSeconds: parsed.timestampSeconds };
}

type ParsedHeader = { ok: true; timestampSeconds: number; signaturesHex: string[] } | { ok: false; message: string };

function parseSignatureHeader(header: string): ParsedHeader {
  if (header.length > signatureHeaderLengthMax) {
    return { ok: false, message: `the ${signatureHeaderName} header is longer than ${signatureHeaderLengthMax} characters` };
  }
  let timestampSeconds: number | null = null;
  const signaturesHex: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) return { ok: false, message: `"${part.trim()}" is not a key=value pair` };
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (timestampSeconds !== null) return { ok: false, message: 'the header carries more than one timestamp' };
      if (!/^\d{1,12}$/.test(value)) return { ok: false, message: 'the timestamp t must be whole seconds since 1970' };
      timestampSeconds = Number(value);
    } else if (key === 'v1') {
      if (value.length !== signatureHexLength || !/^[0-9a-f]+$/i.test(value)) {
        return { ok: false, message: `a v1 signature is ${signatureHexLength} hexadecimal digits` };
      }
      signaturesHex.push(value.toLowerCase());
    }
    // Other schemes (v0, a future v2) are ignored, so that a receiver keeps working while the sender adds one.
  }
  if (timestampSeconds === null) return { ok: false, message: 'the header has no timestamp t' };
  if (signaturesHex.length === 0) return { ok: false, message: 'the header has no v1 signature' };
  if (signaturesHex.length > signaturesPerHeaderMax) {
    return { ok: false, message: `the header carries more than ${signaturesPerHeaderMax} v1 signatures` };
  }
  return { ok: true, timestampSeconds, signaturesHex };
}

function failure(reason: SignatureFailureReason, message: string): SignatureVerification {
  return { valid: false, reason, message };
}
