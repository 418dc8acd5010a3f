import { assertNever } from '../../core/assert';
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

/** The faults of a wallet's fault mix (issue 14), each drawn for a share of the requests. */
export const walletFaults = ['slow', 'decline', 'drop', 'garbage', 'error'] as const;
export type WalletFault = (typeof walletFaults)[number];

/** A fault mix's setting: each fault's share of requests, and how late a slow answer comes. */
export type WalletFaultMixSetting = { shares: Readonly<Record<WalletFault, number>>; seed: number; slowDelayMs: number };

/** The mode a drawn fault plays for one request: slow past the deadline, a refusal, a dropped connection, garbage, a 500. */
export function walletModeOf(fault: WalletFault, slowDelayMs: number): WalletMode {
  switch (fault) {
    case 'slow':
      return { mode: 'slow', delayMs: slowDelayMs };
    case 'decline':
      return { mode: 'reject', reason: 'SIMULATED_DECLINE' };
    case 'drop':
      return { mode: 'reset' };
    case 'garbage':
      return { mode: 'garbage' };
    case 'error':
      return { mode: 'error', status: 500 };
    default:
      return assertNever(fault);
  }
}
