import { assert, assertNever } from '../assert';
import type { Decider } from '../eventstore/decider-stream';
import { DomainError } from '../errors';
import { idempotencyRetentionMs } from '../idempotency/idempotency-store';
import { withinRetryWindow } from '../idempotency/retry-window';
import {
  parseSettlementWindowId,
  settlementWindowEventTypes,
  settlementWindowId,
  windowSequenceMax,
  type SettledPosition,
  type SettlementWindowEvent,
} from './settlement-window-events';

/**
 * Closed windows waiting for settlement at most. A close beyond it is refused: a thousand unsettled windows (six
 * weeks of hourly closes) means settlement has stopped, and an operator must look before more pile up.
 */
export const unsettledWindowsMax = 1000;

/**
 * Closes and settlements remembered by their request reference, newest last. A request whose answer was lost is
 * retried with its Idempotency-Key; meanwhile the schedule or another operator may have closed or settled other
 * windows, so remembering only the last one would close a window too many. A retry is recognised only while the
 * answer it lost could still be stored (idempotencyRetentionMs): past that the same key is a new request. A thousand
 * requests outlast that day many times over.
 */
export const recentRequestsMax = 1000;

export type CloseRecord = { closedWindowId: string; openedWindowId: string; requestReference: string | null; closedAt: string };
type SettlementRecord = { windowId: string; requestReference: string; settledAt: string };

export type OpenWindow = { windowId: string; sequence: number; openedAt: string };

export type SettlementWindowsState = {
  /** Number of the last window opened; 0 before the first. */
  lastSequence: number;
  /** The one open window, or null before the first opens. */
  open: OpenWindow | null;
  /** Closed and not yet settled, oldest first. */
  unsettled: readonly { windowId: string; sequence: number }[];
  /** The most recent close. */
  lastClose: CloseRecord | null;
  /** Recent closes made for a request (at most recentRequestsMax), so that a retry is recognised instead of closing again. */
  recentCloses: readonly CloseRecord[];
  /** Recent settlements made for a request (at most recentRequestsMax), so that a retry is answered as done. */
  recentSettlements: readonly SettlementRecord[];
};

export type SettlementWindowCommand =
  | { type: 'OpenFirstWindow'; data: { currency: string }; now: Date }
  | { type: 'CloseWindow'; data: { currency: string; closedBy: string; requestReference: string | null }; now: Date }
  | {
      type: 'SettleWindow';
      data: { windowId: string; reference: string; positions: SettledPosition[]; requestReference: string | null };
      now: Date;
    };

export const initialState: SettlementWindowsState = {
  lastSequence: 0,
  open: null,
  unsettled: [],
  lastClose: null,
  recentCloses: [],
  recentSettlements: [],
};

/** The close a request made, if `now` it can still be retried (the newest, should a key have been reused after it expired). */
export function closeOfRequest(state: SettlementWindowsState, requestReference: string | null, now: Date): CloseRecord | null {
  if (requestReference === null) return null;
  for (let index = state.recentCloses.length - 1; index >= 0; index -= 1) {
    const close = state.recentCloses[index]!;
    if (close.requestReference === requestReference) return withinRetryWindow(close.closedAt, now) ? close : null;
  }
  return null;
}

export function evolve(state: SettlementWindowsState, event: SettlementWindowEvent): SettlementWindowsState {
  switch (event.type) {
    case 'SettlementWindowOpened': {
      const { windowId, sequence, openedAt } = event.data;
      return { ...state, lastSequence: sequence, open: { windowId, sequence, openedAt } };
    }
    case 'SettlementWindowClosed': {
      const closing = state.open;
      assert(closing !== null && closing.windowId === event.data.windowId, `window ${event.data.windowId} was open when it closed`);
      const close: CloseRecord = {
        closedWindowId: closing.windowId,
        // The next window opens in the same append; its id is the next number.
        openedWindowId: settlementWindowId(event.data.currency, closing.sequence + 1),
        requestReference: event.data.requestReference,
        closedAt: event.data.closedAt,
      };
      return {
        ...state,
        open: null,
        unsettled: [...state.unsettled, { windowId: closing.windowId, sequence: closing.sequence }],
        lastClose: close,
        recentCloses:
          close.requestReference === null ? state.recentCloses : remember(state.recentCloses, close, (record) => record.closedAt),
      };
    }
    case 'SettlementWindowSettled': {
      const { windowId, requestReference, settledAt } = event.data;
      return {
        ...state,
        unsettled: state.unsettled.filter((window) => window.windowId !== windowId),
        recentSettlements:
          requestReference === null
            ? state.recentSettlements
            : remember(state.recentSettlements, { windowId, requestReference, settledAt }, (record) => record.settledAt),
      };
    }
    default:
      return assertNever(event);
  }
}

export function decide(command: SettlementWindowCommand, state: SettlementWindowsState): SettlementWindowEvent[] {
  const at = command.now.toISOString();
  switch (command.type) {
    case 'OpenFirstWindow':
      // Every start of the switch asks; only the very first one opens anything.
      if (state.lastSequence > 0) return [];
      return [
        {
          type: 'SettlementWindowOpened',
          data: { windowId: settlementWindowId(command.data.currency, 1), currency: command.data.currency, sequence: 1, openedAt: at },
        },
      ];
    case 'CloseWindow':
      return decideClose(command.data, state, command.now);
    case 'SettleWindow':
      return decideSettle(command.data, state, command.now);
    default:
      return assertNever(command);
  }
}

function decideClose(
  data: Extract<SettlementWindowCommand, { type: 'CloseWindow' }>['data'],
  state: SettlementWindowsState,
  now: Date,
): SettlementWindowEvent[] {
  if (closeOfRequest(state, data.requestReference, now) !== null) return [];
  const at = now.toISOString();
  const open = state.open;
  if (open === null) throw new DomainError('NO_OPEN_WINDOW', `no settlement window is open for ${data.currency} yet`);
  if (state.unsettled.length >= unsettledWindowsMax) {
    throw new DomainError(
      'TOO_MANY_UNSETTLED_WINDOWS',
      `${state.unsettled.length} closed ${data.currency} windows are waiting for settlement; settle them before closing more`,
    );
  }
  const nextSequence = open.sequence + 1;
  if (nextSequence > windowSequenceMax) throw new DomainError('WINDOW_SEQUENCE_EXHAUSTED', `${data.currency} has used every window number`);
  return [
    {
      type: 'SettlementWindowClosed',
      data: {
        windowId: open.windowId,
        currency: data.currency,
        closedAt: at,
        closedBy: data.closedBy,
        requestReference: data.requestReference,
      },
    },
    {
      type: 'SettlementWindowOpened',
      data: { windowId: settlementWindowId(data.currency, nextSequence), currency: data.currency, sequence: nextSequence, openedAt: at },
    },
  ];
}

function decideSettle(
  data: Extract<SettlementWindowCommand, { type: 'SettleWindow' }>['data'],
  state: SettlementWindowsState,
  now: Date,
): SettlementWindowEvent[] {
  const at = now.toISOString();
  const parsed = parseSettlementWindowId(data.windowId);
  if (parsed === null || parsed.sequence > state.lastSequence) {
    throw new DomainError('WINDOW_NOT_FOUND', `there is no settlement window ${data.windowId}`);
  }
  if (state.open?.windowId === data.windowId) {
    throw new DomainError('WINDOW_NOT_CLOSED', `window ${data.windowId} is still open; close it before settling it`);
  }
  if (!state.unsettled.some((window) => window.windowId === data.windowId)) {
    const retried = state.recentSettlements.some(
      (settlement) =>
        settlement.windowId === data.windowId &&
        settlement.requestReference === data.requestReference &&
        withinRetryWindow(settlement.settledAt, now),
    );
    if (retried) return [];
    throw new DomainError('WINDOW_ALREADY_SETTLED', `window ${data.windowId} is settled already`);
  }
  checkPositions(data.positions);
  return [
    {
      type: 'SettlementWindowSettled',
      data: {
        windowId: data.windowId,
        currency: parsed.currency,
        reference: data.reference,
        settledAt: at,
        positions: data.positions,
        requestReference: data.requestReference,
      },
    },
  ];
}

/**
 * The list with `item` appended, less what can no longer be retried by the time of `item` (so a stream's fold stays
 * cheap), and at most the newest recentRequestsMax.
 */
function remember<Item>(items: readonly Item[], item: Item, timeOf: (item: Item) => string): readonly Item[] {
  const itemMs = Date.parse(timeOf(item));
  let first = Math.max(0, items.length - recentRequestsMax + 1);
  while (first < items.length && itemMs - Date.parse(timeOf(items[first]!)) >= idempotencyRetentionMs) first += 1;
  return [...items.slice(first), item];
}

/** Positions come from the switch's own report, never from a client: a bad one is a programmer error. */
function checkPositions(positions: readonly SettledPosition[]): void {
  const seen = new Set<string>();
  for (const position of positions) {
    assert(!seen.has(position.participant), `participant ${position.participant} is settled once per window`);
    seen.add(position.participant);
    assert(
      /^[1-9][0-9]*$/.test(position.amountMinor),
      `a settled amount is a positive whole number of minor units, got ${position.amountMinor}`,
    );
  }
}

export const settlementWindowDecider: Decider<SettlementWindowCommand, SettlementWindowEvent, SettlementWindowsState> = {
  initialState,
  evolve,
  decide,
  eventTypes: settlementWindowEventTypes,
};
