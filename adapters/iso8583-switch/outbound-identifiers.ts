import { createHash } from 'node:crypto';
import { assert } from '../../core/assert';
import { transmissionTimestamps } from '../iso8583/mapping';

/**
 * The identifiers of the 0200 (or 0220) the switch sends a bank for a transfer: DE11, DE37, DE7, DE12, DE13.
 *
 * They are derived, not stored. A bank names a request by DE32 + DE37 + DE11 + DE7, and a later 0420 must name
 * the same request in DE90 (original MTI, STAN, DE7, acquirer) and DE37, possibly after the switch restarted
 * and long after the 0200 was answered or lost. Deriving them from what the transfer's stream holds anyway
 * (its id and its creation time) gives the same values every time, with no extra write on the payment path
 * and no window in which a crash could leave a sent 0200 whose identifiers nobody recorded.
 *
 * - DE7/DE12/DE13: the transfer's creation time (UTC; Pakistan time for DE12/DE13). The 0200 leaves within
 *   the payee deadline of that instant, so it is also, to within seconds, its transmission time.
 * - DE11: six digits from a hash of the transfer id (000001–999999). Two transfers may share one; the channel
 *   matches answers by DE11 + DE41, so the gateway waits for the other to settle before sending (see the
 *   gateway), and the bank tells them apart by DE37.
 * - DE37: twelve digits from another part of the same hash. With DE11 and DE7 that is about 10^18 values per
 *   second of creation, so two transfers never present the same identity to a bank.
 */
export type OutboundIdentifiers = {
  readonly systemTraceAuditNumber: string;
  readonly retrievalReferenceNumber: string;
  readonly transmissionDateTime: string;
  readonly localTime: string;
  readonly localDate: string;
};

const STAN_SPACE = 999_999;
const RRN_SPACE = 10n ** 12n;
/** Keeps these hashes apart from any other use of SHA-256 over a transfer id. */
const DERIVATION_LABEL = 'hisaab/iso8583/outbound/v1|';

export function outboundIdentifiers(transferId: string, createdAt: string): OutboundIdentifiers {
  const created = new Date(createdAt);
  assert(!Number.isNaN(created.getTime()), `a transfer's creation time is an ISO-8601 instant, got ${JSON.stringify(createdAt)}`);
  const digest = createHash('sha256').update(DERIVATION_LABEL).update(transferId, 'utf8').digest();
  const stan = (digest.readUInt32BE(0) % STAN_SPACE) + 1;
  const rrn = digest.readBigUInt64BE(8) % RRN_SPACE;
  const timestamps = transmissionTimestamps(created);
  return {
    systemTraceAuditNumber: String(stan).padStart(6, '0'),
    retrievalReferenceNumber: rrn.toString().padStart(12, '0'),
    transmissionDateTime: timestamps.transmissionDateTime,
    localTime: timestamps.localTime,
    localDate: timestamps.localDate,
  };
}
