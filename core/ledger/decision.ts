import type { LedgerEvent } from './events';
import type { LedgerResultCode } from './result-codes';

export type RefusalCode = Exclude<LedgerResultCode, 'ok'>;

/** What the decider answers for one command: `ok` with the event to append, or a code and nothing to append. */
export type Decision = { result: 'ok'; event: LedgerEvent } | { result: RefusalCode };

const refusals = new Map<RefusalCode, Decision>();

/** A refusal; the objects are shared (and frozen) so that refusing costs no allocation on the hot path. */
export function refuse(code: RefusalCode): Decision {
  let decision = refusals.get(code);
  if (decision === undefined) {
    decision = Object.freeze({ result: code });
    refusals.set(code, decision);
  }
  return decision;
}

export function accept(event: LedgerEvent): Decision {
  return { result: 'ok', event };
}

/** The time a decision is made at (injected), in epoch milliseconds. */
export type DecideContext = { nowMs: number };
