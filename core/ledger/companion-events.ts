import type { NewEvent } from '../eventstore/event';
import type { CompanionAppend } from './ledger-engine-contract';
import type { LedgerResultCode } from './result-codes';

/**
 * What a companion writes once its submit is decided (CompanionAppend): its accepted events when the first
 * command's result is one it accepts, else its refused events with the refusal's result and reason filled in.
 * Pure: the engine calls it inside its tick, and a front-end worker's test can call it to see what will be written.
 */
export function companionEvents(companion: CompanionAppend, results: readonly LedgerResultCode[]): NewEvent[] {
  const first = results[0];
  if (first !== undefined && companion.acceptedWhen.includes(first)) return [...companion.accepted];
  const refusal = companion.refusal;
  if (refusal === undefined || first === undefined) return [...companion.refused];
  const reason = refusal.reasons[first] ?? refusal.otherReason;
  return companion.refused.map((event) =>
    event.type === refusal.eventType
      ? { ...event, data: { ...event.data, [refusal.resultField]: first, [refusal.reasonField]: reason } }
      : event,
  );
}
