import { assert } from '../assert';
import { DomainError } from '../errors';
import { isCurrencyCode, type CurrencyCode } from '../money';

/**
 * Facts of a currency's settlement windows, in the stream `settlement-<currency>` (docs/ARCHITECTURE.md section 8).
 * A window is OPEN → CLOSED → SETTLED. Closing one and opening the next are ONE append, so exactly one window is
 * open per currency at every position of the log, and a payment committed at any position belongs to exactly one.
 */
export type SettlementWindowOpened = {
  type: 'SettlementWindowOpened';
  data: { windowId: string; currency: string; sequence: number; openedAt: string };
};

export type SettlementWindowClosed = {
  type: 'SettlementWindowClosed';
  data: {
    windowId: string;
    currency: string;
    closedAt: string;
    /** `operator` (the API) or `schedule` (HISAAB_SETTLEMENT_CLOSE_CRON / _INTERVAL_MS). */
    closedBy: string;
    /** The request that closed it (operator + Idempotency-Key, hashed): a retry finds its own close. */
    requestReference: string | null;
  };
};

/**
 * What each participant's window position was when the central bank's RTGS settled it. `amountMinor` is positive;
 * `direction` says which way the money went: RECEIVES (the participant was owed) or PAYS (it owed).
 * Participants whose position was zero are not listed.
 */
export type SettledPosition = { participant: string; direction: 'RECEIVES' | 'PAYS'; amountMinor: string };

export type SettlementWindowSettled = {
  type: 'SettlementWindowSettled';
  data: {
    windowId: string;
    currency: string;
    /** The RTGS confirmation reference the operator recorded. */
    reference: string;
    settledAt: string;
    positions: SettledPosition[];
    requestReference: string | null;
  };
};

export type SettlementWindowEvent = SettlementWindowOpened | SettlementWindowClosed | SettlementWindowSettled;

export const settlementWindowEventTypes: readonly SettlementWindowEvent['type'][] = [
  'SettlementWindowOpened',
  'SettlementWindowClosed',
  'SettlementWindowSettled',
];

export const settlementStreamPrefix = 'settlement-';

export function settlementStreamName(currency: string): string {
  return `${settlementStreamPrefix}${currency}`;
}

/** Window numbers start at 1 per currency; 6 digits keep ids sortable for the first million windows. */
const windowSequenceDigits = 6;
export const windowSequenceMax = 999_999_999;
const windowIdPattern = /^([A-Z]{3})-([0-9]{6,9})$/;

/** The window's id: its currency and number, `PKR-000042`. Derived, so a projection can name a window before it opens. */
export function settlementWindowId(currency: string, sequence: number): string {
  assert(
    Number.isSafeInteger(sequence) && sequence >= 1 && sequence <= windowSequenceMax,
    `a window sequence is 1 to ${windowSequenceMax}`,
  );
  return `${currency}-${String(sequence).padStart(windowSequenceDigits, '0')}`;
}

export type ParsedWindowId = { currency: CurrencyCode; sequence: number };

/** The currency and number of a window id, or null when it is not one (wrong shape, unknown currency). */
export function parseSettlementWindowId(windowId: string): ParsedWindowId | null {
  const match = windowIdPattern.exec(windowId);
  if (!match) return null;
  const currency = match[1]!;
  const digits = match[2]!;
  const sequence = Number(digits);
  if (!isCurrencyCode(currency) || sequence < 1 || sequence > windowSequenceMax) return null;
  // One spelling per window: "PKR-0000042" is not another name for PKR-000042.
  if (settlementWindowId(currency, sequence) !== windowId) return null;
  return { currency, sequence };
}

export function requireSettlementWindowId(windowId: string): ParsedWindowId {
  const parsed = parseSettlementWindowId(windowId);
  if (parsed === null) throw new DomainError('WINDOW_NOT_FOUND', `there is no settlement window ${JSON.stringify(windowId.slice(0, 32))}`);
  return parsed;
}
