import type { PayeeMessageKind } from '../../core/payee-port';

/**
 * How the simulated wallet misbehaves, set at runtime by a test or the demo:
 * - `accept`: normal service;
 * - `reject`: credit requests are refused with `reason` (advices and reversals cannot be refused);
 * - `slow`: the message is processed (a credit is applied) but the answer comes `delayMs` later, so the switch
 *   times out on a wallet that did credit: the case reversals exist for;
 * - `error`: answers HTTP `status` (500) before processing anything;
 * - `garbage`: answers 200 with a body that is not JSON, before processing anything;
 * - `reset`: reads the request, then drops the connection without answering, before processing anything.
 * Refusing connections altogether is `WalletSimulator.refuseConnections()`.
 */
export type WalletMode =
  | { mode: 'accept' }
  | { mode: 'reject'; reason: string }
  | { mode: 'slow'; delayMs: number }
  | { mode: 'error'; status: number }
  | { mode: 'garbage' }
  | { mode: 'reset' };

export const slowDelayMsMax = 120_000;

export type ModeTable = Record<PayeeMessageKind, WalletMode>;

export function normalModes(): ModeTable {
  return { CREDIT_REQUEST: { mode: 'accept' }, CREDIT_ADVICE: { mode: 'accept' }, REVERSAL: { mode: 'accept' } };
}
