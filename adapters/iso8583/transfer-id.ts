import { uuidV5 } from '../../core/ids';

/**
 * The switch's transfer id for a financial message a bank sends: a name-based UUID (version 5, SHA-1) of
 * DE32 + DE37 + DE11 + DE7. A bank that repeats a request sends the same four values, so the repeat maps to
 * the same transfer id, and the switch's idempotency on transfer ids answers it the same way.
 */

/** Hisaab's own namespace for ids derived from ISO 8583 messages (a fixed random UUID). */
export const ISO8583_TRANSFER_NAMESPACE = '5b0f6a2e-8d4c-4f7e-9a61-2c3d8e9f1a7b';

// The name-based UUID is core's (core/ids.ts): transfer ids that clients choose are scoped with it too.
export { uuidV5 };

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
  const name = [
    identity.acquirerInstitutionId,
    identity.retrievalReferenceNumber,
    identity.systemTraceAuditNumber,
    identity.transmissionDateTime,
  ].join('|');
  return uuidV5(name, ISO8583_TRANSFER_NAMESPACE);
}
