import type { DeliveryAttemptResult } from '../../core/outbox/delivery-transport';
import type { CreditOutcome } from '../../core/payee-port';
import type { ExchangeOutcome } from '../iso8583/exchange-outcome';
import { describeResponseCode, isApproved, responseCodes } from '../iso8583/mapping';

/**
 * What a bank's answer (or its silence) means for the switch. A 0210 with 00 is a credit; any other DE39 is a
 * refusal, its code the reason; silence after sending is unknown (the bank may have credited, so the transfer
 * is reversed); a request never written is unavailable (nothing to undo).
 */
export function creditOutcomeOf(outcome: ExchangeOutcome, deadlineMs: number): CreditOutcome {
  switch (outcome.kind) {
    case 'response': {
      const responseCode = outcome.response.fields[39];
      // Without DE39 the answer says nothing: the bank may or may not have credited.
      if (responseCode === undefined)
        return { outcome: 'unknown', detail: `NO_RESPONSE_CODE: the bank answered ${outcome.response.mti} without DE39` };
      if (isApproved(responseCode)) return { outcome: 'accepted' };
      return { outcome: 'rejected', reason: responseCode };
    }
    case 'timeout':
      return outcome.reason === 'deadline'
        ? { outcome: 'unknown', detail: `TIMEOUT: no 0210 within ${deadlineMs} ms` }
        : { outcome: 'unknown', detail: 'CONNECTION_LOST: the connection closed before the 0210 arrived' };
    case 'not_sent':
      return { outcome: 'unavailable', detail: `NOT_SENT: ${outcome.reason}: ${outcome.detail}` };
  }
}

/** Codes with which a bank says it cannot take messages now, rather than refusing this one. */
const destinationWideCodes: ReadonlySet<string> = new Set([responseCodes.destinationUnavailable, responseCodes.systemError]);

/**
 * A store-and-forward message is done when the bank answers 00 (0430 to a reversal, 0230 to an advice). A 91
 * or 96 answer, silence and a closed line hold back every message to that bank; any other code refuses this
 * message only, which is retried on its own backoff until an operator looks at it.
 */
export function deliveryResultOf(outcome: ExchangeOutcome): DeliveryAttemptResult {
  switch (outcome.kind) {
    case 'response': {
      const responseCode = outcome.response.fields[39] ?? '';
      const answered = `${outcome.response.mti} ${responseCode === '' ? 'without DE39' : responseCode}`;
      if (isApproved(responseCode)) return { outcome: 'delivered', detail: answered };
      const scope = destinationWideCodes.has(responseCode) ? 'destination' : 'delivery';
      return { outcome: 'failed', scope, detail: `REFUSED: ${answered} (${describeResponseCode(responseCode)})` };
    }
    case 'timeout':
      return {
        outcome: 'failed',
        scope: 'destination',
        detail:
          outcome.reason === 'deadline'
            ? 'TIMEOUT: no answer before the deadline'
            : 'CONNECTION_LOST: the connection closed before the answer',
      };
    case 'not_sent':
      return {
        outcome: 'failed',
        scope: outcome.reason === 'invalid_message' ? 'delivery' : 'destination',
        detail: `NOT_SENT: ${outcome.reason}: ${outcome.detail}`,
      };
  }
}
