import type { NewEvent } from '../eventstore/event';
import type { StreamAppend } from '../eventstore/event-store';
import type { CompanionAppend } from './ledger-engine-contract';
import type { LedgerResultCode } from './result-codes';

/**
 * What a companion writes once its submit is decided (CompanionAppend): its accepted events when the result of the
 * command at `resultIndex` is one it accepts (with its follow-up when that command is accepted too), else its refused events with the refusal's result and reason filled in.
 * Pure: the engine calls it inside its tick, and a front-end worker's test can call it to see what will be written.
 */
export function companionEvents(companion: CompanionAppend, results: readonly LedgerResultCode[]): NewEvent[] {
  const result = results[companion.resultIndex ?? 0];
  if (result !== undefined && companion.acceptedWhen.includes(result))
    return [...companion.accepted, ...followUpEvents(companion, results)];
  const refusal = companion.refusal;
  if (refusal === undefined || result === undefined) return [...companion.refused];
  const reason = refusal.reasons[result] ?? refusal.otherReason;
  return companion.refused.map((event) =>
    event.type === refusal.eventType
      ? { ...event, data: { ...event.data, [refusal.resultField]: result, [refusal.reasonField]: reason } }
      : event,
  );
}

function followUpEvents(companion: CompanionAppend, results: readonly LedgerResultCode[]): readonly NewEvent[] {
  const followUp = companion.acceptedFollowUp;
  if (followUp === undefined) return [];
  const result = results[followUp.resultIndex];
  return result !== undefined && followUp.acceptedWhen.includes(result) ? followUp.events : [];
}

/**
 * An append that rides in a submit's durable write, after the ledger's events, when the submit's first command is
 * accepted (posted now, or before: `exists`), and writes nothing when it is refused. Its expected revision is checked
 * with the write, so a stream changed since it was read refuses the whole submit.
 */
export function afterLedgerWrite(append: StreamAppend): CompanionAppend {
  return {
    stream: append.stream,
    expectedRevision: append.expectedRevision,
    placement: 'after_ledger',
    acceptedWhen: ['ok', 'exists'],
    accepted: append.events,
    refused: [],
  };
}
