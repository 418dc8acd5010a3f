import { assert } from '../../core/assert';

/** What the simulated bank host can be told at runtime, to play a failing or slow bank in tests and the demo. */
export type BankHostBehaviour = {
  /** Answer every 0200 with 05 (do not honour). */
  decline: boolean;
  /** Wait this long before answering a financial message. */
  delayMs: number;
  /** Close every new connection at once. */
  refuseConnections: boolean;
};

export const BEHAVIOUR_DELAY_MS_MAX = 120_000;

export const normalBehaviour: BankHostBehaviour = { decline: false, delayMs: 0, refuseConnections: false };

export function checkBehaviour(behaviour: BankHostBehaviour): void {
  assert(
    Number.isSafeInteger(behaviour.delayMs) && behaviour.delayMs >= 0 && behaviour.delayMs <= BEHAVIOUR_DELAY_MS_MAX,
    `a delay is 0 to ${BEHAVIOUR_DELAY_MS_MAX} ms`,
  );
}
