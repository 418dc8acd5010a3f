import { createHash } from 'node:crypto';
import { assert } from '../../core/assert';

/**
 * The switch's transfer id for a financial message a bank sends: a name-based UUID (version 5, SHA-1) of
 * DE32 + DE37 + DE11 + DE7. A bank that repeats a request sends the same four values, so the repeat maps to
 * the same transfer id, and the switch's idempotency on transfer ids answers it the same way.
 */

/** Hisaab's own namespace for ids derived from ISO 8583 messages (a fixed random UUID). */
export const ISO8583_TRANSFER_NAMESPACE = '5b0f6a2e-8d4c-4f7e-9a61-2c3d8e9f1a7b';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 section 5.5: SHA-1 over the namespace's bytes and the name's UTF-8 bytes, version and variant set. */
export function uuidV5(name: string, namespace: string): string {
  assert(uuidPattern.test(namespace), 'a UUID namespace is a UUID');
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export type TransferIdentity = {
  /** DE32 */
  readonly acquirerInstitutionId: string;
  /** DE37 */
  readonly retrievalReferenceNumber: string;
  /** DE11 */
  readonly systemTraceAuditNumber: string;
  /** DE7 */
  readonly transmissionDateTime: string;
};

export function transferIdFor(identity: TransferIdentity): string {
  // The separator cannot occur in any of the four fields, so distinct tuples never give the same name.
  const name = [identity.acquirerInstitutionId, identity.retrievalReferenceNumber, identity.systemTraceAuditNumber, identity.transmissionDateTime].join('|');
  return uuidV5(name, ISO8583_TRANSFER_NAMESPACE);
}
