import { createHash } from 'node:crypto';
import { DomainError } from '../errors';

/** Idempotency keys are client-chosen; a UUID is typical. The bound keeps storage and logs small. */
export const idempotencyKeyLengthMax = 128;
const idempotencyKeyPattern = /^[A-Za-z0-9_.:-]+$/;

export function parseIdempotencyKey(header: string): string {
  if (header.length === 0 || header.length > idempotencyKeyLengthMax || !idempotencyKeyPattern.test(header)) {
    throw new DomainError(
      'INVALID_IDEMPOTENCY_KEY',
      `an Idempotency-Key is 1 to ${idempotencyKeyLengthMax} letters, digits, "-", "_", "." or ":" (a UUID is a good choice)`,
    );
  }
  return header;
}

/**
 * A stable reference for "this caller's request with this key", stored in the events it causes so that a retry
 * after a crash can recognise its own earlier effect. Hashed: event data should not carry client keys verbatim.
 */
export function requestReference(scope: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${scope}\n${idempotencyKey}`, 'utf8').digest('hex');
}

/**
 * A UUID derived from a request reference and a purpose (RFC 4122 version 5 layout over SHA-1), used as the id of
 * a ledger transfer the request causes: the ledger recognises a retried request by this id.
 */
export function derivedUuid(purpose: string, reference: string): string {
  const bytes = createHash('sha1').update(`hisaab:${purpose}:${reference}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
